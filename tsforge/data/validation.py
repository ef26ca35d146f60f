"""Input checks that turn malformed data into precise :class:`DataValidationError` messages.

Why a module of its own: every reader (CSV/Parquet files, pandas/polars frames, the catalogue)
funnels through the same few checks, so a user sees the same wording wherever the data came
from. Each message names the *where* — file, column, row, series id, timestamp — and, for a
misnamed column, the closest name that does exist. A row is named as :mod:`tsforge.data.file_lines`
says: in words, its line of a CSV file (``on line 3 of bad.csv``) or else ``at row 1``; in the
error's fields, ``row`` (the 0-based data row, header excluded) and, for a CSV file, ``line``.

The checks work on polars frames and NumPy arrays and are vectorised; only the first few
offending positions are formatted into the message (plus a total count), so a check on a
million-row file costs one pass.
"""

from __future__ import annotations

import datetime
import difflib
import re
import shlex
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data.file_lines import (
    ListPlace,
    in_time_column_words,
    is_text_table,
    row_where,
    row_words,
    rows_words,
    time_column_words,
)
from tsforge.data.frequency import (
    NS_PER_DAY,
    clock_change_hint,
    date_words,
    mid_month_hint,
    modal_step_alias,
    month_anchor,
    named_freq,
    off_grid_hint,
    rate_words,
)
from tsforge.data.period_labels import label_hint, read_period_labels
from tsforge.data.time_offsets import repeated_time_words
from tsforge.errors import DataValidationError, TsforgeWarning, WordedWarning
from tsforge.quiet import silenced

__all__ = [
    "FORECAST_PAST_RANGE",
    "PAST_RANGE",
    "steps_past_range",
    "LAST_NS",
    "fixed_steps_left",
    "calendar_steps_us",
    "past_last_ns",
    "require_columns",
    "check_not_empty",
    "parse_timestamps",
    "reads_alone",
    "to_numeric",
    "SeriesOfRows",
    "true_false_words",
    "note_true_false",
    "check_unique_times",
    "check_unique_pairs",
    "check_sorted_or_sort",
    "infer_step",
    "find_gaps",
    "check_regular",
    "check_channels_observed",
    "closest_name",
    "shell_word",
    "text_to_float",
    "thousands_hint",
    "value_cell_advice",
    "mostly_numbers",
    "long_table_columns",
    "ROLE_SYNONYMS",
    "AmbiguousDatesWarning",
    "TIME_RANGE",
    "TIME_RANGE_TEXT",
]

_MAX_SHOWN = 5
#: each row's series in a long table (its id column, or those ids as an array), for the readings
#: decided by each series' own times (:func:`parse_timestamps`' ``ids``)
SeriesOfRows = pl.Series | np.ndarray
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
#: a time of day followed by a UTC offset or ``Z`` (``2020-03-29 00:00:00+02:00``, ``…T10:00Z``)
_ZONED = r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s?(Z|UTC|[+-]\d{2}:?\d{2})$"
#: the offset alone, to read the wall-clock time the text was written in
_OFFSET_SUFFIX = r"\s?(Z|UTC|[+-]\d{2}:?\d{2})$"
#: ``01.02.2021``, ``01/02/2021``, ``1-2-21`` (+ a time): day and month in either order
_NUMERIC_DMY = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2\d{2,4}(\s|T|$)")
# Strings that mean "missing" in CSV files; they become NaN instead of failing the numeric check.
MISSING_TOKENS: frozenset[str] = frozenset({"", "na", "nan", "null", "none", "n/a", "?", "-", "#n/a"})


# Usual alternative names per role, used when spelling similarity finds nothing ("ds" vs "date").
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id_col": (
        "unique_id",
        "id",
        "series_id",
        "item_id",
        "series",
        "station",
        "station_id",
        "sensor",
        "name",
    ),
    "time_col": ("ds", "date", "datetime", "timestamp", "time", "period", "dt"),
    "target_col": ("y", "value", "target", "values", "obs", "observation"),
}


def closest_name(name: str, candidates: Sequence[str], synonyms: Sequence[str] = ()) -> str | None:
    """The candidate most similar to ``name`` (case-insensitive), or ``None`` if nothing is close.

    Spelling similarity first; then the first candidate that is a usual synonym of the role.
    """
    lowered = {str(c).lower(): str(c) for c in candidates}
    hit = difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.5)
    if hit:
        return lowered[hit[0]]
    for syn in synonyms:
        if syn in lowered:
            return lowered[syn]
    return None


def long_table_columns(frame: pl.DataFrame, id_column: str, time_col: str | None) -> tuple[str, str, str]:
    """The roles of a long table that was read as wide because its columns are not named
    ``unique_id, ds, y``: ``(id, time, target)`` as the text column that failed, the time column
    found and the one numeric column left (``...`` where there is none, or several)."""
    numeric = [c for c in frame.columns if c not in (id_column, time_col) and frame.schema[c].is_numeric()]
    return id_column, time_col or "...", numeric[0] if len(numeric) == 1 else "..."


def _fmt_cols(columns: Sequence[str], limit: int = 30) -> str:
    cols = [str(c) for c in columns]
    shown = ", ".join(repr(c) for c in cols[:limit])
    return shown + (f", ... ({len(cols)} in total)" if len(cols) > limit else "")


#: the command line's flag for each reader argument that has one
CLI_FLAGS: dict[str, str] = {"id_col": "--id-col", "time_col": "--time-col", "target_col": "--target-col"}

#: the command line's flag for each list argument whose items are roles of their own
#: (``value_cols[1]``), given there as one comma-separated word (``--value-cols a,b``)
CLI_LIST_FLAGS: dict[str, str] = {"value_cols": "--value-cols"}

#: a role that is an item of a list argument: ``value_cols[1]``
_LIST_ITEM = re.compile(r"(?P<name>\w+)\[(?P<index>\d+)\]")


def _cli_role(role: str, required: dict[str, str], guess: str | None) -> tuple[str, str]:
    """The command line's words for ``role`` of :func:`require_columns`: what names it
    (``--target-col``) and the advice that passes ``guess`` (``(pass --target-col sale)``; empty
    without a guess). An item of a list argument is its flag, and the advice is the whole list
    as the user gave it with ``guess`` in the item's place (``(pass --value-cols a,b)``): the
    flag takes the list in one word. A role with no flag keeps its Python words.

    Why: ``--value-cols a,bb`` was told "(value_cols[1]) … (pass value_cols[1]='b')", words a
    command-line user cannot type.
    """
    flag = CLI_FLAGS.get(role)
    if flag is not None:
        return flag, f"(pass {flag} {shell_word(guess)})" if guess is not None else ""
    item = _LIST_ITEM.fullmatch(role)
    list_flag = CLI_LIST_FLAGS.get(item["name"]) if item else None
    if item is None or list_flag is None:
        return role, f"(pass {role}={guess!r})" if guess is not None else ""
    if guess is None:
        return list_flag, ""
    given = {
        int(m["index"]): name
        for r, name in required.items()
        if (m := _LIST_ITEM.fullmatch(r)) and m["name"] == item["name"]
    }
    given[int(item["index"])] = guess
    return list_flag, f"(pass {list_flag} {shell_word(','.join(given[i] for i in sorted(given)))})"


def require_columns(
    columns: Sequence[str],
    required: dict[str, str],
    *,
    file: str | None = None,
    hint: str = "",
    cli_hint: str | None = None,
    fitting: dict[str, str | None] | None = None,
) -> None:
    """Fail when a required column is absent, listing what exists and the closest match.

    Args:
        columns: column names found in the input.
        required: role → expected name, e.g. ``{"id_col": "unique_id", "time_col": "ds"}``; the
            role is named in the message so the user knows which argument to change (in
            :meth:`~tsforge.errors.TsforgeError.for_cli`, its flag: ``--target-col``, and
            ``--value-cols`` for ``value_cols[1]``: :func:`_cli_role`).
        hint: extra advice appended to the message (e.g. "or pass layout='wide'").
        cli_hint: the same advice for the command line (None: ``hint``); the error's
            :meth:`~tsforge.errors.TsforgeError.for_cli` also names the flag (``--id-col``)
            instead of the argument.
        fitting: role → the column whose values fit that role (for ``time_col``: the column that
            reads as dates, :func:`~tsforge.data.timeaxis.detect_time_column`), or ``None``; when
            given it is the suggestion. Why: ``--time-col day`` on ``store, ds, y`` was told "Did
            you mean 'y'?" (the closest spelling), a column of numbers, while ``ds`` holds the dates.

    The closest match is a spelling or usual synonym of the role's name; failing that, when
    every other required column is there and exactly one column is left over, that column
    (``store, ds, y``: the id column is ``store``).
    """
    found = [str(c) for c in columns]
    for role, name in required.items():
        if name in found:
            continue
        unclaimed = [c for c in found if c not in required.values()]
        fit = (fitting or {}).get(role)
        guess = fit if fit in found else closest_name(name, unclaimed or found, ROLE_SYNONYMS.get(role, ()))
        others_present = all(n in found for r, n in required.items() if r != role)
        if guess is None and others_present and len(required) > 1 and len(unclaimed) == 1:
            guess = unclaimed[0]
        cli_role, cli_pass = _cli_role(role, required, guess)
        msg = f"column {name!r} ({role}) not found; columns found: {_fmt_cols(found)}"
        cli = f"column {name!r} ({cli_role}) not found; columns found: {_fmt_cols(found)}"
        if guess is not None:
            msg += f". Did you mean {guess!r}? (pass {role}={guess!r})"
            cli += f". Did you mean {guess!r}? {cli_pass}"
        if hint:
            msg += f". {hint}"
        if cli_hint if cli_hint is not None else hint:
            cli += f". {cli_hint if cli_hint is not None else hint}"
        raise DataValidationError(msg, cli_message=cli, file=file, column=name)


def shell_word(name: str) -> str:
    """``name`` as one word of a shell command line: quoted when it has blanks or other
    characters the shell reads (``'Store ID'``), as it is otherwise (``store``, ``...``).

    Why: the CLI's advice is meant to be pasted; ``--id-col Store ID`` passes ``Store`` and
    leaves ``ID`` as a stray argument.
    """
    return name if name == "..." else shlex.quote(name)


def check_not_empty(
    n_rows: int, n_cols: int | None = None, *, file: str | None = None, what: str = "input"
) -> None:
    """Empty input is an error of its own (not a confusing failure three calls later); a CSV
    file's says that it has a header line and nothing below it (a cut-off export, another file)."""
    if n_rows == 0:
        below = " (a header line and nothing below it)" if is_text_table(file) else ""
        what = "the file" if file is not None and what == "input" else what
        raise DataValidationError(
            f"{what} is empty: no data rows{below}; check that it is the file you meant and that it "
            "was written completely",
            file=file,
        )
    if n_cols is not None and n_cols == 0:
        raise DataValidationError(f"{what} has no value columns", file=file)


def _as_str_array(series: pl.Series) -> np.ndarray:
    return series.cast(pl.String, strict=False).to_numpy().astype(object)


def _naive_only(parsed: pd.Series) -> pd.Series:
    """A parse pandas left as objects (times with an offset it read, ``2021-03-01 10:00+01``,
    among times without one) as times, the ones with an offset unparsable (NaT).

    Why: an offset written with hours only is not one the zoned reading knows (``_ZONED``), and
    mixed with other forms pandas returns objects, whose ``.dt`` raised ``AttributeError`` — a
    traceback where the user needed the row; now that row is refused by name like any other
    time that does not read.
    """
    kept = [v if isinstance(v, pd.Timestamp) and v.tzinfo is None else pd.NaT for v in parsed]
    return pd.Series(pd.to_datetime(pd.Series(kept, dtype=object), errors="coerce"), index=parsed.index)


def parse_timestamps(
    series: pl.Series,
    *,
    column: str,
    file: str | None = None,
    fmt: str | None = None,
    place: ListPlace | None = None,
    ids: SeriesOfRows | None = None,
) -> np.ndarray:
    """A time column → ``[T]`` ``datetime64[ns]``; names the first unparsable row and its text.

    Accepts datetime/date columns as they are, strings in any single format pandas can infer
    from the first value (``2016-07-01 00:00:00``, ``1990/1/1 0:00``, ISO with ``T``, ...),
    quarter and month labels (``Q1 2010``, ``2010M01``; ``Jan-10`` with a note) as the days their
    periods start (:mod:`tsforge.data.period_labels`), and 8-digit integers as ``yyyymmdd`` when
    ``fmt`` says so. Mixed formats fail at the first row that does not match the inferred one,
    which is exactly the row the user needs to look at.

    ``place``: the values are a list in the caller's input, and a refusal names them by its path
    there (:class:`~tsforge.data.file_lines.ListPlace`), not as rows of a time column.

    ``ids``: each row's series, for a long table: times with UTC offsets are then read at their
    wall-clock time or in UTC series by series (:func:`_wall_clock_rows`), not by the whole column.
    """
    if series.dtype == pl.Null or series.null_count() == len(series):
        raise DataValidationError(
            f"{time_column_words(column, place)} is empty (all values missing)", file=file, column=column
        )
    if series.dtype.is_temporal():
        if series.dtype == pl.Time or series.dtype == pl.Duration:
            raise DataValidationError(
                f"{time_column_words(column, place)} has dtype {series.dtype}, expected dates or datetimes",
                file=file,
                column=column,
            )
        if isinstance(series.dtype, pl.Datetime) and series.dtype.time_zone is not None:
            series = _zoned_column(series, column, ids)
        _check_ns_range(series, column=column, file=file, place=place)
        if not series.null_count():
            return _temporal_ns(series)
        out = series.cast(pl.Datetime("ns")).to_numpy()
        raw = None
    elif fmt is None and (labels := read_period_labels(series, column=column)) is not None:
        _check_ns_range(labels, column=column, file=file, text=series, place=place)
        out, raw = labels.cast(pl.Datetime("ns")).to_numpy(), _as_str_array(series)
    else:
        zoned = series.dtype == pl.String and bool(series.str.contains(_ZONED).any())
        fast = None if zoned else _polars_parse(series, fmt, column=column, file=file, place=place)
        if fast is not None:
            return fast
        raw = _as_str_array(series)
        text = pd.Series(raw, dtype=object)
        utc_note: str | None = None
        order_note: AmbiguousDatesWarning | None = None
        try:
            # pandas' "could not infer format, falling back to dateutil" is advice to a
            # programmer, printed to the user as a multi-line warning; unparsable rows are
            # reported below by row; and pandas' "mixed time zones will raise" advice: such a
            # column is refused by row below (_naive_only). Silenced in this thread alone: the
            # service reads requests' times in several threads (tsforge.quiet says why)
            with silenced(UserWarning, FutureWarning):
                if zoned:
                    parsed, utc_note = _zoned_text(text, fmt, column, ids)
                elif fmt is not None:
                    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
                else:
                    parsed = pd.to_datetime(text, errors="coerce")
                    if parsed.isna().any():
                        parsed = _day_first(text, parsed)
                    else:
                        parsed, order_note = _day_month_order(text, parsed, column)
        except (ValueError, TypeError, OverflowError):
            parsed = pd.Series(pd.NaT, index=text.index)
        if not pd.api.types.is_datetime64_any_dtype(parsed):
            parsed = _naive_only(parsed)
        if not zoned and getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        out = parsed.to_numpy().astype("datetime64[ns]")
        if not np.isnat(out).any():  # an unparsable row is the error to report, not this
            _warn_read_in_utc(utc_note)
            if order_note is not None:  # issued here: the parse above silences UserWarnings
                warnings.warn(order_note, stacklevel=2)
    bad = np.flatnonzero(np.isnat(out))
    if bad.size:
        row = int(bad[0])
        value = None if raw is None else raw[row]
        shown = "<missing>" if value is None else repr(str(value))
        noun = "rows" if place is None else place.noun
        said = f"unparsable date {shown} {in_time_column_words(column, row, file, place)}" + (
            f" ({bad.size} unparsable {noun} in total)" if bad.size > 1 else ""
        )
        hint, cli_hint = (
            label_hint(value, column=column, fmt=fmt),
            label_hint(value, column=column, fmt=fmt, cli=True),
        )
        if not hint and not cli_hint and fmt is None and value is not None and raw is not None:
            hint = cli_hint = _other_form_hint(raw, out, value, file, place)
        if fmt is not None and value is not None:
            hint, cli_hint = _format_mismatch_hint(str(value), fmt, every=bad.size == len(out))
        raise DataValidationError(
            said + hint,
            cli_message=said + cli_hint if cli_hint != hint else None,  # --time-format, not time_format=
            file=file,
            column=column,
            **row_where(row, file),
        )
    return out


def _format_mismatch_hint(value: str, fmt: str, *, every: bool) -> tuple[str, str]:
    """Advice for a date the given format did not read, in Python's words and the command line's.

    Why: "unparsable date '01/01/2018'" after ``--time-format %Y-%m-%d`` did not say that the
    format was the cause, and that the dates read without it; the user looked for a bad cell.
    ``every``: no row read by the format; otherwise the rows it read show it fits, and the cell is
    the one to correct.
    """
    if not every:
        return (
            f": it does not match time_format={fmt!r}",
            f": it does not match --time-format {shell_word(fmt)}",
        )
    try:
        with silenced(UserWarning):
            reads = not pd.isna(pd.to_datetime(value, errors="coerce"))
    except (ValueError, TypeError, OverflowError):
        reads = False
    fix = "; it reads as a date without it: leave the format out" if reads else ""
    fix = fix or "; give the format the dates are written in"
    return (
        f": it does not match time_format={fmt!r}{fix}",
        f": it does not match --time-format {shell_word(fmt)}{fix}",
    )


def _other_form_hint(
    raw: np.ndarray, parsed: np.ndarray, value: object, file: str | None, place: ListPlace | None
) -> str:
    """Advice for a date ``value`` the column's inferred format did not read while other rows
    were read, and that reads as a date on its own: the column mixes two ways of writing dates
    (``2020-01-01`` above, ``30/05/2020`` below), and no single ``--time-format`` reads it, so the
    user must write it one way. ``""`` when no row was read (a format the reader does not know at
    all) or the value is no date in any form (``2020-13-45``, a typo: the bare error says that)."""
    read = np.flatnonzero(~np.isnat(parsed))
    if read.size == 0 or not reads_alone(value):
        return ""
    row = int(read[0])
    return (
        f"; the column's dates are written in more than one way (read like {str(raw[row])!r} "
        f"{row_words(row, file, place)}): write every date of the column the same way"
    )


def reads_alone(value: object) -> bool:
    """Whether ``value`` reads as a date by itself (its own format inferred): the test behind the
    "written in more than one way" advice, here and where a frame's series are read one by one
    (the service's ``/invocations``)."""
    with silenced(UserWarning):  # "could not infer format": expected here
        try:
            return not pd.isna(pd.to_datetime(str(value), errors="coerce"))
        except (ValueError, TypeError, OverflowError):
            return False


def _wall_clock_or_utc(local_ns: np.ndarray) -> bool:
    """Whether times with a time zone are read at their wall-clock time (else as UTC instants).

    Why not always UTC: a daily (weekly, monthly) series stamped at local midnight in a zone with
    summer time is 23:00 UTC in winter and 22:00 UTC in summer, so as UTC it is "irregular" at
    every clock change and its days are shifted to the day before. When every observed time has
    one time of day, the wall-clock times are the calendar the user meant. Sub-daily data keep
    UTC: its wall clock skips an hour in spring and repeats one in autumn, while UTC is regular.
    """
    ns = local_ns[~np.isnat(local_ns)].view(np.int64) if local_ns.dtype.kind == "M" else local_ns
    if ns.size < 2:  # one time tells no sampling rate: UTC, as before zones were told apart
        return False
    time_of_day = ns % NS_PER_DAY
    return bool((time_of_day == time_of_day[0]).all())


def _wall_clock_rows(local_ns: np.ndarray, ids: SeriesOfRows | None) -> np.ndarray:
    """Which rows of a zoned time column (``local_ns``: their wall-clock times, NaT where
    unread) are read at their wall-clock time, the others in UTC: :func:`_wall_clock_or_utc`'s
    rule for the whole column, or, given ``ids`` (each row's series), for each series by its own
    times; a series of fewer than two times, which tells no sampling rate, is read as the whole
    column is.

    Why per series: a long table's series each have their own dates (panels are ragged), and a
    panel of Berlin midnights (+01:00, then +02:00 in summer) beside New York 06:00 has two
    times of day as a column though each series has one: it was called sub-daily, read in UTC,
    and its Berlin series refused as irregular at the clock change, by training and forecast alike.
    """
    whole = _wall_clock_or_utc(local_ns)
    if ids is None:
        return np.full(local_ns.size, whole)
    codes = _series_codes(ids)
    read = ~np.isnat(local_ns)
    time_of_day = local_ns.view(np.int64) % NS_PER_DAY
    n_series = int(codes.max()) + 1 if codes.size else 0
    counts = np.bincount(codes[read], minlength=n_series)
    lowest = np.full(n_series, NS_PER_DAY, dtype=np.int64)
    highest = np.full(n_series, -1, dtype=np.int64)
    np.minimum.at(lowest, codes[read], time_of_day[read])
    np.maximum.at(highest, codes[read], time_of_day[read])
    by_series = np.where(counts >= 2, lowest == highest, whole)
    return by_series[codes]


def _series_codes(ids: SeriesOfRows) -> np.ndarray:
    """Each row's series as a code ``0 … n_series - 1`` (ids compared as text, as the readers
    group them). A polars column is taken as it is: a reader passes its id column, and made into
    a NumPy array of strings it would cost gigabytes on a panel of 10⁸ rows whose times have no
    offsets and never need it."""
    column = ids if isinstance(ids, pl.Series) else pl.Series(np.asarray(ids).astype(str))
    return column.cast(pl.String).rank("dense").to_numpy().astype(np.int64) - 1


def _zoned_column(series: pl.Series, column: str, ids: SeriesOfRows | None = None) -> pl.Series:
    """A time-zone-aware datetime column as naive times: wall-clock or UTC, by the whole column
    or by each series of ``ids`` (:func:`_wall_clock_rows`)."""
    local = series.dt.replace_time_zone(None)
    wall = _wall_clock_rows(local.dt.cast_time_unit("ns").to_numpy(), ids)
    if wall.all():
        return local
    utc = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    in_utc = ~wall & series.is_not_null().to_numpy()
    example = str(series.filter(pl.Series(in_utc))[0]) if in_utc.any() else ""
    _warn_read_in_utc(_read_in_utc(local.to_numpy()[in_utc], utc.to_numpy()[in_utc], column, example))
    return utc if not wall.any() else local.zip_with(pl.Series(wall), utc)


def _warn_read_in_utc(note: str | None) -> None:
    """Issue :func:`_read_in_utc`'s note (the CLI prints it as one ``note:`` line); outside the
    block that silences pandas' parsing chatter (``UserWarning``), which would swallow it."""
    if note is not None:
        from tsforge.errors import TsforgeWarning

        warnings.warn(note, TsforgeWarning, stacklevel=4)


def _read_in_utc(local: np.ndarray, utc: np.ndarray, column: str, example: str) -> str | None:
    """The ``note:`` that sub-daily times with UTC offsets were read in UTC, when that moved them.

    Why: the times are then regular (the wall clock skips and repeats an hour a year), but every
    output — forecasts, cross-validation frames — is dated in UTC without an offset; a file
    written at ``+02:00`` got a forecast whose first ``ds`` came before its last observation,
    without a word.
    """
    local_ns, utc_ns = (np.asarray(a).astype("datetime64[ns]") for a in (local, utc))
    moved = local_ns != utc_ns
    if not moved.any():
        return None  # Z / +00:00: UTC already
    first = int(np.flatnonzero(moved)[0])
    return (
        f"the times in column {column!r} carry UTC offsets and are sub-daily, so they are read in UTC "
        f"({example} is {pd.Timestamp(utc_ns[first])} UTC): forecasts and other outputs are dated in UTC, "
        "without an offset"
    )


def _zoned_text(
    text: pd.Series, fmt: str | None, column: str, ids: SeriesOfRows | None = None
) -> tuple[pd.Series, str | None]:
    """Text with UTC offsets (``2020-03-29 00:00:00+02:00``) as naive times (unparsable → NaT).

    Why a path of its own: a zone with summer time writes two offsets into one column, which
    pandas parses only as UTC (without ``utc=True`` it returns objects, and the reader crashed
    with an ``AttributeError``). The wall-clock reading is the text without its offsets; which
    of the two is kept is :func:`_wall_clock_rows`' rule (for each series of ``ids``, if given).
    """
    with silenced():  # "could not infer format" / mixed-offset notices
        utc = pd.to_datetime(text, format=fmt, errors="coerce", utc=True).dt.tz_localize(None)
        wall_text = text.where(
            text.isna(), text.astype(str).str.strip().str.replace(_OFFSET_SUFFIX, "", regex=True)
        )
        local = pd.to_datetime(wall_text, format=_without_offset(fmt), errors="coerce")
    local_ns = local.to_numpy().astype("datetime64[ns]")
    read_alike = not (np.isnat(local_ns) != utc.isna().to_numpy()).any()
    wall = _wall_clock_rows(local_ns, ids) if read_alike else np.zeros(local_ns.size, dtype=bool)
    if wall.all():
        return local, None
    kept = utc if not wall.any() else utc.where(~wall, local)
    in_utc = utc.notna().to_numpy() & ~np.isnat(local_ns) & ~wall
    if not in_utc.any():
        return kept, None
    example = str(text[in_utc].iloc[0]).strip()
    return kept, _read_in_utc(local_ns[in_utc], utc[in_utc].to_numpy(), column, example)


def _without_offset(fmt: str | None) -> str | None:
    """``fmt`` without its trailing UTC-offset directive (``%d/%m/%Y %H:%M%z`` → ``%d/%m/%Y
    %H:%M``), to read the wall-clock text :func:`_zoned_text` strips the offsets from; ``None``
    (pandas infers) where there is no format, or no such directive at its end.

    Why: the wall-clock reading was inferred whatever the format, so times only the format reads
    (``2024_01_05 23:00+0200`` by ``%Y_%m_%d %H:%M%z``) had none: they were read in UTC without
    the note that says so, and an output restated at the file's offset wrote the UTC time with
    ``+02:00`` (21:00+02:00 for 23:00+02:00)."""
    if fmt is None:
        return None
    stripped = re.sub(r"\s?%z$", "", fmt)
    return stripped if stripped != fmt else None


def _day_first(text: pd.Series, month_first: pd.Series) -> pd.Series:
    """Day-first dates (``13/01/2021``) where the month-first reading failed on some rows.

    Why a second reading: pandas infers ``01/02/2021`` as January 2, so a European file parses
    until its first day past the 12th and then fails. The reading that parses more rows is
    kept, so a day-first file with one odd row fails at that row, not at its 13th day.

    Only for dates that begin with the day or the month (``dd/mm/yyyy``): dates that begin with
    the year (``2020-01-02``) have no day-first reading, yet pandas gives them one (year, day,
    month), and one typo such as ``2020-13-03`` made that reading "parse more rows" — the whole
    column silently read with days and months swapped.
    """
    first = text.dropna()
    if first.empty or not _NUMERIC_DMY.match(str(first.iloc[0])):
        return month_first
    with silenced():  # "Parsing dates in %d/%m/%Y format when dayfirst=..." hints
        day_first = pd.to_datetime(text, errors="coerce", dayfirst=True)
    return day_first if day_first.isna().sum() < month_first.isna().sum() else month_first


def _day_month_order(
    text: pd.Series, month_first: pd.Series, column: str
) -> tuple[pd.Series, AmbiguousDatesWarning | None]:
    """Day-first dates whose days never pass 12 (``01.02.2018``, the first of every month), and
    the :class:`AmbiguousDatesWarning` to issue when the order was a guess.

    Why: pandas reads ``01.02.2018`` as January 2, so a monthly file of first-of-month dates
    parses without error as twelve consecutive days a year — and then fails as "irregular
    spacing 2018-01-12 → 2019-01-01", naming a gap the file does not have. When both readings
    parse every row, the one that lays the dates on a regular grid wins; when neither or both
    do, dotted dates are read day first (no locale writes month.day.year) and slashed ones month
    first (pandas' and the US reading) — with a note when both are regular, as twelve days
    ``01/01/2017 … 12/01/2017`` are then read as twelve months without a word otherwise.
    """
    first = text.dropna().iloc[0] if text.notna().any() else None
    match = _NUMERIC_DMY.match(str(first)) if first is not None else None
    if match is None:
        return month_first, None
    unique = pd.Series(text.dropna().unique())
    with silenced():  # "Parsing dates in %d/%m/%Y format when dayfirst=..." hints
        day_first_unique = pd.to_datetime(unique, errors="coerce", dayfirst=True)
    if day_first_unique.isna().any():
        return month_first, None  # some day-first reading is impossible (a 13th month): month first it is

    def regular(parsed: pd.Series) -> bool:
        grid = pd.DatetimeIndex(parsed.dropna().sort_values().unique())
        return len(grid) >= 3 and pd.infer_freq(grid) is not None

    day_ok, month_ok = regular(day_first_unique), regular(month_first)
    use_day_first = day_ok and not month_ok or (day_ok == month_ok and match.group(2) == ".")
    note = None
    if day_ok and month_ok:
        taken, other = (day_first_unique, month_first) if use_day_first else (month_first, day_first_unique)
        note = _ambiguous_order_note(str(first), column, taken, other, day_first=use_day_first)
    if not use_day_first:
        return month_first, note
    lookup = dict(zip(unique, day_first_unique, strict=True))
    return pd.to_datetime(text.map(lookup)), note


class AmbiguousDatesWarning(WordedWarning):
    """Dates such as ``01/02/2017`` in a column where every day and month is at most 12 and both
    orders give a regular series: the order taken (slashed month first, dotted day first) is a
    guess, so twelve days ``01/01/2017 … 12/01/2017`` may have been read as twelve months. The
    note names both readings' first and last dates and the format that picks the other one.

    Its :attr:`~tsforge.errors.WordedWarning.cli_message` names ``--time-format``.
    """


#: what may follow ``dd/mm/yyyy``: a time of day, to write into the suggested format
_CLOCK = re.compile(r"^(?P<sep>[ T])\d{1,2}:\d{2}(?P<sec>:\d{2})?(?P<frac>\.\d+)?\s*$")


def _order_format(example: str, *, day_first: bool, clock: bool = True) -> str | None:
    """The ``strptime`` format that reads ``example`` (``01/02/2017 10:00``) with the day (or the
    month) first, e.g. ``%d/%m/%Y %H:%M`` (only its date part when not ``clock``); ``None`` when
    its year, or a time of day asked for, is not one written here."""
    match = re.match(r"^\s*\d{1,2}([./-])\d{1,2}\1(\d{2}|\d{4})(?!\d)(.*)$", example)
    if match is None:
        return None
    sep, year, rest = match.groups()
    time = ""
    if clock and rest.strip():
        written = _CLOCK.match(rest)
        if written is None:
            return None
        time = (
            f"{written['sep']}%H:%M" + (":%S" if written["sec"] else "") + (".%f" if written["frac"] else "")
        )
    fields = ("%d", "%m") if day_first else ("%m", "%d")
    return f"{fields[0]}{sep}{fields[1]}{sep}{'%Y' if len(year) == 4 else '%y'}{time}"


def _span(parsed: pd.Series) -> str:
    """``first … last`` of a reading, as dates when every time is midnight."""
    lo, hi = pd.Timestamp(parsed.min()), pd.Timestamp(parsed.max())
    dates = lo == lo.normalize() and hi == hi.normalize()
    return f"{lo.date()} … {hi.date()}" if dates else f"{lo} … {hi}"


def _ambiguous_order_note(
    example: str, column: str, taken: pd.Series, other: pd.Series, *, day_first: bool
) -> AmbiguousDatesWarning:
    """:class:`AmbiguousDatesWarning` for ``column``: the reading taken and the other one, each
    with its first and last date, and the ``time_format`` (``--time-format``) that picks either."""
    order, other_order = ("day first", "month first") if day_first else ("month first", "day first")
    said = (
        f"dates in column {column!r} such as {example.strip()!r} are regular both month first and day first: "
        f"read {order} ({_span(taken)}); {other_order} they would be {_span(other)}"
    )
    other_fmt, same_fmt = (
        _order_format(example, day_first=not day_first),
        _order_format(example, day_first=day_first),
    )
    if other_fmt is None or same_fmt is None:  # a time of day written otherwise (``10:00 AM``)
        date_part = _order_format(example, day_first=not day_first, clock=False) or "?"
        python = f"; to read them {other_order} pass a time_format whose date part is {date_part!r}"
        cli = f"; to read them {other_order} pass a --time-format whose date part is {date_part}"
        return AmbiguousDatesWarning(said + python, cli_message=said + cli)
    python = (
        f"; to read them {other_order} pass time_format={other_fmt!r} "
        f"(time_format={same_fmt!r} keeps this reading without this note)"
    )
    cli = (
        f"; to read them {other_order} pass --time-format {shell_word(other_fmt)} "
        f"(--time-format {shell_word(same_fmt)} keeps this reading without this note)"
    )
    return AmbiguousDatesWarning(said + python, cli_message=said + cli)


_NS_PER = {"ns": 1, "us": 1_000, "ms": 1_000_000}


def _temporal_ns(series: pl.Series) -> np.ndarray:
    """A null-free Date/Datetime column → ``datetime64[ns]`` with one allocation at most.

    Why not ``cast(Datetime("ns")).to_numpy()``: on a 10⁸-row panel that makes a cast column and
    a converted copy (≈1.6 GB at once); the physical integers are read without copying and
    scaled into a single new array (none at all for nanosecond datetimes).
    """
    phys = series.to_physical().to_numpy()
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        factor = _NS_PER[dtype.time_unit]
        out = phys if factor == 1 else phys * np.int64(factor)
    else:  # a Date column: days
        out = phys.astype(np.int64)
        out *= NS_PER_DAY
    return out.view("datetime64[ns]")


def _polars_parse(
    series: pl.Series, fmt: str | None, *, column: str, file: str | None, place: ListPlace | None
) -> np.ndarray | None:
    """Fast path: polars parses the whole column (ISO-like formats) or gives up (``None``).

    Strict, so any failure falls back to the pandas path, which locates the bad row.
    """
    if series.dtype != pl.String or series.null_count() or len(series) == 0:
        return None
    if fmt is None and not _ISO_DATE.match(series[0]):
        return None  # only unambiguous ISO text here; "01/02/2021" is left to pandas (month first)
    try:
        # microseconds: nanoseconds would wrap dates outside 1677..2262 round without a word
        parsed = series.str.to_datetime(format=fmt, strict=True, time_unit="us")
    except Exception:  # polars raises several error types for unparsable or ambiguous text
        return None
    if isinstance(parsed.dtype, pl.Datetime) and parsed.dtype.time_zone is not None:
        parsed = parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    _check_ns_range(parsed, column=column, file=file, text=series, place=place)
    out = parsed.cast(pl.Datetime("ns")).to_numpy()
    return None if np.isnat(out).any() else out.astype("datetime64[ns]")


#: the dates a time axis holds (``datetime64[ns]``: pandas' ``Timestamp.min`` to ``max``, to the
#: microsecond), and the words refusals quote them in. Why public, and defined here only: this
#: reader refuses dates outside it (:func:`_check_ns_range`), and every other check of the range
#: (the service's readers of JSON times, a forecast's steps past it) must hold exactly these
#: dates and quote them in the same words; :mod:`tsforge.data.timeaxis` re-exports them.
TIME_RANGE = (pd.Timestamp.min.to_pydatetime(warn=False), pd.Timestamp.max.to_pydatetime(warn=False))
TIME_RANGE_TEXT = f"{TIME_RANGE[0]:%Y-%m-%d} to {TIME_RANGE[1]:%Y-%m-%d}"

#: the start of the refusal of forecast steps past :data:`TIME_RANGE`, which quotes it
FORECAST_PAST_RANGE = f"forecast timestamps run past the dates tsforge can hold ({TIME_RANGE_TEXT})"

#: :attr:`~tsforge.errors.TsforgeError.kind` of that refusal: code that re-points it to another
#: request's series (a forecast of a panel names the panel's series) tells it apart by this
PAST_RANGE = "forecast_past_range"


def steps_past_range(
    sid: str, last: np.datetime64, h: int, *, field: str | None = None
) -> DataValidationError:
    """The refusal of ``h`` steps after the last time ``last`` of series ``sid``, some of which lie
    past :data:`TIME_RANGE` (:data:`PAST_RANGE` its kind), located by the series' id and, where
    the caller has one, its ``field`` (``series[1].timestamps``).

    Why here, beside the range: the series' steps are counted in the data layer (a panel's
    :meth:`~tsforge.data.panel.Panel.times_at`) and in the forecasters
    (:mod:`tsforge.inference.forecast_range`); each refuses the series it is counting, in one
    sentence.
    """
    shown = np.datetime_as_string(np.asarray(last).astype("datetime64[s]"), unit="s")
    refusal = DataValidationError(
        f"{FORECAST_PAST_RANGE}: series {sid!r} ends at {shown}, too late for {h} "
        f"step{'' if h == 1 else 's'} after it; forecast fewer steps, or number the steps "
        "(integers) instead",
        field=field,
        series=sid,
    )
    refusal.kind = PAST_RANGE
    return refusal


#: the last instant a time axis holds, in int64 nanoseconds (2262-04-11 23:47:16.854775807)
LAST_NS = int(np.iinfo(np.int64).max)


def fixed_steps_left(start_ns: int, step_ns: int) -> int:
    """How many steps of ``step_ns`` (> 0) nanoseconds after ``start_ns`` a time axis holds.

    Why one count for every caller: a panel's time axis (:meth:`~tsforge.data.panel.Panel.times_at`,
    every series at once) and a window model's forecast dates
    (:func:`tsforge.inference.forecast_range.dates_after`, one series) must refuse exactly the
    same steps. Why Python integers: in ``int64`` the steps wrap round to 1677 without a word,
    and the room after a start before 1970 (a negative one) wraps too. Capped at the int64
    maximum so a panel can keep every series' room in one ``int64`` array.
    """
    return min((LAST_NS - int(start_ns)) // int(step_ns), LAST_NS)


def calendar_steps_us(lo_ns: int, periods: int, freq: str) -> np.ndarray:
    """``periods`` points (int64 microseconds) of ``freq``'s calendar grid from ``lo_ns``
    (int64 nanoseconds, floored to its microsecond, which keeps its hour and day).

    Why microseconds: they hold dates far past 2262, where pandas' nanosecond range stops at
    the first date it cannot hold (``OutOfBoundsDatetime``, naming no step); counted here, a
    caller can say which steps pass :data:`LAST_NS` (:func:`past_last_ns`) or date a model's
    calendar input past it (:func:`tsforge.inference.forecast_range.calendar_dates_after`).
    """
    start = pd.Timestamp(int(lo_ns)).floor("us")
    return np.asarray(pd.date_range(start, periods=periods, freq=freq, unit="us").asi8)


def past_last_ns(points_us: np.ndarray) -> np.ndarray:
    """Whether each of ``points_us`` (int64 microseconds, :func:`calendar_steps_us`) lies past
    the last instant a time axis holds (:data:`LAST_NS`). Why a function: the line falls inside
    a microsecond (…16.854775807); a point at …16.854775 still fits, and the test of it is
    written once, beside the count."""
    return np.asarray(points_us) > LAST_NS // 1_000


def _check_ns_range(
    series: pl.Series,
    *,
    column: str,
    file: str | None,
    text: pl.Series | None = None,
    place: ListPlace | None = None,
) -> None:
    """Refuse dates that nanoseconds cannot hold, naming the first one and its row.

    Why: the time axis is ``datetime64[ns]``; a date before 1677 (historical yearly data) was
    converted with an integer overflow into a date in the 2180s, and the file was then refused
    for an "irregular spacing" between dates it does not contain.
    """
    if series.dtype == pl.Datetime("ns"):
        return  # holds nothing else
    # no copy of the column unless something is out of range
    lo, hi = _as_datetime(series.min()), _as_datetime(series.max())
    if lo is None or hi is None:
        return
    if TIME_RANGE[0] <= lo and hi <= TIME_RANGE[1]:
        return
    as_us = series.cast(pl.Datetime("us"))
    out = ((as_us < TIME_RANGE[0]) | (as_us > TIME_RANGE[1])).fill_null(False)
    row = int(out.arg_true()[0])
    shown = text[row] if text is not None else as_us[row]
    raise DataValidationError(
        f"date {str(shown)!r} {in_time_column_words(column, row, file, place)} is outside the dates tsforge "
        f"can hold ({TIME_RANGE_TEXT}); number the steps instead (integers) and give the frequency",
        file=file,
        column=column,
        **row_where(row, file),
    )


def to_numeric(series: pl.Series, *, column: str, file: str | None = None) -> np.ndarray:
    """A value column → ``[T]`` float64 with NaN for missing; names the first non-numeric cell.

    Numeric dtypes pass straight through (nulls → NaN). Strings are cast; a cell that does not
    cast and is not a usual missing-value token (``""``, ``NA``, ``nan``, ``?``, ...) is an error
    with its column, row and text. True/false values are read as 1 and 0, with a note
    (:func:`note_true_false`).
    """
    dtype = series.dtype
    if dtype == pl.Boolean:
        note_true_false(column, file or "the frame")
    if dtype.is_numeric() or dtype == pl.Boolean or dtype == pl.Null:
        return _finite(series.cast(pl.Float64).fill_null(float("nan")).to_numpy(), column=column, file=file)
    if dtype.is_temporal():
        raise DataValidationError(
            f"column {column!r} holds dates ({dtype}), not numbers; is it the time column?",
            file=file,
            column=column,
        )
    text = series.cast(pl.String, strict=False)
    cast, bad = text_to_float(text)
    idx = np.flatnonzero(bad)
    if idx.size:
        row = int(idx[0])
        raise DataValidationError(
            f"non-numeric value {text[row]!r} in column {column!r} {row_words(row, file)}"
            + (f" ({idx.size} non-numeric cells in this column)" if idx.size > 1 else "")
            + value_cell_advice(text[row], numbers=int(cast.is_not_null().sum()), words=idx.size),
            file=file,
            column=column,
            **row_where(row, file),
        )
    return _finite(cast.fill_null(float("nan")).to_numpy(), column=column, file=file)


def true_false_words(column: str, where: str) -> str:
    """The note that ``column`` of ``where`` (a file, or words for a frame) holds true/false
    values, read as 1 and 0: the one wording of every reader that reads them so."""
    return f"{where}: column {column!r} holds true/false values: read as 1 (true) and 0 (false)"


def note_true_false(column: str, where: str) -> None:
    """Warn (:class:`~tsforge.errors.TsforgeWarning`, a ``note:`` line on the command line) that
    ``column`` of ``where`` holds true/false values, read as 1 and 0 (:func:`true_false_words`).

    Why read, with a note, not refused: ``true``/``false`` text is a boolean column to the CSV
    reader, and every reader forecast and trained on such a column as 0/1, so refusing it now
    would refuse what worked; but a target of flags is as likely a column meant as something
    else (a ``promo`` flag picked as ``y``), and it was read so without a word.
    """
    warnings.warn(true_false_words(column, where), TsforgeWarning, stacklevel=3)


def _finite(values: np.ndarray, *, column: str, file: str | None) -> np.ndarray:
    """``values`` unless one is infinite: then an error naming the column and the first row.

    Why: an ``inf`` (a division by zero upstream) is no missing value; scaled, it turns every
    window it touches into NaN losses and forecasts, so a multichannel or wide file that held one
    trained to nothing without a word (the panel reader already refused it).
    """
    inf = np.flatnonzero(np.isinf(values))
    if inf.size:
        row = int(inf[0])
        raise DataValidationError(
            f"infinite value in column {column!r} {row_words(row, file)} (leave a missing value empty)"
            + (f"; {inf.size} infinite cells in this column" if inf.size > 1 else ""),
            file=file,
            column=column,
            **row_where(row, file),
        )
    return values


def text_to_float(text: pl.Series) -> tuple[pl.Series, np.ndarray]:
    """Text cells → Float64 (null where missing) and the mask of cells that are not numbers.

    Surrounding blanks are ignored and the usual missing-value tokens (``NA``, ``?``, ``-``,
    …, :data:`MISSING_TOKENS`) are missing values, not errors. Why shared: the wide reader, the
    multichannel long reader and the panel reader must accept the same cells — the panel
    reader (what ``tsforge train my.csv`` uses) refused the ``NA`` that R writes while the
    others read it as missing.
    """
    text = text.cast(pl.String, strict=False)
    stripped = text.str.strip_chars()
    cast = stripped.cast(pl.Float64, strict=False)
    missing_token = stripped.str.to_lowercase().is_in(list(MISSING_TOKENS)) | stripped.is_null()
    return cast, (cast.is_null() & ~missing_token).to_numpy()


def value_cell_advice(cell: object, *, numbers: int, words: int) -> str:
    """What to do about a non-numeric ``cell`` in a value column holding ``numbers`` numbers and
    ``words`` cells that are not: :func:`thousands_hint` for ``12,345``; for a stray word in a
    column of numbers (``x`` on line 501 of 600), to correct it or leave it empty; else ``""``
    (a column of words is a layout or column-choice problem, which the readers advise on).

    Why: the error named the cell but not what to do, and a reader of a wide table advised
    passing ``--id-col`` for a value column with one typo in it.
    """
    hint = thousands_hint(cell)
    if hint or numbers <= words:
        return hint
    return "; correct that cell, or leave it empty for a missing value"


def mostly_numbers(series: pl.Series) -> bool:
    """Whether most of a text column's non-missing cells are numbers (:func:`value_cell_advice`'s
    stray word), so a reader does not advise reading the table another way because of it."""
    cast, bad = text_to_float(series)
    return int(cast.is_not_null().sum()) > int(bad.sum())


_THOUSANDS = re.compile(r"^\s*[-+]?\d{1,3}([,.' ]\d{3})+([.,]\d+)?\s*$")


def thousands_hint(cell: object) -> str:
    """Advice for a cell written with digit grouping (``12,345``), else ``""``.

    Why advice and not a guess: ``1,234`` is a thousand and more in one locale and one and a
    bit in another, so the user must say which by writing plain numbers.
    """
    if isinstance(cell, str) and _THOUSANDS.match(cell):
        return "; it looks like a number with thousands separators: write numbers without grouping (12345.6)"
    return ""


def _as_datetime(value: object) -> datetime.datetime | None:
    """The min or max of a Date / Datetime column as a datetime (a date at midnight); None for
    a column without values. Why: polars types them as any Python scalar."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    raise TypeError(f"expected a date or a datetime, got {value!r}")


def _fmt_ts(t: np.datetime64 | int) -> str:
    """A time as the user wrote it: ``2020-02-15`` at midnight, ``2020-02-15 10:30:00`` otherwise."""
    if isinstance(t, np.datetime64):
        return date_words(t)
    return str(t)


def _clock_change(times: np.ndarray, before: object, at: object) -> str:
    """:func:`~tsforge.data.frequency.clock_change_hint` for dates (``""`` for integer time)."""
    if np.asarray(times).dtype.kind != "M":
        return ""
    as_ns = np.asarray(times).astype("datetime64[ns]").view(np.int64)
    before_ns = None if before is None else _ns(before)
    return clock_change_hint(as_ns, before_ns, _ns(at))


def _ns(moment: object) -> int:
    """One time (a ``datetime64`` of any unit, a date text) as int64 nanoseconds."""
    return int(np.asarray(moment, dtype="datetime64[ns]").astype(np.int64))


def _offset_words(times: np.ndarray, rows: list[int], written: pl.Series | None) -> str | None:
    """A repeated time (rows ``rows[0]`` and ``rows[1]``) in the table's own words where it was
    written with its UTC offset (:func:`~tsforge.data.time_offsets.repeated_time_words`), else
    ``None``: it is then named as read, with the summer-time advice."""
    if written is None or np.asarray(times).dtype.kind != "M":
        return None
    return repeated_time_words(written, rows[0], rows[1])


def check_unique_times(
    times: np.ndarray, *, column: str, file: str | None = None, written: pl.Series | None = None
) -> None:
    """Wide data: each timestamp at most once (reports the timestamp and its rows).

    ``written``: the time column as read, so that a time written with its UTC offset is named as
    written, without the summer-time advice (:func:`_offset_words`)."""
    order = np.argsort(times, kind="stable")
    st = times[order]
    dup = np.flatnonzero(st[1:] == st[:-1])
    if dup.size:
        t = st[dup[0]]
        rows = sorted(int(r) for r in np.flatnonzero(times == t))
        n_dup = int(np.unique(st[dup]).size)
        words = _offset_words(times, rows, written)
        raise DataValidationError(
            f"duplicate timestamp {words or _fmt_ts(t)} in column {column!r} {rows_words(rows, file)}"
            + (f" ({n_dup} duplicated timestamps in total)" if n_dup > 1 else "")
            + ("" if words else _clock_change(times, None, t)),
            file=file,
            column=column,
            **row_where(rows[1], file),
        )


def check_unique_pairs(
    id_codes: np.ndarray,
    times: np.ndarray,
    ids: Sequence[str],
    *,
    time_col: str,
    file: str | None = None,
    written: pl.Series | None = None,
) -> None:
    """Long data: each ``(series, timestamp)`` at most once; names the id, the timestamp and the
    rows (``written``: as for :func:`check_unique_times`)."""
    order = np.lexsort((times, id_codes))
    sid, st = id_codes[order], times[order]
    same = (sid[1:] == sid[:-1]) & (st[1:] == st[:-1])
    dup = np.flatnonzero(same)
    if dup.size:
        k = dup[0]
        code, t = sid[k], st[k]
        rows = sorted(int(r) for r in np.flatnonzero((id_codes == code) & (times == t)))
        words = _offset_words(times, rows, written)
        raise DataValidationError(
            f"duplicate timestamp {words or _fmt_ts(t)} for series {ids[int(code)]!r} {rows_words(rows, file)}"
            + (f" ({dup.size} duplicated (series, timestamp) pairs in total)" if dup.size > 1 else "")
            + ("" if words else _clock_change(st[sid == code], None, t)),
            file=file,
            column=time_col,
            **row_where(rows[1], file),
        )


def check_sorted_or_sort(times: np.ndarray) -> np.ndarray | None:
    """Row order that sorts ``times`` (stable), or ``None`` if already sorted."""
    if times.size < 2 or bool((times[1:] >= times[:-1]).all()):
        return None
    return np.argsort(times, kind="stable")


def infer_step(times: np.ndarray) -> pd.DateOffset | None:
    """The regular step of sorted timestamps: pandas' inferred frequency, else the modal difference.

    Calendar frequencies (month starts, weeks anchored on a weekday) are found by pandas; the
    modal fallback covers a series that is regular except for a few gaps.
    """
    if times.size < 2:
        return None
    idx = pd.DatetimeIndex(times)
    if times.size >= 3:
        name = named_freq(idx)  # half-years as 6MS, not pandas' 2QS-OCT
        if name is not None:
            return pd.tseries.frequencies.to_offset(name)
    # int64 nanoseconds (NumPy's stubs type the diff of an int64 array as timedeltas)
    deltas: np.ndarray = np.diff(times.astype("datetime64[ns]").astype(np.int64))
    deltas = deltas[deltas > 0]
    if deltas.size == 0:
        return None
    values, counts = np.unique(deltas, return_counts=True)
    step = int(values[np.argmax(counts)])
    smallest = int(values[0])
    if smallest < step and not (values % smallest).any():
        # Gaps only lengthen differences: when every difference is a multiple of the smallest,
        # the smallest is the step even if gaps outnumber regular steps.
        step = smallest
    if 28 * NS_PER_DAY <= step <= 31 * NS_PER_DAY and (anchor := month_anchor(idx.asi8)) is not None:
        # Month lengths vary: month start/end anchors that most steps follow win even when a few
        # timestamps sit elsewhere (find_gaps then names those).
        return pd.tseries.frequencies.to_offset(anchor)
    # quarters, years and anchored weeks by name (a quarter is not "92D"), else the fixed step
    return pd.tseries.frequencies.to_offset(modal_step_alias(step, idx.asi8))


def find_gaps(times: np.ndarray, step: pd.DateOffset) -> np.ndarray:
    """Positions ``i`` where ``times[i+1]`` is not ``times[i] + step`` (sorted input)."""
    idx = pd.DatetimeIndex(times)
    expected = (idx[:-1] + step).to_numpy().astype("datetime64[ns]")
    return np.flatnonzero(expected != times[1:].astype("datetime64[ns]"))


#: what to do about dates that skip steps, with the option as Python (``fill_gaps=True``) or the
#: command line (``--fill-gaps``) names it: one message said both, to readers who can type one
_FILL_GAPS_ADVICE = ". Pass {fill} to insert missing rows as NaN, or resample the data first"


def check_regular(
    times: np.ndarray,
    *,
    column: str,
    file: str | None = None,
    step: pd.DateOffset | None = None,
    rows: np.ndarray | None = None,
) -> pd.DateOffset | None:
    """Sorted timestamps must advance by one step; reports the rate, the first breaks and how many.

    Args:
        rows: the data row of each time (``None``: time ``i`` is row ``i``), so that a break is
            named by the row the user can find — the file's line for a CSV file — also when the
            rows were sorted or the times are the union of a long table's series.

    Returns:
        The step (``None`` for fewer than two timestamps).
    """
    step = step or infer_step(times)
    if step is None:
        return None
    gaps = find_gaps(times, step)
    if gaps.size:
        shown = "; ".join(_break_words(times, int(i), rows, file) for i in gaps[:_MAX_SHOWN])
        more = f" (and {gaps.size - _MAX_SHOWN} more)" if gaps.size > _MAX_SHOWN else ""
        first = int(gaps[0])
        as_ns = times.astype("datetime64[ns]").view(np.int64)
        hint = (
            mid_month_hint(as_ns)
            or _clock_change(times, times[first], times[first + 1])
            or off_grid_hint(times[first + 1], step.freqstr, times[0])
        )
        places = "1 place breaks" if gaps.size == 1 else f"{gaps.size} places break"
        row = first + 1 if rows is None else int(rows[first + 1])
        said = (
            f"irregular spacing in time column {column!r}: the times are sampled {rate_words(step.freqstr)}, but "
            f"{places} that: {shown}{more}"
        )
        raise DataValidationError(
            said + (hint or _FILL_GAPS_ADVICE.format(fill="fill_gaps=True")),
            cli_message=said + (hint or _FILL_GAPS_ADVICE.format(fill="--fill-gaps")),
            file=file,
            column=column,
            **row_where(row, file),
        )
    return step


def _break_words(times: np.ndarray, i: int, rows: np.ndarray | None, file: str | None) -> str:
    """``2020-01-01 → 2020-02-15 (on line 3 of bad.csv)``: one break of the spacing, by its dates
    and the row of its later date."""
    row = i + 1 if rows is None else int(rows[i + 1])
    return f"{_fmt_ts(times[i])} → {_fmt_ts(times[i + 1])} ({row_words(row, file)})"


def check_channels_observed(
    values: np.ndarray, channel_ids: Sequence[str], *, file: str | None = None
) -> None:
    """A channel with no observed value at all cannot be scaled or scored; name it."""
    if values.shape[0] == 0:
        return
    empty = np.flatnonzero(~np.isfinite(values).any(axis=0))
    if empty.size:
        names = [str(channel_ids[int(i)]) for i in empty]
        raise DataValidationError(
            f"channel {names[0]!r} has no observed value (all missing)"
            + (f"; all-missing channels: {names[:10]} ({len(names)} in total)" if len(names) > 1 else "")
            + ". Drop it or provide values",
            file=file,
            column=names[0],
        )
