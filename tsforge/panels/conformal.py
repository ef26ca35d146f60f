"""Conformal prediction intervals and quantiles around any point forecaster.

The method (split conformal on out-of-sample residuals, per horizon step):

1. **Residuals.** Forecast windows the model did not see — for local panel models the most
   recent rolling-origin windows of the training history, refitting per window
   (:func:`~tsforge.panels.calibrate.calibration_cv`,
   :func:`~tsforge.panels.calibrate.calibrate_panel`); for global panel models the validation
   window they were early-stopped on but never fitted to
   (:func:`~tsforge.panels.calibrate.calibrate_forecasts`, no extra fit — a refit per window
   would cost minutes), except on a panel of fewer than ``MIN_RESOLVED`` series, where that
   window resolves no 95 % interval and a refit per window is cheap (the rolling-origin windows
   of a local model, :func:`~tsforge.panels.calibrate.global_calibration_windows`); for window
   models the validation windows (:func:`~tsforge.panels.calibrate.calibrate_task`) — and keep
   the signed errors ``y − ŷ`` per horizon step. Only values before each window's cutoff are
   used to forecast it, and every window lies before the test window: nothing of what the
   intervals are scored on leaks in. One choice is taken from the whole training history:
   ``auto_ets``'s refits on fewer than three seasons keep the seasonal form its final fit chose
   there (:func:`~tsforge.panels.calibrate.calibration_forms`), since refits that chose their own
   form on too little history calibrated another model than the one served (an 80 % band over
   20 short monthly series covered 29 % of the test window; 85 % with the kept form). A case
   whose refit saw less than one season, of a series whose history sees one, is left out
   (:func:`~tsforge.panels.calibrate.short_refit_cases`; the longest of them stay where the
   others number fewer than the 39 a 95 % interval needs): no model sees a season in it, and
   on 20 short monthly series such cases scored about five times the others and widened every
   series' band (AutoETS's 80 % band: 4.69 → 2.95 seasonal-naive MAEs wide, covering 97.5 →
   87.9 % of the test window). One season rather than two was chosen on the 46 windows before
   the development collections' test windows (mean coverage error 4.37 points, against 4.53
   keeping every case and 4.58 leaving out refits on under two seasons).
2. **Scale-free scores.** Each error is divided by the series' *local scale* at the forecast
   origin: the mean absolute seasonal difference over the last ``scale_window`` values before
   it — for panel models every value before it (``PANEL_SCALE_WINDOW``), for window models two
   horizons or two seasons, whichever is longer, within the input window. Why: series of very
   different levels and volatilities can then share one set of scores. The scale is a function
   of the history alone, so it is recomputed from whatever history a request sends: no training
   data is needed at serving time (a panel model's band therefore depends on how much history a
   request sends, as its point forecast does).
3. **Quantiles.** The quantile at probability ``p`` is ``ŷ + s · r_(k)``, with ``r_(k)`` the
   ``k``-th smallest score of that step, ``k = ⌈(n + 1) p⌉`` above the median and
   ``⌊(n + 1) p⌋`` below it (the finite-sample conformal rank, so a central ``1 − a`` interval
   covers at least ``1 − a`` when windows are exchangeable; ``rank_rule="unbiased"`` reads the
   interpolated rank ``(n + 1) p`` instead, whose expected coverage is exactly nominal — the
   leave-one-collection-out comparison in ``benchmarks/intervals.py`` was a near tie, 7 of 12
   folds for the conservative rule, which also keeps the guarantee). Signed scores (not
   ``|e|``) let the interval be asymmetric where the model is biased or the errors skewed.
   Quantiles are then sorted, so intervals never cross and always contain the median.

**Per series or pooled** — decided per series and request: a series uses *its own* scores when
it has enough windows to resolve every requested probability with a finite rank
(``n ≥ p / (1 − p)`` and ``n ≥ 1/p − 1``: 9 windows for an 80 % interval, 39 for 95 %), and
the scores pooled over all series otherwise. Why this rule: below it the series' own
conformal bound does not exist (the rank falls outside its scores), above it the series'
own errors are exchangeable with its future errors, which pooled scores of other series need
not be. In practice: window models (thousands of validation windows per channel) are
calibrated per channel; panels (one or two windows per series) are pooled per horizon step,
every series weighing the same (a series' ``k`` windows count ``1/k`` each: a test window is
one case per series, and long series would otherwise dominate the scores). The number of scores
the conformal ranks are read against is then the weights' effective sample size (Kish,
``(Σw)² / Σw²``): the number of cases when every series has as many windows, the number of
series when one series holds nearly all of them.

**How many windows** (:func:`~tsforge.panels.calibrate.calibration_windows`): the fewest *most
recent* windows that give ``MIN_SCORES`` = 300 scores per step (at most ``MAX_WINDOWS`` = 5).
Why 300: the conformal coverage of each tail is then within ``[nominal, nominal + 1/(n + 1)]``,
a third of a point, under exchangeability, and a panel of 100 to 299 series calibrates on two or
three windows, so one window's shift weighs less. Why the most recent and no more: errors drift
— older windows were fitted on shorter histories, in other regimes. In
``benchmarks/intervals.py`` a leave-one-collection-out comparison over the twelve dev
collections (criterion: the default model's coverage error at 80 and 95 %) chooses between 100,
300 and 1,000 scores: it took 300 in 11 of 12 folds once AutoETS kept long seasons (NN5 weekly:
67.3 / 92.7 % with 100, 79.7 / 95.0 % with 300); before that the folds had split 7 / 5 for 100.
On a panel of 300 or
more series this is one window (the validation window), so calibrating a local model costs no
extra fit. **A panel of few series** (a handful of stores, one sensor) cannot reach 300 scores
in 5 windows; it gets the fewest most recent windows that give ``MIN_RESOLVED`` = 39 scores —
what a 95 % interval needs to exist — at most 39 windows (one series: 39 windows, its own
scores). Why: with five windows a panel of six series had 30 scores and no 95 % interval at all
(its bounds were the most extreme scores seen, and said so); a few more refits of a few series
are cheap, and the alternative users were left with was no interval.

**One series sets a clamped bound.** Where a level stays unresolved (a panel of a dozen series:
25 effective scores against the 39 a 95 % interval needs), its bound at a step is the most
extreme pooled score, and one series' error can be that bound for every series reading the
pooled scores: a stock-out (four zeros in a series around 115) in one of twelve series' last
windows set every series' 95 % lower bound to about 0 at three of twelve steps, while the note
said only that the scores were too few. So the calibration keeps, per step and end, the series
whose most extreme score lies farthest from the step's median score and how many times as far
as any other series' (``lone_ids``, ``lone_ratio``; from :meth:`ConformalCalibration.from_scores`),
and the resolution note (:meth:`ConformalCalibration.shortfall`) names it at the steps where
that end is clamped and the ratio exceeds ``LONE_RATIO`` = 3. The ratio is how many times that
series widens that side of the band there: without its cases the clamped bound is the next
series' extreme. Why 3 and not 2: exchangeable errors (12 series × 2 windows × 12 steps, shocks
accumulating over the steps, as a model's errors do; ``_lone_extremes`` on simulated scores)
named some series at 2 on 58 % of normal and 80 % of t(4) panels, at 3 on 8.5 % and 27 %;
that walk's panel with the zeros replaced reaches 2.2 and its stock-out 4.0–11.5. Only the
note changes, not the bounds (they are the benchmarked design above). Calibrations saved
before keep no such series and say the note as before.

**One series sets a resolved bound.** A level can be resolved and still read its bound off one
series: on 20 monthly series with 70 effective scores (enough for 95 %) the 97.5 % rank was the
top score, and one series' errors, scored over a scale read off a single seasonal difference,
lay 7–39 times as far out as any other series'; every series' 95 % upper bound was 2–4 times
its level, and nothing was said. So the note also names a series where a bound the scores
resolve lies more than ``LONE_RATIO_RESOLVED`` = 10 times as far from the step's median as any
other series' most extreme score (the bound's distance is read off the stored scores: a fraction
of the way out to the most extreme one, which is ``lone_ratio``'s; a clamped bound is all the
way). Why 10, not 3: where the level is resolved this note is the only one said, and
exchangeable scores (normal and t(4), 4–40 series × 1–10 windows × 12 steps, 400 panels each,
``_lone_bounds`` on simulated scores) passed 3 on up to 23 % of t(4) panels of few series and 5
on up to 2.5 %, but never 7.6: the note fires where one series breaks exchangeability, not on a
heavy tail. The walk's panel says it at steps 1–5 (11.5–39.4 times), and none of the twelve
development collections' calibrations says it. The bounds do not change.

**Why the whole history sets a panel's scale** (``benchmarks/coverage_spread.py``): the design
was first chosen by leave-one-collection-out on the official test windows themselves, one window
per collection, and took the two-horizon window with the floor below. One window's pooled
coverage moves from window to window under the same design (at 80 %, a standard deviation of
3–19 points by collection, median 7), so that choice read mostly noise. Scored on every rolling-origin window before each collection's test window (46
windows, each calibrated on the windows before it), the whole history's scale erred 4.62 points
on average against 5.09 for the two-horizon window with the floor; chosen on the other
collections' earlier windows it won all 12 folds, and over every window (58, test windows
included) its MSIS was lower on 57 % at both levels. On the test windows alone it erred more
(2.74 against 2.41 points), the window the old choice had been made on. A recent window follows
a series' volatility, but a few values flat before the origin or a burst just before it set the
whole band; the whole history's changes are the steadier unit.

**A floor on the local scale** (``SCALE_FLOOR``, now 0: the whole history's scale is its own
floor; 0.25 under the two-horizon window): a panel series' scale was at least a quarter of the
same measure over its whole history (before the origin). Why: a series flat just
before the origin (vehicle trips, COVID deaths, M4 hourly: local scales of 0.006–0.13 of the
usual change) got a near-zero-width interval, and its calibration cases scored in the thousands,
widening every other series' bounds. In ``benchmarks/intervals.py`` the leave-one-collection-out
choice among fractions 0, 0.25 and 0.5 (on top of the design above, criterion: the default
model's coverage error) took 0.25 in 11 of 12 folds. With it on every collection, AutoETS's
MSIS fell on 9 of 12 collections at both levels (95 %: COVID deaths 90.2 → 88.2, FRED-MD 6.19
→ 5.70; it rose only on CIF 2016, by 0.2 %), its mean coverage error went from 2.76 to 2.72
points and 5 collections instead of 4 are within ±2.5 points at both levels. AutoTheta's MSIS
fell by 1–2 % on average and seasonal naive's by 0.4 %; seasonal naive's coverage error rose
from 3.0 to 3.2 points. (Those numbers were measured with 100 scores per step; see above for
300.) Window models (an input window of a
few hundred values, thousands of calibration windows) keep the plain local scale: the floor was
not measured there.

**A history of nothing but zeros** (a part not yet sold, a product discontinued, a region before
its first case) has no change and no level to take a scale from, and its errors are of another
kind: a forecast of 0, exact until the series starts, then off by whatever it starts at. So the
calibration cases forecast from such a history
(:func:`~tsforge.panels.local_scale.zero_histories`) are kept out of the pooled and own scores
and stored apart (``zero``): no series with a nonzero history reads them. A series' ``k`` cases
weigh ``1/k`` wherever they fall, so the pooled scores are the panel's one-case-per-series scores
given a nonzero history. A history of zeros reads the zero-history scores where they resolve
every requested level (the finite-rank rule above, against their effective count), the pooled
scores otherwise; either is scaled by the panel's *typical change*
(:func:`~tsforge.panels.local_scale.typical_scale`: the median over the series that are not all
zeros of their own local scale, stored as ``zero_scale``). Over its own scores the unit cancels
(the band is their errors' quantiles); over the pooled ones the band is the panel's median
series' band: what a typical series would move by from 0.

Why apart, and why this scale: a zero-history case's score is its error over whatever scale it
is given, and pooled it sets every series' bounds. The panel's *resolution* (the median series'
smallest nonzero |y|, the scale until then; a fixed 1 before it, a thousand times too wide on a panel in thousands) is 1 on counts but
a *level* on continuous data: on 20 demand series around 100 and one discontinued product of
zeros, that product's 95 % bound reached 261 around a forecast of 0 (AutoETS, the resolution
77 times the pooled scores, errors over a change), where the series move by about 11 a step; it
is now 36, the median series' own band. The panel's smallest step instead scored a launch inside
the calibration windows (zeros, then about 100) in the thousands and made the other series' 95 %
bands 13,000 wide instead of 70 (the review of that design); apart, their bands are those of
the panel without it. Why ``1/k`` over all of a series' cases: reweighting its nonzero cases to a
whole series over-weighed the series that were mostly zeros (recent starters, a count or two over
a small scale): the 95 % bands of car parts' other series came out 1.5 times as wide as with
``1/k``. What it moves on the collections with histories of zeros (``benchmarks/intervals.py``,
AutoETS, conformal, test window; hospital has none and is unchanged): car parts 77.7/95.9 % →
78.9/96.8 %, MSIS 6.47/14.47 → 6.40/14.98; COVID deaths 82.5/94.6 % → 84.1/94.6 %, MSIS
41.69/107.53 → 42.19/107.33 (its WQL rose from 0.0374 to 0.0419: the other series' bands widen
where the zeros' scores of 0 had narrowed them). Over the earlier rolling-origin windows too
(``benchmarks/coverage_spread.py``'s draws) the mean coverage error fell on COVID deaths from 12.3
to 6.6 points (its early windows, many series still at zero: 16 → 73 % at 80 for the series
already counting deaths) and rose on car parts from 3.9 to 4.8. Calibrations given no zero-history
cases (window models, whose windows are standardised) and bundles saved before keep those cases
pooled, with the scale they stored, and serve as they did. The thresholds below which a scale
counts as "none" are relative to the history's mean |y|, not absolute, for the reason a fixed 1
failed.

**A flat history that is not zero** (a constant 42: a price never changed, a fixed order) has no
change to take a scale from either, and its level was its scale, so its band was as wide as if
it could lose its whole level every step (80 % three months ahead: 0…85 beside series moving by
about 1 % a month). Its scale is its level times the panel's *flat-history ratio*
(:func:`~tsforge.panels.local_scale.flat_history_ratio`: the median over series of their mean
|lag-1 change| ÷ mean |y|, stored with the calibration): the change its neighbours show at its
level. A panel with no series that changes (one flat series alone) keeps the level, and so do
bundles saved before the ratio existed.

**A history shorter than a season** (a new product's first months) has no seasonal change, the
scale's unit, and took its step change |y_t − y_{t−1}|, which on trending data is smaller: the
scores it is multiplied by were measured in seasonal changes, so its band was too narrow by that
factor. AutoETS trained on 30 monthly series covered 34.7 % of the next year of
new 8-value series at 80 %, against 46.0 % for 16-value ones. Its step change is now multiplied
by the panel's *season-change ratio* (:func:`~tsforge.panels.local_scale.season_change_ratio`:
the median over series longer than a season of their mean seasonal change ÷ mean step change,
stored with the calibration; 1.38 there): 47.9 % against 45.5 %. The ratio is at least 1: on
seasonal data without much trend it falls below 1 (NN5 daily 0.66), but a model given less than a
season cannot forecast the season, so a short history's errors carry the swing its step change
measures (scaled by 0.33 on a panel of pure seasons, its 80 % band covered 19.9 % against 55.1 %). The calibration's own cases
from such histories are scored the same way. So is a history with **too few seasonal
differences** (fewer than six, or than a season's worth where the season is shorter:
:func:`~tsforge.panels.local_scale.min_seasonal_changes`): the mean of one or two is often far
below their usual size, and a series calibrated right after its first season (13 monthly
values, one seasonal difference of 0.31 where its later origins gave 6–7) scored ordinary errors
40–70 and set every series' 95 % bound. Six keeps the chance of a scale under a third of its due
below 1 % for normal and t(4) changes; ``docs/intervals.md`` has the measurement on the earlier
windows. Chosen on ``benchmarks/coverage_spread.py``'s 46
earlier windows (mean coverage error 4.37 → 4.27 points, 17 → 18 within ±2.5 at both levels; the
other eleven collections chose it in 11 of 12 folds); bundles saved before it keep the step change.

**Non-negative data** (:func:`nonnegative_floor`): when every value the model was calibrated on is
``>= 0`` (sales, counts, prices, traffic: 11 of the 12 development collections), quantiles stop at
0 for a series whose own history is non-negative too. Why: ``ŷ + s · r`` knows nothing of the
data's support, and a lower bound of −40 units sold is wrong to a planner; clipping at a bound the
outcome cannot cross never loses coverage and only narrows the interval (MSIS falls or stays).
Why both conditions: a non-negative history alone (a temperature series in summer) says little,
a model trained on data that never went below 0 says much; a model trained on data with negative
values never clips.

Any predictor can be wrapped: :class:`ConformalCalibration` takes point forecasts, the
histories they were made from and the series ids, and returns quantiles
(:meth:`ConformalCalibration.quantiles`); it is saved with the model (``calibration.npz``).

**Where the code is.** This module holds the calibration itself — :class:`ConformalCalibration`
(the stored scores, their conformal ranks and quantiles, ``calibration.npz``) and the
non-negative floor — and this explanation of the whole method, since every entry point builds
that object. The local scale the scores are divided by is :mod:`tsforge.panels.local_scale` (a
function of a history alone, recomputed at serving time). Calibrating a model — which windows to
forecast, their cases and scores, on panels and for window models — and scoring its intervals is
:mod:`tsforge.panels.calibrate`.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tsforge.errors import ConfigError, IntervalResolutionWarning
from tsforge.inference import sorted_quantiles
from tsforge.panels.local_scale import all_zero, history_scales, min_seasonal_changes

__all__ = [
    "CALIBRATION_FILE",
    "ConformalCalibration",
    "nonnegative_floor",
    "floor_quantiles",
]

#: order statistics kept per horizon step (pooled) and per (series, step): enough to read any
#: quantile to a fraction of a percentile while bounding the bundle's size
MAX_STORED = 512
#: windows a series needs before its own scores are stored: the fewest that resolve an 80 %
#: interval (the narrowest level anyone asks for routinely); fewer can only give a 50 % band
MIN_OWN = 9
CALIBRATION_FILE = "calibration.npz"
#: quantile ranks: expected coverage = nominal (``unbiased``), or >= nominal (``conservative``)
RANK_RULE = "conservative"
#: how many times as far from the median score as any other series' a series' most extreme score
#: must lie for the resolution note to say that series alone sets a clamped bound (module doc)
LONE_RATIO = 3.0
#: the same for a bound the scores resolve, where the note is the only one said: above the
#: largest ratio exchangeable scores gave (7.6; module doc)
LONE_RATIO_RESOLVED = 10.0
#: series that note names at most ("and N more" beyond)
LONE_NAMED = 3


def nonnegative_floor(values: Any) -> float | None:
    """``0.0`` when every finite value in ``values`` is ``>= 0`` and there is one (the lower bound
    a calibration clips its quantiles at, see the module doc), else None (no bound)."""
    return 0.0 if 0.0 <= _finite_min(values) < math.inf else None


def floor_quantiles(q: np.ndarray, floor: float | None, histories: Sequence[np.ndarray]) -> np.ndarray:
    """``q`` (``[n, h, P]``) with the rows whose history (one per row) is all ``>= floor`` clipped
    at ``floor`` (in place; returned). Order within a row is kept, so quantiles stay sorted."""
    if floor is None or not len(histories):
        return q
    ok = np.fromiter((_finite_min(x) >= floor for x in histories), dtype=bool, count=len(histories))
    if ok.any():
        q[ok] = np.maximum(q[ok], floor)
    return q


def _finite_min(values: Any) -> float:
    """Smallest finite value (``inf`` when there is none)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    return float(v.min()) if v.size else math.inf


# -- order statistics -------------------------------------------------------------------------
def _ranks(n: np.ndarray, probs: np.ndarray, rule: str = "unbiased") -> np.ndarray:
    """``[..., P]`` ranks (1-based, possibly fractional) of the quantiles at ``probs`` among ``n`` scores.

    ``unbiased``: ``(n + 1) p`` (interpolated), whose expected coverage is exactly ``p`` for
    exchangeable scores; ``conservative``: the finite-sample conformal rank ``⌈(n + 1) p⌉``
    above the median, ``⌊(n + 1) p⌋`` below, which guarantees *at least* ``p`` and overshoots
    by up to ``1/(n + 1)`` per tail (two points for a 95 % interval on 100 scores).
    """
    n = np.asarray(n, dtype=np.float64)[..., None]
    p = np.asarray(probs, dtype=np.float64)
    exact = (n + 1) * p
    if rule == "conservative":
        upper = np.ceil(np.round(exact, 9))
        lower = np.floor(np.round(exact, 9))
        exact = np.where(p > 0.5, upper, np.where(p < 0.5, lower, exact))
    return np.clip(exact, 1.0, np.maximum(n, 1.0))


def _needed(probs: np.ndarray) -> int:
    """Fewest scores that give every probability a rank inside them (see the module doc)."""
    need = 1
    for p in np.asarray(probs, dtype=np.float64):
        if p != 0.5:
            odds = p / (1 - p) if p > 0.5 else 1 / p - 1
            # a relative fuzz, not an absolute rounding: 1 − 0.99995 in binary makes the odds
            # 19999.00000004, which must still read 19999 ((19999 + 1) · 0.99995 = 19999 is a rank)
            need = max(need, math.ceil(odds * (1 - 1e-9)))
    return need


def _in_words(items: Sequence[str]) -> str:
    """``["a"]`` → ``a``; ``["a", "b", "c"]`` → ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _thin(sorted_scores: np.ndarray, k: int) -> np.ndarray:
    """Keep ``k`` evenly spaced order statistics of a sorted 1-d array (all when it is shorter)."""
    n = sorted_scores.size
    out = np.full(k, np.nan)
    if n <= k:
        out[:n] = sorted_scores
    else:
        out[:] = sorted_scores[np.round(np.linspace(0, n - 1, k)).astype(np.int64)]
    return out


def _weighted_grid(sorted_scores: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """``k`` values of the weighted quantile function at evenly spaced probabilities 0..1.

    Sample ``j`` sits at probability ``(C_j − w_j) / (W − w_last)`` (``C`` the cumulative
    weight, ``W`` the total): with equal weights that is ``j / (n − 1)``, the order statistics'
    own spacing, so reading ranks off this grid matches the unweighted case.
    """
    c = np.cumsum(weights)
    span = c[-1] - weights[-1]
    pos = (c - weights) / span if span > 0 else np.zeros_like(c)
    return np.interp(np.linspace(0.0, 1.0, k), pos, sorted_scores)


def _order_stat(stored: np.ndarray, n: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Value of the ``ranks``-th smallest of ``n`` scores from their thinned copy ``stored``.

    ``stored`` is ``[..., K]`` (sorted, NaN-padded: its finite entries are evenly spaced order
    statistics), ``n`` ``[...]`` (the scores' count, or their total weight) and ``ranks``
    ``[..., P]``.
    """
    n = np.asarray(n, dtype=np.float64)
    kept = np.isfinite(stored).sum(axis=-1).astype(np.float64)
    pos = (ranks - 1.0) * ((kept - 1.0) / np.maximum(n - 1.0, 1.0))[..., None]
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(kept - 1, 0).astype(np.int64)[..., None])
    frac = pos - lo
    a = np.take_along_axis(stored, lo, axis=-1)
    b = np.take_along_axis(stored, hi, axis=-1)
    return a + frac * (b - a)


def _sorted_stack(
    scores: np.ndarray, k: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``[cases, H]`` scores (NaN = missing) → ``([H, k]`` thinned sorted scores, ``[H]`` counts).

    With ``weights`` (``[cases]``), the rows hold the weighted quantile function on a ``k`` grid
    and the counts are the weights' effective sample size ``(Σw)² / Σw²``.
    """
    H = scores.shape[1]
    out = np.full((H, k), np.nan)
    n = np.zeros(H, dtype=np.float64)
    for j in range(H):
        ok = np.isfinite(scores[:, j])
        order = np.argsort(scores[ok, j], kind="stable")
        col = scores[ok, j][order]
        if weights is None or col.size < 2:
            n[j] = col.size
            out[j] = _thin(col, k)
        else:
            w = np.asarray(weights, dtype=np.float64)[ok][order]
            n[j] = w.sum() ** 2 / (w**2).sum()  # Kish effective sample size (see the module doc)
            out[j] = _weighted_grid(col, w, k)
    return out, n


def _zero_cases(scores: np.ndarray, zero_history: Sequence[bool] | np.ndarray | None) -> np.ndarray:
    """``[cases]`` the cases a calibration keeps apart: those ``zero_history`` marks, unless no
    other case has a score (then none: a panel of zeros pools them, there is nothing else)."""
    if zero_history is None:
        return np.zeros(scores.shape[0], dtype=bool)
    apart = np.asarray(zero_history, dtype=bool).ravel()
    if apart.size != scores.shape[0]:
        raise ConfigError(
            f"zero_history marks {apart.size} cases, the scores have {scores.shape[0]}", field="zero_history"
        )
    return apart if np.isfinite(scores[~apart]).any() else np.zeros_like(apart)


def _some(weights: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    """The ``rows`` of ``weights`` (None: unweighted)."""
    return None if weights is None else weights[rows]


def _series_extremes(scores: np.ndarray, inv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``([S, H]`` each series' smallest score, ``[S, H]`` its largest) per step (NaN where it
    has none), for ``[cases, H]`` ``scores`` of series positions ``inv`` (``0 .. S − 1``)."""
    order = np.argsort(inv, kind="stable")
    rows, starts = np.unique(inv[order], return_index=True)
    S = int(inv.max()) + 1 if inv.size else 0
    low = np.full((S, scores.shape[1]), np.nan)
    high = np.full((S, scores.shape[1]), np.nan)
    if rows.size:
        ordered = scores[order]
        with warnings.catch_warnings():  # fmin/fmax of an all-NaN group is NaN, as wanted
            warnings.simplefilter("ignore", RuntimeWarning)
            low[rows] = np.fmin.reduceat(ordered, starts, axis=0)
            high[rows] = np.fmax.reduceat(ordered, starts, axis=0)
    return low, high


def _lone_extremes(scores: np.ndarray, inv: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``([2, H]`` series ids, ``[2, H]`` ratios): per step, for the lower (row 0) and the upper
    (row 1) end of the pooled scores, the series whose most extreme score lies farthest out, and
    how many times as far from the step's median score as any other series' most extreme one.

    Why: where a level is unresolved its bound *is* the most extreme pooled score (the module
    doc, "One series sets a clamped bound"), and the note can then say whose. The ratio is the
    factor by which that series widens that side of the band: without its cases the clamped
    bound would be the next series' extreme. Kept for every step and side (``""`` / NaN where
    fewer than two series have a score there, or no other series' extreme lies beyond the
    median); the threshold is applied when the note is written, so it can change without
    recalibrating.
    """
    H = scores.shape[1]
    names = np.full((2, H), "", dtype=object)
    ratio = np.full((2, H), np.nan)
    low, high = _series_extremes(scores, inv)
    with warnings.catch_warnings():  # a step without scores has no median: skipped below
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmedian(scores, axis=0) if scores.size else np.full(H, np.nan)
    for side, reach in enumerate((centre[None, :] - low, high - centre[None, :])):
        for j in range(H):
            d = reach[:, j]
            ok = np.flatnonzero(np.isfinite(d))
            if ok.size < 2 or not np.isfinite(centre[j]):
                continue
            top2 = ok[np.argsort(-d[ok], kind="stable")[:2]]
            far, next_far = d[top2[0]], d[top2[1]]
            if next_far > 0:
                names[side, j], ratio[side, j] = str(ids[top2[0]]), float(far / next_far)
    return names.astype(str), ratio


# -- the calibration ----------------------------------------------------------------------------
@dataclass
class ConformalCalibration:
    """Scaled out-of-sample residuals of one model, per horizon step, ready to make quantiles.

    Attributes:
        horizon: steps calibrated (a request may ask for fewer).
        season_length, scale_window: how the local scale is computed (see
            :func:`~tsforge.panels.local_scale.trailing_scale`).
        pooled: ``[H, K]`` sorted scores of all series (thinned to ``K`` order statistics).
        pooled_n: ``[H]`` how many scores each step had.
        own_ids: ``[S]`` series with at least ``MIN_OWN`` windows of their own.
        own: ``[S, H, K2]`` their sorted scores; ``own_n``: ``[S, H]`` their counts.
        info: provenance (model, windows, cases) for logs and the bundle.
        scale_floor: the local scale's floor as a fraction of the whole history's (see
            :func:`~tsforge.panels.local_scale.trailing_scale`); 0 for window models and for
            bundles saved before it existed.
        floor: lower bound of the quantiles of a series with a history ``>= floor`` (``0.0``
            when all calibration data were non-negative, see :func:`nonnegative_floor`), or None.
        zero_scale: the local scale of a history of zeros
            (:func:`~tsforge.panels.local_scale.typical_scale` of the calibration panel; the
            panel's resolution in bundles saved before it, which pool their zero-history cases);
            1.0 for window models (their windows are standardised) and for bundles saved before
            it existed.
        flat_ratio: the local scale of a flat nonzero history as a fraction of its level
            (:func:`~tsforge.panels.local_scale.flat_history_ratio` of the calibration panel);
            1.0 (the level itself) for window models and for bundles saved before it existed.
        season_ratio: the local scale of a history shorter than a season as a multiple of its
            step change (:func:`~tsforge.panels.local_scale.season_change_ratio` of the
            calibration panel); 1.0 for window models and for bundles saved before it existed.
        zero: ``[H, K]`` sorted scores of the cases whose history was all zeros, kept out of
            :attr:`pooled` (series weighing equally); ``zero_n``: ``[H]`` their effective count.
            Empty for window models, for calibrations given no zero-history mask and for bundles
            saved before the split (whose pooled scores hold those cases, as they did).
        lone_ids: ``[2, H]`` per step, the series whose most extreme pooled score lies farthest
            below (row 0) and above (row 1) the step's median score (``""``: none to name);
            ``lone_ratio``: ``[2, H]`` how many times as far out as any other series' (NaN: none).
            What the resolution note names where one series sets a clamped bound
            (:meth:`shortfall`). Empty for bundles saved before it: their note names none.
    """

    horizon: int
    season_length: int
    scale_window: int
    pooled: np.ndarray
    pooled_n: np.ndarray
    own_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=str))
    own: np.ndarray = field(default_factory=lambda: np.empty((0, 0, 0)))
    own_n: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    info: dict[str, Any] = field(default_factory=dict)
    rank_rule: str = "conservative"
    floor: float | None = None
    scale_floor: float = 0.0
    zero_scale: float = 1.0
    flat_ratio: float = 1.0
    zero: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    zero_n: np.ndarray = field(default_factory=lambda: np.empty(0))
    season_ratio: float = 1.0
    lone_ids: np.ndarray = field(default_factory=lambda: np.empty((2, 0), dtype=str))
    lone_ratio: np.ndarray = field(default_factory=lambda: np.empty((2, 0)))
    #: seasonal differences a history needs for the seasonal scale (``None``: today's rule,
    #: :func:`~tsforge.panels.local_scale.min_seasonal_changes`; 1 in a bundle saved before it)
    seasonal_changes: int | None = None
    _memo: dict[tuple[int, bytes], np.ndarray] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _own_pos: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)
    _short_memo: dict[tuple[int, bytes], str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # construction -----------------------------------------------------------------------
    @classmethod
    def from_scores(
        cls,
        scores: np.ndarray,
        case_ids: Sequence[Any] | np.ndarray,
        *,
        season_length: int,
        scale_window: int,
        info: Mapping[str, Any] | None = None,
        weight_series_equally: bool = False,
        rank_rule: str | None = None,
        floor: float | None = None,
        scale_floor: float = 0.0,
        zero_scale: float = 1.0,
        flat_ratio: float = 1.0,
        zero_history: Sequence[bool] | np.ndarray | None = None,
        season_ratio: float = 1.0,
    ) -> ConformalCalibration:
        """Build from ``[cases, H]`` scaled signed residuals (NaN = no target) and each case's series id.

        ``weight_series_equally``: pooled scores weigh every series alike (each of a series' ``k``
        cases counts ``1/k``), so the pooled distribution is that of *one case per series* —
        what a test window is — instead of over-representing long series, which take part in
        more windows than short ones.

        ``zero_history`` (``[cases]``, optional): the cases whose history was all zeros (scored
        over ``zero_scale``). They are kept out of the pooled and own scores and stored apart
        (:attr:`zero`), so no series with a nonzero history reads them (see the module doc);
        where no other case has a score (a panel of zeros) they stay pooled, as there is nothing
        else to pool.
        """
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim != 2 or scores.shape[0] == 0 or not np.isfinite(scores).any():
            raise ConfigError(
                "no calibration residuals: no series is long enough for a calibration window before "
                "the test window", field="horizon",
            )  # fmt: skip
        ids = np.asarray([str(x) for x in case_ids])
        uniq, inv = np.unique(ids, return_inverse=True)
        apart = _zero_cases(scores, zero_history)
        H = scores.shape[1]
        # a series' k cases weigh 1/k each, wherever they go: each group holds the cases of that
        # kind of one case per series (reweighting a series' nonzero cases to a whole series
        # over-weighed the series that were mostly zeros: car parts' 95 % bands 1.5 times as wide)
        weights = 1.0 / np.bincount(inv)[inv] if weight_series_equally else None
        pooled, pooled_n = _sorted_stack(scores[~apart], MAX_STORED, _some(weights, ~apart))
        zero, zero_n = (
            _sorted_stack(scores[apart], MAX_STORED, _some(weights, apart))
            if apart.any()
            else (np.empty((H, 0)), np.zeros(H))
        )
        counts = np.bincount(inv[~apart], minlength=uniq.size)
        keep = np.flatnonzero(counts >= MIN_OWN)
        k2 = int(min(MAX_STORED, counts[keep].max())) if keep.size else 0
        own = np.full((keep.size, H, k2), np.nan)
        own_n = np.zeros((keep.size, H), dtype=np.float64)
        for r, u in enumerate(keep):
            own[r], own_n[r] = _sorted_stack(scores[~apart][inv[~apart] == u], k2)
        meta = {
            "method": "conformal: signed residuals / local scale, per horizon step",
            "cases": int(np.isfinite(scores).any(axis=1).sum()),  # rows with a score (see case_scores)
            "series": int(uniq.size),
            "series_with_own_scores": int(keep.size),
            "zero_history_cases": int(apart.sum()),
            # the series those cases come from: what decides whether they resolve a level
            "zero_history_series": int(np.unique(inv[apart]).size),
            "weighting": "series equally" if weight_series_equally else "cases equally",
            **dict(info or {}),
        }
        rule = rank_rule or RANK_RULE
        if rule not in ("unbiased", "conservative"):
            raise ConfigError(f"rank_rule must be unbiased or conservative, got {rule!r}", field="rank_rule")
        return cls(
            H,
            int(season_length),
            int(scale_window),
            pooled,
            pooled_n,
            uniq[keep],
            own,
            own_n,
            meta,
            rule,
            None if floor is None else float(floor),
            float(scale_floor),
            float(zero_scale),
            float(flat_ratio),
            zero,
            zero_n,
            float(season_ratio),
            *_lone_extremes(scores[~apart], inv[~apart], uniq),
            min_seasonal_changes(int(season_length)),  # the rule its cases were scaled by
        )

    # application ------------------------------------------------------------------------
    def scores_quantiles(
        self,
        ids: Sequence[Any] | np.ndarray,
        h: int,
        probs: np.ndarray,
        zero_rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """``[n, h, P]`` score quantiles for series ``ids``: own scores where they suffice, the
        zero-history cases' scores for the rows ``zero_rows`` marks (histories of nothing but
        zeros) where those suffice (:meth:`zero_resolves`), the pooled scores otherwise."""
        if h > self.horizon:
            raise ConfigError(
                f"horizon {h} exceeds the {self.horizon} steps the intervals were calibrated for",
                field="horizon",
            )
        probs = np.asarray(probs, dtype=np.float64)
        out = np.broadcast_to(self._pooled_quantiles(h, probs), (len(ids), h, probs.size)).copy()
        if self.own_ids.size:
            if self._own_pos is None:
                self._own_pos = {str(x): i for i, x in enumerate(self.own_ids)}
            pos = np.fromiter((self._own_pos.get(str(x), -1) for x in ids), dtype=np.int64, count=len(ids))
            need = _needed(probs)
            rows = np.flatnonzero(pos >= 0)
            rows = rows[self.own_n[pos[rows], :h].min(axis=1) >= need]
            if rows.size:
                out[rows] = self._own_quantiles(h, probs)[pos[rows]]
        if zero_rows is not None and self.zero_resolves(h, probs):
            rows = np.flatnonzero(np.asarray(zero_rows, dtype=bool))
            if rows.size:
                out[rows] = self._zero_quantiles(h, probs)
        return out

    def zero_resolves(self, h: int, probs: np.ndarray) -> bool:
        """Whether the zero-history cases' scores resolve every probability in ``probs`` at each
        of the first ``h`` steps: the finite-rank rule of a series' own scores (module doc),
        read against their effective count rounded down, as the pooled scores' is, and at most
        the number of series they come from.

        Why the series: one series of zeros gives a case per calibration window, the same 0 each
        while it stays at zero; counted as cases, five discontinued series over eight windows
        were 40 scores of 0, enough for 95 %, and every series of zeros got the band [0, 0] —
        a product about to launch included. As many series as a level needs tell what series of
        zeros do next."""
        if self.zero_n.size < h or not h:
            return False
        n = np.floor(np.asarray(self.zero_n[:h], dtype=np.float64) + 1e-9)
        series = float(self.info.get("zero_history_series", np.inf))
        return bool(min(float(n.min()), series) >= _needed(np.asarray(probs, dtype=np.float64)))

    def _zero_quantiles(self, h: int, probs: np.ndarray) -> np.ndarray:
        """``[h, P]`` score quantiles of the zero-history cases (memoised beside the pooled ones)."""
        key = (-(10**6) - h, probs.tobytes())  # apart from the pooled (h) and own (-h) keys
        hit = self._memo.get(key)
        if hit is None:
            n = np.floor(np.asarray(self.zero_n[:h], dtype=np.float64) + 1e-9)
            hit = _order_stat(self.zero[:h], n, _ranks(n, probs, self.rank_rule))
            if len(self._memo) < 64:
                self._memo[key] = hit
        return hit

    def _own_quantiles(self, h: int, probs: np.ndarray) -> np.ndarray:
        """``[S, h, P]`` score quantiles of every series with its own scores (memoised)."""
        key = (-h, probs.tobytes())
        hit = self._memo.get(key)
        if hit is None:
            n = self.own_n[:, :h]
            hit = _order_stat(self.own[:, :h], n, _ranks(n, probs, self.rank_rule))
            if len(self._memo) < 64:
                self._memo[key] = hit
        return hit

    def _pooled_quantiles(self, h: int, probs: np.ndarray) -> np.ndarray:
        """``[h, P]`` pooled score quantiles, memoised per (h, probs): a service asks the same
        levels again and again, and this is most of an interval request's cost."""
        key = (h, probs.tobytes())
        hit = self._memo.get(key)
        if hit is None:
            n = self._pooled_count(h)
            hit = _order_stat(self.pooled[:h], n, _ranks(n, probs, self.rank_rule))
            if len(self._memo) < 64:
                self._memo[key] = hit
        return hit

    def _pooled_count(self, h: int) -> np.ndarray:
        """``[h]`` the pooled scores' count per step as the whole number the ranks are read
        against: an effective sample size (series weighing equally) rounded *down*.

        Why whole: the conformal rank ``⌈(n + 1) p⌉`` is defined for ``n`` scores, and a
        fractional ``n`` moved it by a whole rank. On 20 series of five windows each but one
        short series with a single window (effective count 82.36), the 97.5 % rank was the 82nd
        of 82.36, the very top of the scores, where the 82nd of 82 is the 81st: one series' level
        shift in one window (10 → 1,000, scored 2,098 local scales) then set every series' 95 %
        bound to about 1,200 scales, 150–590 standard deviations wide (now about 2, as without the
        shifted series). Why down: fewer scores is the conservative reading, and the count
        that says whether a level is resolved (:meth:`shortfall`) is the same one (it was
        rounded to nearest, so 38.6 scores "resolved" a 95 % interval its ranks could not).
        Counts of unweighted scores are whole already and do not change.
        """
        return np.floor(np.asarray(self.pooled_n[:h], dtype=np.float64) + 1e-9)

    def quantiles_from_scale(
        self,
        point: np.ndarray,
        scale: np.ndarray,
        ids: Sequence[Any] | np.ndarray,
        probs: np.ndarray,
        zero_rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """``[n, h, P]`` sorted quantiles ``point + scale · score quantile`` (``zero_rows``: the
        rows whose history is all zeros, see :meth:`scores_quantiles`).

        Warns (:class:`IntervalResolutionWarning`) when the pooled scores are too few for a
        requested probability: the bound is then the most extreme score, not a conformal one.
        """
        point = np.asarray(point, dtype=np.float64)
        note = self.shortfall(probs, point.shape[1])
        if note:
            warnings.warn(note, IntervalResolutionWarning, stacklevel=2)
        return self._quantiles_from_scale(point, scale, ids, probs, zero_rows)

    def _quantiles_from_scale(
        self,
        point: np.ndarray,
        scale: np.ndarray,
        ids: Sequence[Any] | np.ndarray,
        probs: np.ndarray,
        zero_rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`quantiles_from_scale` without the warning (for callers that summarise it)."""
        q = self.scores_quantiles(ids, point.shape[1], probs, zero_rows)
        return sorted_quantiles(point[:, :, None] + np.asarray(scale, dtype=np.float64)[:, None, None] * q)

    def scales(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        """``[n]`` each history's local scale, computed as this calibration's scores were divided by."""
        return history_scales(
            histories,
            self.season_length,
            self.scale_window,
            self.scale_floor,
            self.zero_scale,
            self.flat_ratio,
            self.season_ratio,
            self.seasonal_changes,
        )

    def quantiles(
        self,
        point: np.ndarray,
        histories: Sequence[np.ndarray],
        ids: Sequence[str] | np.ndarray,
        probs: np.ndarray,
        *,
        scale: np.ndarray | None = None,
    ) -> np.ndarray:
        """``[n, h, P]`` quantiles at ``probs`` around ``point`` (``[n, h]``), each series'
        scale taken from its ``histories`` entry (the values the forecast was made from) unless
        ``scale`` gives it (a window model computes it on its standardised input window, as
        :func:`~tsforge.panels.calibrate.calibrate_task` did); clipped at :attr:`floor` where that
        history is non-negative."""
        scale = self.scales(histories) if scale is None else np.asarray(scale, dtype=np.float64)
        point = np.asarray(point, dtype=np.float64)
        probs = np.asarray(probs, dtype=np.float64)
        # the test reads every history, so only where the zero-history scores could be read
        zero_rows = all_zero(histories) if self.zero_resolves(point.shape[1], probs) else None
        q = self.quantiles_from_scale(point, scale, ids, probs, zero_rows)
        return floor_quantiles(q, self.floor, histories)

    def resolved_level(self, h: int | None = None) -> float:
        """Highest central level (%) the pooled scores resolve at every step (of the first ``h``)
        without clamping."""
        n = int(self._pooled_count(h or self.horizon).min())
        return float(max(0.0, 100.0 * (1.0 - 2.0 / (n + 1)))) if n else 0.0

    def resolves(self, probs: Any, h: int | None = None) -> bool:
        """Whether the pooled scores resolve every probability in ``probs`` at every step (of the
        first ``h``): where they do, :meth:`shortfall` says only that one series sets a bound."""
        p = np.asarray(probs, dtype=np.float64).ravel()
        return int(self._pooled_count(int(h or self.horizon)).min()) >= _needed(p)

    def shortfall(self, probs: Any, h: int | None = None) -> str | None:
        """``None`` when the pooled scores resolve every probability in ``probs`` at every step
        (of the first ``h``) and no series alone sets a bound; else one sentence naming the
        levels that are clamped and why, or (resolved) the series that sets a bound alone.

        Why only the pooled scores: a series' own scores are used only where they suffice.
        """
        p = np.asarray(probs, dtype=np.float64).ravel()
        key = (int(h or self.horizon), p.tobytes())  # asked on every request a service answers
        if key in self._short_memo:
            return self._short_memo[key]
        note = self._shortfall(p, key[0])
        if len(self._short_memo) < 64:
            self._short_memo[key] = note
        return note

    def _shortfall(self, p: np.ndarray, h: int) -> str | None:
        n = int(self._pooled_count(h).min())
        if self.resolves(p, h):
            return self._resolved_lone_note(p, h, n)
        need = {}  # level (%) -> scores it needs, for the levels this calibration cannot resolve
        for x in p:
            if (k := _needed(np.array([x]))) > n:
                need[round(100.0 * (1.0 - 2.0 * min(x, 1.0 - x)), 9)] = k
        levels = sorted(need)
        names = _in_words([f"{lv:g} %" for lv in levels])  # a level has six significant digits
        counts = _in_words([str(need[lv]) for lv in levels])
        plural = len(levels) > 1
        weighted = (
            "effective count, series weighing equally; "
            if self.info.get("weighting") == "series equally"
            else ""
        )
        return (
            f"the {names} interval{'s' if plural else ''} need{'' if plural else 's'} {counts} "
            f"calibration scores per horizon step and this calibration has {n} ({weighted}it resolves up to "
            f"{_percent_down(self.resolved_level(h))} %), so {'their' if plural else 'its'} bounds are the most "
            "extreme scores seen and cover less than nominal: ask for a lower level, or calibrate "
            f"on more series or longer histories{self._lone_note(p, h)}"
        )

    def _lone_bounds(self, p: np.ndarray, h: int) -> dict[str, dict[int, list[tuple[int, float]]]]:
        """``{series: {side: [(step, ratio), ...]}}``: the bounds (side 0 lower, 1 upper, of the
        widest level asked for; steps 1-based) of the first ``h`` steps that one series' scores
        set alone, i.e. that lie more than :data:`LONE_RATIO` times as far from the step's median
        score as any other series' most extreme one (empty for calibrations stored without
        :attr:`lone_ids`).

        A clamped bound is the most extreme score, and its ratio is :attr:`lone_ratio`; a
        resolved one lies a fraction of the way out to it (:meth:`_bound_reach`), and its ratio
        is that fraction of :attr:`lone_ratio`, and it must pass :data:`LONE_RATIO_RESOLVED`.
        Why resolved ones too: on 20 monthly series (71 effective scores, enough for 95 %) the
        97.5 % rank was the top score, one series' error 20–39 times as far out as any other's,
        and every series' 95 % bound was 2–4 times its level with no note."""
        out: dict[str, dict[int, list[tuple[int, float]]]] = {}
        if self.lone_ids.ndim != 2 or self.lone_ids.shape[1] < h:
            return out
        n = self._pooled_count(h)
        for side, probs in enumerate((p[p < 0.5], p[p > 0.5])):
            if not probs.size:
                continue
            outer = float(probs.min() if side == 0 else probs.max())
            reach = self._bound_reach(h, outer, side)
            bar = np.where(n < _needed(np.array([outer])), LONE_RATIO, LONE_RATIO_RESOLVED)
            for j in range(h):
                if (r := float(self.lone_ratio[side, j]) * float(reach[j])) > bar[j]:
                    out.setdefault(str(self.lone_ids[side, j]), {}).setdefault(side, []).append(
                        (int(j) + 1, r)
                    )
        return out

    def _bound_reach(self, h: int, prob: float, side: int) -> np.ndarray:
        """``[h]`` how far the pooled bound at ``prob`` lies from the step's median score, as a
        fraction of the most extreme pooled score on that ``side`` (1 where it is that score, as
        a clamped bound is; 0 where the step has no spread)."""
        q = self._pooled_quantiles(h, np.array([0.5, prob]))
        stored = self.pooled[:h]
        # a step without scores: NaN, read as no reach (not nanmin's all-NaN warning, nor
        # catch_warnings, which swaps the filters every thread of the service shares)
        seen = np.isfinite(stored)
        fill = np.inf if side == 0 else -np.inf
        filled = np.where(seen, stored, fill)
        extreme = filled.min(axis=1) if side == 0 else filled.max(axis=1)
        extreme = np.where(seen.any(axis=1), extreme, np.nan)
        sign = -1.0 if side == 0 else 1.0
        far = sign * (extreme - q[:, 0])
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(far > 0, sign * (q[:, 1] - q[:, 0]) / far, 0.0)
        return np.clip(np.nan_to_num(frac, nan=0.0), 0.0, 1.0)

    def _resolved_lone_note(self, p: np.ndarray, h: int, n: int) -> str | None:
        """``None``, or where one series' scores alone set a bound the pooled scores resolve, one
        sentence naming it (:meth:`_lone_clauses`): the bounds are conformal ones, and unchanged,
        but every series' band there is that one series' error."""
        clauses = self._lone_clauses(p, h)
        if not clauses:
            return None
        level = max(round(100.0 * (1.0 - 2.0 * min(x, 1.0 - x)), 9) for x in p)
        weighted = (
            ", effective count, series weighing equally"
            if self.info.get("weighting") == "series equally"
            else ""
        )
        return (
            f"the {level:g} % interval's bounds are resolved ({n} calibration scores per horizon step{weighted}), "
            f"but {clauses}"
        )

    def _lone_note(self, p: np.ndarray, h: int) -> str:
        """The end of the resolution note naming the series whose error alone sets a clamped
        bound, at which steps (``""`` when none does).

        Why: "too few scores" is true on average, but a stock-out in one series' calibration
        windows made every series' 95 % lower bound about 0 at three steps, and the note let no
        one see which series to look at.
        """
        clauses = self._lone_clauses(p, h)
        return f"; {clauses}" if clauses else ""

    def _lone_clauses(self, p: np.ndarray, h: int) -> str:
        """The words both notes end with, ``one series' error sets some of them alone: …``, naming
        the series whose scores alone set a bound (:meth:`_lone_bounds`) and at which steps
        (``""`` when none does; at most :data:`LONE_NAMED` series, the farthest out first)."""
        found = self._lone_bounds(p, h)
        if not found:
            return ""
        order = sorted(found, key=lambda sid: -max(r for cases in found[sid].values() for _, r in cases))
        clauses = [
            f"at {_steps_in_words([j for j, _ in cases])} the {('lower', 'upper')[side]} bound is an error of "
            f"'{sid}', {_ratio_in_words([r for _, r in cases])} as far out as any other series'"
            for sid in order[:LONE_NAMED]
            for side, cases in sorted(found[sid].items())
        ]
        more = len(order) - LONE_NAMED
        rest = f", and {more} more series set others alone" if more > 0 else ""
        whose = "its" if len(order) == 1 else "their"
        return (
            f"one series' error sets some of them alone: {'; '.join(clauses)}{rest} (an outlier or a "
            f"stock-out in {whose} calibration windows widens every series' band there)"
        )

    # persistence ------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write ``calibration.npz`` into ``folder`` (a model bundle)."""
        path = Path(folder) / CALIBRATION_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {
            "format": 1,
            "horizon": self.horizon,
            "season_length": self.season_length,
            "scale_window": self.scale_window,
            "rank_rule": self.rank_rule,
            "floor": self.floor,
            "scale_floor": self.scale_floor,
            "zero_scale": self.zero_scale,
            "flat_ratio": self.flat_ratio,
            "season_ratio": self.season_ratio,
            "seasonal_changes": (
                min_seasonal_changes(self.season_length)
                if self.seasonal_changes is None
                else int(self.seasonal_changes)
            ),
            "info": self.info,
        }
        # float64, as held in memory: float32 scores moved every bound of a loaded model by ~1e-7
        # of its scale, so a registered model did not serve the intervals it was scored with
        # (bundles written as float32 still load, and answer as they did)
        np.savez_compressed(
            path,
            header=np.array(json.dumps(header, default=str)),
            pooled=self.pooled.astype(np.float64),
            pooled_n=self.pooled_n,
            own_ids=self.own_ids.astype(str),
            own=self.own.astype(np.float64),
            own_n=self.own_n,
            zero=self.zero.astype(np.float64),
            zero_n=self.zero_n,
            lone_ids=self.lone_ids.astype(str),
            lone_ratio=self.lone_ratio.astype(np.float64),
        )
        return path

    @classmethod
    def load(cls, folder: str | Path) -> ConformalCalibration | None:
        """The calibration saved in ``folder``, or None when the bundle has none."""
        path = Path(folder) / CALIBRATION_FILE
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            return cls(
                int(header["horizon"]),
                int(header["season_length"]),
                int(header["scale_window"]),
                z["pooled"].astype(np.float64),
                z["pooled_n"].astype(np.float64),
                z["own_ids"].astype(str),
                z["own"].astype(np.float64),
                z["own_n"].astype(np.float64),
                dict(header.get("info", {})),
                str(header.get("rank_rule", "conservative")),
                header.get("floor"),
                float(header.get("scale_floor", 0.0)),  # bundles saved before the floor: none
                float(header.get("zero_scale", 1.0)),  # ... before the zero-history scale: 1
                float(header.get("flat_ratio", 1.0)),  # ... before the flat-history ratio: the level
                # ... before zero-history cases were kept apart: none (they are in the pooled scores)
                z["zero"].astype(np.float64) if "zero" in z.files else np.empty((0, 0)),
                z["zero_n"].astype(np.float64) if "zero_n" in z.files else np.empty(0),
                float(header.get("season_ratio", 1.0)),  # ... before the season ratio: the step change
                # ... before the series setting a clamped bound were kept: none named
                z["lone_ids"].astype(str) if "lone_ids" in z.files else np.empty((2, 0), dtype=str),
                z["lone_ratio"].astype(np.float64) if "lone_ratio" in z.files else np.empty((2, 0)),
                # ... before a seasonal scale needed several seasonal differences: one did
                int(header.get("seasonal_changes", 1)),
            )


def _steps_in_words(steps: Sequence[int]) -> str:
    """``[3]`` → ``step 3``; ``[3, 8, 9, 10, 12]`` → ``steps 3, 8–10 and 12`` (runs joined)."""
    runs: list[list[int]] = []
    for j in sorted(steps):
        if runs and j == runs[-1][-1] + 1:
            runs[-1].append(j)
        else:
            runs.append([j])
    words = [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]
    return f"step{'' if len(steps) == 1 else 's'} {_in_words(words)}"


def _ratio_in_words(ratios: Sequence[float]) -> str:
    """``[7.26]`` → ``7.3 times``; ``[4.1, 7.26]`` → ``4.1–7.3 times``."""
    lo, hi = f"{min(ratios):.1f}", f"{max(ratios):.1f}"
    return f"{hi if lo == hi else f'{lo}–{hi}'} times"


def _percent_down(x: float) -> str:
    """A resolved level, rounded *down* to a tenth: 94.87 is "94.8", never "95" beside "the 95 %
    interval needs 39 scores" (which it does not resolve)."""
    return f"{math.floor(x * 10.0) / 10.0:g}"
