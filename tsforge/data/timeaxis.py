"""The time axis of a table: find the time column, parse it, put rows on a regular grid.

Why a module of its own: the long and wide readers and the forecast-history parser must agree
on what counts as a time column and how integers, ``YYYYMMDD`` numbers and date strings are
read; one set of rules here keeps a file that trains also forecast.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data import validation as V
from tsforge.data.file_lines import refuse_empty_line, row_where, row_words
from tsforge.data.frequency import date_words, grid_words, off_grid_hint
from tsforge.data.period_labels import GuessedLabelsWarning, looks_like_period_labels
from tsforge.errors import DataValidationError

__all__ = [
    "TIME_NAMES",
    "parse_time_column",
    "parse_times_by_series",
    "rows_by_series",
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
    series: pl.Series, *, column: str, file: str | None, fmt: str | None = None
) -> tuple[np.ndarray, bool]:
    """Parse a time column. Returns (keys, is_datetime): datetime64[ns], or int64 step indices.

    Integers are an ordering index (Nixtla allows integer ``ds``) unless ``fmt`` gives a date
    format such as ``%Y%m%d``; they never go through date guessing, where ``1`` would become a
    day of the current month.
    """
    if series.null_count():  # a blank line of a wide file: said as such, not as a missing time
        refuse_empty_line(int(np.flatnonzero(series.is_null().to_numpy())[0]), file)
    series = _whole_floats_as_integers(series)
    _refuse_dotted_months(series, column=column, file=file)
    is_int = series.dtype.is_integer()
    if is_int and fmt is None and _looks_like_yyyymmdd(series):
        fmt = "%Y%m%d"
    elif is_int and fmt is None and _looks_like_yyyymm(series):
        fmt = "%Y%m"
    if is_int and fmt is None:
        if series.null_count():
            row = int(np.flatnonzero(series.is_null().to_numpy())[0])
            raise DataValidationError(
                f"missing value in time column {column!r} {row_words(row, file)}",
                file=file,
                column=column,
                **row_where(row, file),
            )
        return series.cast(pl.Int64).to_numpy(), False
    if is_int:
        series = series.cast(pl.String)
    return V.parse_timestamps(series, column=column, file=file, fmt=fmt), True


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
    is no longer unambiguous once the other series no longer pin it.
    """
    if series.dtype != pl.String:
        raise whole
    ids = np.asarray(ids).astype(str)
    out = np.empty(series.len(), dtype="datetime64[ns]")
    kept: dict[str, warnings.WarningMessage] = {}
    for sid, rows in rows_by_series(ids):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                keys, dated = parse_time_column(series.gather(rows), column=column, file=None)
            except DataValidationError as exc:
                raise _series_time_error(exc, series, rows, sid, column, file) from None
        if not dated or any(issubclass(w.category, _GUESSES) for w in caught):
            raise whole
        out[rows] = keys
        kept.update((str(w.message), w) for w in caught)
    for w in kept.values():  # a note every series gives is said once
        warnings.warn(w.message, stacklevel=2)
    return out


def rows_by_series(ids: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """``(series id, its rows)`` in the order the series first appear (rows in frame order)."""
    uniq, first, codes = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(codes.reshape(-1), kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes.reshape(-1), minlength=uniq.size))]
    groups = [(str(uniq[k]), order[bounds[k] : bounds[k + 1]]) for k in range(uniq.size)]
    return [groups[k] for k in np.argsort(first, kind="stable")]


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
    at = exc.where.get("row")
    if not isinstance(at, int):
        return exc
    row = int(rows[at])
    value = series[row]
    other = int(rows[0] if at != 0 else rows[min(1, rows.size - 1)])
    if other != row and _reads_alone(value, column):
        message = (
            f"the times of series {sid!r} in column {column!r} are written in more than one way: "
            f"{series[other]!r} {row_words(other, file)} and {value!r} {row_words(row, file)}; write "
            "every time of a series the same way (each series may have its own)"
        )
        return DataValidationError(message, file=file, column=column, series=sid, **row_where(row, file))
    said = f"at row {at}"
    here = f"{row_words(row, file)} (series {sid!r})"
    out = DataValidationError(
        exc.message.replace(said, here, 1),
        cli_message=None if exc.cli_message is None else exc.cli_message.replace(said, here, 1),
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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


def _refuse_dotted_months(series: pl.Series, *, column: str, file: str | None) -> None:
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
        f"time column {column!r} holds the number {values[row]:g} {row_words(row, file)}: if it holds years and months, "
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a probe: the whole column's reading gives any note
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
    with warnings.catch_warnings():
        # a probe of text that may not be dates at all ("s0"): pandas' "could not infer format"
        # and "parsing dates in day-first format" hints are for a column that may not be the answer
        warnings.simplefilter("ignore", UserWarning)
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
        raise DataValidationError(
            f"timestamp {date_words(times[i])} {row_words(row, file)} is off {grid_words(step.freqstr)} "
            f"that starts at {date_words(times[0])}, so no missing steps can be inserted around it"
            + (hint or ": correct that time, or set the frequency (freq= / --freq)"),
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
        message, i = _integer_spacing_error(keys, steps, step, bad, time_col)
        row = i if rows is None else int(rows[i])
        message = message.replace("{where}", row_words(row, file))  # not format: braces in a name
        raise DataValidationError(message, file=file, column=time_col, **row_where(row, file))
    if not bad.size:
        return values
    grid = np.arange(keys[0], keys[-1] + 1, step)
    out = np.full((grid.size, values.shape[1]), np.nan, dtype=values.dtype)
    out[(keys - keys[0]) // step] = values
    return out


def _integer_spacing_error(
    keys: np.ndarray, steps: np.ndarray, step: int, bad: np.ndarray, time_col: str
) -> tuple[str, int]:
    """The message and position (of the later key) of a spacing error; the message holds
    ``{where}`` for the words that name that key's row. Where the usual step is not the grid
    step (steps of 2 and one of 3: a grid of 1), the place to look at is the first step off the
    usual one, not the first step of 2."""
    usual = modal_step(steps)
    if usual != step:
        i = int(np.flatnonzero(steps % usual)[0])
        return (
            f"irregular spacing in integer time column {time_col!r}: it advances by {usual} but not from "
            f"{keys[i]} to {keys[i + 1]} ({{where}}), so the only grid every row lies on has step "
            f"{step}. Correct that time, or pass fill_gaps=True (CLI: --fill-gaps) to put the rows on the "
            f"step-{step} grid with the missing rows as NaN"
        ), i + 1
    i = int(bad[0])
    places = "1 place breaks" if bad.size == 1 else f"{bad.size} places break"
    return (
        f"irregular spacing in integer time column {time_col!r}: step {step} expected but {places} "
        f"it, first from {keys[i]} to {keys[i + 1]} ({{where}}). "
        "Pass fill_gaps=True (CLI: --fill-gaps) to insert missing rows as NaN"
    ), i + 1


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
