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
import warnings

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from tsforge.data.frequency import NS_PER_DAY, fixed_step, grid_words
from tsforge.data.ragged import series_index
from tsforge.data.validation import LAST_NS, fixed_steps_left
from tsforge.errors import DataValidationError, WordedWarning

__all__ = [
    "PeriodLabelsWarning",
    "fixed_step_ns",
    "grid_points",
    "grid_positions",
    "grid_room",
    "grid_steps",
    "on_grid",
    "period_twin",
    "ragged_grid_steps",
    "read_period_labels",
]


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
        if periods and periods - 1 > fixed_steps_left(lo, step * NS_PER_DAY):  # pandas says so
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
    where it can (:func:`_fast_grid`), pandas' date range otherwise. Raises pandas'
    ``OutOfBoundsDatetime`` where a point lies past what nanoseconds hold.

    Why the points up to the range's end: pandas counts a range of more than 292 years of some
    calendars (business days) as one nanosecond timedelta, and raised ``OutOfBoundsTimedelta``
    for dates that all fit (a panel whose series start in 1700 and 2000, one step on), which no
    caller took for a range error; the grid's points up to the end of the range
    (:func:`_points_in_range_us`) hold them, and a range longer than they are is refused as
    ``OutOfBoundsDatetime``.
    """
    fast = _fast_grid(lo, periods, freq)
    if fast is not None:
        return fast
    try:
        return pd.date_range(pd.Timestamp(lo), periods=periods, freq=freq).asi8
    except pd.errors.OutOfBoundsTimedelta:
        points, start = _points_in_range_us(lo, freq)
    if periods > points.size:
        raise pd.errors.OutOfBoundsDatetime(
            f"{periods} {freq} steps from {start} run past {pd.Timestamp.max}"
        )
    return points[:periods] * 1_000 + (lo - start.value)


def _points_in_range_us(lo: int, freq: str) -> tuple[np.ndarray, pd.Timestamp]:
    """The ``freq`` grid from ``lo`` (floored to its microsecond, returned too) up to the last
    instant a time axis holds (:data:`~tsforge.data.validation.LAST_NS`), in int64 microseconds:
    a bounded count (business days from 1677: 150,000 points, seconds), where a grid of as many
    steps as asked for may not end (the year 9999 stops pandas' offsets)."""
    start = pd.Timestamp(lo).floor("us")
    end = pd.Timestamp(LAST_NS // 1_000, unit="us")
    return np.asarray(pd.date_range(start, end, freq=freq, unit="us").asi8), start


def grid_room(lo: int, freq: str) -> int:
    """How many steps of the ``freq`` calendar grid after ``lo`` (int64 ns, on that grid) a time
    axis holds: the position of the last grid point at or before
    :data:`~tsforge.data.validation.LAST_NS`.

    Why: a step far past that point cannot be dated at all (200,000 months from 1700 reach the
    year 18366, where pandas' offsets stop with "did not increment date"), so whether it lies
    past the range is told by counting the room instead, on the microsecond grid the forecast
    dates of a window model are counted on
    (:func:`~tsforge.data.validation.calendar_steps_us`). Month-start and anchored-week grids
    are counted by arithmetic, any other calendar by its points (:func:`_points_in_range_us`).
    """
    if _fast_grid(lo, 1, freq) is not None:
        steps = _steps_between(lo, LAST_NS, freq)
        if steps is not None:
            return steps
    return int(_points_in_range_us(lo, freq)[0].size) - 1


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


class PeriodLabelsWarning(WordedWarning):
    """The frequency given marks each month (quarter, year) by one end and the dates mark it by
    the other (``--freq M`` on dates 2020-01-01, 2020-02-01, …): the data were read on the
    dates' own grid, and the note says so, since forecasts are then dated like the input."""


#: a calendar period's offset classes: (the other end's class, the period's name, which end)
_PERIOD_ENDS: dict[type, tuple[type, str, str]] = {
    pd.offsets.MonthEnd: (pd.offsets.MonthBegin, "month", "ends"),
    pd.offsets.MonthBegin: (pd.offsets.MonthEnd, "month", "starts"),
    pd.offsets.QuarterEnd: (pd.offsets.QuarterBegin, "quarter", "ends"),
    pd.offsets.QuarterBegin: (pd.offsets.QuarterEnd, "quarter", "starts"),
    pd.offsets.YearEnd: (pd.offsets.YearBegin, "year", "ends"),
    pd.offsets.YearBegin: (pd.offsets.YearEnd, "year", "starts"),
}


def _period_offset(freq: str) -> pd.DateOffset | None:
    """``freq``'s offset when it is a month, quarter or year frequency (either end), else None."""
    try:
        offset = to_offset(freq)
    except ValueError:
        return None
    return offset if type(offset) in _PERIOD_ENDS else None


def period_twin(freq: str) -> str | None:
    """The alias marking the same calendar periods as ``freq`` by their other end: ``MS`` for
    ``ME``, ``QS-JAN`` for ``QE-DEC`` (the quarter ending in March starts in January),
    ``YS-JAN`` for ``YE-DEC``, multiples kept (``2ME`` → ``2MS``); None for other frequencies.

    Why: ``M``, ``Q`` and ``Y`` are what most people type for "monthly", "quarterly" and
    "yearly", but pandas reads them as period *ends*; a file dated at period starts must not be
    refused for that, and the way back (``MS`` on month-end dates) is the same rule.
    """
    offset = _period_offset(freq)
    if offset is None:
        return None
    other, period, end = _PERIOD_ENDS[type(offset)]
    n = int(offset.n)
    if period == "month":
        return str(other(n).freqstr)
    key = "startingMonth" if period == "quarter" else "month"  # pandas' name for the anchor month
    month = int(getattr(offset, key))
    # periods ending in month m start in month m + 1 (December's end: January's start)
    shift = 1 if end == "ends" else -1
    return str(other(n, **{key: (month - 1 + shift) % 12 + 1}).freqstr)


def _anchored(times_ns: np.ndarray, freq: str) -> bool:
    """Whether every time is on ``freq``'s anchor, its month included (``QS-JAN``: January,
    April, July, October 1st).

    Why beside :func:`grid_positions`: that places quarter and year starts by their day, not by
    their anchor month, so quarter starts in February read as on the QS-JAN grid and a fiscal
    series given ``--freq Q`` heard that it was read there, then was refused for a frequency
    the user never gave. The times checked are the distinct ones (a panel's series share them).
    """
    offset = to_offset(freq)
    return all(offset.is_on_offset(pd.Timestamp(int(t))) for t in np.unique(times_ns))


def _ends_words(freq: str) -> str:
    """``month starts``, ``quarter ends``: the days the grid of ``freq`` (a period frequency) marks."""
    offset = _period_offset(freq)
    assert offset is not None  # only called with period frequencies
    _, period, end = _PERIOD_ENDS[type(offset)]
    return f"{period} {end}"


def _typed(freq: str) -> str:
    """The alias the user gave for ``freq``: ``M`` where :func:`~tsforge.data.frequency.checked_freq`
    renamed it ``ME`` (:class:`~tsforge.data.frequency.RenamedFreq`), else ``freq`` itself.

    Why: the note on period labels names the option given, and "the month ends that --freq ME
    names" after ``--freq M`` named an alias the user never typed."""
    return str(getattr(freq, "typed", freq))


def read_period_labels(times_ns: np.ndarray, freq: str | None, where: str) -> str | None:
    """The frequency to read ``times_ns`` (int64 ns) by when ``freq`` was given: ``freq`` itself,
    or its :func:`period_twin` when every time lies on the twin's grid and some not on
    ``freq``'s — said in one :class:`PeriodLabelsWarning` (``where``: the file or data named).

    Why the dates' own grid and not ``freq``'s: the dates are kept as written (moving
    2020-01-01 to 2020-01-31 would date every forecast at a day the user never wrote), and the
    user asked for the period, which both grids step by.
    """
    if freq is None:
        return None
    twin = period_twin(freq)
    if twin is None or times_ns.size == 0 or grid_positions(times_ns, freq)[1].all():
        return freq
    if not (grid_positions(times_ns, twin)[1].all() and _anchored(times_ns, twin)):
        return freq  # dates on neither grid: the usual spacing checks say what is wrong
    said = f"its dates are {_ends_words(twin)}, not the {_ends_words(freq)} that"
    how = f"read on their own grid ({grid_words(twin)}), dated as written, and forecasts are dated so too"
    typed = _typed(freq)
    warnings.warn(
        PeriodLabelsWarning(
            f"{where}: {said} freq={typed!r} names: {how} (freq={twin!r} says so without this note)",
            f"{where}: {said} --freq {typed} names: {how} (--freq {twin} says so without this note)",
        ),
        stacklevel=3,
    )
    return twin
