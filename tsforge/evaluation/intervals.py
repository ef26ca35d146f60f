"""Scores of probabilistic forecasts: coverage, interval width, MSIS, weighted quantile loss.

Why these four: *coverage* says whether an interval is honest (an 80 % interval should hold
about 80 % of the outcomes), *width* and *MSIS* say what the honesty costs, and the weighted
quantile loss scores a whole set of quantiles at once (a CRPS approximation). They are the
numbers the M4 competition (MSIS) and GIFT-Eval (WQL / scaled CRPS) publish, so ours compare.

Definitions (``y`` the outcome, ``[l, u]`` a central interval at level ``100 (1 − a)``, ``s`` the
series' in-sample seasonal-naive MAE — the MASE scale; steps with a missing ``y`` never count):

* coverage = share of steps with ``l ≤ y ≤ u`` (pooled over all series and steps).
* width    = mean of ``(u − l) / s`` per series, averaged over series (scale-free).
* MSIS     = mean over series of ``mean_t [(u − l) + 2/a (l − y) 1{y < l} + 2/a (y − u) 1{y > u}] / s``
  (M4's definition; a is 0.05 for the 95 % interval).
* WQL      = ``mean_q [2 Σ ρ_q(y, ŷ_q) / Σ |y|]`` with the pinball loss
  ``ρ_q(y, ŷ) = max(q (y − ŷ), (q − 1)(y − ŷ))``, sums over every series and step
  (GluonTS' ``mean_wQuantileLoss``, what GIFT-Eval reports as CRPS).
* scaled CRPS = WQL of the model / WQL of the seasonal-naive point forecast on the same data
  (a point forecast is a degenerate distribution: all its quantiles are the point, so its WQL is
  its WAPE). Below 1 beats seasonal naive. GIFT-Eval's normalisation.

Every function is pure and vectorised over ``[n, h]`` arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.evaluation.panel_metrics import insample_scale, window_numbers

__all__ = [
    "GIFT_QUANTILES",
    "pinball",
    "coverage",
    "scaled_width",
    "msis",
    "weighted_quantile_loss",
    "seasonal_naive_forecast",
    "interval_metrics",
    "score_quantile_forecast",
    "cv_interval_scores",
]

#: The nine quantiles GIFT-Eval and GluonTS score (0.1 … 0.9).
GIFT_QUANTILES: tuple[float, ...] = tuple(round(0.1 * k, 1) for k in range(1, 10))


def pinball(y: np.ndarray, pred: np.ndarray, q: float) -> np.ndarray:
    """Elementwise pinball (quantile) loss of ``pred`` as the ``q`` quantile of ``y`` (NaN where ``y`` is)."""
    e = np.asarray(y, dtype=np.float64) - np.asarray(pred, dtype=np.float64)
    return np.maximum(q * e, (q - 1.0) * e)


def coverage(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Share of observed outcomes inside ``[lo, hi]`` (pooled over every series and step)."""
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(y)
    if not ok.any():
        return float("nan")
    inside = (y >= lo) & (y <= hi)
    return float(inside[ok].mean())


def _per_series_mean(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    cnt = ok.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, np.where(ok, values, 0.0).sum(axis=-1) / cnt, np.nan)


def _mean_over_series(per_series: np.ndarray, scale: np.ndarray) -> float:
    v = per_series / np.asarray(scale, dtype=np.float64)
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else float("nan")


def scaled_width(y: np.ndarray, lo: np.ndarray, hi: np.ndarray, scale: np.ndarray) -> float:
    """Mean interval width in units of each series' scale (steps with an observed ``y``)."""
    ok = np.isfinite(np.asarray(y, dtype=np.float64))
    width = np.asarray(hi, dtype=np.float64) - np.asarray(lo, dtype=np.float64)
    return _mean_over_series(_per_series_mean(width, ok), scale)


def msis(y: np.ndarray, lo: np.ndarray, hi: np.ndarray, level: float, scale: np.ndarray) -> float:
    """M4's mean scaled interval score of ``level`` % intervals, averaged over series.

    ``scale`` is ``[n]``: each series' in-sample seasonal-naive MAE (series with an undefined
    scale are left out of the mean, as for MASE).
    """
    a = 1.0 - float(level) / 100.0
    y = np.asarray(y, dtype=np.float64)
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    ok = np.isfinite(y)
    yy = np.where(ok, y, 0.0)
    score = (hi - lo) + (2.0 / a) * np.maximum(lo - yy, 0.0) + (2.0 / a) * np.maximum(yy - hi, 0.0)
    return _mean_over_series(_per_series_mean(score, ok), scale)


def weighted_quantile_loss(y: np.ndarray, quantiles: np.ndarray, probs: Sequence[float]) -> float:
    """GluonTS' mean weighted quantile loss of ``quantiles`` (``[..., Q]``, one slice per ``probs``)."""
    y = np.asarray(y, dtype=np.float64)
    q = np.asarray(quantiles, dtype=np.float64)
    ok = np.isfinite(y)
    denom = np.abs(y[ok]).sum()
    if not ok.any() or denom <= 0:
        return float("nan")
    losses = [2.0 * pinball(y[ok], q[..., k][ok], float(p)).sum() / denom for k, p in enumerate(probs)]
    return float(np.mean(losses))


def seasonal_naive_forecast(histories: Sequence[np.ndarray], season_length: int, h: int) -> np.ndarray:
    """``[n, h]`` seasonal naive: the last observed season repeated (naive below one season).

    The reference of the scaled CRPS; missing values in the last season are carried forward
    from the last observation before them.
    """
    m = max(1, int(season_length))
    out = np.empty((len(histories), h))
    for i, hist in enumerate(histories):
        v = np.asarray(hist, dtype=np.float64)
        v = v[np.flatnonzero(np.isfinite(v))[0] :] if np.isfinite(v).any() else np.zeros(1)
        idx = np.flatnonzero(np.isfinite(v))
        filled = v[idx[np.searchsorted(idx, np.arange(v.size), side="right") - 1]]  # LOCF
        period = m if filled.size >= m else 1
        season = filled[-period:]
        out[i] = season[np.arange(h) % period]
    return out


def interval_metrics(
    y: np.ndarray,
    bounds: Mapping[float, tuple[np.ndarray, np.ndarray]],
    scale: np.ndarray,
    *,
    quantiles: np.ndarray | None = None,
    probs: Sequence[float] | None = None,
    baseline: np.ndarray | None = None,
) -> dict[str, float]:
    """Every interval score of one model on ``[n, h]`` outcomes, ready to log.

    Args:
        y: outcomes ``[n, h]`` (NaN = missing).
        bounds: ``{level: (lower, upper)}`` central intervals, each ``[n, h]``.
        scale: ``[n]`` per-series in-sample seasonal-naive MAE.
        quantiles, probs: ``[n, h, Q]`` quantile forecasts at ``probs`` (for WQL).
        baseline: ``[n, h]`` seasonal-naive point forecast (for the scaled CRPS).

    Returns:
        ``coverage_<l>``, ``width_<l>``, ``msis_<l>`` per level, and ``wql`` /
        ``scaled_crps`` when quantiles (and the baseline) are given.
    """
    out: dict[str, float] = {}
    for level, (lo, hi) in sorted(bounds.items()):
        tag = f"{float(level):g}"
        out[f"coverage_{tag}"] = coverage(y, lo, hi)
        out[f"width_{tag}"] = scaled_width(y, lo, hi, scale)
        out[f"msis_{tag}"] = msis(y, lo, hi, level, scale)
    if quantiles is not None and probs is not None:
        wql = weighted_quantile_loss(y, quantiles, probs)
        out["wql"] = wql
        if baseline is not None:
            ref = weighted_quantile_loss(y, np.asarray(baseline, dtype=np.float64)[..., None], [0.5])
            out["scaled_crps"] = wql / ref if ref > 0 else float("nan")
    return out


def score_quantile_forecast(
    y: np.ndarray,
    values: np.ndarray,
    probs: Sequence[float] | np.ndarray,
    levels: Sequence[float],
    scale: np.ndarray,
    *,
    season_length: int = 1,
    histories: Sequence[np.ndarray] | None = None,
    baseline: np.ndarray | None = None,
) -> dict[str, float]:
    """:func:`interval_metrics` of quantile forecasts ``values`` (``[n, h, P]`` at ``probs``).

    The central interval of each level is read from the quantiles at ``(1 ∓ level/100) / 2``;
    the WQL uses :data:`GIFT_QUANTILES` when every one of them is among ``probs``; the
    scaled-CRPS reference is ``baseline`` (``[n, h]``) or, with ``histories``, the seasonal-naive
    forecast of each (a caller scoring many windows passes the baseline it built batch by batch
    rather than keep every history).
    """
    if baseline is not None and histories is not None:
        raise ValueError("pass histories or a baseline for the scaled CRPS, not both")
    probs_arr = np.round(np.asarray(probs, dtype=np.float64), 10)

    def column(p: float) -> int:
        k = np.flatnonzero(np.isclose(probs_arr, p))
        if not k.size:
            raise ValueError(f"no quantile at probability {p} among {probs_arr.tolist()}")
        return int(k[0])

    def at(p: float) -> np.ndarray:
        return values[..., column(p)]

    bounds = {float(lv): (at((1 - lv / 100) / 2), at(1 - (1 - lv / 100) / 2)) for lv in levels}
    have_gift = all(np.isclose(probs_arr, q).any() for q in GIFT_QUANTILES)
    gift = _columns(values, [column(q) for q in GIFT_QUANTILES]) if have_gift else None
    if histories is not None:
        baseline = seasonal_naive_forecast(histories, season_length, np.shape(y)[1])
    return interval_metrics(
        y, bounds, scale, quantiles=gift, probs=GIFT_QUANTILES if have_gift else None, baseline=baseline
    )


def _columns(values: np.ndarray, cols: Sequence[int]) -> np.ndarray:
    """``values[..., cols]``: a view when ``cols`` are consecutive (sorted probabilities, the
    usual case), else a copy.

    Why: stacking the nine GIFT quantiles copied ``[n, h, 9]`` float64 (260 MB for 500 test
    windows of 300 channels) that the quantile columns already held in that order.
    """
    lo = cols[0]
    if list(cols) == list(range(lo, lo + len(cols))):
        return values[..., lo : lo + len(cols)]
    return np.stack([values[..., k] for k in cols], axis=-1)


def cv_interval_scores(
    cv: pd.DataFrame, panel: Panel, models: Sequence[str], levels: Sequence[float]
) -> pd.DataFrame:
    """Coverage, width and MSIS of the ``<model>-lo-<l>`` / ``-hi-<l>`` columns of a
    cross-validation frame, one row per (model, level).

    Each (series, cutoff) case is scaled by that series' seasonal-naive MAE up to the cutoff;
    rows without bounds (e.g. a conformal first window) are left out and counted. The frame's
    rows may come in any order: they are sorted into cases as :func:`cv_scores` sorts them (a
    frame ordered by cutoff, then series, was once cut into cases of the wrong rows).

    ``coverage_min`` / ``coverage_max`` are the lowest and highest pooled coverage of a single
    window (windows counted from each series' last cutoff, :func:`~tsforge.evaluation.panel_metrics.window_numbers`; NaN
    with fewer than two scored windows). Why: a holdout reports one window's coverage, and on the
    development collections one window's 80 % coverage moved from window to window with a
    standard deviation of 3–19 points (median 7) under the same calibration
    (``benchmarks/coverage_spread.py``); the range says how far a user's own windows move before
    they read much into one.
    """
    sid = pd.Index(panel.ids).get_indexer(cv["unique_id"])
    if (sid < 0).any():
        raise ValueError(f"unknown series {cv['unique_id'][sid < 0].iloc[0]!r} in the cross-validation frame")
    order = np.lexsort((cv["ds"].to_numpy(), cv["cutoff"].to_numpy(), sid))
    cv, sid = cv.iloc[order], sid[order]
    cut = panel.steps_at(sid, cv["cutoff"].to_numpy()) + 1
    new_case = np.r_[True, (np.diff(sid) != 0) | (np.diff(cut) != 0)]
    starts = np.flatnonzero(new_case)
    sizes = np.diff(np.r_[starts, len(cv)])
    if sizes.size and not (sizes == sizes[0]).all():
        raise ValueError("every (series, cutoff) must have the same number of forecast steps")
    h = int(sizes[0]) if sizes.size else 0
    case_sid, case_len = sid[starts], cut[starts]
    window = window_numbers(cv)[starts]  # each case's window, counted from its series' last cutoff
    train = panel.take(case_sid).head_cut(panel.lengths[case_sid] - case_len)
    scale = insample_scale(train.values.astype(np.float64), train.indptr, panel.season_length)
    y = cv["y"].to_numpy(dtype=np.float64).reshape(-1, h)
    rows = []
    for m in models:
        for lv in levels:
            tag = f"{float(lv):g}"
            lo_col, hi_col = f"{m}-lo-{tag}", f"{m}-hi-{tag}"
            if lo_col not in cv or hi_col not in cv:
                continue
            lo = cv[lo_col].to_numpy(dtype=np.float64).reshape(-1, h)
            hi = cv[hi_col].to_numpy(dtype=np.float64).reshape(-1, h)
            ok = np.isfinite(lo).all(axis=1) & np.isfinite(hi).all(axis=1)
            by_window = [
                coverage(y[w], lo[w], hi[w]) for k in np.unique(window[ok]) if (w := ok & (window == k)).any()
            ]
            by_window = [c for c in by_window if np.isfinite(c)]
            spread = (min(by_window), max(by_window)) if len(by_window) >= 2 else (float("nan"), float("nan"))
            rows.append(
                {
                    "model": m,
                    "level": float(lv),
                    "coverage": coverage(y[ok], lo[ok], hi[ok]),
                    "coverage_min": float(spread[0]),
                    "coverage_max": float(spread[1]),
                    "n_windows_scored": len(by_window),
                    "width": scaled_width(y[ok], lo[ok], hi[ok], scale[ok]),
                    "msis": msis(y[ok], lo[ok], hi[ok], lv, scale[ok]),
                    "n_cases": int(ok.sum()),
                    "n_cases_without_bounds": int((~ok).sum()),
                }
            )
    return pd.DataFrame(rows)
