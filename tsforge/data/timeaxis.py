"""The time axis of a table: find the time column, parse it, put rows on a regular grid.

Why a module of its own: the long and wide readers and the forecast-history parser must agree
on what counts as a time column and how integers, ``YYYYMMDD`` numbers and date strings are
read; one set of rules here keeps a file that trains also forecast.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data import validation as V
from tsforge.data.file_lines import (
    ListPlace,
    in_time_column_words,
    refuse_empty_line,
    row_where,
    row_words,
    time_column_words,
)
from tsforge.data.frequency import date_words, grid_words, off_grid_hint
from tsforge.data.period_labels import GuessedLabelsWarning, looks_like_period_labels
from tsforge.data.validation import TIME_RANGE, TIME_RANGE_TEXT  # re-exported: the range a time axis holds
from tsforge.errors import DataValidationError
from tsforge.quiet import held_warnings, silenced

__all__ = [
    "TIME_NAMES",
    "TIME_RANGE",
    "TIME_RANGE_TEXT",
    "parse_time_column",
    "parse_times_by_series",
    "read_times_by_series",
    "rows_by_series",
    "written_form",
    "series_fault",
    "moved_row_words",
    "said_of_series",
    "detect_time_column",
    "regularise",
    "regularise_steps",
    "integer_step",
    "step_gcd",
    "next_integer_steps",
]

log = logging.getLogger(__name__)

_INT64_MAX = int(np.iinfo(np.int64).max)

TIME_NAMES = ("ds", "date", "datetime", "timestamp", "time", "period", "dt")


def parse_time_column(
    series: pl.Series,
    *,
    column: str,
    file: str | None,
    fmt: str | None = None,
    place: ListPlace | None = None,
    ids: V.SeriesOfRows | None = None,
) -> tuple[np.ndarray, bool]:
    """Parse a time column. Returns (keys, is_datetime): datetime64[ns], or int64 step indices.

    Integers are an ordering index (Nixtla allows integer ``ds``) unless ``fmt`` gives a date
    format such as ``%Y%m%d``; they never go through date guessing, where ``1`` would become a
    day of the current month.

    ``place``: the values are a list in the caller's input (the service's
    ``series[0].timestamps``), and a refusal names a value by its path there
    (``at series[0].timestamps[3]``) instead of a row or line of the time column ``column``.

    ``ids``: each row's series, where the column is a long table's: times with UTC offsets are
    read at their wall-clock time or in UTC by each series' own times, not by the whole column's
    (:func:`~tsforge.data.validation.parse_timestamps`).
    """
    if series.null_count():  # a blank line of a wide file: said as such, not as a missing time
        refuse_empty_line(int(np.flatnonzero(series.is_null().to_numpy())[0]), file)
    series = _whole_floats_as_integers(series)
    _refuse_dotted_months(series, column=column, file=file, place=place)
    is_int = series.dtype.is_integer()
    if is_int and fmt is None and _looks_like_yyyymmdd(series):
        fmt = "%Y%m%d"
    elif is_int and fmt is None and _looks_like_yyyymm(series):
        fmt = "%Y%m"
    if is_int and fmt is None:
        if series.null_count():
            row = int(np.flatnonzero(series.is_null().to_numpy())[0])
            raise DataValidationError(
                f"missing value {in_time_column_words(column, row, file, place)}",
                file=file,
                column=column,
                **row_where(row, file),
            )
        return series.cast(pl.Int64).to_numpy(), False
    if is_int:
        series = series.cast(pl.String)
    return V.parse_timestamps(series, column=column, file=file, fmt=fmt, place=place, ids=ids), True


def parse_times_by_series(
    series: pl.Series, ids: np.ndarray, *, column: str, file: str | None, whole: DataValidationError
) -> np.ndarray:
    """A long frame's text time column read one series at a time, each in its own format →
    ``datetime64[ns]`` in the rows' order; call it once the whole column was refused (``whole``:
    that refusal, kept where a series' own reading is a guess).

    Why: the column's format is inferred once, from its first row, so a frame whose series ``a``
    writes ``2021Q1`` and series ``b`` writes ``2021-01-01`` was refused as "written in more
    than one way", although each series alone is read. A series that mixes formats within itself
    is still refused, naming the series and the row; one whose own dates read day first or month
    first alike (or as a month or a day, ``Jan-10``) keeps the whole column's refusal: its format
    is no longer unambiguous once the other series no longer pin it. The loop is
    :func:`read_times_by_series`, shared with the service's ``/invocations``.
    """
    if series.dtype != pl.String:
        raise whole

    def read(rows: np.ndarray) -> np.ndarray | None:
        keys, dated = parse_time_column(series.gather(rows), column=column, file=None)
        return keys if dated else None

    def restate(exc: DataValidationError, rows: np.ndarray, sid: str) -> DataValidationError:
        return _series_time_error(exc, series, rows, sid, column, file)

    return read_times_by_series(
        ids, read=read, restate=restate, whole=whole, form=_text_form(series), guesses=_GUESSES
    )


#: reads the times at some rows of a long frame (one series, or several whose first times are
#: written alike) → ``datetime64[ns]`` in those rows' order, or ``None`` where they are no dates
#: (integers: the whole column's refusal stands); a refusal's ``row`` counts within those rows
TimesReader = Callable[[np.ndarray], "np.ndarray | None"]
#: one series' refusal by the reader (its ``row`` counted within the series' rows) said of the
#: frame, in the caller's words: ``(refusal, the series' rows, its id) → refusal``
SeriesRestater = Callable[[DataValidationError, np.ndarray, str], DataValidationError]
#: a series' rows → the key of the series read in one call with it, or ``None``: read it alone
SeriesForm = Callable[[np.ndarray], "Hashable | None"]


def read_times_by_series(
    ids: np.ndarray,
    *,
    read: TimesReader,
    restate: SeriesRestater,
    whole: DataValidationError,
    form: SeriesForm,
    guesses: tuple[type[Warning], ...] = (),
) -> np.ndarray:
    """The one loop that reads a long frame's times series by series (``ids``: each row's series)
    after the column read as one was refused (``whole``) → ``datetime64[ns]`` in the rows' order.

    ``read`` is the caller's parser (the library's, or the service's for JSON ``ds``) and
    ``restate`` says a series' refusal in the caller's words. ``whole`` stands for a frame of one
    series, and where a series' reading gives no dates or a note of ``guesses`` (its format was a
    guess once the other series no longer pin it). Other notes are issued once each.

    Why this order: the series of the row the whole column stumbled on (``whole``'s ``row``) is
    read first, so a bad date is refused at once rather than after every other series; the others
    are read in groups of one ``form`` (the way their first times are written), one call a group:
    a call costs about as much for one series as for a thousand (1.7 ms a series read one at a
    time: 2,000 series took 3.4 s). A group whose reading fails or gives a note is
    read again series by series, its failing series first: a refusal and a note are always those
    of a series read alone.
    """
    ids = np.asarray(ids).astype(str)
    groups = rows_by_series(ids)
    if len(groups) < 2:
        raise whole
    reading = _BySeries(read, restate, whole, guesses, np.empty(ids.size, dtype="datetime64[ns]"))
    bad = whole.where.get("row")
    if isinstance(bad, int) and 0 <= bad < ids.size:
        k = next(k for k, (sid, _) in enumerate(groups) if sid == ids[bad])
        reading.alone(*groups.pop(k))
    by_form: dict[Hashable, list[tuple[str, np.ndarray]]] = {}
    for sid, rows in groups:
        key = form(rows)
        by_form.setdefault(("alone", sid) if key is None else ("form", key), []).append((sid, rows))
    for members in by_form.values():
        reading.together(members)
    for note in reading.notes.values():  # a note every series gives is said once
        warnings.warn(note.message, stacklevel=3)
    return reading.out


@dataclass
class _BySeries:
    """The state of :func:`read_times_by_series`: the times read so far and the notes given."""

    read: TimesReader
    restate: SeriesRestater
    whole: DataValidationError
    guesses: tuple[type[Warning], ...]
    out: np.ndarray
    notes: dict[str, warnings.WarningMessage] = field(default_factory=dict)

    def alone(self, sid: str, rows: np.ndarray) -> None:
        """Read one series; its refusal restated, ``whole`` where it gives no dates or a guess."""
        try:
            keys, caught = _quietly(self.read, rows)
        except DataValidationError as exc:
            raise self.restate(exc, rows, sid) from None
        if keys is None or any(issubclass(w.category, self.guesses) for w in caught):
            raise self.whole
        self.out[rows] = keys
        self.notes.update((str(w.message), w) for w in caught)

    def together(self, members: list[tuple[str, np.ndarray]]) -> None:
        """Read series of one form in one call; where that fails or gives a note, each alone (the
        series that failed first)."""
        if len(members) == 1:
            self.alone(*members[0])
            return
        rows = np.concatenate([r for _, r in members])
        try:
            keys, caught = _quietly(self.read, rows)
        except DataValidationError as exc:
            first = _member_at(members, exc.where.get("row"))
        else:
            if keys is not None and not caught:
                self.out[rows] = keys
                return
            first = 0
        for sid, own in [members[first], *members[:first], *members[first + 1 :]]:
            self.alone(sid, own)


def _quietly(read: TimesReader, rows: np.ndarray) -> tuple[np.ndarray | None, list[warnings.WarningMessage]]:
    """``read(rows)`` and the notes it gave, held back (the caller decides which to issue); held
    in this thread alone (:func:`~tsforge.quiet.held_warnings`): the service reads requests'
    times in several threads, and another request's notes must reach it meanwhile."""
    with held_warnings() as caught:
        keys = read(rows)
    return keys, list(caught)


def _member_at(members: list[tuple[str, np.ndarray]], at: object) -> int:
    """Which of ``members`` (read one after another) holds row ``at`` of their reading (0 if none)."""
    if not isinstance(at, int):
        return 0
    ends = np.cumsum([r.size for _, r in members])
    return min(int(np.searchsorted(ends, at, side="right")), len(members) - 1)


def rows_by_series(ids: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """``(series id, its rows)`` in the order the series first appear (rows in frame order)."""
    uniq, first, codes = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(codes.reshape(-1), kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes.reshape(-1), minlength=uniq.size))]
    groups = [(str(uniq[k]), order[bounds[k] : bounds[k + 1]]) for k in range(uniq.size)]
    return [groups[k] for k in np.argsort(first, kind="stable")]


_DIGIT_RUN = re.compile(r"\d+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4096)  # series of a frame mostly start alike: one form worked out per start
def written_form(value: str) -> str:
    """How a time is written, for :func:`read_times_by_series` to read series alike together:
    ``2021-01-31`` and ``2022-03-15`` → ``Y-2:1-2:3``, ``2021Q1`` → ``YA1:1`` (letters as ``a``
    or ``A``, four digits as ``Y``, other digits as their count and, two by two, the fields they
    can be: ``1`` up to 12 (a month), ``3`` up to 31 (a day), ``5`` up to 59 (a minute), else ``9``).

    Why the classes: a parser infers a format from a series' first time, and ``2021-13-01`` infers
    another than ``2021-02-01``; series whose first times share a form infer one format, so
    reading them together reads each as it reads alone.
    """
    text = _LETTER_RUN.sub(lambda m: "".join("A" if c.isupper() else "a" for c in m.group()), value)
    return _DIGIT_RUN.sub(_digit_form, text)


def _digit_form(run: re.Match[str]) -> str:
    """One run of digits in :func:`written_form`'s words."""
    digits = run.group()
    if len(digits) == 4:
        return "Y"
    pairs = (digits[i : i + 2] for i in range(0, len(digits), 2))
    return f"{len(digits)}:" + "".join(_pair_form(p) for p in pairs)


def _pair_form(pair: str) -> str:
    number = int(pair)
    return "1" if number <= 12 else "3" if number <= 31 else "5" if number <= 59 else "9"


#: a first time that reads day first or month first by the whole column (``01/02/2017``)
_DAY_OR_MONTH_FIRST = re.compile(r"^\s*\d{1,2}[./-]\d{1,2}[./-]\d")
#: a time of day with a UTC offset, read wall-clock or UTC by the whole column (a wider net
#: than the parser's own test, so that whatever it reads as zoned is read alone)
_UTC_OFFSET = r"(?i)\d:\d{2}(?::\d{2})?(?:[.,]\d+)?\s*(?:z|utc|[+-]\d{2}:?\d{2})\s*$"


def _text_form(series: pl.Series) -> SeriesForm:
    """:func:`written_form` of a series' first time, or ``None`` (read it alone) where
    :func:`~tsforge.data.validation.parse_timestamps` decides by the whole column read: day
    first or month first, wall-clock or UTC (a time with an offset anywhere in the series)."""
    offset = series.str.contains(_UTC_OFFSET).fill_null(False).to_numpy()

    def form(rows: np.ndarray) -> str | None:
        first = series[int(rows[0])]
        if not isinstance(first, str) or _DAY_OR_MONTH_FIRST.match(first) or bool(offset[rows].any()):
            return None
        return written_form(first)

    return form


def series_fault(exc: DataValidationError, rows: np.ndarray) -> tuple[int, int, int] | None:
    """Where a series' refusal (``exc``, its row counted within the series' ``rows``) lies in the
    frame: ``(row within the series, frame row, another frame row of the series)``, the last the
    series' first row (its second where the first is at fault); ``None`` where it names no row."""
    at = exc.where.get("row")
    if not isinstance(at, int) or not 0 <= at < rows.size:
        return None
    other = rows[0] if at != 0 else rows[min(1, rows.size - 1)]
    return at, int(rows[at]), int(other)


def moved_row_words(message: str, said: str, here: str, value: object) -> str:
    """``message`` with its first ``said`` (a series' own row: ``at row 1``) replaced by ``here``
    (the frame's), skipping a longer number (``at row 12``) and the quoted time ``value``.

    Why: a plain ``str.replace`` turned ``row 1`` of ``at row 12`` (or of a time written
    ``row 12``) into the frame's row, leaving the row the refusal meant unsaid.
    """
    quoted = [(m.start(), m.end()) for m in re.finditer(re.escape(repr(value)), message)]
    for m in re.finditer(r"(?<!\w)" + re.escape(said) + r"(?!\d)", message):
        if not any(lo <= m.start() < hi for lo, hi in quoted):
            return message[: m.start()] + here + message[m.end() :]
    return message


def said_of_series(message: str, sid: str, said: str, here: str, value: object) -> str:
    """A series' refusal read alone (``message``, its row ``said``: ``at row 1``) said of the
    frame: ``for series 'a' at row 9`` (``here``: the frame's words for the row, ``at row 9``) in
    place of ``said``; a refusal without ``said`` begins ``series 'a': ``.

    Why here and not after the row: the series was spliced in as a bracket, ``at row 6 (series
    's1') (5 unparsable rows in total)``, two asides in a row; placed before the row it reads as
    one sentence, as a duplicate refusal does (``for series 'a' at rows [4, 5]``). One function,
    so the library's readers and the service's ``/invocations`` say it alike.
    """
    moved = moved_row_words(message, said, f"for series {sid!r} {here}", value)
    return moved if moved != message else f"series {sid!r}: {message}"


def _series_time_error(
    exc: DataValidationError,
    series: pl.Series,
    rows: np.ndarray,
    sid: str,
    column: str,
    file: str | None,
) -> DataValidationError:
    """The refusal of one series' times read alone (``exc``, whose row counts within the series),
    said of the frame's row and naming the series: "written in more than one way" when the time
    refused reads as a date on its own, else the series' own error at the frame's row."""
    fault = series_fault(exc, rows)
    if fault is None:
        return exc
    at, row, other = fault
    value = series[row]
    if other != row and _reads_alone(value, column):
        message = (
            f"the times of series {sid!r} in column {column!r} are written in more than one way: "
            f"{series[other]!r} {row_words(other, file)} and {value!r} {row_words(row, file)}; write "
            "every time of a series the same way (each series may have its own)"
        )
        return DataValidationError(message, file=file, column=column, series=sid, **row_where(row, file))
    said, here = f"at row {at}", row_words(row, file)
    out = DataValidationError(
        said_of_series(exc.message, sid, said, here, value),
        cli_message=None
        if exc.cli_message is None
        else said_of_series(exc.cli_message, sid, said, here, value),
        file=file,
        column=column,
        series=sid,
        **row_where(row, file),
    )
    out.kind = exc.kind
    return out


def _reads_alone(value: object, column: str) -> bool:
    """Whether one time reads as a date by itself (its own format inferred)."""
    try:
        with silenced():  # a probe: its notes are not the reading's
            parse_time_column(pl.Series(column, [value]), column=column, file=None)
    except DataValidationError:
        return False
    return True


#: notes that a series' times were read by a guess: a series alone no longer pins its format
_GUESSES = (V.AmbiguousDatesWarning, GuessedLabelsWarning)


def _whole_floats_as_integers(series: pl.Series) -> pl.Series:
    """A float time column whose every value is a whole number (``2000.0``) as integers.

    Why: pandas writes an integer column as floats once it held a missing value, so a file of
    years or step numbers arrives as ``2000.0, 2001.0, …``; read as text those were "unparsable
    dates". Anything with a fraction stays float (and is refused by the date parser).
    """
    if not series.dtype.is_float():
        return series
    values = series.drop_nulls().to_numpy()
    if values.size == 0 or not np.isfinite(values).all() or (values != np.round(values)).any():
        return series
    if np.abs(values).max() >= 2.0**53:  # beyond exact integers in a float
        return series
    return series.cast(pl.Int64)


def _refuse_dotted_months(
    series: pl.Series, *, column: str, file: str | None, place: ListPlace | None
) -> None:
    """Refuse years and months written ``2010.01``, … ``2010.10`` and read as numbers, naming
    the first October.

    Why: a CSV reader reads ``2010.10`` as the number 2010.1, which the date parser then read as
    January 2010 — the same date as ``2010.01``, so a monthly file was refused for a "duplicate
    timestamp" it does not have (or, with no January, read with October moved to January). Once
    read as a number, the month is lost; only text keeps it.
    """
    if not series.dtype.is_float():
        return
    values = series.to_numpy()
    hundredths = np.round(values * 100)
    in_range = (values >= 1000) & (values < 3000)
    month = hundredths % 100
    if not np.all(np.isnan(values) | (in_range & (month >= 1) & (month <= 12))):
        return
    october = np.flatnonzero(month == 10)
    if october.size == 0:
        return
    row = int(october[0])
    year = int(values[row])
    raise DataValidationError(
        f"{time_column_words(column, place)} holds the number {values[row]:g} {row_words(row, file, place)}: "
        "if it holds years and months, "
        f"that is October ({year}.10) read as a number, which cannot be told from January ({year}.01); "
        f"write the months as text with a dash ({year}-10)",
        file=file,
        column=column,
        **row_where(row, file),
    )


def _looks_like_yyyymm(series: pl.Series) -> bool:
    """Integers such as ``202001`` (a year and a month, another common export) over more than one
    year: read as month starts.

    Why: as a step index ``202012 → 202101`` is a jump of 89 steps, and a monthly file was refused
    for "irregular spacing" at every new year. Spanning two years is what tells months from a
    step index: consecutive integers over a year boundary would include ``…13``, not a month.
    """
    s = series.drop_nulls()
    if s.len() < 3:
        return False
    lo, hi = _int_bounds(s)
    if not (1800_01 <= lo and hi <= 2200_12):
        return False
    month = s % 100
    return bool(((month >= 1) & (month <= 12)).all()) and (s // 100).n_unique() > 1


def _int_bounds(series: pl.Series) -> tuple[int, int]:
    """Smallest and largest value of a non-empty, null-free integer column.

    Why a helper: polars types ``min`` / ``max`` as any Python scalar or None.
    """
    lo, hi = series.min(), series.max()
    if not isinstance(lo, int) or not isinstance(hi, int):
        raise TypeError(f"expected a non-empty integer column, got {series.dtype} with bounds {lo!r}, {hi!r}")
    return lo, hi


def _looks_like_yyyymmdd(series: pl.Series) -> bool:
    """Integers such as ``20000101`` (a common export of dates) rather than a step index."""
    s = series.drop_nulls()
    if s.len() == 0:
        return False
    lo, hi = _int_bounds(s)
    if not (1000_01_01 <= lo and hi <= 2999_12_31):
        return False
    md = s % 10_000
    month, day = md // 100, md % 100
    return bool(((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)).all())


def detect_time_column(
    df: pl.DataFrame, value_cols: Sequence[str] | None = None, *, time_format: str | None = None
) -> str | None:
    """A datetime-typed column, else a conventionally named column, else (``time_format`` given)
    a string column, or a first column of integers, whose values that format reads, else a string
    column of dates or period labels (``Q1 2010``, ``2010H1``, ``2010M01``, ``Jan-10``: read or
    refused with the format to give, never taken for a series), else a first column of integers
    that rise by one constant step (``year``: 1980, 1981, …) or that rise and are named as a step
    index (``year``, ``t``, ``step``: 1980, 1981, 1983).

    Why the format: it is the user's word on how the dates are written; dates that pandas cannot
    guess (``06-12-2026 13.00`` by ``%d-%m-%Y %H.%M``) were read as one more series and refused
    as "non-numeric", the format given for them unused.

    Why the last rule: a wide yearly file ``year,a,b`` was read as three series, one of them the
    years; a first column that counts up evenly is the time axis in every wide file seen so far,
    and one named ``year`` with a year missing still is (it then gets the spacing error and its
    ``--fill-gaps`` advice, instead of being trained on as a series).
    """
    candidates = [c for c in df.columns if value_cols is None or c not in value_cols]
    for c in candidates:
        if df.schema[c].is_temporal() and df.schema[c] not in (pl.Time, pl.Duration):
            return c
    by_name = {c.lower(): c for c in candidates}
    for n in TIME_NAMES:
        if n in by_name:
            return by_name[n]
    if time_format is not None:
        for i, c in enumerate(candidates):
            # integers only first: a series of counts can read as years (%Y) or days (%d)
            if (df.schema[c] == pl.String or (i == 0 and df.schema[c].is_integer())) and _reads_by(
                df[c], time_format
            ):
                return c
    for c in candidates:
        if df.schema[c] == pl.String:
            sample = df[c].drop_nulls().head(5).to_list()
            if sample and (_all_dates(sample) or looks_like_period_labels(sample)):
                return c
    if candidates and _counts_up(
        df.get_column(candidates[0]), evenly=candidates[0].lower() not in STEP_NAMES
    ):
        return candidates[0]
    return None


def _reads_by(column: pl.Series, time_format: str) -> bool:
    """Whether the first values of ``column`` (up to 5, missing ones aside) are dates by
    ``time_format``, read as :func:`parse_time_column` will read the whole column."""
    sample = column.drop_nulls().head(5)
    if sample.is_empty():
        return False
    try:
        with silenced():  # a probe: the whole column's reading gives any note
            parse_time_column(sample, column=column.name, file=None, fmt=time_format)
    except (DataValidationError, ValueError):
        return False
    return True


def _all_dates(sample: list[object]) -> bool:
    """Whether every text in ``sample`` parses as a date, month-first or else day-first.

    Why day-first too: ``08/01/2017, 15/01/2017`` (a week in Europe) failed the month-first
    probe pandas infers from the first value, so the column the reader parses day-first was not
    found as the time column and was read as a series (an error naming it non-numeric).
    """
    # a probe of text that may not be dates at all ("s0"): pandas' "could not infer format"
    # and "parsing dates in day-first format" hints are for a column that may not be the answer
    with silenced(UserWarning):
        for day_first in (False, True):
            if not pd.isna(pd.to_datetime(pd.Series(sample), errors="coerce", dayfirst=day_first)).any():
                return True
    return False


#: names of an integer step index that may skip steps (a first column named so is the time axis)
STEP_NAMES = ("year", "t", "step", "timestep", "time_idx", "idx", "index")


def _counts_up(column: pl.Series, *, evenly: bool) -> bool:
    """Integers, no nulls, at least three, rising (by one constant positive step if ``evenly``)."""
    if not column.dtype.is_integer() or column.null_count() or column.len() < 3:
        return False
    lo, hi = _int_bounds(column.diff().drop_nulls())
    return lo > 0 and (lo == hi or not evenly)


def regularise(
    times: np.ndarray,
    values: np.ndarray,
    *,
    time_col: str,
    file: str | None,
    fill_gaps: bool,
    freq: str | None,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Check spacing; with ``fill_gaps`` put rows on the regular grid (absent rows → NaN).

    ``rows``: the data row of each time, for the errors (``None``: time ``i`` is row ``i``).

    Returns (timestamps, values, freq) where freq is the given one or the inferred step.
    """
    step = pd.tseries.frequencies.to_offset(freq) if freq else None
    if not fill_gaps:
        step = V.check_regular(times, column=time_col, file=file, step=step, rows=rows)
        return times, values, freq or (None if step is None else step.freqstr)
    step = step or V.infer_step(times)
    if step is None:
        return times, values, freq
    grid = pd.date_range(pd.Timestamp(times[0]), pd.Timestamp(times[-1]), freq=step).to_numpy()
    grid = grid.astype("datetime64[ns]")
    pos = np.searchsorted(grid, times)
    pos_ok = (pos < grid.size) & (grid[np.minimum(pos, grid.size - 1)] == times)
    if not pos_ok.all():
        i = int(np.flatnonzero(~pos_ok)[0])
        row = i if rows is None else int(rows[i])
        hint = off_grid_hint(times[i], step.freqstr, times[0], named=False)
        said = (
            f"timestamp {date_words(times[i])} {row_words(row, file)} is off {grid_words(step.freqstr)} "
            f"that starts at {date_words(times[0])}, so no missing steps can be inserted around it"
        )
        raise DataValidationError(
            said + (hint or ": correct that time, or set the frequency (freq=...)"),
            cli_message=said + (hint or ": correct that time, or set the frequency (--freq)"),
            file=file,
            column=time_col,
            **row_where(row, file),
        )
    out = np.full((grid.size, values.shape[1]), np.nan, dtype=values.dtype)
    out[pos] = values
    if grid.size > times.size:
        log.info("filled %d missing timestamps with NaN rows", grid.size - times.size)
    return grid, out, freq or step.freqstr


def regularise_steps(
    keys: np.ndarray,
    values: np.ndarray,
    *,
    time_col: str,
    file: str | None,
    fill_gaps: bool,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """The integer-index counterpart of :func:`regularise`: rows one grid step apart
    (:func:`integer_step`), gaps filled with NaN rows when ``fill_gaps``.

    Integer keys carry no timestamps, so only the values are returned. ``rows``: the data row of
    each key, for the errors (``None``: key ``i`` is row ``i``).
    """
    if keys.size <= 1:
        return values
    steps = np.diff(keys)
    step = integer_step(keys)
    bad = np.flatnonzero(steps != step)
    if bad.size and not fill_gaps:
        raise _integer_spacing_error(keys, steps, step, bad, time_col=time_col, file=file, rows=rows)
    if not bad.size:
        return values
    grid = np.arange(keys[0], keys[-1] + 1, step)
    out = np.full((grid.size, values.shape[1]), np.nan, dtype=values.dtype)
    out[(keys - keys[0]) // step] = values
    return out


def _integer_spacing_error(
    keys: np.ndarray,
    steps: np.ndarray,
    step: int,
    bad: np.ndarray,
    *,
    time_col: str,
    file: str | None,
    rows: np.ndarray | None,
) -> DataValidationError:
    """The refusal of integer keys off their grid ``step``, naming the row of the later key of the
    first break, with its advice in Python's words (``fill_gaps=True``) and the command line's
    (``--fill-gaps``). Where the usual step is not the grid step (steps of 2 and one of 3: a grid
    of 1), the place to look at is the first step off the usual one, not the first step of 2.

    Why two wordings: the one message said "pass fill_gaps=True (CLI: --fill-gaps)", both
    spellings to every reader, of whom each can type only one.
    """
    usual = modal_step(steps)
    i = int(np.flatnonzero(steps % usual)[0]) if usual != step else int(bad[0])
    row = i + 1 if rows is None else int(rows[i + 1])
    where = f"from {keys[i]} to {keys[i + 1]} ({row_words(row, file)})"

    def said(fill: str) -> str:
        if usual != step:
            return (
                f"irregular spacing in integer time column {time_col!r}: it advances by {usual} but not "
                f"{where}, so the only grid every row lies on has step {step}. Correct that time, or "
                f"pass {fill} to put the rows on the step-{step} grid with the missing rows as NaN"
            )
        places = "1 place breaks" if bad.size == 1 else f"{bad.size} places break"
        return (
            f"irregular spacing in integer time column {time_col!r}: step {step} expected but {places} "
            f"it, first {where}. Pass {fill} to insert missing rows as NaN"
        )

    return DataValidationError(
        said("fill_gaps=True"),
        cli_message=said("--fill-gaps"),
        file=file,
        column=time_col,
        **row_where(row, file),
    )


def integer_step(keys: np.ndarray) -> int:
    """The grid step of sorted integer time keys: the greatest common divisor of their steps
    (1 when there is none to see).

    Why the gcd and not the most common step: it is the one step every key lies on, so a gap is
    a whole number of steps (years 1980, 1985, 1995: step 5, one missing) and filling gaps can
    never put a row off the grid; the long reader (per series) and the wide reader use it alike.
    """
    return step_gcd(np.diff(np.asarray(keys, dtype=np.int64)))


def step_gcd(steps: np.ndarray) -> int:
    """The greatest common divisor of the positive ``steps`` (1 when there are none)."""
    steps = np.asarray(steps, dtype=np.int64)
    steps = steps[steps > 0]
    return int(np.gcd.reduce(steps)) if steps.size else 1


def modal_step(steps: np.ndarray) -> int:
    """The most common positive step (the smallest on a tie; 1 when there is none): what an
    error message calls "the usual step"."""
    steps = np.asarray(steps, dtype=np.int64)
    steps = steps[steps > 0]
    if not steps.size:
        return 1
    uniq, counts = np.unique(steps, return_counts=True)
    return int(uniq[counts.argmax()])


def next_integer_steps(keys: np.ndarray, h: int) -> np.ndarray:
    """The ``h`` integer time keys after sorted ``keys``, on their grid step (:func:`integer_step`).

    Why: a history indexed by integers (Nixtla allows integer ``ds``) has no calendar, but a
    forecast for "steps 121..126" is still more useful than one with empty dates.
    """
    keys = np.asarray(keys, dtype=np.int64)
    step = integer_step(keys)
    # Python integers: int64 arithmetic would wrap the keys past 2**63 - 1 round to negatives
    if int(keys[-1]) + step * h > _INT64_MAX:
        raise DataValidationError(
            f"the {h} steps after the last integer time key {int(keys[-1])} (step {step}) pass "
            f"{_INT64_MAX}, the largest integer key; number the steps from a smaller value"
        )
    return keys[-1] + step * np.arange(1, h + 1, dtype=np.int64)
