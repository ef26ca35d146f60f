"""The step grid of a sampling frequency: which instants are steps of ``freq`` and how many
steps lie between two of them.

Why its own module: fixed-length steps (``h``, ``D``) are arithmetic, but calendar steps
(month starts, anchored weeks, business days) have no fixed length; placing dates on their grid
(numpy calendar arithmetic where it can, pandas' date ranges otherwise) is one job that the
panel's time axis, the long-frame reader (gap filling) and the forecast-history step check
(:mod:`tsforge.data.step_grid`) all rely on. Not to be confused with ``step_grid``, which lays a
dated history on this grid, nor with ``calendar``, the calendar features of a model.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from tsforge.data.frequency import NS_PER_DAY, fixed_step
from tsforge.data.ragged import series_index
from tsforge.errors import DataValidationError

__all__ = ["fixed_step_ns", "grid_points", "grid_positions", "grid_steps", "on_grid", "ragged_grid_steps"]


def fixed_step_ns(freq: str | None) -> int | None:
    """Step in ns for fixed-duration frequencies (``h``, ``D``, ``7D``); None for calendar ones.

    Delegates to :func:`tsforge.data.frequency.fixed_step` so the panel and the rest of the
    data layer agree on which aliases have a fixed step."""
    step = fixed_step(freq)
    return None if step is None else int(step.astype(np.int64))


@functools.lru_cache(maxsize=64)
def _grid_rule(freq: str) -> tuple[str, int, int] | None:
    """How to step a calendar frequency with numpy: ``("M", months, -1)`` for month-*start*
    frequencies (``MS`` 1, ``QS`` 3, ``YS`` 12, multiples, any anchor month), ``("W", days,
    weekday)`` for anchored weeks (``W-MON`` ...); None for every other frequency (pandas)."""
    try:
        offset = to_offset(freq)
    except ValueError:
        return None
    months = {pd.offsets.MonthBegin: 1, pd.offsets.QuarterBegin: 3, pd.offsets.YearBegin: 12}.get(
        type(offset)
    )
    if months is not None:
        return ("M", months * int(offset.n), -1)
    if isinstance(offset, pd.offsets.Week) and offset.weekday is not None:
        return ("W", 7 * int(offset.n), int(offset.weekday))
    return None


_LAST_NS_MONTH = np.datetime64("2262-04", "M")

_MAX_NS = int(np.iinfo(np.int64).max)


def _fast_grid(lo: int, periods: int, freq: str) -> np.ndarray | None:
    """``periods`` grid points from ``lo`` (int64 ns, itself on the grid) with numpy calendar
    arithmetic, or None where pandas must do it (another frequency, ``lo`` off the grid, a
    range past what nanoseconds hold — pandas then raises its clear error).

    Why: pandas generates calendar ranges one ``DateOffset`` step at a time in Python; a panel
    of 100 monthly series of 700 months spent more time dating its forecasts than fitting naive.
    """
    rule = _grid_rule(freq)
    if rule is None or periods < 0:
        return None
    kind, step, weekday = rule
    start = np.datetime64(int(lo), "ns")
    if kind == "W":
        days = start.astype("datetime64[D]")
        if int(((days - np.datetime64("1970-01-05")).astype(np.int64)) % 7) != weekday:
            return None  # 1970-01-05 was a Monday (weekday 0)
        k = np.arange(periods, dtype=np.int64)
        if periods and lo + (periods - 1) * step * NS_PER_DAY > _MAX_NS:  # pandas says so
            return None
        return lo + k * (step * NS_PER_DAY)
    first = start.astype("datetime64[M]")
    if first.astype("datetime64[ns]").astype(np.int64) != lo:
        return None
    grid = first + step * np.arange(periods)
    if periods and grid[-1] >= _LAST_NS_MONTH:
        return None
    return grid.astype("datetime64[ns]").astype(np.int64)


def _steps_between(lo: int, hi: int, freq: str) -> int | None:
    """Grid steps from ``lo`` to the last grid point at or before ``hi`` (fast rules only)."""
    rule = _grid_rule(freq)
    if rule is None:
        return None
    kind, step, _ = rule
    if kind == "W":
        return (hi - lo) // (step * NS_PER_DAY)
    span = np.datetime64(hi, "ns").astype("datetime64[M]") - np.datetime64(lo, "ns").astype("datetime64[M]")
    return int(span.astype(np.int64)) // step


def grid_points(lo: int, periods: int, freq: str) -> np.ndarray:
    """``periods`` points (int64 ns) of the ``freq`` grid from ``lo``: numpy calendar arithmetic
    where it can (:func:`_fast_grid`), pandas' date range otherwise."""
    fast = _fast_grid(lo, periods, freq)
    if fast is not None:
        return fast
    return pd.date_range(pd.Timestamp(lo), periods=periods, freq=freq).asi8


def on_grid(timestamps: np.ndarray, freq: str) -> np.ndarray:
    """Whether each ``datetime64`` time lies on the ``freq`` calendar grid (month starts for
    ``MS``, Sundays for ``W-SUN``; every time for fixed steps). Vectorised."""
    t = np.asarray(timestamps, dtype="datetime64[ns]").view(np.int64)
    if t.size == 0 or fixed_step_ns(freq) is not None:
        return np.ones(t.size, dtype=bool)
    return grid_positions(t, freq)[1]


def grid_steps(timestamps: np.ndarray, freq: str) -> tuple[np.ndarray, np.ndarray]:
    """Step number of each time of one sorted series on the ``freq`` grid, counted from its first
    time (0), and whether each lies on that grid at all (a Saturday on the ``B`` grid does not).

    Why: a history with a missing step (a holiday, an hour a logger lost) holds fewer values than
    steps; counting values instead of steps put its forecast before its own last observation.
    """
    t = np.asarray(timestamps, dtype="datetime64[ns]").view(np.int64)
    if t.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=bool)
    return ragged_grid_steps(t, np.array([0, t.size], dtype=np.int64), True, freq)


def grid_positions(ts: np.ndarray, freq: str) -> tuple[np.ndarray, np.ndarray]:
    """Index of every timestamp (int64 ns) on the ``freq`` grid anchored at the earliest one,
    and whether it lies exactly on the grid (month starts for ``MS``, Mondays for ``W-MON``...).

    Why a grid: calendar steps have no fixed length (28–31 days), but the distinct grid points
    between the first and last date are few (a century of months is 1,200), so one
    ``searchsorted`` places every value without a per-series loop.
    """
    lo, hi = int(ts.min()), int(ts.max())
    steps = _steps_between(lo, hi, freq)
    grid = None if steps is None else _fast_grid(lo, steps + 1, freq)
    if grid is None:
        grid = pd.date_range(pd.Timestamp(lo), pd.Timestamp(hi), freq=freq).asi8
    if grid.size == 0:
        return np.zeros(ts.size, dtype=np.int64), np.zeros(ts.size, dtype=bool)
    pos = np.searchsorted(grid, ts)
    on = grid[np.minimum(pos, grid.size - 1)] == ts
    return pos.astype(np.int64), on


def ragged_grid_steps(
    t: np.ndarray, indptr: np.ndarray, is_dt: bool, freq: str | None, int_step: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Step number of every row counted from its series' first row, and whether the row lies on
    the step grid at all (e.g. an hourly series with one value at 10:30). Whole-array: only
    used to fill gaps, where the output is as large anyway."""
    sid = series_index(indptr)
    first = t[indptr[:-1]][sid]
    step = int_step if not is_dt else fixed_step_ns(freq)
    if step is not None:
        off = t - first
        return off // step, off % step == 0
    if freq is None:
        raise DataValidationError("a dated panel needs a frequency to place its timestamps")
    pos, on = grid_positions(t, freq)
    return pos - pos[indptr[:-1]][sid], on
