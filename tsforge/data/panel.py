"""A ragged panel: many series of different lengths and start dates, stored CSR-style.

Why CSR and not a ``[time, series]`` matrix: real panels (M1/M4, retail, sensors) hold hundreds
to millions of short series that start and end at different dates. A dense matrix over the
union of timestamps costs ``n_series × n_timestamps`` cells, mostly NaN; the CSR layout costs
one value per observation plus one offset per series. Every series is the slice
``values[indptr[i]:indptr[i + 1]]``; its time axis is implied by ``starts[i]`` and ``freq`` (the
values are on a regular grid, missing observations inside a series are NaN), so no timestamp
is stored per value.

Time axis: ``starts`` is ``datetime64[ns]`` (dates), ``int64`` (integer time, as Nixtla allows:
a step index, or any integers one constant ``int_step`` apart, e.g. years 1980, 1985, …) or
``None`` (integer time from 0, e.g. ``cif_2016`` which has no start dates). ``freq``
is the pandas alias of the sampling rate; it is kept even for integer time when known (the
Monash header says "monthly"), because ``season_length`` and the models need it.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from pandas.tseries.frequencies import to_offset

from tsforge.data.frequency import NS_PER_DAY, clock_change_hint, fixed_step, mid_month_hint, modal_step_alias
from tsforge.data.frequency import season_length as _season_length
from tsforge.data.timeaxis import step_gcd
from tsforge.data.validation import MISSING_TOKENS, text_to_float, thousands_hint
from tsforge.errors import (
    ConfigError,
    DataValidationError,
    SnappedStartWarning,
    UnknownSeasonWarning,
    UnobservedSeriesWarning,
)

__all__ = [
    "Panel",
    "abs_values_and_counts",
    "fill_missing_ragged",
    "range_sums",
    "require_panel",
    "series_index",
    "on_grid",
    "grid_steps",
]

# --------------------------------------------------------------------------------------------
# Pure helpers on the CSR layout
# --------------------------------------------------------------------------------------------


def series_index(indptr: np.ndarray) -> np.ndarray:
    """Series number of every value (``[N]``; int32 when it fits, to halve memory on big panels)."""
    lengths = np.diff(indptr)
    dtype = np.int32 if lengths.size < 2**31 else np.int64
    return np.repeat(np.arange(lengths.size, dtype=dtype), lengths)


def abs_values_and_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|y| (0 where missing) and the cumulative count, with a leading 0, of observed values: the
    mean |y| of any stretch ``values[a:b]`` is ``range_sums(abs, a, b) / (count[b] − count[a])``.

    Why not prefix sums of |y| as well: counts are exact as prefix sums, sums are not (see
    :func:`range_sums`)."""
    observed = np.isfinite(values)
    return np.where(observed, np.abs(values), 0.0), np.concatenate([[0], np.cumsum(observed)])


def range_sums(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``[k]`` the sum of ``x[lo[k]:hi[k]]`` for every k (0 for an empty range), each added up
    over its own range only.

    Why not a difference of prefix sums over the whole array: a prefix sum carries every series
    before the range, so in a panel that mixes magnitudes (a series at 3e9 before one at 2e-6)
    the difference ``P[hi] − P[lo]`` lost the small series entirely (float64 keeps about 16
    digits of a 1e11 running sum): its conformal scale came out as the panel's zero-history one,
    and its 80 % interval reached 325 for values of 2e-6. ``np.add.reduceat`` over the
    interleaved bounds sums each range on its own (the odd slots, between ranges, are dropped).
    """
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    if lo.size == 0:
        return np.zeros(0)
    padded = np.append(np.asarray(x, dtype=np.float64), 0.0)  # an index may equal len(x)
    bounds = np.empty(2 * lo.size, dtype=np.int64)
    bounds[0::2], bounds[1::2] = lo, hi
    return np.where(hi > lo, np.add.reduceat(padded, bounds)[0::2], 0.0)


def _gather_index(indptr: np.ndarray, idx: np.ndarray, first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Flat positions of ``count[j]`` values of series ``idx[j]`` starting ``first[j]`` into it."""
    out_ptr = np.concatenate([[0], np.cumsum(count)])
    shift = np.repeat(indptr[idx] + first - out_ptr[:-1], count)
    return shift + np.arange(out_ptr[-1], dtype=np.int64)


def fill_missing_ragged(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Fill NaN inside each series: linear interpolation between the neighbouring observations,
    the nearest observation before the first / after the last one (what ``np.interp`` does).

    Why this fill: statsforecast models reject NaN; interpolation keeps the level and trend of
    the gap instead of inventing zeros, and never looks across a series boundary. All-NaN
    series stay NaN. Returns ``values`` itself when nothing is missing.
    """
    isn = np.isnan(values)
    if not isn.any():
        return values
    n = values.size
    pos = np.arange(n, dtype=np.int64)
    sid = series_index(indptr)
    start, end = indptr[:-1][sid], indptr[1:][sid]
    prev = np.maximum.accumulate(np.where(isn, -1, pos))
    nxt = np.minimum.accumulate(np.where(isn, n, pos)[::-1])[::-1]
    gap = np.flatnonzero(isn)
    p, q = prev[gap], nxt[gap]
    has_p, has_q = p >= start[gap], q < end[gap]
    vp = values[np.clip(p, 0, n - 1)]
    vq = values[np.clip(q, 0, n - 1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        lin = vp + (vq - vp) * (gap - p) / (q - p)
    filled = np.where(has_p & has_q, lin, np.where(has_p, vp, np.where(has_q, vq, np.nan)))
    out = values.copy()
    out[gap] = filled
    return out


# --------------------------------------------------------------------------------------------
# Time axis helpers
# --------------------------------------------------------------------------------------------


def _fixed_step_ns(freq: str | None) -> int | None:
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


def _calendar_grid(lo: int, periods: int, freq: str) -> np.ndarray:
    fast = _fast_grid(lo, periods, freq)
    if fast is not None:
        return fast
    return pd.date_range(pd.Timestamp(lo), periods=periods, freq=freq).asi8


def on_grid(timestamps: np.ndarray, freq: str) -> np.ndarray:
    """Whether each ``datetime64`` time lies on the ``freq`` calendar grid (month starts for
    ``MS``, Sundays for ``W-SUN``; every time for fixed steps). Vectorised."""
    t = np.asarray(timestamps, dtype="datetime64[ns]").view(np.int64)
    if t.size == 0 or _fixed_step_ns(freq) is not None:
        return np.ones(t.size, dtype=bool)
    return _grid_positions(t, freq)[1]


def grid_steps(timestamps: np.ndarray, freq: str) -> tuple[np.ndarray, np.ndarray]:
    """Step number of each time of one sorted series on the ``freq`` grid, counted from its first
    time (0), and whether each lies on that grid at all (a Saturday on the ``B`` grid does not).

    Why: a history with a missing step (a holiday, an hour a logger lost) holds fewer values than
    steps; counting values instead of steps put its forecast before its own last observation.
    """
    t = np.asarray(timestamps, dtype="datetime64[ns]").view(np.int64)
    if t.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=bool)
    return _steps(t, np.array([0, t.size], dtype=np.int64), True, freq)


def _grid_positions(ts: np.ndarray, freq: str) -> tuple[np.ndarray, np.ndarray]:
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


# --------------------------------------------------------------------------------------------
# Panel
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Panel:
    """Ragged panel of univariate series (see the module docstring for the layout).

    Attributes:
        ids: ``[n]`` series names.
        indptr: ``[n + 1]`` int64 offsets into ``values``.
        values: concatenated values (float64 or float32); NaN = missing inside a series.
        starts: ``[n]`` datetime64[ns] or int64 first time of every series, or None (integer
            time from 0).
        freq: pandas alias of the sampling rate (None when unknown, e.g. integer time).
        season_length: dominant seasonal period in steps (monthly 12, hourly 24, ...).
        name: dataset name, for reports.
        attrs: per-series attributes (``[n]`` arrays), e.g. Monash ``horizon``.
        meta: dataset-level header fields (e.g. the ``.tsf`` ``@horizon``).
        int_step: integer time: the difference between consecutive times (1 for a step index;
            5 for years counted in fives). Why kept: forecasts and test frames are labelled in
            the file's own units (2025, 2030) rather than renumbered. Unused for dates.
    """

    ids: np.ndarray
    indptr: np.ndarray
    values: np.ndarray
    starts: np.ndarray | None = None
    freq: str | None = None
    season_length: int = 1
    name: str = "panel"
    attrs: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    int_step: int = 1

    def __post_init__(self) -> None:
        indptr = np.asarray(self.indptr, dtype=np.int64)
        values = np.asarray(self.values)
        if values.dtype not in (np.float32, np.float64):
            values = values.astype(np.float64)
        ids = np.asarray(self.ids)
        n = ids.shape[0]
        if indptr.shape != (n + 1,) or indptr[0] != 0 or indptr[-1] != values.size:
            raise ValueError(f"indptr must have {n + 1} offsets from 0 to {values.size}")
        if np.any(np.diff(indptr) < 0):
            raise ValueError("indptr must be non-decreasing")
        starts = self.starts
        if starts is not None:
            starts = np.asarray(starts)
            starts = starts.astype("datetime64[ns]") if starts.dtype.kind == "M" else starts.astype(np.int64)
            if starts.shape != (n,):
                raise ValueError(f"starts must have shape ({n},)")
        for key, arr in self.attrs.items():
            if len(arr) != n:
                raise ValueError(f"attribute {key!r} has {len(arr)} entries for {n} series")
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "season_length", max(1, int(self.season_length)))
        if int(self.int_step) < 1:
            raise ValueError(f"int_step must be a positive integer, got {self.int_step}")
        object.__setattr__(self, "int_step", int(self.int_step))

    # ---------------------------------------------------------------- basic views

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def n_series(self) -> int:
        return len(self)

    @property
    def n_values(self) -> int:
        return int(self.values.size)

    @property
    def lengths(self) -> np.ndarray:
        """``[n]`` number of values (observed or NaN) of every series."""
        return np.diff(self.indptr)

    @property
    def is_datetime(self) -> bool:
        return self.starts is not None and self.starts.dtype.kind == "M"

    @property
    def horizon(self) -> int | None:
        """The dataset's forecast horizon from the ``.tsf`` header, if it declared one."""
        h = self.meta.get("horizon")
        return int(float(h)) if h not in (None, "") else None

    @property
    def horizons(self) -> np.ndarray | None:
        """Per-series horizons (Monash ``horizon`` attribute, e.g. ``cif_2016``), else None."""
        h = self.attrs.get("horizon")
        return None if h is None else np.asarray(h, dtype=np.int64)

    def series(self, i: int) -> np.ndarray:
        """Values of series ``i`` (a view)."""
        return self.values[self.indptr[i] : self.indptr[i + 1]]

    def __iter__(self) -> Iterator[tuple[Any, np.ndarray]]:
        """Yield ``(id, values)`` per series."""
        for i in range(len(self)):
            yield self.ids[i], self.series(i)

    def __repr__(self) -> str:
        lens = self.lengths
        desc = f"{lens.min()}/{int(np.median(lens))}/{lens.max()}" if lens.size else "-"
        return (
            f"Panel(name={self.name!r}, n_series={len(self)}, n_values={self.n_values}, "
            f"freq={self.freq!r}, season_length={self.season_length}, lengths min/median/max={desc})"
        )

    # ---------------------------------------------------------------- time axis

    def times_at(self, series: np.ndarray, step: np.ndarray) -> np.ndarray:
        """Time of position ``step`` (0 = first value; may lie past the end, for forecasts) of
        each ``series``: datetime64[ns] for dated panels, int64 otherwise. Vectorised."""
        series = np.asarray(series, dtype=np.int64)
        step = np.asarray(step, dtype=np.int64)
        if series.size == 0:  # an empty chunk (a CV window no series is long enough for)
            return np.empty(0, dtype="datetime64[ns]" if self.is_datetime else np.int64)
        if not self.is_datetime:
            base = np.zeros(len(self), dtype=np.int64) if self.starts is None else self.starts
            return base[series] + step * self.int_step
        starts = self.starts.view(np.int64)
        fixed = _fixed_step_ns(self.freq)
        if fixed is not None:
            return (starts[series] + step * fixed).view("datetime64[ns]")
        if self.freq is None:
            raise DataValidationError("a dated panel needs a frequency to place its timestamps")
        p0, on = self._start_positions
        if not on.all():
            bad = int(np.flatnonzero(~on)[0])
            raise DataValidationError(
                f"series {str(self.ids[bad])!r} starts at {pd.Timestamp(starts[bad])}, not on the {self.freq} grid",
                field="freq",
            )
        idx = p0[series] + step
        grid = _calendar_grid(int(starts.min()), int(idx.max()) + 1, self.freq)
        return grid[idx].view("datetime64[ns]")

    @functools.cached_property
    def _start_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """Every start's position on the calendar grid anchored at the earliest start, and whether
        it lies on that grid (``_grid_positions`` of the starts), computed once per panel.

        Why cached: :meth:`times_at` for one series (``timestamps(i)``, a forecast's dates) placed
        every series' start again, so labelling a 50,000-series monthly panel series by series
        cost 50,000² start placements (``tsforge forecast`` took 91 s of CPU instead of 31, and
        ``tsforge evaluate`` 124 s instead of 16). A panel is frozen: its starts and frequency
        never change.
        """
        return _grid_positions(self.starts.view(np.int64), self.freq)

    def steps_at(self, series: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`times_at`: the position of each time in its series' step grid
        (0 = first value; negative before the start). Vectorised."""
        series = np.asarray(series, dtype=np.int64)
        if not self.is_datetime:
            base = np.zeros(len(self), dtype=np.int64) if self.starts is None else self.starts
            return (np.asarray(times, dtype=np.int64) - base[series]) // self.int_step
        t = np.asarray(times, dtype="datetime64[ns]").view(np.int64)
        starts = self.starts.view(np.int64)
        fixed = _fixed_step_ns(self.freq)
        if fixed is not None:
            return (t - starts[series]) // fixed
        both = np.concatenate([starts, t])
        pos, _ = _grid_positions(both, self.freq)
        return pos[len(self) :] - pos[: len(self)][series]

    def timestamps(self, i: int) -> np.ndarray:
        """Time axis of series ``i`` (its own start, its own length)."""
        n = int(self.lengths[i])
        return self.times_at(np.full(n, i), np.arange(n))

    def last_times(self) -> np.ndarray:
        """``[n]`` time of the last value of every series."""
        return self.times_at(np.arange(len(self)), self.lengths - 1)

    def to_long(self) -> pd.DataFrame:
        """Nixtla long frame ``unique_id, ds, y`` (ds int64 for integer time)."""
        sid = series_index(self.indptr)
        step = np.arange(self.n_values, dtype=np.int64) - self.indptr[:-1][sid]
        return pd.DataFrame({"unique_id": self.ids[sid], "ds": self.times_at(sid, step), "y": self.values})

    # ---------------------------------------------------------------- subsets

    def _with(self, idx: np.ndarray | None, indptr: np.ndarray, values: np.ndarray) -> Panel:
        """A panel of series ``idx`` (None = all) with new values; starts kept (values are a
        prefix or the whole of every series)."""
        if idx is None:
            return replace(self, indptr=indptr, values=values)
        return replace(
            self,
            ids=self.ids[idx],
            indptr=indptr,
            values=values,
            starts=None if self.starts is None else self.starts[idx],
            attrs={k: np.asarray(v)[idx] for k, v in self.attrs.items()},
        )

    def take(self, idx: Sequence[int] | np.ndarray) -> Panel:
        """Series at positions ``idx``, in that order."""
        idx = np.asarray(idx, dtype=np.int64)
        lens = self.lengths[idx]
        flat = _gather_index(self.indptr, idx, np.zeros_like(idx), lens)
        return self._with(idx, np.concatenate([[0], np.cumsum(lens)]), self.values[flat])

    def select(self, ids: Sequence[Any] | np.ndarray) -> Panel:
        """Series with the given ids, in that order (unknown ids raise, naming the first)."""
        lookup = pd.Index(self.ids)
        pos = lookup.get_indexer(pd.Index(np.asarray(ids, dtype=object)))
        if (pos < 0).any():
            missing = np.asarray(ids, dtype=object)[pos < 0]
            raise DataValidationError(
                f"{missing.size} unknown series id(s) in {self.name!r}, first {missing[0]!r}", field="ids"
            )
        return self.take(pos)

    def slice(self, start: int, stop: int) -> Panel:
        """Series ``start:stop`` as views (no copy of values): the cheap way to make chunks."""
        ptr = self.indptr[start : stop + 1]
        idx = np.arange(start, stop)
        return self._with(idx, ptr - ptr[0], self.values[ptr[0] : ptr[-1]])

    def head_cut(self, k: int | np.ndarray) -> Panel:
        """Drop the last ``k`` values of every series (``k`` an int or ``[n]`` ints).

        Why vectorised: the holdout protocol cuts a horizon off every series of panels with
        millions of series; one gather does it. Every series must keep at least one value.
        """
        keep = self.lengths - np.asarray(k, dtype=np.int64)
        if keep.size and keep.min() < 1:
            bad = np.flatnonzero(keep < 1)
            raise DataValidationError(
                f"{bad.size} series have no value left after cutting {self.lengths[bad[0]] - keep[bad[0]]} values, "
                f"first {self.ids[bad[0]]!r} (length {self.lengths[bad[0]]})",
                field="h",
            )
        idx = np.arange(len(self))
        flat = _gather_index(self.indptr, idx, np.zeros_like(idx), keep)
        return self._with(None, np.concatenate([[0], np.cumsum(keep)]), self.values[flat])

    def tail(self, k: int) -> np.ndarray:
        """``[n, k]`` last ``k`` values of every series; left-padded with NaN where a series is
        shorter than ``k`` (callers that need full windows check lengths first)."""
        idx = self.indptr[1:, None] - k + np.arange(k)[None, :]
        ok = idx >= self.indptr[:-1, None]
        if self.values.size == 0:
            return np.full((len(self), k), np.nan, dtype=self.values.dtype)
        return np.where(ok, self.values[np.clip(idx, 0, None)], np.nan).astype(self.values.dtype)

    def chunks(self, n_chunks: int) -> list[Panel]:
        """Split into at most ``n_chunks`` contiguous panels of about equal *number of values*
        (the work of per-series models grows with length), keeping series order."""
        n = len(self)
        n_chunks = max(1, min(int(n_chunks), n))
        if n_chunks == 1:
            return [self]
        targets = self.n_values * np.arange(1, n_chunks) / n_chunks
        cuts = np.searchsorted(self.indptr[1:], targets, side="right")
        bounds = np.unique(np.clip(np.concatenate([[0], cuts, [n]]), 0, n))
        return [self.slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]

    def trim_missing(self) -> Panel:
        """Every series cut to its first..last observed value; starts move with the first.

        Why: a series is the span it was observed over. Missing values before its first
        observation (a station not yet reporting, the rows a wide table or a ``melt`` of it adds)
        or after its last (a product discontinued, placeholder rows for future dates) are not
        gaps to fill: kept, they would move its forecast origin past its data and leave its
        holdout windows unscored. The wide reader has always trimmed so; this gives a long table
        the same panel. Every series needs one observed value (callers check that first, to
        name the series). Vectorised: two ``reduceat`` and one gather.
        """
        n = len(self)
        if n == 0 or self.values.size == 0:
            return self
        observed = ~np.isnan(self.values)
        if observed.all():
            return self
        if (self.lengths == 0).any():  # reduceat cannot reduce an empty segment
            raise ValueError("trim_missing needs every series to hold at least one value")
        sid = series_index(self.indptr)
        starts_at = self.indptr[:-1]
        pos = np.arange(self.n_values, dtype=np.int64) - starts_at[sid]
        first = np.minimum.reduceat(np.where(observed, pos, np.iinfo(np.int64).max), starts_at)
        last = np.maximum.reduceat(np.where(observed, pos, -1), starts_at)
        if (last < 0).any():
            raise ValueError("trim_missing needs every series to hold at least one observed value")
        count = last - first + 1
        if not (first.any() or (count != self.lengths).any()):
            return self
        idx = np.arange(n)
        starts = self.times_at(idx, first) if first.any() else self.starts
        flat = _gather_index(self.indptr, idx, first, count)
        return replace(
            self, indptr=np.concatenate([[0], np.cumsum(count)]), values=self.values[flat], starts=starts
        )

    def fill_missing(self) -> Panel:
        """Copy with NaN filled per series (see :func:`fill_missing_ragged`)."""
        filled = fill_missing_ragged(self.values, self.indptr)
        return self if filled is self.values else replace(self, values=filled)

    def astype(self, dtype: Any) -> Panel:
        return replace(self, values=self.values.astype(dtype))

    # ---------------------------------------------------------------- constructors

    @classmethod
    def from_arrays(
        cls,
        arrays: Sequence[np.ndarray],
        ids: Sequence[Any] | None = None,
        starts: Sequence[Any] | np.ndarray | None = None,
        freq: str | None = None,
        season_length: int | None = None,
        name: str = "panel",
        dtype: Any = np.float64,
        int_step: int = 1,
    ) -> Panel:
        """Panel from one array per series (``ids`` default ``0..n-1``; ``starts`` dates or ints,
        ``int_step`` apart for ints)."""
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        values = np.concatenate([np.asarray(a, dtype=dtype).ravel() for a in arrays]) if len(arrays) else []
        ids_arr = np.arange(len(arrays)) if ids is None else np.asarray(ids)
        st = None
        if starts is not None:
            st = np.asarray(starts)
            if st.dtype.kind not in "Mi":
                st = pd.to_datetime(st).to_numpy()
        panel = cls(
            ids=ids_arr,
            indptr=np.concatenate([[0], np.cumsum(lengths)]),
            values=np.asarray(values, dtype=dtype),
            starts=st,
            freq=freq,
            season_length=_season_length(freq) if season_length is None else season_length,
            name=name,
            int_step=int_step,
        )
        _check_unique_ids(panel.ids)
        _check_series_sizes(panel.ids, panel.indptr, panel.values)
        return panel

    @classmethod
    def from_tsf(
        cls,
        source: str | os.PathLike[str] | Any,
        name: str | None = None,
        id_attr: str = "series_name",
        dtype: Any = np.float64,
    ) -> Panel:
        """Panel from a Monash ``.tsf`` file (path or parsed ``TsfFile``).

        Every series keeps its own start and length. Without ``start_timestamp`` (``cif_2016``)
        the time axis is integer steps from 0, but ``freq``/``season_length`` still follow the
        header. A numeric ``horizon`` attribute becomes ``attrs["horizon"]`` (:attr:`horizons`);
        other attributes are kept in ``attrs``; the header (``@horizon`` ...) in ``meta``.
        Series with nothing to forecast from are left out, and monthly / quarterly / yearly
        starts off one calendar grid are moved to their period's start, each with a warning
        (:func:`_without_unobserved`, :func:`_starts_snapped_to_periods`).
        """
        from tsforge.data.tsf import TsfFile, monash_freq, read_tsf

        file = None
        if not isinstance(source, TsfFile):
            file = str(source)
            source = read_tsf(source)
        tsf: TsfFile = source
        series = tsf.series
        n = len(series)
        freq_name = tsf.meta.get("frequency")
        freq = monash_freq(freq_name) if freq_name else None
        lengths = np.fromiter((s.values.size for s in series), dtype=np.int64, count=n)
        values = np.concatenate([s.values for s in series]).astype(dtype, copy=False)
        ids = np.array(
            [str(s.attributes.get(id_attr, f"T{i + 1}")) for i, s in enumerate(series)], dtype=object
        )
        starts = None
        if "start_timestamp" in tsf.attribute_types:
            starts = np.array([s.attributes["start_timestamp"] for s in series], dtype="datetime64[ns]")
            if freq == "W":
                freq = _weekly_alias(starts)
        attrs: dict[str, np.ndarray] = {}
        for key, kind in tsf.attribute_types.items():
            if key in (id_attr, "start_timestamp"):
                continue
            col = [s.attributes.get(key) for s in series]
            attrs[key] = np.asarray(col, dtype=np.float64 if kind == "numeric" else object)
        if "horizon" in attrs:
            attrs["horizon"] = attrs["horizon"].astype(np.int64)
        if freq == "W":  # weekly without dates: the step is still a week
            freq = "7D"
        panel = cls(
            ids=ids,
            indptr=np.concatenate([[0], np.cumsum(lengths)]),
            values=values,
            starts=starts,
            freq=freq,
            season_length=_season_length(freq),
            name=name or tsf.meta.get("relation", "panel"),
            attrs=attrs,
            meta=dict(tsf.meta),
        )
        _check_unique_ids(panel.ids, file)
        panel = _without_unobserved(panel, file)  # what the size check refuses elsewhere, left out
        if starts is not None:
            panel = _starts_snapped_to_periods(panel, file)
            _check_starts_on_grid(panel, file)
        return panel

    @classmethod
    def from_long(
        cls,
        frame: pd.DataFrame | pl.DataFrame,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        freq: str | None = None,
        season_length: int | None = None,
        name: str = "panel",
        dtype: Any = np.float64,
        fill_gaps: bool = False,
    ) -> Panel:
        """Panel from a long frame (pandas or polars), one row per (series, time).

        Rows are sorted per series; series keep the order of their first row. The frequency is
        inferred per panel (from the longest series) unless ``freq`` is given; integer ``ds``
        is integer time (step 1). Errors name the series, the column and the (0-based) row:
        a series with one value, a non-numeric or infinite value, a duplicate date inside one
        series, and spacing that is not one step (``fill_gaps=True`` inserts NaN instead).
        All work is column-wise NumPy/polars; there is no Python loop over rows or series.
        """
        df = _select_columns(frame, id_col, time_col, target_col)
        return _from_long(df, id_col, time_col, target_col, freq, season_length, name, dtype, fill_gaps)


# --------------------------------------------------------------------------------------------
# from_long internals
# --------------------------------------------------------------------------------------------


def _select_columns(frame: Any, id_col: str, time_col: str, target_col: str) -> pl.DataFrame:
    """The three columns as polars, with a non-numeric target located in pandas terms first
    (mixed-type object columns cannot even be converted to Arrow)."""
    cols = (id_col, time_col, target_col)
    have = list(frame.columns)
    for c in cols:
        if c not in have:
            raise DataValidationError(f"column {c!r} not found; the frame has {have}", column=c)
    if isinstance(frame, pl.DataFrame):
        return frame.select(cols)
    if isinstance(frame, pd.DataFrame):
        sub = frame[list(cols)].reset_index(drop=True)
        y = sub[target_col]
        if not (pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)):
            num = pd.to_numeric(y, errors="coerce")
            unread = num.isna() & y.notna()
            token = y[unread].astype(str).str.strip().str.lower().isin(MISSING_TOKENS)
            bad = np.flatnonzero(unread.to_numpy())[~token.to_numpy()]
            if bad.size:
                _raise_bad_value(sub[id_col].iloc[bad[0]], y.iloc[bad[0]], target_col, int(bad[0]))
            sub = sub.assign(**{target_col: num.astype(np.float64)})
        if sub[id_col].dtype == object:  # mixed str/int ids cannot go to Arrow; keep missing ids missing
            ids = sub[id_col]
            sub[id_col] = ids.astype(str).where(ids.notna(), None)
        return pl.from_pandas(sub)
    raise DataValidationError(f"expected a pandas or polars DataFrame, got {type(frame).__name__}")


def _raise_bad_value(sid: Any, value: Any, column: str, row: int) -> None:
    raise DataValidationError(
        f"non-numeric value {value!r} in series {sid!r}" + thousands_hint(value),
        column=column,
        row=row,
        series=sid,
    )


def _target_values(df: pl.DataFrame, id_col: str, target_col: str, rows: np.ndarray | None) -> np.ndarray:
    """Target as float64 (nulls and missing-value tokens such as ``NA`` → NaN); a non-numeric
    string names its series and row (the cell rules are :func:`~tsforge.data.validation.text_to_float`'s,
    shared with the wide and multichannel readers)."""
    y = df[target_col]
    if not (y.dtype.is_numeric() or y.dtype in (pl.Boolean, pl.Null)):
        num, bad = text_to_float(y)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            _raise_bad_value(df[id_col][i], y[i], target_col, i if rows is None else int(rows[i]))
        y = num
    return y.cast(pl.Float64).fill_null(float("nan")).to_numpy()


def _time_keys(df: pl.DataFrame, time_col: str) -> tuple[np.ndarray, bool]:
    """Time column as int64 (ns since epoch for dates, the integer itself otherwise).

    The rules are :func:`tsforge.data.timeaxis.parse_time_column`'s, shared with the wide reader
    and the forecast-history parser: integers are a step index unless they read as ``YYYYMMDD``
    dates (a common export), so a file that trains also forecasts, with the same dates.
    """
    from tsforge.data.timeaxis import parse_time_column

    t = df[time_col]
    if t.null_count():
        row = int(np.flatnonzero(t.is_null().to_numpy())[0])
        raise DataValidationError(f"missing value in time column {time_col!r}", column=time_col, row=row)
    keys, is_dt = parse_time_column(t, column=time_col, file=None)
    return (keys.view(np.int64), True) if is_dt else (keys, False)


def _infer_panel_freq(t: np.ndarray, indptr: np.ndarray) -> str:
    """Frequency of a dated panel: pandas' name for one of the longest series (gaps or odd
    points in one series do not decide for the panel), else their modal step."""
    lengths = np.diff(indptr)
    longest = np.argsort(-lengths, kind="stable")[:5]
    for i in longest:
        if lengths[i] < 3:
            break
        f = pd.infer_freq(pd.DatetimeIndex(t[indptr[i] : indptr[i + 1]].view("datetime64[ns]")))
        if f is not None:
            return f
    d = np.concatenate([np.diff(t[indptr[i] : indptr[i + 1]]) for i in longest])
    d = d[d > 0]
    if d.size == 0:
        raise DataValidationError(
            "cannot infer the frequency (no series with two distinct dates); pass freq="
        )
    vals, counts = np.unique(d, return_counts=True)
    stamps = np.concatenate([t[indptr[i] : indptr[i + 1]] for i in longest])
    return modal_step_alias(int(vals[np.argmax(counts)]), stamps)


_BLOCK = 1 << 22  # rows per block in the spacing scans: bounds the temporaries to ~100 MB


def _scan_pairs(t: np.ndarray, indptr: np.ndarray, test: Any, first_only: bool = True) -> np.ndarray:
    """Rows ``p`` whose pair ``(t[p - 1], t[p])`` inside one series satisfies ``test``.

    Why blockwise: the checks (order, duplicates, spacing) run on every row of panels with
    10⁸ values; whole-array ``np.diff`` temporaries would cost several GB, blocks cost little
    and stop at the first hit when only the first offending row is needed for the error.
    """
    hits: list[np.ndarray] = []
    n = t.size
    for a in range(1, n, _BLOCK):
        b = min(a + _BLOCK, n)
        m = test(t[a - 1 : b - 1], t[a:b])
        lo, hi = np.searchsorted(indptr, [a, b])
        m[indptr[lo:hi] - a] = False
        found = np.flatnonzero(m)
        if found.size:
            hits.append(found + a)
            if first_only:
                break
    return np.concatenate(hits) if hits else np.empty(0, dtype=np.int64)


def _spacing_test(is_dt: bool, freq: str | None, t: np.ndarray, int_step: int = 1) -> Any:
    """``test(prev, cur)`` that is True where ``cur`` is not exactly one step after ``prev``."""
    step = int_step if not is_dt else _fixed_step_ns(freq)
    if step is not None:
        return lambda prev, cur: (cur - prev) != step
    grid = pd.date_range(pd.Timestamp(int(t.min())), pd.Timestamp(int(t.max())), freq=freq).asi8

    def test(prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
        pc = np.searchsorted(grid, cur)
        return (pc - np.searchsorted(grid, prev) != 1) | (grid[np.minimum(pc, grid.size - 1)] != cur)

    return test


def _steps(
    t: np.ndarray, indptr: np.ndarray, is_dt: bool, freq: str | None, int_step: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Step number of every row counted from its series' first row, and whether the row lies on
    the step grid at all (e.g. an hourly series with one value at 10:30). Whole-array: only
    used to fill gaps, where the output is as large anyway."""
    sid = series_index(indptr)
    first = t[indptr[:-1]][sid]
    step = int_step if not is_dt else _fixed_step_ns(freq)
    if step is not None:
        off = t - first
        return off // step, off % step == 0
    pos, on = _grid_positions(t, freq)
    return pos - pos[indptr[:-1]][sid], on


def _group_rows(df: pl.DataFrame, id_col: str) -> tuple[pl.DataFrame, np.ndarray | None, np.ndarray]:
    """Rows of one series made contiguous (series in order of first appearance).

    Returns the frame, the original row of every row (None when nothing moved) and ``indptr``.
    A frame already grouped by series is left as it is (a run-length encoding tells).
    """
    rows: np.ndarray | None = None
    runs = df[id_col].rle().struct.field("len")
    if runs.len() != df[id_col].n_unique():
        df = (
            df.with_row_index("__row")
            .with_columns(pl.col("__row").min().over(id_col).alias("__first"))
            .sort("__first", maintain_order=True)
        )
        rows = df["__row"].to_numpy().astype(np.int64)
        df = df.drop("__row", "__first")
        runs = df[id_col].rle().struct.field("len")
    indptr = np.concatenate([[0], np.cumsum(runs.to_numpy(), dtype=np.int64)])
    return df, rows, indptr


def _from_long(
    df: pl.DataFrame,
    id_col: str,
    time_col: str,
    target_col: str,
    freq: str | None,
    season_length: int | None,
    name: str,
    dtype: Any,
    fill_gaps: bool,
) -> Panel:
    if df.height == 0:
        raise DataValidationError("the frame has no rows", column=id_col)
    if df[id_col].null_count():
        row = int(np.flatnonzero(df[id_col].is_null().to_numpy())[0])
        raise DataValidationError(f"missing series id in column {id_col!r}", column=id_col, row=row)
    df, rows, indptr = _group_rows(df, id_col)
    t, is_dt = _time_keys(df, time_col)
    freq_given = freq is not None
    if _scan_pairs(t, indptr, lambda prev, cur: cur < prev).size:  # sort inside series only if needed
        order = np.lexsort((t, series_index(indptr)))
        t = t[order]
        rows = order if rows is None else rows[order]
        df = df[order]
    ids = df[id_col].gather(indptr[:-1]).to_numpy()

    def fail(message: str, pos: int, column: str) -> None:
        sid = str(ids[np.searchsorted(indptr, pos, side="right") - 1])  # not np.int64(1)
        row = pos if rows is None else int(rows[pos])
        raise DataValidationError(message.format(sid=repr(sid)), column=column, row=row, series=sid)

    def show(v: Any) -> str:
        return str(pd.Timestamp(int(v))) if is_dt else str(int(v))

    dup = _scan_pairs(t, indptr, lambda prev, cur: cur == prev)
    if dup.size:
        pos = int(dup[0])
        hint = clock_change_hint(_series_times(t, indptr, pos), None, int(t[pos])) if is_dt else ""
        fail(f"duplicate timestamp {show(t[pos])} in series {{sid}}{hint}", pos, time_col)
    _check_series_sizes(ids, indptr, None, column=id_col, rows=rows)
    if is_dt and freq is None:
        freq = _infer_panel_freq(t, indptr)
    # regular spacing (a weekly panel whose series fall on different weekdays is still 7-daily)
    bad = _scan_pairs(t, indptr, _spacing_test(is_dt, freq, t))
    int_step = 1
    if bad.size and not is_dt and (g := _integer_grid_step(t, indptr)) > 1:
        int_step = g  # integer time counting in g's (years 1980, 1985, …): its steps are g apart
        bad = _scan_pairs(t, indptr, _spacing_test(False, None, t, int_step))
    if (
        bad.size
        and is_dt
        and freq.startswith("W-")
        and not _scan_pairs(t, indptr, _spacing_test(True, "7D", t)).size
    ):
        freq, bad = "7D", bad[:0]
    if is_dt and _fixed_step_ns(freq) is None:
        off = np.flatnonzero(~_grid_positions(t[indptr[:-1]], freq)[1])
        if off.size:
            pos = int(indptr[off[0]])
            own = _own_rate(_series_times(t, indptr, pos), freq)
            advice = ""
            if own and freq_given:
                advice = f": its dates lie on the {own} grid (freq={own!r} / --freq {own})"
            elif own:
                advice = (
                    f" (the panel's longest series'): its dates lie on the {own} grid; one panel holds one "
                    "calendar (date every series alike: all at period starts, or all at period ends)"
                )
            fail(f"date {show(t[pos])} of series {{sid}} is not on the {freq} grid{advice}", pos, time_col)
    k = None
    if bad.size and fill_gaps and is_dt and (other := _series_at_other_rate(t, indptr, freq)) is not None:
        pos, own = other
        rate = f"the frequency given is {freq}" if freq_given else f"the panel's longest series {freq}"
        fail(
            f"series {{sid}} is sampled {own} throughout and {rate}: filling gaps would make it a {freq} "
            "series of mostly missing values; one panel holds one sampling rate (split the file by "
            "rate, or resample this series)",
            pos,
            time_col,
        )
    if bad.size:
        k, on = _steps(t, indptr, is_dt, freq, int_step) if fill_gaps else (None, None)
        if not (fill_gaps and on.all()):
            pos = int(bad[0]) if on is None else int(np.flatnonzero(~on)[0])
            before = f"{show(t[pos - 1])} → " if pos not in indptr else ""
            series_t = _series_times(t, indptr, pos) if is_dt else None
            clock = clock_change_hint(series_t, int(t[pos - 1]), int(t[pos])) if before and is_dt else ""
            if clock:  # a summer-time change in local times: neither filling nor a frequency helps
                how = f"is not one {freq} step{clock}"
            elif on is not None:  # filling was asked for: the time cannot be placed on the grid at all
                first = show(t[indptr[np.searchsorted(indptr, pos, side="right") - 1]])
                step = freq if is_dt else f"step-{int_step}"
                how = (
                    f"is off the {step} grid the series starts on ({first}), so no missing steps can be "
                    "inserted around it: correct that time, or set the frequency (freq= / --freq)"
                )
            elif is_dt and (hint := mid_month_hint(_series_times(t, indptr, pos))):
                how = f"is not one {freq} step{hint}"
            elif is_dt and (own := _own_rate(_series_times(t, indptr, pos), freq)) and freq_given:
                how = (
                    f"is not one {freq} step, the frequency given: this series is sampled {own} "
                    f"throughout (freq={own!r} / --freq {own})"
                )
            elif is_dt and own:
                how = (
                    f"is not one {freq} step: this series is sampled {own} throughout, the panel's "
                    f"longest series {freq}; one panel holds one sampling rate (split the file by "
                    "rate, or resample this series)"
                )
            elif is_dt:
                set_freq = "" if freq_given else "set the frequency: freq= / --freq; or "
                how = (
                    f"is not one {freq} step ({set_freq}insert the missing steps as missing values: "
                    "fill_gaps=True / --fill-gaps)"
                )
            else:
                how = _INTEGER_SPACING_ADVICE
            fail(f"irregular spacing in series {{sid}}: {before}{show(t[pos])} {how}", pos, time_col)
    starts = t[indptr[:-1]]
    del t  # the time keys are a full column: free them before the values are materialised
    y = _target_values(df, id_col, target_col, rows)
    if np.isinf(y).any():
        pos = int(np.flatnonzero(np.isinf(y))[0])
        fail(f"non-finite value {y[pos]} in series {{sid}}", pos, target_col)
    _check_series_sizes(ids, indptr, y, column=id_col, rows=rows)
    if k is not None:
        y, indptr = _scatter_gaps(y, k, indptr)
    if not is_dt and freq is None and season_length is None:
        warn_no_calendar(f"the time column {time_col!r} of {name} holds integers (a step index)")
    panel = Panel(
        ids=ids,
        indptr=indptr,
        values=y.astype(dtype, copy=False),
        starts=starts.view("datetime64[ns]") if is_dt else starts,
        freq=freq,
        season_length=_season_length(freq) if season_length is None else season_length,
        name=name,
        int_step=int_step,
    )
    # missing rows before a series' first / after its last observation: not part of the series
    # (the wide reader's rule); a series left with one observation is refused like one with one row
    trimmed = panel.trim_missing()
    single = np.flatnonzero(trimmed.lengths < 2)
    if single.size:
        sid = str(trimmed.ids[single[0]])
        count = "1 series has" if single.size == 1 else f"{single.size} series have"
        raise DataValidationError(
            f"{count} one observed value (a series needs two to be forecast or scored), first {sid!r}",
            column=target_col,
            series=sid,
        )
    return trimmed


def _own_rate(times: np.ndarray, panel_freq: str) -> str | None:
    """The sampling rate of one series' dates when it has a regular one of its own that is not
    the panel's (daily series in a monthly panel), else None.

    Why: a file that mixes rates was refused for "irregular spacing" in the odd series, with
    advice to set the frequency or fill gaps — neither helps a series that is regular at
    another rate.
    """
    if times.size < 3:
        return None
    own = pd.infer_freq(pd.DatetimeIndex(times.view("datetime64[ns]")))
    if own is None or own == panel_freq:
        return None
    return own


#: series checked for a sampling rate of their own before gaps are filled (each costs a pandas inference)
_MAX_RATE_CHECKS = 20


def _series_at_other_rate(t: np.ndarray, indptr: np.ndarray, freq: str) -> tuple[int, str] | None:
    """The first row and the rate of a series sampled regularly at another rate than the panel's,
    with no two consecutive values one ``freq`` step apart (a monthly series in a daily panel), or None.

    Why before filling gaps: without ``fill_gaps`` such a series is refused by name
    (:func:`_own_rate`); with it, it was silently stretched onto the panel's grid — a monthly
    series became a daily one with 29 of every 30 values missing, forecast as such.
    """
    breaks = _scan_pairs(t, indptr, _spacing_test(True, freq, t), first_only=False)
    if breaks.size == 0:
        return None
    per_series = np.bincount(series_index(indptr)[breaks], minlength=indptr.size - 1)
    lengths = np.diff(indptr)
    candidates = np.flatnonzero((lengths >= 5) & (per_series == lengths - 1))
    for i in candidates[:_MAX_RATE_CHECKS]:
        own = _own_rate(t[indptr[i] : indptr[i + 1]], freq)
        if own is not None:
            return int(indptr[i]) + 1, own
    return None


def _series_times(t: np.ndarray, indptr: np.ndarray, pos: int) -> np.ndarray:
    """The time keys of the series that row ``pos`` belongs to."""
    i = int(np.searchsorted(indptr, pos, side="right") - 1)
    return t[indptr[i] : indptr[i + 1]]


def _integer_grid_step(t: np.ndarray, indptr: np.ndarray) -> int:
    """The grid step of integer time over every series (:func:`~tsforge.data.timeaxis.step_gcd`
    of the steps inside series: 5 for years 1980, 1985, 1995, one missing). Whole-array, but only
    computed for integer time that does not advance by one."""
    sid = series_index(indptr)
    d = np.diff(t)
    return step_gcd(d[sid[1:] == sid[:-1]])


#: integer time whose steps share no common size above one (1, 2, 4, 5, …)
_INTEGER_SPACING_ADVICE = (
    "is not the next step (integer time advances by one constant step): insert the missing "
    "steps as missing values (fill_gaps=True / --fill-gaps)"
)


def warn_no_calendar(what: str) -> None:
    """Warn (:class:`UnknownSeasonWarning`) that data read without dates get season length 1.

    Why: a monthly panel indexed 1, 2, 3, … trains and scores without error, but seasonal naive,
    the seasonal models and MASE then see no season; one sentence tells the user how to say it.
    """
    warnings.warn(
        f"{what}: no calendar, so the season length is 1 and seasonal models see no season; "
        "give the steps' frequency (freq= / --freq, e.g. MS for months) if they have one",
        UnknownSeasonWarning,
        stacklevel=3,
    )


def _scatter_gaps(y: np.ndarray, k: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Put every value at its step inside its series, NaN in the missing steps."""
    sid = series_index(indptr)
    new_len = k[indptr[1:] - 1] + 1
    new_ptr = np.concatenate([[0], np.cumsum(new_len)]).astype(np.int64)
    out = np.full(int(new_ptr[-1]), np.nan, dtype=y.dtype)
    out[new_ptr[:-1][sid] + k] = y
    return out, new_ptr


def _check_series_sizes(
    ids: np.ndarray,
    indptr: np.ndarray,
    values: np.ndarray | None,
    column: str | None = None,
    rows: np.ndarray | None = None,
    file: str | None = None,
) -> None:
    """Every series needs two values and (when ``values`` are given) one observation; errors
    name the first offender (and its row when the panel came from a frame)."""
    lens = np.diff(indptr)
    short = np.flatnonzero(lens < 2)
    if short.size:
        i = int(short[0])
        row = None
        if column is not None and lens[i]:
            row = int(indptr[i]) if rows is None else int(rows[indptr[i]])
        sid = str(ids[i])  # a numpy string's repr would read np.str_('z')
        count = "1 series has" if short.size == 1 else f"{short.size} series have"
        raise DataValidationError(
            f"{count} fewer than 2 values (a series needs two to be forecast or scored), first "
            f"{sid!r} ({lens[i]} value{'s' if lens[i] != 1 else ''})",
            file=file,
            column=column,
            row=row,
            series=sid,
        )
    if values is None:
        return
    n_missing = np.diff(np.searchsorted(np.flatnonzero(np.isnan(values)), indptr))
    empty = np.flatnonzero(lens == n_missing)
    if empty.size:
        i = int(empty[0])
        raise DataValidationError(
            no_observed_value_message(empty.size, ids[i]),
            file=file,
            column=column,
            series=str(ids[i]),
        )


def no_observed_value_message(n: int, first: Any) -> str:
    """The refusal of ``n`` all-missing series in a table the user wrote (long or wide), with
    what to do about it; one wording for both readers."""
    count = "1 series has" if n == 1 else f"{n} series have"
    return (
        f"{count} no observed value (every value missing), first {str(first)!r}: leave "
        f"{'it' if n == 1 else 'them'} out of the data"
    )


def _without_unobserved(panel: Panel, file: str | None) -> Panel:
    """A ``.tsf`` collection without its series that cannot be forecast (fewer than two values,
    or no observed one), with an :class:`UnobservedSeriesWarning` naming how many and the first
    ids, and ``meta["left_out_series"]`` saying the same to whatever reads the panel later.

    Why leave out rather than refuse (as a long or wide table does): a ``.tsf`` file is a
    published collection (a ``*_with_missing`` one may hold a series that was never observed),
    not a table the user wrote; refusing it would make its other series unusable. Missing values
    at a series' ends are kept: its official test window is its last ``H`` values, as published.
    """
    lens = panel.lengths
    observed = np.bincount(series_index(panel.indptr), weights=~np.isnan(panel.values), minlength=len(panel))
    bad = np.flatnonzero((lens < 2) | (observed == 0))
    if not bad.size:
        return panel
    where = f" of {file}" if file else ""
    if bad.size == len(panel):
        raise DataValidationError(
            f"no series{where} has two values with an observed one: nothing to forecast", file=file
        )
    first = ", ".join(repr(str(x)) for x in panel.ids[bad[:3]]) + (", …" if bad.size > 3 else "")
    note = (
        f"left out {bad.size} of {len(panel)} series{where} with fewer than two values or no observed "
        f"value ({first}): the collection is the other {len(panel) - bad.size}"
    )
    warnings.warn(note, UnobservedSeriesWarning, stacklevel=3)
    kept = panel.take(np.setdiff1d(np.arange(len(panel)), bad))
    return replace(kept, meta={**kept.meta, "left_out_series": note})


#: calendar frequencies of ``.tsf`` files (``MONASH_FREQS``) → the pandas period a start lies in
_PERIOD_OF = {"MS": ("M", "month"), "QS": ("Q", "quarter"), "YS": ("Y", "year")}


def _starts_snapped_to_periods(panel: Panel, file: str | None) -> Panel:
    """A monthly / quarterly / yearly ``.tsf`` collection whose starts are not on one calendar
    grid, with every start moved to the start of the period it lies in, and a
    :class:`SnappedStartWarning` saying how many moved.

    Why: a monthly value belongs to its month, whatever instant the file stamps it with. Monash
    files copy their sources' dates: month ends, or the M4 competition's ``12:00`` time of day.
    One grid needs one convention. Refusing would lose a whole published collection over how it
    writes its dates. Starts already on one grid (month starts at midnight, or every series at
    the same time of day) are kept as they are.
    """
    if panel.freq not in _PERIOD_OF or on_grid(panel.starts, panel.freq).all():
        return panel
    period, word = _PERIOD_OF[panel.freq]
    starts = pd.DatetimeIndex(panel.starts)
    snapped = starts.to_period(period).to_timestamp(how="start").to_numpy("datetime64[ns]")
    moved = np.flatnonzero(snapped != starts.to_numpy("datetime64[ns]"))
    i = int(moved[0])
    where = f" of {file}" if file else ""
    note = (
        f"{moved.size} of {len(panel)} series{where} start inside their {word} rather than at its start "
        f"(first {str(panel.ids[i])!r}: {starts[i]}): each is read as starting at the start of that {word}"
    )
    warnings.warn(note, SnappedStartWarning, stacklevel=3)
    return replace(panel, starts=snapped, meta={**panel.meta, "snapped_starts": note})


def _check_unique_ids(ids: np.ndarray, file: str | None = None) -> None:
    """Series are looked up by id (``select``, joins on ``unique_id``): ids must be unique."""
    dup = pd.Index(ids).duplicated()
    if dup.any():
        first = ids[int(np.flatnonzero(dup)[0])]
        raise DataValidationError(
            f"{int(dup.sum())} duplicate series id(s), first {first!r}", file=file, series=first
        )


def _weekly_alias(starts: np.ndarray) -> str:
    """``W-MON`` style alias when all series start on the same weekday, else ``7D``."""
    wd = np.unique(pd.DatetimeIndex(starts).dayofweek)
    if wd.size != 1:
        return "7D"
    return "W-" + ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"][int(wd[0])]


def _check_starts_on_grid(panel: Panel, file: str | None) -> None:
    if panel.freq is None:
        return
    on = on_grid(panel.starts, panel.freq)
    if not on.all():
        i = int(np.flatnonzero(~on)[0])
        raise DataValidationError(
            f"series {str(panel.ids[i])!r} starts at {pd.Timestamp(panel.starts[i])}, not on the {panel.freq} grid",
            file=file,
            field="start_timestamp",
        )


def require_panel(panel: Any, field: str = "panel") -> Any:
    """``panel`` when it is a :class:`~tsforge.data.panel.Panel`; a frame or anything else raises
    :class:`ConfigError` saying how to make one (it failed as ``'DataFrame' object has no
    attribute 'lengths'``)."""
    if isinstance(panel, Panel):
        return panel
    raise ConfigError(
        f"{field} must be a tsforge Panel, got {type(panel).__name__}: read a frame or file with "
        "tsforge.data.load.load_panel(data).panel",
        field=field,
    )
