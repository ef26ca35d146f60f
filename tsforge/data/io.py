"""Readers: CSV / Parquet files and pandas / polars frames → :class:`TimeSeriesData`.

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
name the file, column and row. Polars does the reading and the reshaping; pandas is used only
for date-format inference and accepted as input.
"""

from __future__ import annotations

import gzip
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data import validation as V
from tsforge.data.frame import TimeSeriesData
from tsforge.errors import DataValidationError

__all__ = [
    "read_table",
    "from_long",
    "from_wide",
    "read_coordinates",
    "resolve_coords",
    "load_data",
    "to_polars",
    "TsfSeries",
    "TsfFile",
    "read_tsf",
    "parse_tsf",
    "tsf_to_dense",
]

log = logging.getLogger(__name__)

_TIME_NAMES = ("ds", "date", "datetime", "timestamp", "time", "period", "dt")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz", ".tsv", ".tsv.gz")
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for s in _CSV_SUFFIXES + _PARQUET_SUFFIXES:
        if name.endswith(s):
            return s
    return path.suffix.lower()


def read_table(path: str | os.PathLike[str], **csv_options: Any) -> pl.DataFrame:
    """Read a CSV (``.csv``/``.csv.gz``/``.tsv``) or Parquet file into a polars frame.

    Values are read with type inference; if inference fails on a bad cell deep in the file, the
    file is re-read as text so that validation can point at the exact cell instead of surfacing
    a polars parse error.
    """
    p = Path(path)
    if not p.exists():
        raise DataValidationError("file not found", file=str(p))
    if p.is_dir():
        raise DataValidationError("expected a file, got a directory", file=str(p))
    suffix = _suffix(p)
    try:
        if suffix in _PARQUET_SUFFIXES:
            return pl.read_parquet(p)
        if suffix in _CSV_SUFFIXES:
            sep = "\t" if suffix.startswith(".tsv") else ","
            opts = {"separator": sep, "encoding": "utf8-lossy", "infer_schema_length": 10_000, **csv_options}
            try:
                return pl.read_csv(p, **opts)
            except pl.exceptions.ComputeError:
                # A cell that breaks the inferred dtype beyond the inference window: read as text.
                return pl.read_csv(p, **{**opts, "infer_schema": False})
    except pl.exceptions.NoDataError:
        raise DataValidationError("file is empty", file=str(p)) from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataValidationError(f"could not read file: {exc}", file=str(p)) from None
    raise DataValidationError(
        f"unsupported file type {suffix!r}; use .csv, .csv.gz, .tsv or .parquet", file=str(p)
    )


def to_polars(df: Any) -> pl.DataFrame:
    """pandas or polars frame → polars frame (a pandas index with a name becomes a column)."""
    if isinstance(df, pl.LazyFrame):
        return df.collect()
    if isinstance(df, pl.DataFrame):
        return df
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if isinstance(df, pd.DataFrame):
        frame = df
        if isinstance(frame.index, pd.DatetimeIndex) or (
            frame.index.name is not None and frame.index.name not in frame.columns
        ):
            frame = frame.reset_index(names=frame.index.name or "ds")
        frame = frame.rename(columns=str)
        return pl.from_pandas(frame)
    raise DataValidationError(f"expected a pandas or polars DataFrame, got {type(df).__name__}")


# --------------------------------------------------------------------------------------------
# Time column handling
# --------------------------------------------------------------------------------------------


def _is_integer_dtype(dtype: pl.DataType) -> bool:
    return dtype.is_integer()


def _time_axis(
    series: pl.Series, *, column: str, file: str | None, fmt: str | None = None
) -> tuple[np.ndarray, bool]:
    """Parse a time column. Returns (keys, is_datetime): datetime64[ns], or int64 step indices.

    Integers are an ordering index (Nixtla allows integer ``ds``) unless ``fmt`` gives a date
    format such as ``%Y%m%d``; they never go through date guessing, where ``1`` would become a
    day of the current month.
    """
    if _is_integer_dtype(series.dtype) and fmt is None and _looks_like_yyyymmdd(series):
        fmt = "%Y%m%d"
    if _is_integer_dtype(series.dtype) and fmt is None:
        if series.null_count():
            row = int(np.flatnonzero(series.is_null().to_numpy())[0])
            raise DataValidationError(
                f"missing value in time column {column!r} at row {row}", file=file, column=column, row=row
            )
        return series.cast(pl.Int64).to_numpy(), False
    if _is_integer_dtype(series.dtype):
        series = series.cast(pl.String)
    return V.parse_timestamps(series, column=column, file=file, fmt=fmt), True


def _looks_like_yyyymmdd(series: pl.Series) -> bool:
    """Integers such as ``20000101`` (a common export of dates) rather than a step index."""
    s = series.drop_nulls()
    if s.len() == 0:
        return False
    lo, hi = int(s.min()), int(s.max())
    if not (1000_01_01 <= lo and hi <= 2999_12_31):
        return False
    md = s % 10_000
    month, day = md // 100, md % 100
    return bool(((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)).all())


def _detect_time_col(df: pl.DataFrame, value_cols: Sequence[str] | None) -> str | None:
    """A datetime-typed column, else a conventionally named column, else a string column of dates."""
    candidates = [c for c in df.columns if value_cols is None or c not in value_cols]
    for c in candidates:
        if df.schema[c].is_temporal() and df.schema[c] not in (pl.Time, pl.Duration):
            return c
    by_name = {c.lower(): c for c in candidates}
    for n in _TIME_NAMES:
        if n in by_name:
            return by_name[n]
    for c in candidates:
        if df.schema[c] == pl.String:
            sample = df[c].drop_nulls().head(5).to_list()
            if sample and not pd.isna(pd.to_datetime(pd.Series(sample), errors="coerce")).any():
                return c
    return None


def _step_to_freq(step: pd.DateOffset | None) -> str | None:
    return None if step is None else step.freqstr


def _regularise(
    times: np.ndarray,
    values: np.ndarray,
    *,
    time_col: str,
    file: str | None,
    fill_gaps: bool,
    freq: str | None,
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Check spacing; with ``fill_gaps`` put rows on the regular grid (absent rows → NaN)."""
    step = pd.tseries.frequencies.to_offset(freq) if freq else None
    if not fill_gaps:
        step = V.check_regular(times, column=time_col, file=file, step=step)
        return times, values, freq or _step_to_freq(step)
    step = step or V.infer_step(times)
    if step is None:
        return times, values, freq
    grid = pd.date_range(pd.Timestamp(times[0]), pd.Timestamp(times[-1]), freq=step).to_numpy()
    grid = grid.astype("datetime64[ns]")
    pos = np.searchsorted(grid, times)
    pos_ok = (pos < grid.size) & (grid[np.minimum(pos, grid.size - 1)] == times)
    if not pos_ok.all():
        i = int(np.flatnonzero(~pos_ok)[0])
        raise DataValidationError(
            f"timestamp {pd.Timestamp(times[i])} at row {i} is off the {step.freqstr} grid starting at "
            f"{pd.Timestamp(times[0])}; cannot fill gaps",
            file=file,
            column=time_col,
            row=i,
        )
    out = np.full((grid.size, values.shape[1]), np.nan, dtype=np.float32)
    out[pos] = values
    if grid.size > times.size:
        log.info("filled %d missing timestamps with NaN rows", grid.size - times.size)
    return grid, out, freq or step.freqstr


# --------------------------------------------------------------------------------------------
# Layout converters
# --------------------------------------------------------------------------------------------


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
    )
    V.check_not_empty(frame.height, file=file)
    ids_series = frame[id_col].cast(pl.String, strict=False)
    if ids_series.null_count():
        row = int(np.flatnonzero(ids_series.is_null().to_numpy())[0])
        raise DataValidationError(
            f"missing series id in column {id_col!r} at row {row}", file=file, column=id_col, row=row
        )
    keys, is_dt = _time_axis(frame[time_col], column=time_col, file=file, fmt=time_format)
    y = V.to_numeric(frame[target_col], column=target_col, file=file)
    uniq = ids_series.unique(maintain_order=True)
    channel_ids = [str(u) for u in uniq.to_list()]
    code_of = pl.DataFrame({"__id": uniq, "__code": np.arange(len(uniq), dtype=np.int64)})
    id_codes = (
        pl.DataFrame({"__id": ids_series})
        .join(code_of, on="__id", how="left", maintain_order="left")["__code"]
        .to_numpy()
    )
    V.check_unique_pairs(id_codes, keys, channel_ids, time_col=time_col, file=file)
    times, t_codes = np.unique(keys, return_inverse=True)
    values = np.full((times.size, len(channel_ids)), np.nan, dtype=np.float32)
    values[t_codes.reshape(-1), id_codes] = y
    return _finish(
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
    """Wide frame (one column per channel) → series.

    Args:
        time_col: the time column; ``None`` = detect one (see module docstring), and when none is
            found the rows are taken in order without timestamps.
        value_cols: channel columns; ``None`` = every column except the time column.
    """
    frame = to_polars(df)
    if time_col is not None:
        V.require_columns(frame.columns, {"time_col": time_col}, file=file)
    else:
        time_col = _detect_time_col(frame, value_cols)
    if value_cols is None:
        value_cols = [c for c in frame.columns if c != time_col]
    else:
        value_cols = [str(c) for c in value_cols]
        V.require_columns(frame.columns, {f"value_cols[{i}]": c for i, c in enumerate(value_cols)}, file=file)
    V.check_not_empty(frame.height, len(value_cols), file=file)
    values = np.empty((frame.height, len(value_cols)), dtype=np.float32)
    for j, c in enumerate(value_cols):
        values[:, j] = V.to_numeric(frame[c], column=c, file=file)
    times = None
    int_keys = None
    if time_col is not None:
        keys, is_dt = _time_axis(frame[time_col], column=time_col, file=file, fmt=time_format)
        V.check_unique_times(keys, column=time_col, file=file)
        order = V.check_sorted_or_sort(keys)
        if order is not None:
            log.info("rows were not in time order; sorted by %r", time_col)
            keys, values = keys[order], values[order]
        if is_dt:
            times = keys
        else:
            int_keys = keys
    return _finish(
        values,
        times,
        value_cols,
        name,
        coords,
        file=file,
        time_col=time_col or "<row order>",
        freq=freq,
        fill_gaps=fill_gaps,
        int_keys=int_keys,
    )


def _finish(
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
) -> TimeSeriesData:
    if times is not None:
        times, values, freq = _regularise(
            times, values, time_col=time_col, file=file, fill_gaps=fill_gaps, freq=freq
        )
    elif int_keys is not None and int_keys.size > 1:
        steps = np.diff(int_keys)
        step = int(np.bincount(steps[steps > 0]).argmax()) if (steps > 0).any() else 1
        bad = np.flatnonzero(steps != step)
        if bad.size and not fill_gaps:
            i = int(bad[0])
            raise DataValidationError(
                f"irregular spacing in integer time column {time_col!r}: step {step} expected but "
                f"{bad.size} place(s) break it, first between rows {i} and {i + 1} "
                f"({int_keys[i]} -> {int_keys[i + 1]}). Pass fill_gaps=True to insert missing rows as NaN",
                file=file,
                column=time_col,
                row=i + 1,
            )
        if bad.size:
            grid = np.arange(int_keys[0], int_keys[-1] + 1, step)
            out = np.full((grid.size, values.shape[1]), np.nan, dtype=np.float32)
            out[np.searchsorted(grid, int_keys)] = values
            values = out
    V.check_channels_observed(values, channel_ids, file=file)
    coord_arr = None if coords is None else resolve_coords(coords, channel_ids, file=file)
    return TimeSeriesData(
        values=values,
        timestamps=times,
        channel_ids=tuple(str(c) for c in channel_ids),
        freq=freq,
        coords=coord_arr,
        name=name or (Path(file).name.split(".")[0] if file else "data"),
    )


# --------------------------------------------------------------------------------------------
# Coordinates
# --------------------------------------------------------------------------------------------


def read_coordinates(
    path_or_frame: Any,
    id_col: str = "unique_id",
    lat_col: str = "lat",
    lon_col: str = "lon",
    alt_col: str | None = None,
    *,
    channel_ids: Sequence[str] | None = None,
) -> np.ndarray:
    """Station coordinates → ``[N, 2]`` (lat, lon) or ``[N, 3]`` (lat, lon, alt).

    Args:
        path_or_frame: a CSV/Parquet path or a pandas/polars frame, one row per channel.
        channel_ids: when given, rows are aligned to this order (extra rows are ignored, a
            missing channel is an error naming it); otherwise file order is kept.
    """
    file = str(path_or_frame) if isinstance(path_or_frame, (str, os.PathLike)) else None
    frame = read_table(path_or_frame) if file else to_polars(path_or_frame)
    cols = {"id_col": id_col, "lat_col": lat_col, "lon_col": lon_col}
    if alt_col:
        cols["alt_col"] = alt_col
    V.require_columns(frame.columns, cols, file=file)
    V.check_not_empty(frame.height, file=file, what="coordinate table")
    ids = [str(v) for v in frame[id_col].cast(pl.String).to_list()]
    parts = [
        V.to_numeric(frame[c], column=c, file=file)
        for c in (lat_col, lon_col) + ((alt_col,) if alt_col else ())
    ]
    arr = np.stack(parts, axis=1)
    _check_coord_ranges(arr, ids, file=file, lat_col=lat_col, lon_col=lon_col)
    dup = {i for i in ids if ids.count(i) > 1} if len(set(ids)) != len(ids) else set()
    if dup:
        d = sorted(dup)[0]
        raise DataValidationError(
            f"station {d!r} appears more than once in the coordinate table", file=file, column=id_col
        )
    if channel_ids is None:
        return arr
    index = {k: i for i, k in enumerate(ids)}
    missing = [c for c in channel_ids if str(c) not in index]
    if missing:
        raise DataValidationError(
            f"no coordinates for channel(s) {missing[:10]} ({len(missing)} of {len(channel_ids)} missing); "
            f"coordinate ids look like {ids[:5]}",
            file=file,
            column=id_col,
        )
    return arr[[index[str(c)] for c in channel_ids]]


def _check_coord_ranges(
    arr: np.ndarray, ids: Sequence[str], *, file: str | None, lat_col: str, lon_col: str
) -> None:
    for j, (col, lim) in enumerate(((lat_col, 90.0), (lon_col, 180.0))):
        bad = np.flatnonzero(~np.isfinite(arr[:, j]) | (np.abs(arr[:, j]) > lim))
        if bad.size:
            i = int(bad[0])
            raise DataValidationError(
                f"{'latitude' if j == 0 else 'longitude'} {arr[i, j]} of station {ids[i]!r} at row {i} is missing "
                f"or outside [-{lim:g}, {lim:g}]",
                file=file,
                column=col,
                row=i,
            )


def resolve_coords(coords: Any, channel_ids: Sequence[str], *, file: str | None = None) -> np.ndarray:
    """Any accepted coordinate form → aligned ``[N, 2|3]``.

    Accepts an array ``[N, 2|3]`` (already in channel order), a mapping ``id → (lat, lon[, alt])``,
    or a path/frame for :func:`read_coordinates` (columns ``unique_id, lat, lon[, alt]``).
    """
    if isinstance(coords, np.ndarray) or (
        isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (list, tuple, np.ndarray))
    ):
        arr = np.asarray(coords, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[0] != len(channel_ids) or arr.shape[1] not in (2, 3):
            raise DataValidationError(
                f"coordinates must be [N, 2|3] for N={len(channel_ids)} channels, got shape {arr.shape}",
                file=file,
            )
        return arr
    if isinstance(coords, Mapping):
        missing = [c for c in channel_ids if c not in coords]
        if missing:
            raise DataValidationError(f"no coordinates for channel(s) {missing[:10]}", column=missing[0])
        return np.asarray([coords[c] for c in channel_ids], dtype=np.float64)
    frame = coords if isinstance(coords, (str, os.PathLike)) else to_polars(coords)
    cols = frame.columns if isinstance(frame, pl.DataFrame) else read_table(frame).columns
    alt = next((c for c in ("alt", "altitude", "height", "height_m", "elevation") if c in cols), None)
    id_col = next(
        (c for c in ("unique_id", "station_id", "station", "id", "channel") if c in cols), "unique_id"
    )
    lat = "lat" if "lat" in cols else ("latitude" if "latitude" in cols else "lat")
    lon = "lon" if "lon" in cols else ("longitude" if "longitude" in cols else "lon")
    return read_coordinates(
        frame, id_col=id_col, lat_col=lat, lon_col=lon, alt_col=alt, channel_ids=channel_ids
    )


# --------------------------------------------------------------------------------------------
# The main entry
# --------------------------------------------------------------------------------------------


def _looks_like_path(s: str) -> bool:
    return os.sep in s or "/" in s or any(s.lower().endswith(x) for x in _CSV_SUFFIXES + _PARQUET_SUFFIXES)


def _auto_layout(
    frame: pl.DataFrame, id_col: str, time_col: str, target_col: str, *, file: str | None
) -> str:
    """Long when the id, time and target columns exist; wide otherwise.

    When two of the three long-format columns exist and the third is missing while the frame
    has a text column, the user almost certainly meant long format with a misnamed column, so
    that is reported (with the closest name) instead of a confusing wide-format error.
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
            V.require_columns(
                frame.columns,
                roles,
                file=file,
                hint="For one column per series pass layout='wide' with value_cols",
            )
    return "wide"


def load_data(
    source: Any,
    *,
    layout: Literal["auto", "long", "wide"] = "auto",
    id_col: str = "unique_id",
    time_col: str | None = None,
    target_col: str = "y",
    value_cols: Sequence[str] | None = None,
    coords: Any = None,
    name: str | None = None,
    freq: str | None = None,
    fill_gaps: bool = False,
    time_format: str | None = None,
) -> TimeSeriesData:
    """Load anything the platform accepts into a :class:`TimeSeriesData`.

    Args:
        source: a catalogue dataset name (``"etth1"``), a CSV/Parquet path, a pandas or polars
            DataFrame, a ``[T, N]`` array, or a ``TimeSeriesData`` (returned as is).
        layout: ``"auto"`` = long when the id, time and target columns all exist, else wide.
        time_col: the time column; ``None`` = ``"ds"`` for long data and detection for wide data
            (a datetime column, or one named like ``date``/``ds``/``time``).
        coords: station coordinates (array, ``{id: (lat, lon)}``, or a table path/frame).
        fill_gaps: insert missing timestamps as NaN rows instead of rejecting irregular spacing.
        time_format: explicit ``strftime`` format for the time column (e.g. ``"%Y%m%d"``).

    Raises:
        DataValidationError: malformed input (the message names file, column and row).
        DatasetNotAvailableError: a catalogue name whose files are not on this machine.
    """
    if isinstance(source, TimeSeriesData):
        return source
    file = None
    if isinstance(source, np.ndarray):
        arr = np.asarray(source, dtype=np.float32)
        arr = arr[:, None] if arr.ndim == 1 else arr
        if arr.ndim != 2:
            raise DataValidationError(f"an array source must be [T] or [T, N], got shape {arr.shape}")
        ids = [str(i) for i in range(arr.shape[1])]
        V.check_not_empty(arr.shape[0], arr.shape[1])
        return _finish(
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
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        if not Path(text).exists() and not _looks_like_path(text):
            from tsforge.data.catalog import load_dataset

            return load_dataset(text)
        file = text
        frame = read_table(text)
    else:
        frame = to_polars(source)
    if layout == "auto":
        layout = (
            "wide"
            if value_cols is not None
            else _auto_layout(frame, id_col, time_col or "ds", target_col, file=file)
        )
    if layout == "long":
        return from_long(
            frame,
            id_col=id_col,
            time_col=time_col or "ds",
            target_col=target_col,
            name=name,
            coords=coords,
            file=file,
            freq=freq,
            fill_gaps=fill_gaps,
            time_format=time_format,
        )
    if layout != "wide":
        raise DataValidationError(f"layout must be 'auto', 'long' or 'wide', got {layout!r}", field="layout")
    return from_wide(
        frame,
        time_col=time_col,
        value_cols=value_cols,
        name=name,
        coords=coords,
        file=file,
        freq=freq,
        fill_gaps=fill_gaps,
        time_format=time_format,
    )


# --------------------------------------------------------------------------------------------
# Monash .tsf format
#
# ``#`` comment lines, ``@relation``/``@attribute <name> <type>``/``@frequency``/``@horizon``/
# ``@missing``/``@equallength`` header lines, then ``@data`` and one series per line: the
# attribute values in declaration order, then the comma-separated values, all joined by ``:``.
# ``?`` marks a missing value. Dates are written ``YYYY-MM-DD HH-MM-SS``.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TsfSeries:
    """One series: its attribute values (strings; dates parsed) and its values (NaN = ``?``)."""

    attributes: dict[str, object]
    values: np.ndarray


@dataclass(frozen=True)
class TsfFile:
    attribute_types: dict[str, str]
    meta: dict[str, str]
    series: list[TsfSeries] = field(default_factory=list)


def read_tsf(path: str | os.PathLike[str]) -> TsfFile:
    """Read a ``.tsf`` or ``.tsf.gz`` file."""
    p = Path(path)
    if not p.exists():
        raise DataValidationError("file not found", file=str(p))
    opener = gzip.open if p.name.lower().endswith(".gz") else open
    with opener(p, "rt", encoding="utf-8", errors="replace") as fh:
        return parse_tsf(fh.read(), file=str(p))


def parse_tsf(text: str, *, file: str | None = None) -> TsfFile:
    """Parse the text of a ``.tsf`` file (errors name the line number)."""
    attr_types: dict[str, str] = {}
    meta: dict[str, str] = {}
    series: list[TsfSeries] = []
    in_data = False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if not line.startswith("@"):
                raise DataValidationError(
                    f"unexpected line before @data: {line[:60]!r}", file=file, row=lineno
                )
            parts = line.split()
            key = parts[0][1:].lower()
            if key == "data":
                in_data = True
            elif key == "attribute":
                if len(parts) != 3:
                    raise DataValidationError(f"malformed @attribute line {line!r}", file=file, row=lineno)
                attr_types[parts[1]] = parts[2].lower()
            else:
                meta[key] = " ".join(parts[1:])
            continue
        fields = line.split(":")
        if len(fields) != len(attr_types) + 1:
            raise DataValidationError(
                f"series line has {len(fields) - 1} attribute fields, the header declares {len(attr_types)}",
                file=file,
                row=lineno,
            )
        attrs: dict[str, object] = {}
        for (name, kind), value in zip(attr_types.items(), fields[:-1], strict=True):
            if kind == "date":
                ts = pd.to_datetime(value, format="%Y-%m-%d %H-%M-%S", errors="coerce")
                if pd.isna(ts):
                    raise DataValidationError(
                        f"unparsable date {value!r} in attribute {name!r}", file=file, row=lineno
                    )
                attrs[name] = ts
            elif kind == "numeric":
                attrs[name] = float(value)
            else:
                attrs[name] = value
        try:
            values = np.array(fields[-1].replace("?", "nan").split(","), dtype=np.float64)
        except ValueError:
            bad = next(v for v in fields[-1].split(",") if v != "?" and not _is_float(v))
            raise DataValidationError(
                f"non-numeric value {bad!r} in series line", file=file, row=lineno
            ) from None
        series.append(TsfSeries(attrs, values))
    if not in_data:
        raise DataValidationError("no @data section found", file=file)
    if not series:
        raise DataValidationError("the @data section holds no series", file=file)
    return TsfFile(attr_types, meta, series)


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def tsf_to_dense(tsf: TsfFile, name_attr: str = "series_name") -> tuple[np.ndarray, list[str]]:
    """Stack series of unequal length into ``[T_max, N]`` float32, aligned at the end.

    Why aligned at the end: forecasting evaluates the *last* steps of every series (M4's test
    horizon is the final 48 values), so the ends must line up; shorter series are left-padded
    with NaN, which the mask then excludes.
    """
    lengths = np.array([s.values.size for s in tsf.series])
    t_max = int(lengths.max())
    out = np.full((t_max, len(tsf.series)), np.nan, dtype=np.float32)
    for j, s in enumerate(tsf.series):
        out[t_max - s.values.size :, j] = s.values
    names = [str(s.attributes.get(name_attr, f"series{j}")) for j, s in enumerate(tsf.series)]
    return out, names
