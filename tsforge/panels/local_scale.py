"""The local scale of a history: the unit a conformal score is measured in.

A calibration divides each out-of-sample error by the series' local scale at the forecast
origin — the mean absolute seasonal difference over the last ``scale_window`` values (a panel's:
every value before the origin, :data:`PANEL_SCALE_WINDOW`; a history with fewer than
:func:`min_seasonal_changes` seasonal differences: its step change in the seasonal change's unit,
:func:`season_change_ratio`), optionally floored at a
fraction of the whole history's (:data:`SCALE_FLOOR`), with fallbacks for flat histories and histories of
zeros (the panel's typical change, :func:`typical_scale`; which histories those are,
:func:`zero_histories`, since a calibration keeps their cases apart) — and a served model
multiplies its score quantiles by the same scale of the history a request sends. Why a module
of its own: the scale is a function of a history alone (no model, no scores, no training data),
shared by calibrating, serving and the benchmarks, and its vectorised, memory-bounded
computation over ragged arrays is a job apart from reading conformal ranks. Why this scale, its
floor and the zero-history fallback: the module doc of :mod:`tsforge.panels.conformal`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from tsforge.data.ragged import abs_values_and_counts, range_sums, series_index

__all__ = [
    "PANEL_SCALE_WINDOW",
    "SCALE_FLOOR",
    "WHOLE_HISTORY",
    "MIN_SEASONAL_CHANGES",
    "min_seasonal_changes",
    "default_scale_window",
    "trailing_scale",
    "history_scales",
    "typical_scale",
    "zero_histories",
    "all_zero",
    "flat_history_ratio",
    "season_change_ratio",
    "ScaleFallbacks",
    "scale_fallbacks",
]

#: the values before the origin a panel calibration's local scale is measured over: all of them
#: (doc of :mod:`tsforge.panels.conformal`: chosen over the two-horizon window of
#: :func:`default_scale_window`, which window models keep, on the rolling-origin windows before
#: the development collections' test windows, ``benchmarks/coverage_spread.py``)
WHOLE_HISTORY = int(np.iinfo(np.int64).max // 4)
PANEL_SCALE_WINDOW = WHOLE_HISTORY
#: a panel series' local scale is at least this fraction of its whole history's: none since the
#: scale is the whole history's itself (0.25 under the two-horizon window; doc of
#: :mod:`tsforge.panels.conformal`); the mechanism stays for the benchmarks' candidate designs
SCALE_FLOOR = 0.0
#: a scale at most this fraction of its history's mean |y| counts as none (rounding, not change)
_EPS = 1e-12
#: seasonal differences a history must hold (a season's worth where the season is shorter) for its
#: scale to be their mean; fewer: its step change in the seasonal change's unit
#: (:func:`min_seasonal_changes`)
MIN_SEASONAL_CHANGES = 6


def min_seasonal_changes(season_length: int) -> int:
    """Seasonal differences a history needs before its scale is their mean: ``MIN_SEASONAL_CHANGES``,
    or one per phase of a season shorter than that (a history of two seasons always has enough).

    Why: the mean of a few |y_t − y_{t−m}| is often far below their usual size, and a scale too
    small by a factor scores every error of that case that many times too large: one series of a
    monthly panel calibrated from 13 values (one seasonal difference, 0.31 where its later
    origins gave 6–7) scored ordinary errors 40–70 and set every series' 95 % bound at 2–4 times
    its level. For normal changes the mean of k of them falls below a third of its expected size
    (the ``LONE_RATIO`` at which one series is said to set a bound alone) with probability 21 % at
    k = 1, 3.9 % at 3 and 0.45 % at 6; for heavy-tailed t(4) changes 24 %, 5.9 % and 0.95 %. At 6
    that is under 1 %, well inside the 2.5 % tail a 95 % bound is read from. The step change
    times the panel's season-change ratio (:func:`season_change_ratio`), the rule for a history
    without a seasonal difference, averages ``n − 1`` changes where the seasonal one has
    ``n − m``. At most a season's worth: a history of two seasons holds a seasonal difference per
    phase, and a window model's scale window (:func:`default_scale_window`) is two seasons or
    more, so its scales do not change where its input holds that window.
    """
    m = max(1, int(season_length))
    return min(MIN_SEASONAL_CHANGES, m)


def default_scale_window(horizon: int, season_length: int) -> int:
    """Values before the origin that set the local scale: two horizons or two seasons."""
    return int(max(2 * int(horizon), 2 * max(1, int(season_length)), 2))


def _lag_changes(values: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """|v_t − v_{t−lag}| (0 where either is missing) and the cumulative count (with a leading 0)
    of the finite ones."""
    d = np.full(values.size, np.nan)
    if values.size > lag:
        d[lag:] = np.abs(values[lag:] - values[:-lag])
    ok = np.isfinite(d)
    return np.where(ok, d, 0.0), np.concatenate([[0], np.cumsum(ok)])


def typical_scale(
    values: np.ndarray,
    indptr: np.ndarray,
    season_length: int,
    window: int = WHOLE_HISTORY,
    flat_ratio: float = 1.0,
    season_ratio: float = 1.0,
) -> float:
    """The local scale of a history of zeros: the panel's *typical change*, the median over the
    series that are not all zeros of their own local scale (:func:`trailing_scale` over each
    whole history, in the measure the calibration's scores are divided by; 1.0 when every series
    is zeros, where any constant calibrates and serves alike).

    Why: a series of zeros has no change and no level of its own, and its cases are kept apart
    from the pooled scores (doc of :mod:`tsforge.panels.conformal`). Where they are too few to
    give it a band of their own, it reads the pooled scores, and this scale makes that band the
    one the panel's median series gets: what the typical series would move by from 0. Its unit
    is also what the zero-history cases' own scores are measured in, where it cancels (the band
    is their errors' quantiles). The resolution it replaces (the median series' smallest nonzero |y|) is a
    level on continuous data: upper bounds of 98.7 … 431 at 80 % and up to 1,014.6 at 95 %
    around a forecast of 0 (``tsforge forecast`` of AutoETS), beside demand series around 100.
    """
    v = np.asarray(values, dtype=np.float64)
    ptr = np.asarray(indptr, dtype=np.int64)
    if ptr.size < 2:
        return 1.0
    scales = trailing_scale(
        v, ptr[:-1], ptr[1:], season_length, window, 0.0, np.nan, flat_ratio, season_ratio
    )
    ok = np.isfinite(scales) & (scales > 0)
    return float(np.median(scales[ok])) if ok.any() else 1.0


class ScaleFallbacks(NamedTuple):
    """A panel's scales for the histories that have no seasonal change of their own, each read
    off the panel once and stored with its calibration: a history of zeros (``zero_scale``,
    :func:`typical_scale`), a flat nonzero one (``flat_ratio``, :func:`flat_history_ratio`) and
    one shorter than a season (``season_ratio``, :func:`season_change_ratio`). The field names
    are the keywords :func:`trailing_scale`, ``case_scores`` and ``ConformalCalibration`` take.

    Why one object: every calibration reads all three off the same values and hands them on
    together; computed one by one at each calibration, a new one had to be added at every site."""

    zero_scale: float
    flat_ratio: float
    season_ratio: float


def scale_fallbacks(
    values: np.ndarray, indptr: np.ndarray, season_length: int, window: int = WHOLE_HISTORY
) -> ScaleFallbacks:
    """The :class:`ScaleFallbacks` of the panel ``values`` (``indptr``), the zero-history scale
    measured over the last ``window`` values of each history."""
    flat = flat_history_ratio(values, indptr)
    season = season_change_ratio(values, indptr, season_length)
    zero = typical_scale(values, indptr, season_length, window, flat, season)
    return ScaleFallbacks(zero, flat, season)


def zero_histories(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``[k]`` whether ``values[starts[k]:ends[k]]`` holds no finite nonzero value (vectorised):
    exactly the histories :func:`trailing_scale` gives the zero-history scale (a history with a
    nonzero value has a change or a level to take a scale from).

    Why a test of its own: a calibration keeps these cases out of its pooled scores and a served
    model reads their scores for such a history (doc of :mod:`tsforge.panels.conformal`).
    """
    v = np.asarray(values, dtype=np.float64)
    seen = np.concatenate([[0], np.cumsum(np.isfinite(v) & (v != 0))])
    return np.asarray(seen[np.asarray(ends, dtype=np.int64)] == seen[np.asarray(starts, dtype=np.int64)])


def all_zero(histories: Sequence[np.ndarray]) -> np.ndarray:
    """``[n]`` :func:`zero_histories` of a list of histories (one array each)."""
    return np.fromiter(
        (not np.any(np.isfinite(x) & (x != 0)) for x in (np.asarray(h, dtype=np.float64) for h in histories)),
        dtype=bool,
        count=len(histories),
    )


def flat_history_ratio(values: np.ndarray, indptr: np.ndarray) -> float:
    """The local scale of a flat, nonzero history as a fraction of its level: the median over
    the panel's series of their mean |y_t − y_{t−1}| ÷ their mean |y| (over the series where
    both are positive; 1.0 when none, where the level is all there is).

    Why: a history that never changes (a constant 42) has no change to take a scale from, and
    its level was the scale, so its band was as wide as if the series moved by its whole level
    every step: 0…85 at 80 % three months ahead around 42, beside series moving by about 1 % a
    month. Read off
    the panel, the scale is what the series beside it would have given at that level, in the
    measure the fallback before it uses (the whole history's lag-1 change); a panel of one flat
    series keeps its level.
    """
    v = np.asarray(values, dtype=np.float64)
    ptr = np.asarray(indptr, dtype=np.int64)
    n = ptr.size - 1
    if n <= 0 or v.size == 0:
        return 1.0
    sid = series_index(ptr)
    a = np.abs(v)
    ok_a = np.isfinite(a)
    level_sum = np.bincount(sid[ok_a], weights=a[ok_a], minlength=n)
    level_cnt = np.bincount(sid[ok_a], minlength=n)
    d = np.abs(np.diff(v))
    ok_d = np.isfinite(d) & (sid[1:] == sid[:-1])
    change_sum = np.bincount(sid[1:][ok_d], weights=d[ok_d], minlength=n)
    change_cnt = np.bincount(sid[1:][ok_d], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = level_sum / level_cnt
        change = change_sum / change_cnt
    good = (level_cnt > 0) & (change_cnt > 0) & (level > 0) & (change > _EPS * level)
    return float(np.median(change[good] / level[good])) if good.any() else 1.0


def season_change_ratio(values: np.ndarray, indptr: np.ndarray, season_length: int) -> float:
    """The local scale of a history shorter than a season, as a multiple of its step change: the
    median over the panel's series that hold more than a season of their mean |y_t − y_{t−m}| ÷
    their mean |y_t − y_{t−1}|, and at least 1 (1.0 for a season of 1, or where no series has both).

    Why: the scale's unit is the seasonal change, and a history of at most ``m`` values has none,
    so it took its step change. On trending data that is smaller than the seasonal change (a trend
    adds m steps of drift to a seasonal difference and one to a step change): the calibration's
    scores, measured in seasonal changes, then made its band too narrow by that factor. An 8-value
    monthly series forecast by a model trained on 20 trending seasonal series had its 80 % band
    cover 41.7 % of 617 new series' next year (57–58 % from 16–24 values), and its step-1 band
    missed its own last value for half of them. Read off the panel like :func:`flat_history_ratio`,
    the ratio puts the short history's change in the unit the series beside it are scored in.

    Why at least 1: on strongly seasonal data without much trend the seasonal difference takes the
    season out and the ratio falls below 1 (NN5 daily 0.66), but a model given less than a season
    cannot forecast the season either, so its errors carry the seasonal swing its step change
    measures: scaled down by 0.33 on a panel of pure seasons, new 8-value series' 80 % bands covered
    19.9 % of their next year, against 55.1 % at the step change.
    """
    m = max(1, int(season_length))
    v = np.asarray(values, dtype=np.float64)
    ptr = np.asarray(indptr, dtype=np.int64)
    n = ptr.size - 1
    if m <= 1 or n <= 0 or v.size <= m:
        return 1.0
    sid = series_index(ptr)
    ratios = []
    for lag in (m, 1):
        d = np.abs(v[lag:] - v[:-lag])
        ok = np.isfinite(d) & (sid[lag:] == sid[:-lag])
        total = np.bincount(sid[lag:][ok], weights=d[ok], minlength=n)
        count = np.bincount(sid[lag:][ok], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios.append(total / count)
    seasonal, step = ratios
    good = np.isfinite(seasonal) & np.isfinite(step) & (step > 0) & (seasonal > 0)
    return max(1.0, float(np.median(seasonal[good] / step[good]))) if good.any() else 1.0


def trailing_scale(
    values: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    season_length: int,
    window: int,
    floor_fraction: float = 0.0,
    zero_scale: float = 1.0,
    flat_ratio: float = 1.0,
    season_ratio: float = 1.0,
    seasonal_changes: int | None = None,
) -> np.ndarray:
    """``[k]`` local scale of every history ``values[starts[k]:ends[k]]`` (vectorised).

    Mean |y_t − y_{t−m}| over the last ``window`` values (when they hold fewer than
    :func:`min_seasonal_changes` seasonal differences, none at all included: mean
    |y_t − y_{t−1}| times ``season_ratio``, see :func:`season_change_ratio`);
    where that is none (a flat or nearly empty stretch: at most ``_EPS`` of the history's mean
    |y|): mean |y_t − y_{t−1}| over the whole history, then ``flat_ratio`` × mean |y| over it
    (a flat nonzero history, see :func:`flat_history_ratio`), then ``zero_scale`` (a history of
    zeros, :func:`zero_histories`; a panel's is :func:`typical_scale`) — a scale must be
    positive, or an interval collapses to a point on the first flat stretch of an intermittent
    series.

    ``floor_fraction`` > 0 keeps the scale at least that fraction of the same measure over the
    whole history: a series flat just before the origin (local scale 0.006–0.13 of its usual
    change on vehicle trips, COVID deaths and M4 hourly) otherwise gets a near-zero-width
    interval from it, and its calibration cases score in the thousands.

    ``seasonal_changes``: the seasonal differences a history needs for the seasonal scale
    (``None``: :func:`min_seasonal_changes`; 1: the rule before it, which a calibration saved
    before it stores, so it serves the scales its scores were divided by).
    """
    values = np.asarray(values, dtype=np.float64)
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    out = np.empty(starts.size)
    for lo, hi in _range_groups(starts, ends, SCALE_CHUNK_VALUES):
        a, b = (int(starts[lo:hi].min()), int(ends[lo:hi].max())) if hi > lo else (0, 0)
        out[lo:hi] = _trailing_scale(
            values[a:b],
            starts[lo:hi] - a,
            ends[lo:hi] - a,
            season_length,
            window,
            floor_fraction,
            zero_scale,
            flat_ratio,
            season_ratio,
            seasonal_changes,
        )
    return out


#: values one pass of :func:`trailing_scale` works on at most (its lag terms are several arrays of
#: that size: about 200 MB for 4M values)
SCALE_CHUNK_VALUES = 1 << 22


def _range_groups(starts: np.ndarray, ends: np.ndarray, chunk: int) -> list[tuple[int, int]]:
    """Consecutive groups ``[lo, hi)`` of the ranges whose lengths add up to about ``chunk``
    values each (at least one range a group; one empty group for no ranges).

    Why: a window model's calibration batch is 256 windows × every channel × the input length
    (26M values for 300 channels of 336 steps), and the scale's lag terms held five arrays of
    that size at once: 3.3 GB of memory to train DLinear on a 48 MB table. Each range's scale
    reads only its own values (a lag pairs values inside the range; ``range_sums`` sums each
    range on its own), so a group sliced out of ``values`` gives the same floats.
    """
    n = starts.size
    if n == 0:
        return [(0, 0)]
    csum = np.cumsum(np.maximum(ends - starts, 0))
    groups, lo = [], 0
    while lo < n:
        done = int(csum[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(csum, done + chunk, side="right")))
        groups.append((lo, min(hi, n)))
        lo = min(hi, n)
    return groups


def _trailing_scale(
    values: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    season_length: int,
    window: int,
    floor_fraction: float,
    zero_scale: float,
    flat_ratio: float = 1.0,
    season_ratio: float = 1.0,
    seasonal_changes: int | None = None,
) -> np.ndarray:
    """:func:`trailing_scale` of ranges of one slice of values."""
    sums = _ScaleSums(values)
    ratios = (zero_scale, flat_ratio, season_ratio, seasonal_changes)
    local = _windowed_scale(sums, starts, ends, season_length, int(window), *ratios)
    if floor_fraction <= 0:
        return local
    whole = _windowed_scale(sums, starts, ends, season_length, WHOLE_HISTORY, *ratios)
    return np.maximum(local, float(floor_fraction) * whole)


class _ScaleSums:
    """The terms of one values array, each computed once: the lagged |changes| (per lag) and
    |y|, with cumulative counts of the observed ones (counts are exact as prefix sums; the sums
    themselves are taken per range, see :func:`range_sums`). The floored scale measures two
    windows over the same terms."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self._lags: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.abs_values, self.abs_counts = abs_values_and_counts(values)

    def lag(self, lag: int) -> tuple[np.ndarray, np.ndarray]:
        if lag not in self._lags:
            self._lags[lag] = _lag_changes(self.values, lag)
        return self._lags[lag]


def _windowed_scale(
    sums: _ScaleSums,
    starts: np.ndarray,
    ends: np.ndarray,
    season_length: int,
    window: int,
    zero_scale: float,
    flat_ratio: float = 1.0,
    season_ratio: float = 1.0,
    seasonal_changes: int | None = None,
) -> np.ndarray:
    """:func:`trailing_scale` over the last ``window`` values, without the floor."""
    m = max(1, int(season_length))
    a = np.maximum(starts, ends - window)
    k = min_seasonal_changes(m) if seasonal_changes is None else max(1, int(seasonal_changes))
    lag = np.where(ends - a >= m + k, m, 1)
    out = np.full(starts.size, np.nan)
    for L in np.unique(lag):
        sel = lag == L
        d, c = sums.lag(int(L))
        lo, hi = a[sel] + L, ends[sel]
        lo = np.minimum(lo, hi)
        cnt = c[hi] - c[lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[sel] = np.where(cnt > 0, range_sums(d, lo, hi) / np.maximum(cnt, 1), np.nan)
    if m > 1:  # too few seasonal differences: the step change, in the seasonal change's unit
        out[lag == 1] *= float(season_ratio)
    cc = sums.abs_counts
    n_obs = cc[ends] - cc[starts]
    level = np.where(n_obs > 0, range_sums(sums.abs_values, starts, ends) / np.maximum(n_obs, 1), 0.0)
    tiny = _EPS * level  # unit-free: a scale is "none" relative to the history's own size
    bad = ~(out > tiny)
    if bad.any():
        d1, c1 = sums.lag(1)
        lo, hi = np.minimum(starts[bad] + 1, ends[bad]), ends[bad]
        cnt = c1[hi] - c1[lo]
        fb = np.where(cnt > 0, range_sums(d1, lo, hi) / np.maximum(cnt, 1), np.nan)
        lv = level[bad]
        fb = np.where(fb > tiny[bad], fb, np.where(lv > 0, float(flat_ratio) * lv, float(zero_scale)))
        out[bad] = fb
    return out


def history_scales(
    histories: Sequence[np.ndarray],
    season_length: int,
    window: int,
    floor_fraction: float = 0.0,
    zero_scale: float = 1.0,
    flat_ratio: float = 1.0,
    season_ratio: float = 1.0,
    seasonal_changes: int | None = None,
) -> np.ndarray:
    """:func:`trailing_scale` of a list of histories (one array each)."""
    lens = np.fromiter((np.asarray(h).size for h in histories), dtype=np.int64, count=len(histories))
    values = (
        np.concatenate([np.asarray(h, dtype=np.float64).ravel() for h in histories])
        if len(lens)
        else np.empty(0)
    )
    ends = np.cumsum(lens)
    return trailing_scale(
        values,
        ends - lens,
        ends,
        season_length,
        window,
        floor_fraction,
        zero_scale,
        flat_ratio,
        season_ratio,
        seasonal_changes,
    )
