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

This module holds the :class:`Panel` class (its views, subsets and constructors) and
:func:`require_panel`. The rest lives beside it: array numerics on the CSR layout in
:mod:`~tsforge.data.ragged`, the step grid of a frequency in :mod:`~tsforge.data.calendar_grid`,
reading a long frame in :mod:`~tsforge.data.panel_long`, the checks every constructor shares in
:mod:`~tsforge.data.panel_checks` and the rules a ``.tsf`` collection is read with in
:mod:`~tsforge.data.panel_tsf`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data.calendar_grid import fixed_step_ns, grid_points, grid_positions, grid_room
from tsforge.data.frequency import date_words, grid_words, rate_words
from tsforge.data.frequency import season_length as _season_length
from tsforge.data.panel_checks import check_series_sizes, check_unique_ids
from tsforge.data.panel_tsf import (
    check_starts_on_grid,
    starts_snapped_to_periods,
    weekly_alias,
    without_unobserved,
)
from tsforge.data.ragged import fill_missing_ragged, gather_index, series_index
from tsforge.data.validation import TIME_RANGE_TEXT, fixed_steps_left, steps_past_range
from tsforge.errors import ConfigError, DataValidationError

__all__ = ["Panel", "require_panel"]


def _past_range_on_grid(lo: int, idx: np.ndarray, freq: str) -> np.ndarray:
    """Whether each position ``idx`` of the ``freq`` calendar grid from ``lo`` (int64 ns) lies
    past the last instant a time axis holds: the grid counted in microseconds, on the grid a
    model's calendar input is dated on (:func:`~tsforge.data.validation.calendar_steps_us`),
    which holds dates far past it (pandas' nanosecond range stops at the first date it cannot
    hold, naming no step). Counted as the grid's room (:func:`~tsforge.data.calendar_grid.grid_room`,
    on that microsecond grid): the grid up to the step asked for may not end at all (200,000
    months from 1700 reach the year 18366, where pandas' offsets raised "did not increment
    date"), and may be far longer than the room (3 million business days)."""
    return idx > grid_room(lo, freq)


def _steps_left(starts: np.ndarray, fixed: int) -> np.ndarray:
    """How many ``fixed``-ns steps after each start (int64 ns) a time axis holds, counted as a
    window model's forecast dates count them (:func:`~tsforge.data.validation.fixed_steps_left`),
    so a series refused by one kind of model is refused by the other."""
    return np.array([fixed_steps_left(int(s), fixed) for s in starts], dtype=np.int64)


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
        each ``series``: datetime64[ns] for dated panels, int64 otherwise. Vectorised.

        Raises :func:`~tsforge.data.validation.steps_past_range` of the first of ``series`` whose
        steps run past the dates a time axis holds (2262-04-11), naming it: fixed steps wrapped
        round to 1677 without a word, calendar ones raised pandas' ``OutOfBoundsDatetime``, and
        the forecaster then had to guess which series it was.
        """
        series = np.asarray(series, dtype=np.int64)
        step = np.asarray(step, dtype=np.int64)
        if series.size == 0:  # an empty chunk (a CV window no series is long enough for)
            return np.empty(0, dtype="datetime64[ns]" if self.is_datetime else np.int64)
        starts = self._start_ns()
        if starts is None:
            base = np.zeros(len(self), dtype=np.int64) if self.starts is None else self.starts
            return base[series] + step * self.int_step
        fixed = fixed_step_ns(self.freq)
        if fixed is not None:
            if int(step.max()) > fixed_steps_left(int(starts.max()), fixed):  # some may pass: which
                self._refuse_past_range(series, step, step > _steps_left(starts, fixed)[series])
            return (starts[series] + step * fixed).view("datetime64[ns]")
        freq = self._calendar_freq()
        p0, on = self._start_positions
        if not on.all():
            bad = int(np.flatnonzero(~on)[0])
            # ``series`` names the culprit so a caller (the service) can point at its input
            # without reading the message; ``starts`` is the panel's field that is off the grid
            raise DataValidationError(
                f"series {str(self.ids[bad])!r} starts at {date_words(starts[bad])}, not on {grid_words(freq)}",
                field="starts",
                series=str(self.ids[bad]),
            )
        idx = p0[series] + step
        lo = int(starts.min())
        try:
            grid = grid_points(lo, int(idx.max()) + 1, freq)
        except pd.errors.OutOfBoundsDatetime:
            self._refuse_past_range(series, step, _past_range_on_grid(lo, idx, freq))
            raise  # no step of a series lies past the range: another error, raised as it is
        return grid[idx].view("datetime64[ns]")

    def _refuse_past_range(self, series: np.ndarray, step: np.ndarray, past: np.ndarray) -> None:
        """Refuse the first of ``series`` with a position (``step``) that ``past`` marks, naming it,
        its last time and how many steps after it were asked for; return where none is marked.

        A series whose own values run past the range (a panel built from arrays, whose starts
        and lengths nothing dated) is refused as such (:meth:`_refuse_own_values_past_range`):
        its last time cannot be shown. Why: the last time was asked of :meth:`times_at`, which
        for such a series came back here for it, and so on until ``RecursionError``. Asked for
        the last time alone, that step is marked and at most its own series, so the recursion
        stops one call down.
        """
        if not past.any():
            return
        first = int(np.flatnonzero(past)[0])
        i = int(series[first])
        end = int(self.lengths[i]) - 1
        if int(step[past & (series == i)].min()) <= end:  # a value of its own lies past the range
            self._refuse_own_values_past_range(i)
        last = self.times_at(np.array([i]), np.array([end]))[0]
        sid = str(self.ids[i])
        raise steps_past_range(sid, last, int(step[series == i].max()) - end)

    def _refuse_own_values_past_range(self, i: int) -> None:
        """Refuse series ``i``, whose own values reach past the dates a time axis holds, as a file
        with such a date is refused (number the steps instead), naming its start and length."""
        sid = str(self.ids[i])
        start = date_words(int(self.starts.view(np.int64)[i])) if self.starts is not None else "?"
        n = int(self.lengths[i])
        raise DataValidationError(
            f"series {sid!r} starts at {start} and its {n} {rate_words(str(self.freq))} values run past the "
            f"dates tsforge can hold ({TIME_RANGE_TEXT}); number the steps instead (integers) and "
            "give the frequency",
            field="starts",
            series=sid,
        )

    def _start_ns(self) -> np.ndarray | None:
        """The starts of a dated panel as int64 nanoseconds; None for integer time."""
        if self.starts is None or self.starts.dtype.kind != "M":
            return None
        return self.starts.view(np.int64)

    def _calendar_freq(self) -> str:
        """The frequency that places a dated panel's times on its calendar.

        Why an error without one: a date cannot be counted in steps of no frequency; ``steps_at``
        counted days there (``pd.date_range`` defaults to daily), while ``times_at`` refused.
        """
        if self.freq is None:
            raise DataValidationError("a dated panel needs a frequency to place its timestamps")
        return self.freq

    @functools.cached_property
    def _start_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """Every start's position on the calendar grid anchored at the earliest start, and whether
        it lies on that grid (``grid_positions`` of the starts), computed once per panel.

        Why cached: :meth:`times_at` for one series (``timestamps(i)``, a forecast's dates) placed
        every series' start again, so labelling a 50,000-series monthly panel series by series
        cost 50,000² start placements (``tsforge forecast`` took 91 s of CPU instead of 31, and
        ``tsforge evaluate`` 124 s instead of 16). A panel is frozen: its starts and frequency
        never change.
        """
        starts = self._start_ns()
        # asked for by times_at only, for a dated panel with a frequency (it checks both first)
        assert starts is not None
        return grid_positions(starts, self._calendar_freq())

    def steps_at(self, series: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`times_at`: the position of each time in its series' step grid
        (0 = first value; negative before the start). Vectorised."""
        series = np.asarray(series, dtype=np.int64)
        starts = self._start_ns()
        if starts is None:
            base = np.zeros(len(self), dtype=np.int64) if self.starts is None else self.starts
            return (np.asarray(times, dtype=np.int64) - base[series]) // self.int_step
        t = np.asarray(times, dtype="datetime64[ns]").view(np.int64)
        fixed = fixed_step_ns(self.freq)
        if fixed is not None:
            return (t - starts[series]) // fixed
        both = np.concatenate([starts, t])
        pos, _ = grid_positions(both, self._calendar_freq())
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
        flat = gather_index(self.indptr, idx, np.zeros_like(idx), lens)
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
                f"{bad.size} series {'has' if bad.size == 1 else 'have'} no value left after cutting {self.lengths[bad[0]] - keep[bad[0]]} values, "
                f"first {self.ids[bad[0]]!r} (length {self.lengths[bad[0]]})",
                field="h",
            )
        idx = np.arange(len(self))
        flat = gather_index(self.indptr, idx, np.zeros_like(idx), keep)
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
        flat = gather_index(self.indptr, idx, first, count)
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
        ids: Sequence[Any] | np.ndarray | None = None,
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
        values = (
            np.concatenate([np.asarray(a, dtype=dtype).ravel() for a in arrays])
            if len(arrays)
            else np.empty(0, dtype=dtype)
        )
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
        check_unique_ids(panel.ids)
        check_series_sizes(panel.ids, panel.indptr, panel.values)
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
        (:func:`~tsforge.data.panel_tsf.without_unobserved`,
        :func:`~tsforge.data.panel_tsf.starts_snapped_to_periods`).
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
                freq = weekly_alias(starts)
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
        check_unique_ids(panel.ids, file)
        panel = without_unobserved(panel, file)  # what the size check refuses elsewhere, left out
        if starts is not None:
            panel = starts_snapped_to_periods(panel, file)
            check_starts_on_grid(panel, file)
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
        *,
        file: str | None = None,
        drop_too_few: bool = False,
    ) -> Panel:
        """Panel from a long frame (pandas or polars), one row per (series, time).

        Rows are sorted per series; series keep the order of their first row. The frequency is
        inferred per panel (from the longest series) unless ``freq`` is given; integer ``ds``
        is integer time (step 1). Errors name the series, the column and the (0-based) row:
        a series with one value, a non-numeric or infinite value, a duplicate date inside one
        series, and spacing that is not one step (``fill_gaps=True`` inserts NaN instead).
        All work is column-wise NumPy/polars; there is no Python loop over rows or series.
        ``file``: the table ``frame``'s rows were read from, as they are in it; the errors then
        name a row of a CSV file by its line (``on line 7 of sales.csv``) and name the file.
        ``drop_too_few``: leave out the series with fewer than two observed values, with a note
        naming them, instead of refusing the frame (a new product with its first sale).
        """
        # panel_long builds a Panel: imported here, not at the top (a cycle)
        from tsforge.data.panel_long import read_long_frame, select_long_columns

        df = select_long_columns(frame, id_col, time_col, target_col, file)
        return read_long_frame(
            df,
            id_col,
            time_col,
            target_col,
            freq,
            season_length,
            name,
            dtype,
            fill_gaps,
            file=file,
            drop_too_few=drop_too_few,
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
