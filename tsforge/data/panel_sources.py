"""Building a :class:`Panel` from matrices and tables: what ``load_panel`` does after
:func:`~tsforge.data.load.classify_source` has said what the source is.

Why separate from the multichannel readers: a panel must not pass through the dense
``[T, N]`` matrix whose memory grows with ``n_series × union of dates``. A **long** table keeps
every series' own dates (:meth:`Panel.from_long`, memory linear in the rows); a **wide** table
and a :class:`TimeSeriesData` become one series per column with leading and trailing missing
values trimmed (interior gaps stay NaN), so a column that starts later is a series that starts
later. Validation errors name the file (when there is one), the column, the 0-based data row
and the series (and its line in a CSV file: :mod:`tsforge.data.file_lines`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data import validation as V
from tsforge.data.file_lines import adding_lines
from tsforge.data.frame import TimeSeriesData
from tsforge.data.frequency import date_words, fixed_step, grid_words, infer_freq, rate_words
from tsforge.data.layouts import wide_matrix
from tsforge.data.long_roles import refuse_shared_columns
from tsforge.data.panel import Panel
from tsforge.data.panel_checks import (
    left_out_too_few,
    no_observed_sentence,
    too_few_values_error,
    warn_no_calendar,
)
from tsforge.errors import DataValidationError, RegularisedTimesWarning, UnusedColumnsWarning

__all__ = ["to_panel", "regular_grid", "panel_from_table", "naming_file", "note_unused_columns"]


def to_panel(series: TimeSeriesData, *, dtype: Any = np.float64, regularise: bool = False) -> Panel:
    """Every channel of ``series`` as one series of a panel, leading and trailing NaN trimmed.

    Why trim: a multichannel matrix pads channels that start late or end early with NaN; in a
    panel those are simply shorter series with a later start. Interior NaN stay (missing
    values inside a series). The time axis must be regular (every series' dates follow from
    its start and ``freq``); a series without timestamps gets integer time (its first row).

    Args:
        regularise: put a fixed-step time axis with exact duplicate rows or missing steps on its
            grid first (:func:`regular_grid`, with a :class:`RegularisedTimesWarning`); for
            catalogue data, which keeps its file's rows for the published protocols.

    Raises:
        DataValidationError: irregular timestamps (e.g. ``weather`` keeps a duplicated row,
            unless ``regularise``), a channel with fewer than two values or none observed.
    """
    if regularise:
        series = regular_grid(series)
    freq = series.freq
    if series.timestamps is not None:
        freq = _check_regular(series.timestamps, freq, series.name)
    return _panel_from_matrix(
        series.values, series.timestamps, 0, list(series.channel_ids), freq, series.name, dtype
    )


@contextmanager
def naming_file(file: str | None) -> Iterator[None]:
    """Add ``file`` to validation errors raised by readers that only know column/row/series, and
    the file ``line`` of their row when it is a text table (:mod:`tsforge.data.file_lines`)."""
    with adding_lines(file):
        yield


def panel_from_table(
    frame: pl.DataFrame,
    layout: Literal["long", "wide"],
    *,
    name: str,
    file: str | None,
    id_col: str = "unique_id",
    time_col: str | None = None,
    target_col: str = "y",
    value_cols: Sequence[str] | None = None,
    freq: str | None = None,
    fill_gaps: bool = False,
    time_format: str | None = None,
    drop_too_few: bool = False,
) -> Panel:
    """A polars frame in ``layout`` → panel (long: :meth:`Panel.from_long`; wide: one series per
    value column, trimmed). ``time_col`` ``None`` = ``"ds"`` for long data, detection for wide.
    ``drop_too_few``: the series with fewer than two observed values are left out with a note
    (:meth:`Panel.from_long`; a wide table's columns, :func:`_panel_from_matrix`)."""
    with naming_file(file):
        if layout == "long":
            time_col = time_col or "ds"
            V.check_not_empty(frame.height, file=file)  # a header and nothing else
            refuse_shared_columns(id_col, time_col, target_col, frame.columns, file=file)
            note_unused_columns(frame.columns, (id_col, time_col, target_col), file or name)
            if time_format is not None and time_col in frame.columns:
                ids = frame[id_col] if id_col in frame.columns else None
                parsed = V.parse_timestamps(
                    frame[time_col], column=time_col, file=file, fmt=time_format, ids=ids
                )
                frame = frame.with_columns(pl.Series(time_col, parsed))
            panel = Panel.from_long(
                frame,
                id_col=id_col,
                time_col=time_col,
                target_col=target_col,
                freq=freq,
                name=name,
                fill_gaps=fill_gaps,
                file=file,
                drop_too_few=drop_too_few,
            )
            # the value column's name labels the y axis of the run's plots ("units", not "value")
            return replace(panel, meta={**panel.meta, "value_col": target_col})
        wide = wide_matrix(
            frame,
            time_col,
            value_cols,
            file=file,
            freq=freq,
            fill_gaps=fill_gaps,
            time_format=time_format,
            dtype=np.float64,
        )
        return _panel_from_matrix(
            wide.values,
            wide.times,
            wide.first_step,
            wide.columns,
            wide.freq,
            name,
            int_step=wide.int_step,
            drop_too_few=drop_too_few,
            where=file or name,
        )


def note_unused_columns(columns: Sequence[str], used: Sequence[str], where: str) -> None:
    """Warn (:class:`UnusedColumnsWarning`) about the columns of a long table that nothing reads.

    Why: a ``price`` or ``promo`` column next to ``y`` looks like a covariate, but every model here
    forecasts a series from its own past values; training silently without it let a user believe
    it was used, or that ``y`` was the column they meant to forecast. The option is named both
    ways (the flag and the keyword), as :class:`~tsforge.data.long_roles.GuessedRolesWarning`
    does: a Python user was told only ``--target-col``, which no function takes.
    """
    unused = [c for c in columns if c not in set(used)]
    if unused:
        shown = ", ".join(repr(c) for c in unused[:5]) + (
            f" and {len(unused) - 5} more" if len(unused) > 5 else ""
        )
        warnings.warn(
            f"{where}: column(s) {shown} not used: each series is forecast from its own past values of "
            f"{used[2]!r} (no covariates); --target-col (target_col in Python) names another column to forecast",
            UnusedColumnsWarning,
            stacklevel=4,
        )


def regular_grid(series: TimeSeriesData) -> TimeSeriesData:
    """``series`` on its fixed-step grid: rows that repeat the previous row exactly (time and
    every value) dropped, missing steps inserted as NaN, with one warning saying what changed.

    Anything else is returned unchanged for :func:`_check_regular` to refuse by name: a
    calendar frequency, times off the grid or out of order, a repeated time with other values.
    """
    ts = series.timestamps
    if ts is None or ts.size < 2:
        return series
    freq = series.freq or infer_freq(ts)
    step = fixed_step(freq)
    if step is None:
        return series
    offset = ts - ts[0]
    if (offset % step != np.timedelta64(0, "ns")).any():
        return series
    pos = (offset // step).astype(np.int64)
    moves = np.diff(pos)
    if (moves < 0).any():
        return series
    dup = np.flatnonzero(moves == 0) + 1
    values = series.values
    if dup.size and not np.array_equal(values[dup], values[dup - 1], equal_nan=True):
        return series
    gaps = np.flatnonzero(moves > 1)
    if not dup.size and not gaps.size:
        return series
    keep = np.ones(ts.size, dtype=bool)
    keep[dup] = False
    grid = np.full((int(pos[-1]) + 1, values.shape[1]), np.nan, dtype=values.dtype)
    grid[pos[keep]] = values[keep]
    parts = []
    if dup.size:
        parts.append(f"{_count(dup.size, 'duplicated row')} dropped (first at {date_words(ts[dup[0]])})")
    if gaps.size:
        parts.append(
            f"{_count(int((moves[gaps] - 1).sum()), 'missing step')} in {_count(gaps.size, 'gap')} read as missing values "
            f"(first after {date_words(ts[gaps[0]])})"
        )
    warnings.warn(
        RegularisedTimesWarning(
            f"{series.name}: put on {grid_words(str(freq))} to be read as a panel: " + "; ".join(parts)
        ),
        stacklevel=2,
    )
    return TimeSeriesData(
        grid,
        ts[0] + np.arange(grid.shape[0]) * step,
        series.channel_ids,
        freq=freq,
        coords=series.coords,
        name=series.name,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _check_regular(ts: np.ndarray, freq: str | None, name: str) -> str:
    """``freq`` (inferred when absent) after checking that ``ts`` follows it row by row."""
    freq = freq or infer_freq(ts)
    if freq is None:
        raise DataValidationError(
            f"{name}: cannot infer a frequency from {ts.size} timestamps; a panel needs one", field="freq"
        )
    step = fixed_step(freq)
    if step is not None:
        bad = np.flatnonzero(np.diff(ts) != step)
        pos = None if bad.size == 0 else int(bad[0]) + 1
    else:
        grid = pd.date_range(pd.Timestamp(ts[0]), periods=ts.size, freq=freq).to_numpy()
        bad = np.flatnonzero(grid.astype("datetime64[ns]") != ts)
        pos = None if bad.size == 0 else int(bad[0])
    if pos is not None:
        raise DataValidationError(
            f"{name}: timestamps are not regular at {rate_words(freq)} ({date_words(ts[pos - 1])} → "
            f"{date_words(ts[pos])}); a panel places every value by its series' start and the frequency",
            row=pos,
        )
    return freq


def _panel_from_matrix(
    values: np.ndarray,
    times: np.ndarray | None,
    first_step: int,
    ids: list[str],
    freq: str | None,
    name: str,
    dtype: Any = np.float64,
    *,
    int_step: int = 1,
    drop_too_few: bool = False,
    where: str = "",
) -> Panel:
    """``[T, N]`` on a common axis → panel, each column trimmed to its first..last observation
    (integer time: row ``r`` is time ``first_step + r · int_step``). ``drop_too_few``: the
    columns with fewer than two observed values are left out with a note naming them (in
    ``where``), as a long table's series are, unless every column is so."""
    observed = ~np.isnan(values)
    few = np.flatnonzero(observed.sum(axis=0) < 2)
    if drop_too_few and 0 < few.size < len(ids):
        left_out_too_few(ids, few, where)
        keep = np.setdiff1d(np.arange(len(ids)), few)
        values, observed, ids = values[:, keep], observed[:, keep], [ids[j] for j in keep]
    empty = np.flatnonzero(~observed.any(axis=0))
    if empty.size:
        raise too_few_values_error(
            no_observed_sentence(empty.size, ids[empty[0]]),
            empty.size,
            some_left=bool((observed.sum(axis=0) >= 2).any()),
            column=str(ids[empty[0]]),
            series=str(ids[empty[0]]),
        )
    n_rows = values.shape[0]
    first = observed.argmax(axis=0)
    last = n_rows - 1 - observed[::-1].argmax(axis=0)
    arrays = [values[a : b + 1, j] for j, (a, b) in enumerate(zip(first, last, strict=True))]
    starts = times[first] if times is not None else first.astype(np.int64) * int_step + int(first_step)
    if times is None and freq is None:
        warn_no_calendar(f"{name} has no dates (no time column, or integers as a step index)")
    return Panel.from_arrays(
        arrays,
        ids=np.asarray(ids, dtype=object),
        starts=starts,
        freq=freq,
        name=name,
        dtype=dtype,
        int_step=int_step,
    )
