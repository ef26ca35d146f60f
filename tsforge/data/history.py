"""Forecast histories: a long or wide frame → one :class:`SeriesInput` per series.

Why one parser: the CLI (``tsforge forecast --input``), the MLflow pyfunc
(``Predictor.predict_frame``) and the REST service (``/invocations``) all receive "a table of
recent history" and must agree on what it means, in which order the series come back, and
what is refused; one function here gives all three the same answer and the same errors.

Two layouts:

* **long** (``unique_id, ds, y``; names configurable): chosen whenever the id column exists.
  Series come back in the order their ids first appear (the answer lists them as the request
  or file does); rows within a series are put in time order when there is a time column.
* **long by its column types** (``Store, Week, Sales``: a text id, a time column, one number;
  see :mod:`tsforge.data.long_roles`): chosen, with a note naming the roles, when there is no id
  column and the table can be read no other way (as wide it would fail on the text column).
* **wide** (a time column + one column per series, like a training CSV): chosen when there is
  no id column. The time column is ``time_col`` if present, else detected as for training
  (a datetime column, or one named like ``date``/``time`` holding dates); without one, rows are
  taken in order and the series have no timestamps.

Integer time columns order the rows but give no timestamps (as in training), unless they look
like ``YYYYMMDD`` dates; they are kept as :attr:`SeriesInput.steps`, so a forecast can number the
steps that follow (``ds`` = last step + 1, 2, … in the history's own spacing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from tsforge.data import validation as V
from tsforge.data.file_lines import refuse_empty_line, row_where, row_words, with_lines
from tsforge.data.layouts import note_flag_columns
from tsforge.data.long_roles import (
    LongRoles,
    check_unique_wide_times,
    guess_long_roles,
    note_guessed_roles,
    refuse_absent_named_columns,
    refuse_shared_columns,
)
from tsforge.data.panel_checks import left_out_too_few, too_few_values_error
from tsforge.data.tables import to_polars
from tsforge.data.timeaxis import detect_time_column, parse_time_column, parse_times_by_series
from tsforge.errors import ConfigError, DataValidationError

__all__ = [
    "SeriesInput",
    "HistoryLayout",
    "history_layout",
    "guessed_history_roles",
    "histories_from_frame",
    "history_time_column",
    "note_flag_series",
    "observed_rows",
    "with_parsed_times",
    "check_time_format",
]

HistoryLayout = Literal["long", "wide"]
SizeCheck = Callable[[Sequence[tuple[str, int]]], None]


@dataclass
class SeriesInput:
    """One history to forecast from: values (NaN = missing), optional timestamps and coordinates.

    ``steps`` holds the integer time keys (int64) when the time column is an integer index rather
    than dates; the models never see them (integer time has no calendar), but the forecast frame
    continues them so its ``ds`` says which step each forecast is for.
    """

    id: str
    values: np.ndarray
    timestamps: np.ndarray | None = None
    coords: np.ndarray | None = None
    steps: np.ndarray | None = None


def history_layout(columns: Sequence[str], id_col: str = "unique_id") -> HistoryLayout:
    """``"long"`` when the id column is present, else ``"wide"`` (one column per series).

    Why the id column alone decides: a wide file may well have a channel called ``y`` or a
    column called ``ds``; only the id column says "one row per observation".
    """
    return "long" if id_col in columns else "wide"


def guessed_history_roles(
    frame: Any,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    *,
    time_format: str | None = None,
) -> LongRoles | None:
    """The roles a history without the id column is read with as long
    (:func:`~tsforge.data.long_roles.guess_long_roles`), or ``None`` when it is read by the names
    given (it has the id column) or as wide. No note: :func:`histories_from_frame` gives it.

    Why public: a caller that names its answer's columns as the history's (the forecast frame's
    ``Store, Week``) needs the guessed names, which the parsed series do not carry.
    """
    df = _as_frame(frame)
    if history_layout(df.columns, id_col) == "long":
        return None
    return guess_long_roles(df, id_col, time_col, target_col, time_format=time_format)


def histories_from_frame(
    frame: Any,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    *,
    layout: Literal["auto", "long", "wide"] = "auto",
    file: str | None = None,
    field: str | None = None,
    check_sizes: SizeCheck | None = None,
    drop_too_few: bool = False,
) -> list[SeriesInput]:
    """A history frame (pandas, polars, or ``{column: values}``) → one ``SeriesInput`` per series.

    Args:
        layout: ``"auto"`` = :func:`history_layout`.
        file, field: where the frame came from (a file, a request field); every error names it.
        check_sizes: called with ``(series id, number of rows)`` pairs once rows are grouped and
            before any per-series work, so a caller with size limits refuses early.
        drop_too_few: leave out the series with fewer than two observed values (a new product
            with its first sale) with one :class:`~tsforge.errors.ShortSeriesWarning` naming
            them, instead of refusing them (``tsforge forecast --drop-short``); a history whose
            every series is so is refused still. Off by default: the caller asked for every
            series. They are left out after the rows are grouped, so an error about another
            series still names its own line of the file.

    Raises:
        DataValidationError: missing column, unparsable date, non-numeric value, duplicate
            timestamp, a series with no observed value (naming column, row and series).
    """
    with _located(file=file, field=field):
        df = _as_frame(frame)
        if df.height == 0 and file is not None:  # a header only: said as the training reader says it
            V.check_not_empty(df.height, file=file, what="the history")
        if df.height == 0:
            raise DataValidationError("the history frame has no rows")
        if layout == "auto":
            # an id or target name given and absent is said as such (as the training reader says
            # it), before the layout: without its id column the history was read as wide and
            # refused for a "non-numeric value" in the id column the user had named under another
            # name. Not the time column: a history without one is forecast undated (step 1..h)
            refuse_absent_named_columns(df, id_col, None, target_col, file=file)
            layout = history_layout(df.columns, id_col)
            roles = guessed_history_roles(df, id_col, time_col, target_col)
            if roles is not None:  # Store, Week, Sales: long, as training reads the same file
                note_guessed_roles(roles, file or field or "the history", stacklevel=2)
                layout, id_col, time_col, target_col = "long", roles.id_col, roles.time_col, roles.target_col
        if layout == "long":
            ids, values, keys, is_dt = _long(df, id_col, time_col, target_col, file)
            written = df[time_col] if time_col in df.columns else None
            series = _group(ids, values, keys, is_dt, time_col=time_col, file=file, written=written)
            where = target_col
        elif layout == "wide":
            series = _wide(df, id_col, time_col, file)
            where = None
        else:
            raise DataValidationError(f"layout must be 'auto', 'long' or 'wide', got {layout!r}")
        if check_sizes is not None:
            check_sizes([(s.id, int(s.values.size)) for s in series])
        if drop_too_few:
            series = _without_too_few(series, file or field or "the history")
        for s in series:
            if np.isnan(s.values).all():
                raise too_few_values_error(
                    f"series {s.id!r} has no observed value",
                    1,
                    library_way=False,
                    some_left=_some_left(series),
                    column=where or s.id,
                )
        return series


def _some_left(series: list[SeriesInput]) -> bool:
    """Whether any series has two observed values: without one, removing the rows of those with
    fewer (the refusal's way round) would leave no history to forecast."""
    return any(int((~np.isnan(s.values)).sum()) >= 2 for s in series)


def _without_too_few(series: list[SeriesInput], where: str) -> list[SeriesInput]:
    """``series`` less those with fewer than two observed values, said in one note; all of them
    when none or every one is so (the refusal then names the first)."""
    bad = np.flatnonzero([int((~np.isnan(s.values)).sum()) < 2 for s in series])
    if not bad.size or bad.size == len(series):
        return series
    left_out_too_few([s.id for s in series], bad, where)
    out = set(bad.tolist())
    return [s for i, s in enumerate(series) if i not in out]


def history_time_column(
    frame: pl.DataFrame,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    *,
    time_format: str | None = None,
) -> str | None:
    """The column :func:`histories_from_frame` takes a history's times from (``layout="auto"``), or
    ``None`` when it reads none (rows in order, no timestamps). ``time_format``: how its dates are
    written, when given (a column it reads is a time column, as the file readers find it)."""
    if history_layout(frame.columns, id_col) == "long":
        return time_col if time_col in frame.columns else None
    roles = guessed_history_roles(frame, id_col, time_col, target_col, time_format=time_format)
    return roles.time_col if roles is not None else _wide_time_column(frame, time_col, time_format)


def note_flag_series(
    frame: Any, id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y", *, file: str | None
) -> None:
    """Warn (:class:`~tsforge.data.layouts.FlagColumnWarning`) when a wide history holds columns of
    only 0 and 1 beside real-valued series, in the words the training reader uses for the same
    file (:func:`~tsforge.data.layouts.note_flag_columns`, advising ``--value-cols``).

    Why: ``tsforge train stores.csv`` said its ``promo`` column was read as one more store, and
    ``tsforge forecast stores.csv`` forecast it as a store without a word. Not a step of
    :func:`histories_from_frame`: the service reads its requests' frames there too, and its
    clients pass no ``--value-cols``; the CLI calls this for the file it reads.
    """
    df = _as_frame(frame)
    if (
        history_layout(df.columns, id_col) == "long"
        or guessed_history_roles(df, id_col, time_col, target_col) is not None
    ):
        return
    times = _wide_time_column(df, time_col)
    columns = [c for c in df.columns if c != times and df.schema[c].is_numeric()]
    if len(columns) < 2:
        return
    values = np.column_stack([df[c].cast(pl.Float64).fill_null(np.nan).to_numpy() for c in columns])
    note_flag_columns(values, columns, file)


def observed_rows(frame: Any, series_id: str, id_col: str = "unique_id", target_col: str = "y") -> np.ndarray:
    """The 0-based rows of a history ``frame`` (as :func:`histories_from_frame` takes it) that hold
    an observed value of series ``series_id``: its rows with a value in ``target_col`` (long), or
    the rows with a value in its own column (wide). Empty when the frame has no such series.

    Why: the histories come back grouped by series and sorted by time, without the rows they were
    read from; an error about one series (a single value) names its rows by this, on its path only.
    """
    df = _as_frame(frame)
    if history_layout(df.columns, id_col) == "long":
        if target_col not in df.columns:
            return np.empty(0, dtype=np.int64)
        ids = df[id_col].cast(pl.String).to_numpy()
        values = V.to_numeric(df[target_col], column=target_col)
        return np.flatnonzero((ids == series_id) & np.isfinite(values))
    if series_id not in df.columns:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.isfinite(V.to_numeric(df[series_id], column=series_id)))


def with_parsed_times(
    frame: Any,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    *,
    time_format: str,
    file: str | None = None,
) -> pl.DataFrame:
    """``frame`` (a history, as for :func:`histories_from_frame`) with its time column
    (:func:`history_time_column`) parsed into datetimes by ``time_format``, a strftime format.

    Why a step of its own: the history readers infer a date format, and dates such as
    ``10/01/2017`` (10 January) or ``10-Jan`` read otherwise or not at all; a caller given the
    format (``tsforge forecast --time-format``) parses the column first and hands the frame on,
    so the forecast and everything else reading the same frame (its plot) see the same dates.
    An entirely empty time column is left as it is: the reader takes it as a history without dates.

    Raises:
        ConfigError: ``time_format`` is not text, or names no ``%`` directive (``dd/mm/yyyy``).
        DataValidationError: no time column to apply the format to, or a row the format does not
            read (naming the column and the row).
    """
    check_time_format(time_format)
    df = _as_frame(frame)
    column = history_time_column(df, id_col, time_col, target_col, time_format=time_format)
    if column is None:
        why = f"was given, but the history has no time column {time_col!r} (columns: {df.columns}); name it"
        raise DataValidationError(
            f"time_format={time_format!r} {why} with time_col",
            cli_message=f"--time-format {V.shell_word(time_format)} {why} with --time-col",
            file=file,
            column=time_col,
        )
    if df[column].null_count() == df.height:
        return df
    keys, _ = parse_time_column(df[column], column=column, file=file, fmt=time_format)
    return df.with_columns(pl.Series(column, keys))


def check_time_format(time_format: object) -> None:
    """Refuse a ``time_format`` that cannot be a strftime format, before any row is read (the
    one check behind ``time_format=`` and every command's ``--time-format``).

    Why: a number (a pyfunc param, a config value) or a spreadsheet spelling such as
    ``dd/mm/yyyy`` matches no date, and was reported as the file's first row being "unparsable"
    — blaming the data for what is wrong with the format.
    """
    if not isinstance(time_format, str):
        raise ConfigError(
            f"time_format must be a strftime format (text such as '%d/%m/%Y'), got "
            f"{type(time_format).__name__} {time_format!r}",
            field="time_format",
        )
    if "%" not in time_format:
        raise ConfigError(
            f"time_format={time_format!r} names no date part: write it in strftime codes, e.g. "
            "'%d/%m/%Y' for 10/01/2017 as 10 January (%d day, %m month, %b month name, %Y four-digit "
            "year, %y two-digit year, %H hour, %M minute)",
            cli_message=f"--time-format {V.shell_word(time_format)} names no date part: write it in "
            "strftime codes, e.g. %d/%m/%Y for 10/01/2017 as 10 January, %Y%m%d %H%M for 20170110 1300 "
            "(%d day, %m month, %b month name, %Y four-digit year, %y two-digit year, %H hour, %M minute)",
            field="time_format",
        )


def _as_frame(frame: Any) -> pl.DataFrame:
    """A history (pandas, polars, or ``{column: values}``) as a polars frame."""
    return pl.DataFrame(dict(frame)) if isinstance(frame, Mapping) else to_polars(frame)


@contextmanager
def _located(*, file: str | None, field: str | None) -> Iterator[None]:
    """Add the file (and a text table's ``line`` of the row, :func:`~tsforge.data.file_lines.with_lines`)
    or the request field to every data error raised inside that does not name them yet.

    Why still needed when the helpers below are given the file: the checks they call that take no
    file (the columns' roles, the size limits a caller passes) must name it too."""
    try:
        yield
    except DataValidationError as exc:
        out = with_lines(exc, file)
        if field is not None and "field" not in out.where:
            out = DataValidationError(out.message, cli_message=out.cli_message, field=field, **out.where)
            out.kind = exc.kind
        if out is exc:
            raise
        raise out from None


def _long(
    df: pl.DataFrame, id_col: str, time_col: str, target_col: str, file: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool]:
    """Typed columns of a long frame: ids (str), values (float64), time keys and whether they are
    dates. ``file``: the table the rows were read from, whose line an error names (``None``: a frame)."""
    V.require_columns(df.columns, {"id_col": id_col, "target_col": target_col}, file=file)
    refuse_shared_columns(id_col, time_col, target_col, df.columns, file=file)
    id_series = df[id_col]
    if not (
        id_series.dtype == pl.String or id_series.dtype.is_integer() or id_series.dtype == pl.Categorical
    ):
        raise DataValidationError(
            f"column {id_col!r} must hold text or integer ids, got {id_series.dtype}", column=id_col
        )
    id_series = id_series.cast(pl.String)
    bad = (id_series.is_null() | (id_series.str.len_chars() == 0)).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        refuse_empty_line(row, file)  # a blank line: said as such, not as a missing id
        raise DataValidationError(
            f"missing series id in column {id_col!r} {row_words(row, file)}",
            file=file,
            column=id_col,
            **row_where(row, file),
        )
    values = V.to_numeric(df[target_col], column=target_col, file=file)
    _refuse_infinite(values, target_col, file)
    ids = id_series.to_numpy().astype(str)
    keys, is_dt = _long_time_keys(df, time_col, ids, file)
    return ids, values, keys, is_dt


def _time_keys(
    df: pl.DataFrame, time_col: str | None, file: str | None, ids: np.ndarray | None = None
) -> tuple[np.ndarray | None, bool]:
    """The time column parsed (``None`` when absent or entirely empty: a history without dates);
    ``ids``: each row's series, for a long frame (times with offsets are read series by series)."""
    if time_col is None or time_col not in df.columns or df[time_col].null_count() == df.height:
        return None, False
    return parse_time_column(df[time_col], column=time_col, file=file, ids=ids)


def _long_time_keys(
    df: pl.DataFrame, time_col: str | None, ids: np.ndarray, file: str | None
) -> tuple[np.ndarray | None, bool]:
    """A long frame's time column parsed as one (:func:`_time_keys`), or, where its text does not
    read one way, each series' in its own way (:func:`~tsforge.data.timeaxis.parse_times_by_series`).

    Why here: every door reads histories through this reader, so a frame whose series ``a``
    writes ``2021Q1`` and series ``b`` ``2021-01-01`` is forecast alike by ``predict_frame``,
    ``tsforge forecast`` and the pyfunc, as each series alone is.
    """
    try:
        return _time_keys(df, time_col, file, ids)
    except DataValidationError as whole:
        if time_col is None or df[time_col].dtype != pl.String or np.unique(ids).size < 2:
            raise
        cells = df[time_col].str.strip_chars()
        if cells.null_count() or bool((cells.str.len_chars() == 0).any()):
            raise  # a blank line or an empty time: the column's own refusal names its line
        return parse_times_by_series(df[time_col], ids, column=time_col, file=file, whole=whole), True


def _refuse_infinite(values: np.ndarray, column: str, file: str | None) -> None:
    bad = np.flatnonzero(np.isinf(values))
    if bad.size:
        row = int(bad[0])
        raise DataValidationError(
            f"infinite value in column {column!r} {row_words(row, file)} (leave a missing value empty)",
            file=file,
            column=column,
            **row_where(row, file),
        )


def _group(
    ids: np.ndarray,
    values: np.ndarray,
    keys: np.ndarray | None,
    is_dt: bool,
    *,
    time_col: str,
    file: str | None,
    written: pl.Series | None = None,
) -> list[SeriesInput]:
    """Rows → series, in the order their ids first appear (rows by time within a series when
    there is a time column). Why first appearance and not sorted ids: the forecast file and the
    plot then list the series as the user's file does (``s0, s1, s2, …``, not ``s0, s1, s10, …``).
    ``written``: the time column as read, whose cells a repeated time is named by
    (:func:`~tsforge.data.validation.check_unique_pairs`)."""
    uniq, first, codes = np.unique(ids, return_index=True, return_inverse=True)
    codes = codes.reshape(-1)
    rank = np.argsort(np.argsort(first))  # group number in order of first appearance
    if keys is not None:
        V.check_unique_pairs(
            codes, keys, [str(u) for u in uniq], time_col=time_col, file=file, written=written
        )
        order = np.lexsort((keys, rank[codes]))
    else:
        order = np.argsort(rank[codes], kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    bounds = np.r_[starts, ids.size]
    values = values[order]
    keys = None if keys is None else keys[order]
    return [
        SeriesInput(
            id=str(uniq[sorted_codes[a]]),
            values=values[a:b],
            **_time_fields(None if keys is None else keys[a:b], is_dt),
        )
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]


def _time_fields(keys: np.ndarray | None, is_dt: bool) -> dict[str, np.ndarray | None]:
    """Parsed time keys as the ``SeriesInput`` field they are: ``timestamps`` (dates) or ``steps``."""
    return {"timestamps": keys if is_dt else None, "steps": None if is_dt else keys}


def _wide(df: pl.DataFrame, id_col: str, time_col: str | None, file: str | None) -> list[SeriesInput]:
    """One series per value column, sharing the time column (rows sorted, duplicates refused);
    ``file`` as for :func:`_long`."""
    tcol = _wide_time_column(df, time_col)
    value_cols = [c for c in df.columns if c != tcol]
    if not value_cols:
        raise DataValidationError(
            f"the history frame has no value columns (columns found: {df.columns}); give either a long frame "
            f"with {id_col!r} or one column per series"
        )
    # values before times: a long table with other column names (store, day, units) read as
    # wide fails on its id column with advice, not on the dates its series share ("duplicate")
    columns = {c: _wide_column(df, c, id_col, tcol, file) for c in value_cols}
    keys, is_dt = _time_keys(df, tcol, file)
    order = None
    if keys is not None:
        check_unique_wide_times(
            df,
            keys,
            str(tcol),
            file=file,
            read_as=f"without a column {id_col!r} the history is read as wide (one column per series, "
            "each time once). If it is long",
            python_apart=True,
        )
        order = V.check_sorted_or_sort(keys)
        keys = keys if order is None else keys[order]
    time_fields = _time_fields(keys, is_dt)
    return [
        SeriesInput(id=str(c), values=v if order is None else v[order], **time_fields)
        for c, v in columns.items()
    ]


def _wide_time_column(df: pl.DataFrame, time_col: str | None, time_format: str | None = None) -> str | None:
    """A wide history's time column: ``time_col`` when present, else the one detected (by
    ``time_format`` too, when given)."""
    return time_col if time_col in df.columns else detect_time_column(df, time_format=time_format)


def _wide_column(
    df: pl.DataFrame, column: str, id_col: str, time_col: str | None, file: str | None
) -> np.ndarray:
    """One value column of a wide history; a text column gets the column names to pass if the
    table is long (the one numeric column left is the target)."""
    try:
        values = V.to_numeric(df[column], column=column, file=file)
    except DataValidationError as exc:
        if (
            df[column].dtype not in (pl.String, pl.Categorical)
            or exc.message.startswith("infinite")
            or V.mostly_numbers(df[column])
        ):
            raise  # a number out of range, or a stray word among numbers: no layout advice
        ids, times, target = V.long_table_columns(df, column, time_col)
        why = (
            f"{exc.message}; without a column {id_col!r} the history is read as wide (one column per "
            "series), so every column but the time column must be numeric."
        )
        long = " If it is long, give its column names: "
        raise DataValidationError(
            f"{why}{long}id_col={ids!r}, time_col={times!r}, target_col={target!r}",
            cli_message=f"{why}{_value_cols_advice(df, column, time_col)}{long}--id-col {V.shell_word(ids)} "
            f"--time-col {V.shell_word(times)} --target-col {V.shell_word(target)}",
            **exc.where,
        ) from None
    _refuse_infinite(values, column, file)
    return values


def _value_cols_advice(df: pl.DataFrame, column: str, time_col: str | None) -> str:
    """`` If 'flag' is not a series, name the series columns: --value-cols a,b.`` when other columns
    are numeric (a wide history with a text column: a note, a flag), as the training reader advises.

    Why only on the command line: ``tsforge forecast --value-cols`` leaves such a column out; the
    pyfunc and the service take the series columns as sent.
    """
    numeric = [c for c in df.columns if c not in (column, time_col) and df.schema[c].is_numeric()]
    if len(numeric) < 2:  # one numeric column left: more likely a long table (the advice after this)
        return ""
    shown = ",".join(numeric[:6]) + (",..." if len(numeric) > 6 else "")
    return f" If {column!r} is not a series, name the series columns: --value-cols {V.shell_word(shown)}."
