"""Table layouts → :class:`TimeSeriesData`: long (``unique_id, ds, y``), wide, and bare arrays.

Two layouts are understood:

* **long** (the Nixtla convention): one row per observation with ``unique_id``, ``ds``, ``y``
  columns (names configurable). Series may start and end at different times; the dense
  ``[T, N]`` matrix is the union of all timestamps, and a ``(unique_id, ds)`` pair that is
  absent becomes NaN.
* **wide**: one row per timestamp, one column per channel (ETT/Weather style). The time column
  is detected (a datetime column, or a column named like ``date``/``ds``/``time`` whose values
  parse as dates); without one the series has no timestamps and calendar features are off.

Every path runs the same checks (``tsforge.data.validation``): columns present, dates parse,
no duplicate timestamps, numbers are numbers, regular spacing, no all-missing channel. Errors
name the file, column and row.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data import validation as V
from tsforge.data.calendar_grid import read_period_labels
from tsforge.data.coordinates import resolve_coords
from tsforge.data.file_lines import refuse_empty_line, row_where, row_words
from tsforge.data.frame import TimeSeriesData
from tsforge.data.long_roles import check_unique_wide_times, target_choices, time_fit
from tsforge.data.panel_checks import inserted_positions, note_filled_gaps
from tsforge.data.tables import CSV_SUFFIXES, PARQUET_SUFFIXES, to_polars
from tsforge.data.timeaxis import (
    detect_time_column,
    integer_step,
    parse_time_column,
    regularise,
    regularise_steps,
)
from tsforge.data.tsf import TsfFile, monash_freq, tsf_to_dense
from tsforge.data.validation import shell_word
from tsforge.errors import DataValidationError, WordedWarning

__all__ = [
    "Layout",
    "WideMatrix",
    "wide_matrix",
    "from_long",
    "from_wide",
    "from_array",
    "from_tsf",
    "detect_layout",
    "file_stem",
    "FlagColumnWarning",
    "note_flag_columns",
]

log = logging.getLogger(__name__)

Layout = Literal["auto", "long", "wide"]


class FlagColumnWarning(WordedWarning):
    """A wide table's column of only 0 and 1, beside series that hold other values, was read as
    one more series: the user learns it before its scores are averaged into the panel's."""


def detect_layout(
    frame: pl.DataFrame,
    id_col: str,
    time_col: str,
    target_col: str,
    *,
    file: str | None,
    time_format: str | None = None,
) -> Literal["long", "wide"]:
    """Long when the id, time and target columns exist; wide otherwise.

    When two of the three long-format columns exist and the third is missing while the frame
    has a text column, the user almost certainly meant long format with a misnamed column, so
    that is reported (with the closest name) instead of a confusing wide-format error. An absent
    time column is suggested as the column that reads as dates (``month`` beside ``unique_id, y,
    unit``: :func:`~tsforge.data.long_roles.time_fit`); the advice on wide files is left out
    where the id column is there, as a wide file has none (``unique_id, month, y, unit`` was told
    "A file with one column per series … is read as such" and no word of ``month``).
    """
    cols = set(frame.columns)
    roles = {"id_col": id_col, "time_col": time_col, "target_col": target_col}
    present = {r for r, c in roles.items() if c in cols}
    if len(present) == 3:
        return "long"
    if len(present) == 2:
        others = [c for c in frame.columns if c not in roles.values()]
        text_types = (pl.String, pl.Categorical)
        has_text = any(frame.schema[c] in text_types for c in others) or (
            id_col in cols and frame.schema[id_col] in text_types
        )
        if has_text:
            # an absent target: the likeliest numeric column, not the closest spelling ("Did you
            # mean 'sales'?" where 'promo' and 'price' sit beside it)
            choices = target_choices(frame, id_col, time_col) if "target_col" not in present else []
            fitting: dict[str, str | None] = {"target_col": choices[0]} if choices else {}
            fitting.update(time_fit(frame, time_col, time_format=time_format))
            wide = "id_col" not in present  # a file with an id column is no wide file
            V.require_columns(
                frame.columns,
                roles,
                file=file,
                fitting=fitting or None,
                hint="For one column per series pass layout='wide' with value_cols" if wide else "",
                cli_hint="A file with one column per series (a time column, then numeric columns) is read "
                "as such without any flag"
                if wide
                else "",
            )
    return "wide"


#: the endings a data file's name loses to become its dataset name (longest first)
_DATA_SUFFIXES = tuple(
    sorted({*CSV_SUFFIXES, *PARQUET_SUFFIXES, ".tsf", ".tsf.gz", ".gz"}, key=len, reverse=True)
)


def file_stem(path: str) -> str:
    """Dataset name of a file: its name without its data-file ending (``m4.tsf.gz`` → ``m4``,
    ``sales_v1.5.csv`` → ``sales_v1.5``; any other ending: the last one).

    The one rule for every reader, so a file gets the same name as series or as a panel.
    Why not "up to the first dot": ``sales_v1.5.csv`` and ``sales_v1.6.csv`` were both named
    ``sales_v1``, so training on the second registered a new version of the first one's model
    (``sales_v1-naive``), where it competed for the ``champion`` alias on other data.
    """
    name = Path(path).name
    lowered = name.lower()
    for suffix in _DATA_SUFFIXES:
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return Path(name).stem or name


def from_long(
    df: Any,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    name: str | None = None,
    coords: Any = None,
    *,
    file: str | None = None,
    freq: str | None = None,
    fill_gaps: bool = False,
    time_format: str | None = None,
) -> TimeSeriesData:
    """Long frame (``unique_id, ds, y``) → dense ``[T, N]`` series.

    Series are ordered by first appearance; the time axis is the sorted union of all
    timestamps, and ``(id, ds)`` pairs that are absent become NaN (so series with different
    starts are left-padded). Duplicate pairs, unparsable dates, non-numeric targets, irregular
    spacing of the union and all-missing series are errors.
    """
    frame = to_polars(df)
    V.require_columns(
        frame.columns,
        {"id_col": id_col, "time_col": time_col, "target_col": target_col},
        file=file,
        hint="For one column per series pass layout='wide'",
        fitting=time_fit(frame, time_col, time_format=time_format),
    )
    V.check_not_empty(frame.height, file=file)
    ids_series = frame[id_col].cast(pl.String, strict=False)
    if ids_series.null_count():
        row = int(np.flatnonzero(ids_series.is_null().to_numpy())[0])
        refuse_empty_line(row, file)  # a blank line: said as such, not as a missing id
        raise DataValidationError(
            f"missing series id in column {id_col!r} {row_words(row, file)}",
            file=file,
            column=id_col,
            **row_where(row, file),
        )
    keys, is_dt = parse_time_column(
        frame[time_col], column=time_col, file=file, fmt=time_format, ids=ids_series
    )
    y = _fits(V.to_numeric(frame[target_col], column=target_col, file=file), np.float32, target_col, file)
    uniq = ids_series.unique(maintain_order=True)
    channel_ids = [str(u) for u in uniq.to_list()]
    code_of = pl.DataFrame({"__id": uniq, "__code": np.arange(len(uniq), dtype=np.int64)})
    id_codes = (
        pl.DataFrame({"__id": ids_series})
        .join(code_of, on="__id", how="left", maintain_order="left")["__code"]
        .to_numpy()
    )
    V.check_unique_pairs(id_codes, keys, channel_ids, time_col=time_col, file=file, written=frame[time_col])
    times, first_rows, t_codes = np.unique(keys, return_index=True, return_inverse=True)
    values = np.full((times.size, len(channel_ids)), np.nan, dtype=np.float32)
    values[t_codes.reshape(-1), id_codes] = y
    return _assemble(
        values,
        times if is_dt else None,
        channel_ids,
        name,
        coords,
        file=file,
        time_col=time_col,
        freq=freq,
        fill_gaps=fill_gaps,
        int_keys=None if is_dt else times,
        rows=first_rows,  # a time's first row: what a spacing error names
    )


@dataclass(frozen=True)
class WideMatrix:
    """A validated wide table on a regular axis, before it becomes series or a panel.

    Attributes:
        values: ``[T, N]`` in the dtype asked for (float32 for :class:`TimeSeriesData`,
            float64 for panels, which keep the file's precision).
        times: ``[T]`` datetime64[ns], or ``None`` for integer / row-order time.
        first_step: the integer time of row 0 when the time column holds integers, else 0.
        columns: the ``N`` value column names.
        freq: the given or inferred frequency (``None`` without dates).
        int_step: the integer time between rows (5 for years 1980, 1985, …; 1 otherwise).
    """

    values: np.ndarray
    times: np.ndarray | None
    first_step: int
    columns: list[str]
    freq: str | None
    int_step: int = 1


def wide_matrix(
    df: Any,
    time_col: str | None = None,
    value_cols: Sequence[str] | None = None,
    *,
    file: str | None = None,
    freq: str | None = None,
    fill_gaps: bool = False,
    time_format: str | None = None,
    dtype: Any = np.float32,
) -> WideMatrix:
    """Read and check a wide frame (one column per channel/series): the part :func:`from_wide`
    and the panel reader share, so both accept and reject exactly the same files.

    Args:
        time_col: the time column; ``None`` = detect one (see module docstring), and when none is
            found the rows are taken in order without timestamps.
        value_cols: value columns; ``None`` = every column except the time column.
        file: the source named in every error (``None`` for a frame).
        freq, fill_gaps, time_format: as for :func:`tsforge.data.load.load`.
        dtype: of the value matrix (the panel reader asks float64, the multichannel one float32).
    """
    frame = to_polars(df)
    if time_col is not None:
        V.require_columns(
            frame.columns,
            {"time_col": time_col},
            file=file,
            fitting=time_fit(frame, time_col, value_cols, time_format=time_format),
        )
    else:
        time_col = detect_time_column(frame, value_cols, time_format=time_format)
        if time_col is None and time_format is not None:
            _refuse_unused_time_format(frame, value_cols, time_format, file)
    named = value_cols is not None
    if value_cols is None:
        value_cols = [c for c in frame.columns if c != time_col]
    else:
        value_cols = [str(c) for c in value_cols]
        V.require_columns(frame.columns, {f"value_cols[{i}]": c for i, c in enumerate(value_cols)}, file=file)
    V.check_not_empty(frame.height, len(value_cols), file=file)
    _refuse_unnamed(value_cols, list(frame.columns), file)
    values = np.empty((frame.height, len(value_cols)), dtype=dtype)
    for j, c in enumerate(value_cols):
        values[:, j] = _fits(
            _wide_values(frame[c], column=c, file=file, time_col=time_col, frame=frame), dtype, c, file
        )
    if not named:
        note_flag_columns(values, value_cols, file)
    times = None
    first_step, int_step = 0, 1
    if time_col is not None:
        keys, is_dt = parse_time_column(frame[time_col], column=time_col, file=file, fmt=time_format)
        check_unique_wide_times(
            frame,
            keys,
            time_col,
            file=file,
            read_as="the table was read as wide (one column per series, each time once). If it is long "
            "(one row per series and time step)",
            python_apart=False,
        )
        order = V.check_sorted_or_sort(keys)
        if order is not None:
            log.info("rows were not in time order; sorted by %r", time_col)
            keys, values = keys[order], values[order]
        n_rows = values.shape[0]
        if is_dt:
            freq = read_period_labels(_ns(keys), freq, file or "the table")
            times, values, freq = regularise(
                keys, values, time_col=time_col, file=file, fill_gaps=fill_gaps, freq=freq, rows=order
            )
            read_at = _rows_read(_ns(times), _ns(keys), values.shape[0] > n_rows)
        else:
            values = regularise_steps(
                keys, values, time_col=time_col, file=file, fill_gaps=fill_gaps, rows=order
            )
            first_step, int_step = int(keys[0]), integer_step(keys)
            read_at = _steps_read(keys, values.shape[0] > n_rows)
        if read_at is not None:
            _note_filled_rows(value_cols, values, read_at, file)
    V.check_channels_observed(values, value_cols, file=file)
    return WideMatrix(values, times, first_step, value_cols, freq, int_step)


def _note_filled_rows(
    columns: Sequence[Any], values: np.ndarray, read_at: np.ndarray, file: str | None, name: str | None = None
) -> None:
    """The note on ``--fill-gaps`` (:func:`~tsforge.data.panel_checks.note_filled_gaps`) for a
    matrix ``values`` (``[T, N]``) whose rows ``read_at`` were read and the others inserted, each
    a row of missing values in every series: counted in a series where it lies inside its
    observed span (the span its panel series keeps)."""
    inserted = np.ones(values.shape[0], dtype=bool)
    inserted[read_at] = False
    n_cols = values.shape[1]
    indptr = np.arange(n_cols + 1, dtype=np.int64) * values.shape[0]
    flat = np.ascontiguousarray(values.T, dtype=np.float64).ravel()
    at = inserted_positions(flat, indptr, np.tile(inserted, n_cols))
    note_filled_gaps(list(columns), at, file or name or "the frame")


def _rows_read(grid: np.ndarray, read: np.ndarray, filled: bool) -> np.ndarray | None:
    """The rows of the time ``grid`` (int64 ns) that hold the times ``read`` from the file, where
    rows were inserted (``filled``); ``None`` where none were."""
    return np.searchsorted(grid, read) if filled else None


def _steps_read(keys: np.ndarray, filled: bool) -> np.ndarray | None:
    """The rows of an integer step grid that hold the ``keys`` read, where rows were inserted
    (``filled``); ``None`` where none were."""
    return (keys - keys[0]) // integer_step(keys) if filled else None


def _is_flag(column: np.ndarray) -> bool:
    """Whether a column's observed values are 0 and 1, both present (a promo or holiday flag)."""
    seen = np.unique(column[~np.isnan(column)])
    return seen.size == 2 and bool(seen[0] == 0 and seen[1] == 1)


def note_flag_columns(values: np.ndarray, columns: list[str], file: str | None) -> None:
    """Warn (:class:`FlagColumnWarning`) about 0/1 columns read as series beside real-valued ones.

    Why: a wide file's ``promo`` or ``holiday`` column was read, silently, as one more store:
    forecast, scored, and averaged into the panel's scores (test OWA 4.0 where the stores alone
    scored 0.8). Only a note, as an intermittent series of 0/1 demand is a series; only beside
    columns that hold other values, so a table of such series says nothing.
    """
    flags = [c for j, c in enumerate(columns) if _is_flag(values[:, j])]
    series = [c for c in columns if c not in flags]
    if not flags or not series:
        return
    shown = ", ".join(repr(c) for c in flags[:6]) + (", ..." if len(flags) > 6 else "")
    where = f"{file}: " if file else ""
    said = f"{where}column(s) {shown} hold only 0 and 1 (a flag?) and were read as series like the others"
    more = len(series) > 6
    keep = ",".join(series[:6]) + (",..." if more else "")
    keep_py = ", ".join(repr(c) for c in series[:6]) + (", ..." if more else "")
    warnings.warn(
        FlagColumnWarning(
            f"{said}; if they are not series, name the series: value_cols=[{keep_py}]",
            cli_message=f"{said}; if they are not series, name the series: --value-cols {shell_word(keep)}",
        ),
        stacklevel=3,
    )


def _refuse_unused_time_format(
    frame: pl.DataFrame, value_cols: Sequence[str] | None, time_format: str, file: str | None
) -> None:
    """Refuse a time format given for a wide table in which no column reads as dates by it.

    Why: the table was read as rows in order without dates, the format silently unused, so a
    typo in the format (or dates in a column the format does not fit) became a forecast without
    timestamps, or an error about a "non-numeric" series.
    """
    texts = [c for c in frame.columns if frame.schema[c] == pl.String and c not in (value_cols or ())]
    first = frame[texts[0]].drop_nulls().head(1).to_list() if texts else []
    seen = f"; column {texts[0]!r} starts {str(first[0])!r}" if first else ""
    why = f"was given, but no column of the table reads as dates by it (columns: {', '.join(frame.columns)}{seen})"
    raise DataValidationError(
        f"time_format={time_format!r} {why}: name the time column with time_col, or leave time_format out "
        "for a table without dates",
        cli_message=f"--time-format {shell_word(time_format)} {why}: name the time column with --time-col, "
        "or leave --time-format out for a file without dates",
        file=file,
    )


def _refuse_unnamed(value_cols: Sequence[str], columns: list[str], file: str | None) -> None:
    """Refuse a series column without a header name, naming its position.

    Why: it became a series called ``''`` — in every forecast, score and registered model's
    channel list — which no one can ask for by name (a trailing comma on the header line, or a
    spreadsheet's unlabelled column, does this).
    """
    for c in value_cols:
        if not str(c).strip():
            position = columns.index(c) + 1
            raise DataValidationError(
                f"column {position} has no name in the header: name it, or leave it out (--value-cols)",
                file=file,
                column=str(c),
            )


def _fits(values: np.ndarray, dtype: Any, column: str, file: str | None) -> np.ndarray:
    """``values`` unless one overflows ``dtype`` (float32 for series): then an error naming it.

    Why: series are stored in float32, whose largest value is about 3.4e38; a larger one became
    ``inf`` in the cast, silently, and every window around it a NaN loss.
    """
    if np.dtype(dtype) != np.float32:
        return values
    big = np.flatnonzero(np.abs(values) > np.finfo(np.float32).max)  # NaN compares False
    if big.size:
        row = int(big[0])
        raise DataValidationError(
            f"value {values[row]:g} in column {column!r} {row_words(row, file)} is too large to hold "
            f"(beyond ±{np.finfo(np.float32).max:.3g}); rescale the column (e.g. into other units)",
            file=file,
            column=column,
            **row_where(row, file),
        )
    return values


def _wide_values(
    series: pl.Series,
    *,
    column: str,
    file: str | None,
    time_col: str | None = None,
    frame: pl.DataFrame | None = None,
) -> np.ndarray:
    """One value column of a wide table, with advice when it holds text.

    Why the advice: a long table whose columns are not named ``unique_id, ds, y`` is read as
    wide, and its id column is then the first "non-numeric" one; the fix is to name the
    columns, which the bare error would not say — and where the time column was found and one
    numeric column is left (``item_id, date, sales``), the advice names them all.
    """
    try:
        return V.to_numeric(series, column=column, file=file)
    except DataValidationError as err:
        if (
            series.dtype not in (pl.String, pl.Categorical)
            or err.message.startswith("infinite")
            or V.mostly_numbers(series)
        ):
            raise  # a number out of range, or a stray word among numbers: no layout advice
        raise DataValidationError(
            f"{err.message}; the table was read as wide (one column per series)."
            f"{_layout_advice(frame, column, time_col)} (id_col/time_col/target_col in Python)",
            cli_message=None,  # the message gives the flags and the Python arguments alike
            **err.where,
        ) from None


def _layout_advice(frame: pl.DataFrame | None, column: str, time_col: str | None) -> str:
    """What to give to read a table that failed as wide on its text column ``column``: the series
    columns (``--value-cols``) when each time is once and several numeric columns are there (a wide
    file with a comment or flag column), then the long table's column names, its target the
    likeliest numeric column (:func:`~tsforge.data.long_roles.target_choices`), the others named.

    Why: ``store, date, sales, promo`` was told first to give ``--value-cols sales,promo``, which
    failed again on the dates the stores share, then ``--target-col ...``. Times that repeat cannot
    be a wide file's, so then only the long reading is offered.
    """
    choices = [] if frame is None else target_choices(frame, column, time_col)
    repeats = frame is not None and time_col is not None and frame[time_col].n_unique() < frame.height
    numeric = [] if frame is None or repeats else [c for c in frame.columns if c in choices]
    shown = ",".join(numeric[:6]) + (",..." if len(numeric) > 6 else "")
    drop = (
        f" If {column!r} is not a series, name the series columns: --value-cols {shell_word(shown)} "
        "(value_cols= in Python)."
        if len(numeric) > 1
        else ""
    )
    long = (
        f" It looks long ({time_col!r} repeats its times: one row per series and time step); give its "
        "column names: "
        if repeats
        else " If it is long (one row per series and time step), give its column names: "
    )
    others = f" (or {', '.join(choices[1:4])}: the column to forecast)" if len(choices) > 1 else ""
    return (
        f"{drop}{long}--id-col {shell_word(column)} --time-col {shell_word(time_col or '...')} "
        f"--target-col {shell_word(choices[0] if choices else '...')}{others}"
    )


def from_wide(
    df: Any,
    time_col: str | None = None,
    value_cols: Sequence[str] | None = None,
    name: str | None = None,
    coords: Any = None,
    *,
    file: str | None = None,
    freq: str | None = None,
    fill_gaps: bool = False,
    time_format: str | None = None,
) -> TimeSeriesData:
    """Wide frame (one column per channel) → series (arguments as in :func:`wide_matrix`)."""
    wide = wide_matrix(
        df, time_col, value_cols, file=file, freq=freq, fill_gaps=fill_gaps, time_format=time_format
    )
    coord_arr = None if coords is None else resolve_coords(coords, wide.columns, file=file)
    return TimeSeriesData(
        values=wide.values,
        timestamps=wide.times,
        channel_ids=tuple(wide.columns),
        freq=wide.freq,
        coords=coord_arr,
        name=name or (file_stem(file) if file else "data"),
    )


def from_array(
    array: np.ndarray, *, name: str | None = None, coords: Any = None, freq: str | None = None
) -> TimeSeriesData:
    """A ``[T]`` or ``[T, N]`` array → series without timestamps, channels named ``"0".."N-1"``."""
    arr = np.asarray(array, dtype=np.float32)
    arr = arr[:, None] if arr.ndim == 1 else arr
    if arr.ndim != 2:
        raise DataValidationError(f"an array source must be [T] or [T, N], got shape {arr.shape}")
    V.check_not_empty(arr.shape[0], arr.shape[1])
    ids = [str(i) for i in range(arr.shape[1])]
    return _assemble(
        arr,
        None,
        ids,
        name,
        coords,
        file=None,
        time_col="<row order>",
        freq=freq,
        fill_gaps=False,
        int_keys=None,
    )


def from_tsf(
    tsf: TsfFile, *, name: str, freq: str | None = None, start: str = "2000-01-01"
) -> TimeSeriesData:
    """Monash series stacked end-aligned (left NaN padding) on a synthetic time axis.

    Why synthetic: the ends are aligned for evaluation (see :func:`tsf_to_dense`), so the rows
    do not share real dates; a regular axis of the right frequency still gives season lengths.
    Without a known frequency the series has no timestamps.
    """
    values, names = tsf_to_dense(tsf)
    if freq is None and tsf.meta.get("frequency"):
        try:
            freq = monash_freq(str(tsf.meta["frequency"]))
        except DataValidationError:  # a frequency pandas has no name for: no timestamps
            freq = None
    times = None if freq is None else pd.date_range(start, periods=values.shape[0], freq=freq).to_numpy()
    return TimeSeriesData(values=values, timestamps=times, channel_ids=tuple(names), freq=freq, name=name)


def _assemble(
    values: np.ndarray,
    times: np.ndarray | None,
    channel_ids: Sequence[str],
    name: str | None,
    coords: Any,
    *,
    file: str | None,
    time_col: str,
    freq: str | None,
    fill_gaps: bool,
    int_keys: np.ndarray | None,
    rows: np.ndarray | None = None,
) -> TimeSeriesData:
    """The checks every layout ends with: regular spacing, observed channels, aligned coordinates.

    ``rows``: the data row of each time (``None``: time ``i`` is row ``i``), for the errors."""
    n_rows = values.shape[0]
    read_at = None
    if times is not None:
        freq = read_period_labels(_ns(times), freq, file or name or "the data")
        read = _ns(times)
        times, values, freq = regularise(
            times, values, time_col=time_col, file=file, fill_gaps=fill_gaps, freq=freq, rows=rows
        )
        read_at = _rows_read(_ns(times), read, values.shape[0] > n_rows)
    elif int_keys is not None:
        values = regularise_steps(
            int_keys, values, time_col=time_col, file=file, fill_gaps=fill_gaps, rows=rows
        )
        read_at = _steps_read(int_keys, values.shape[0] > n_rows)
    if read_at is not None:
        _note_filled_rows(channel_ids, values, read_at, file, name)
    V.check_channels_observed(values, channel_ids, file=file)
    coord_arr = None if coords is None else resolve_coords(coords, channel_ids, file=file)
    return TimeSeriesData(
        values=values,
        timestamps=times,
        channel_ids=tuple(str(c) for c in channel_ids),
        freq=freq,
        coords=coord_arr,
        name=name or (file_stem(file) if file else "data"),
    )


def _ns(times: np.ndarray) -> np.ndarray:
    """Sorted times as int64 nanoseconds, what the calendar grid places."""
    return np.asarray(times).astype("datetime64[ns]").view(np.int64)
