"""Per-series accuracy over a ragged panel, then averaged: MASE, RMSSE, sMAPE, MAPE and OWA.

Why per series then averaged (and not pooled like :mod:`tsforge.evaluation.metrics`): in a
panel the series have different scales and lengths; the M-competitions score every series on
its own (scaled by its own history) and report the mean over series, which is what makes
results comparable with published M1/M3/M4/Monash tables.

Definitions (``e = y − ŷ`` over the test steps with a finite target):

* MASE  = mean|e| / scale, scale = mean |y_t − y_{t−m}| over the series' *training* part
  (m = season length; m = 1 when the training part has fewer than m + 1 values). A zero scale
  (constant history) gives NaN, which is left out of the mean and counted.
* RMSSE = sqrt(mean e² / mean (y_t − y_{t−m})²), same m and the same exclusion rule.
* sMAPE = 200 · mean |e| / (|y| + |ŷ|) (M4, 0–200); a step with y = ŷ = 0 scores 0.
* MAPE  = 100 · mean |e| / |y| over steps with y ≠ 0.
* OWA   = ½ (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2), from the panel means (M4).
  Naive2 = naive forecast of the seasonally adjusted series re-seasonalised, where the
  adjustment is a classical multiplicative decomposition applied only when the 90 %
  autocorrelation test at lag m passes (|r_m| > 1.645 · sqrt((1 + 2 Σ_{k<m} r_k²) / n), series of
  at least 3m values, and m within R ``acf``'s default lags ⌊10·log10 n⌋ as in M4's R code).
  Multiplicative decomposition needs positive data, so a series with a value ≤ 0 is treated as
  not seasonal.

Everything is vectorised over the CSR layout of the training panel (no loop over series).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.data.ragged import fill_missing_ragged, series_index
from tsforge.evaluation.metrics import RELATIVE_SCALE_FLOOR

__all__ = [
    "insample_scale",
    "seasonality_test",
    "seasonal_indices",
    "naive2_forecast",
    "paired_mase",
    "panel_scores",
    "summarise",
    "cv_scores",
    "window_numbers",
]

_TCRIT = 1.645  # one-sided 95 % normal quantile, the M4 "90 %" two-sided seasonality test


def _csr(y_train: Panel | Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values float64, indptr, ids) of a training panel given as a Panel or a list of arrays."""
    if isinstance(y_train, Panel):
        return y_train.values.astype(np.float64, copy=False), y_train.indptr, y_train.ids
    lens = np.array([len(a) for a in y_train], dtype=np.int64)
    values = np.concatenate([np.asarray(a, dtype=np.float64) for a in y_train]) if len(lens) else np.empty(0)
    return values, np.concatenate([[0], np.cumsum(lens)]), np.arange(lens.size)


def _positions(indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(series number, position within its series) of every row.

    Why lags go through these and shifted slices (``values[k:]`` against ``values[:-k]``, the pairs
    that cross into another series masked to 0 before a ``bincount``) rather than gathered pairs:
    gathering built five index arrays of the panel's size per lag, which made scoring a
    50,000-series panel slower than fitting seasonal naive on it. ``bincount`` adds its weights
    in row order, and adding 0.0 leaves a sum unchanged, so the sums are the gathered ones bit
    for bit.
    """
    sid = series_index(indptr)
    return sid, np.arange(indptr[-1], dtype=np.int64) - indptr[:-1][sid]


def insample_scale(values: np.ndarray, indptr: np.ndarray, season_length: int, power: int = 1) -> np.ndarray:
    """``[n]`` mean of |y_t − y_{t−m}|^power over each series (m → 1 below m + 1 values).

    NaN where the series has no pair of observed values or the mean is 0 (constant history) —
    or below a millionth of the series' own magnitude (``mean |y|``, to the same power): an exactly
    seasonal history differs from itself only by rounding, and dividing by that rounding gave
    MASEs of 1e14 in a score table. A scaled error is undefined there, and NaN keeps it out of
    the panel mean visibly.
    """
    n = indptr.size - 1
    lens = np.diff(indptr)
    m = max(1, int(season_length))
    sid, within = _positions(indptr)
    lag = np.where(lens >= m + 1, m, 1)
    total, count = np.zeros(n), np.zeros(n, dtype=np.int64)
    for k in np.unique(lag):  # one or two lags: each series uses one, so its sums are unchanged
        d = np.abs(values[k:] - values[: max(values.size - k, 0)]) ** power
        ok = np.isfinite(d) & (within[k:] >= k) & (lag[sid[k:]] == k)
        total += np.bincount(sid[k:], weights=np.where(ok, d, 0.0), minlength=n)
        count += np.bincount(sid[k:][ok], minlength=n)
    seen = np.isfinite(values)
    size = np.bincount(sid[seen], weights=np.abs(values[seen]) ** power, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = total / count
        floor = RELATIVE_SCALE_FLOOR**power * size / np.bincount(sid[seen], minlength=n)
    return np.where((scale > 0) & ~(scale <= floor), scale, np.nan)


def _acf(values: np.ndarray, indptr: np.ndarray, max_lag: int) -> np.ndarray:
    """``[n, max_lag]`` sample autocorrelations r_1..r_max_lag of every series."""
    n = indptr.size - 1
    lens = np.diff(indptr)
    sid, within = _positions(indptr)
    mean = np.bincount(sid, weights=values, minlength=n) / np.maximum(lens, 1)
    dev = values - mean[sid]
    denom = np.bincount(sid, weights=dev * dev, minlength=n)
    out = np.zeros((n, max_lag))
    for k in range(1, max_lag + 1):
        prod = dev[k:] * dev[: max(values.size - k, 0)]  # row t with t − k; 0 where t − k is another series'
        num = np.bincount(sid[k:], weights=np.where(within[k:] >= k, prod, 0.0), minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, k - 1] = np.where(denom > 0, num / denom, 0.0)
    return out


def seasonality_test(values: np.ndarray, indptr: np.ndarray, season_length: int) -> np.ndarray:
    """``[n]`` bool: the M4 90 % autocorrelation test for seasonality at lag m.

    False when m = 1, when the series has fewer than 3m values, when it has a value ≤ 0
    (Naive2's multiplicative decomposition would divide by zero or flip signs), or when
    ⌊10·log10 n⌋ < m: M4's R code takes r_m from ``acf``, whose default ``lag.max`` is
    ⌊10·log10 n⌋, so r_m is NA there and the series counts as not seasonal (m = 24 needs
    n ≥ 252; m = 52 needs n ≥ 158,489).
    """
    n = indptr.size - 1
    m = int(season_length)
    lens = np.diff(indptr)
    if m <= 1 or n == 0:
        return np.zeros(n, dtype=bool)
    r = _acf(values, indptr, m)
    limit = _TCRIT * np.sqrt((1 + 2 * np.sum(r[:, : m - 1] ** 2, axis=1)) / np.maximum(lens, 1))
    nonpos = np.diff(np.searchsorted(np.flatnonzero(~(values > 0)), indptr)) > 0
    with np.errstate(divide="ignore"):
        acf_lag_max = np.floor(10 * np.log10(np.maximum(lens, 1)))  # R acf's default lag.max, same float op
    return (lens >= 3 * m) & (acf_lag_max >= m) & ~nonpos & (np.abs(r[:, m - 1]) > limit)


def seasonal_indices(values: np.ndarray, indptr: np.ndarray, season_length: int) -> np.ndarray:
    """``[n, m]`` classical multiplicative seasonal indices (R ``decompose``), position 0 = the
    season of each series' first value; normalised to mean 1.

    Trend = centred moving average of order m (2×m for even m); index = mean of y / trend per
    season position, over the positions where the trend exists.
    """
    n = indptr.size - 1
    m = int(season_length)
    sid = series_index(indptr)
    start, end = indptr[:-1][sid], indptr[1:][sid]
    pos = np.arange(indptr[-1], dtype=np.int64)
    half = m // 2
    ok = (pos - half >= start) & (pos + half < end)
    base = np.bincount(sid, weights=values, minlength=n) / np.maximum(np.diff(indptr), 1)
    c = np.concatenate([[0.0], np.cumsum(values - base[sid])])  # de-meaned: exact window sums

    def window_sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # sum of rows a..b inclusive
        return c[b + 1] - c[a]

    p = pos[ok]
    lo, hi = p - half, p + half
    if m % 2:
        trend = window_sum(lo, hi) / m
    else:
        dm = values[lo] - base[sid[ok]] + values[hi] - base[sid[ok]]
        trend = (window_sum(lo, hi) - 0.5 * dm) / m
    trend = trend + base[sid[ok]]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = values[p] / trend
    key = sid[ok] * m + (p - start[ok]) % m
    good = np.isfinite(ratio)
    total = np.bincount(key[good], weights=ratio[good], minlength=n * m).reshape(n, m)
    count = np.bincount(key[good], minlength=n * m).reshape(n, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        fig = total / count
        fig = fig / np.nanmean(np.where(count > 0, fig, np.nan), axis=1, keepdims=True)
    return np.where(np.isfinite(fig), fig, 1.0)


def naive2_forecast(values: np.ndarray, indptr: np.ndarray, season_length: int, h: int) -> np.ndarray:
    """``[n, h]`` M4 Naive2: naive on the seasonally adjusted series where the seasonality test
    passes, plain naive elsewhere. Missing training values are interpolated first."""
    values = fill_missing_ragged(np.asarray(values, dtype=np.float64), indptr)
    lens = np.diff(indptr)
    last = values[indptr[1:] - 1]
    out = np.repeat(last[:, None], h, axis=1)
    m = int(season_length)
    seasonal = seasonality_test(values, indptr, m)
    if not seasonal.any():
        return out
    idx = np.flatnonzero(seasonal)
    sub_ptr = np.concatenate([[0], np.cumsum(lens[idx])])
    flat = np.repeat(indptr[idx] - sub_ptr[:-1], lens[idx]) + np.arange(sub_ptr[-1])
    sub_vals = values[flat]
    fig = seasonal_indices(sub_vals, sub_ptr, m)
    rows = np.arange(idx.size)[:, None]
    season_last = (lens[idx] - 1) % m
    future = (lens[idx][:, None] - 1 + np.arange(1, h + 1)[None, :]) % m
    adjusted_last = last[idx] / fig[np.arange(idx.size), season_last]
    out[idx] = adjusted_last[:, None] * fig[rows, future]
    return out


def _per_series(
    y: np.ndarray, yhat: np.ndarray, scale1: np.ndarray, scale2: np.ndarray
) -> dict[str, np.ndarray]:
    """MASE, RMSSE, sMAPE, MAPE of every row of ``[n, h]`` arrays, and ``n_observed`` (the row's
    observed targets: 0 for a window of missing values, which has nothing to score).

    A NaN target (a ragged or gappy test window) is left out. A NaN *forecast* of an observed
    target makes the row's scores NaN (left out of the panel mean and counted by
    :func:`summarise`): scoring only the steps a model did forecast gave a model that forecast
    one step of three a MASE of 0 — and Naive2, scored on every step, made its OWA 0.
    """
    ok = np.isfinite(y)
    unforecast = (ok & ~np.isfinite(yhat)).any(axis=1)
    e = np.where(ok, y - np.where(ok, yhat, 0.0), 0.0)
    cnt = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mae = np.abs(e).sum(axis=1) / cnt
        mse = (e * e).sum(axis=1) / cnt
        den = np.abs(np.where(ok, y, 0.0)) + np.abs(np.where(ok, yhat, 0.0))
        sape = np.where(den > 0, np.abs(e) / np.where(den > 0, den, 1.0), 0.0)
        smape = 200.0 * sape.sum(axis=1) / cnt
        okp = ok & (y != 0)
        ape = np.where(okp, np.abs(e) / np.where(okp, np.abs(y), 1.0), 0.0)
        mape = 100.0 * ape.sum(axis=1) / okp.sum(axis=1)
        scores = {"mase": mae / scale1, "rmsse": np.sqrt(mse / scale2), "smape": smape, "mape": mape}
    return {**{k: np.where(unforecast, np.nan, v) for k, v in scores.items()}, "n_observed": cnt}


def panel_scores(
    y_true_test: np.ndarray,
    y_pred: np.ndarray | Mapping[str, np.ndarray],
    y_train: Panel | Sequence[np.ndarray],
    season_length: int | None = None,
    ids: Sequence[Any] | None = None,
    include_naive2: bool = True,
) -> pd.DataFrame:
    """Per-series scores of one or several models on ``[n, h]`` test targets.

    ``y_train`` is each series' history before the test window (the MASE/RMSSE scale and the
    Naive2 benchmark come from it); ``season_length`` defaults to the panel's. Returns one row
    per (model, series): ``model, unique_id, mase, rmsse, smape, mape, n_observed, mase_naive2,
    smape_naive2`` — plus the ``naive2`` model's own rows when ``include_naive2``.
    """
    values, indptr, default_ids = _csr(y_train)
    if season_length is None:
        season_length = y_train.season_length if isinstance(y_train, Panel) else 1
    y = np.asarray(y_true_test, dtype=np.float64)
    if y.ndim != 2 or y.shape[0] != indptr.size - 1:
        raise ValueError(f"y_true_test must be [n_series={indptr.size - 1}, h], got {y.shape}")
    preds = {"model": y_pred} if not isinstance(y_pred, Mapping) else dict(y_pred)
    for name, p in preds.items():
        if np.shape(p) != y.shape:
            raise ValueError(f"predictions of {name!r} have shape {np.shape(p)}, expected {y.shape}")
    scale1 = insample_scale(values, indptr, season_length, power=1)
    scale2 = insample_scale(values, indptr, season_length, power=2)
    naive2 = naive2_forecast(values, indptr, season_length, y.shape[1])
    bench = _per_series(y, naive2, scale1, scale2)
    if include_naive2:
        preds.setdefault("naive2", naive2)
    ids_arr = np.asarray(default_ids if ids is None else ids)
    frames = []
    for name, p in preds.items():
        s = _per_series(y, np.asarray(p, dtype=np.float64), scale1, scale2)
        frames.append(
            pd.DataFrame(
                {
                    "model": name,
                    "unique_id": ids_arr,
                    **s,
                    "mase_naive2": bench["mase"],
                    "smape_naive2": bench["smape"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def paired_mase(per_series: pd.DataFrame) -> tuple[float, float]:
    """``(model's mean MASE, Naive2's mean MASE)`` over the series where both are defined: the
    pair a panel model's skill over Naive2 is read from (OWA's MASE ratio). Why MASE alone and
    not OWA: panels are ranked by MASE here, and OWA's sMAPE half counts 200 % for any forecast
    of a zero, so on intermittent series a model could beat Naive2 by MASE and lose by OWA."""
    ok = np.isfinite(per_series["mase"]) & np.isfinite(per_series["mase_naive2"])
    if not ok.any():
        return math.nan, math.nan
    return float(per_series["mase"][ok].mean()), float(per_series["mase_naive2"][ok].mean())


def summarise(per_series: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Panel means per model: ``{model: {mase, rmsse, smape, mape, owa, n_series,
    n_mase_excluded, n_mape_excluded, n_smape_excluded, n_unobserved}}``.

    Series whose MASE is undefined (zero scale, a missing forecast of an observed target, or no
    observed target at all) are left out of the MASE/RMSSE means and OWA's MASE ratio, and
    counted in ``n_mase_excluded``; ``n_unobserved`` counts the last kind (a window of missing
    values: nothing to score, whatever the forecast), so a reader can tell the three apart. OWA's
    two ratios are taken over the same series for the model and for Naive2.
    """
    out: dict[str, dict[str, float]] = {}
    for name, g in per_series.groupby("model", sort=False):
        ok_mase = np.isfinite(g["mase"]) & np.isfinite(g["mase_naive2"])
        ok_smape = np.isfinite(g["smape"]) & np.isfinite(g["smape_naive2"])
        mase, mase_n2 = g["mase"][ok_mase].mean(), g["mase_naive2"][ok_mase].mean()
        smape, smape_n2 = g["smape"][ok_smape].mean(), g["smape_naive2"][ok_smape].mean()
        with np.errstate(invalid="ignore", divide="ignore"):
            owa = 0.5 * (smape / smape_n2 + mase / mase_n2)
        out[str(name)] = {
            "mase": float(g["mase"][np.isfinite(g["mase"])].mean()),
            "rmsse": float(g["rmsse"][np.isfinite(g["rmsse"])].mean()),
            "smape": float(g["smape"][np.isfinite(g["smape"])].mean()),
            "mape": float(g["mape"][np.isfinite(g["mape"])].mean()),
            "owa": float(owa),
            "n_series": int(len(g)),
            "n_mase_excluded": int((~np.isfinite(g["mase"])).sum()),
            "n_mape_excluded": int((~np.isfinite(g["mape"])).sum()),
            # sMAPE is defined wherever a forecast and a target exist: the series it leaves out
            # are the unforecast ones (a NaN forecast of an observed step) and the unobserved
            # windows, which MASE leaves out too, so n_mase_excluded − n_smape_excluded is the
            # flat histories
            "n_smape_excluded": int((~np.isfinite(g["smape"])).sum()),
            # windows with no observed target: in every excluded count above, unforecast or not
            "n_unobserved": int((g["n_observed"] == 0).sum()) if "n_observed" in g else 0,
        }
    return out


def cv_scores(
    cv: pd.DataFrame, panel: Panel, season_length: int | None = None, include_naive2: bool = False
) -> pd.DataFrame:
    """Score a cross-validation frame (``unique_id, ds, cutoff, y, <model>...``) per model.

    Every (series, cutoff) pair is one evaluation case whose scale and Naive2 benchmark come
    from that series' values up to the cutoff (never from the window it is scored on). Returns
    one row per model: ``model, mase, rmsse, smape, mape, owa, n_cases, n_mase_excluded``.
    """
    models = [
        c
        for c in cv.columns
        if c not in ("unique_id", "ds", "cutoff", "y") and "-lo-" not in c and "-hi-" not in c
    ]
    sid = pd.Index(panel.ids).get_indexer(cv["unique_id"])
    if (sid < 0).any():
        raise ValueError(f"unknown series {cv['unique_id'][sid < 0].iloc[0]!r} in the cross-validation frame")
    order = np.lexsort((cv["ds"].to_numpy(), cv["cutoff"].to_numpy(), sid))
    frame, sid = cv.iloc[order], sid[order]
    cut = panel.steps_at(sid, frame["cutoff"].to_numpy())
    new_case = np.r_[True, (np.diff(sid) != 0) | (np.diff(cut) != 0)]
    starts = np.flatnonzero(new_case)
    sizes = np.diff(np.r_[starts, len(frame)])
    if sizes.size and not (sizes == sizes[0]).all():
        raise ValueError("every (series, cutoff) must have the same number of forecast steps")
    h = int(sizes[0]) if sizes.size else 0
    case_sid, case_len = sid[starts], cut[starts] + 1
    train = panel.take(case_sid).head_cut(panel.lengths[case_sid] - case_len)
    preds = {m: frame[m].to_numpy(dtype=np.float64).reshape(-1, h) for m in models}
    per = panel_scores(
        frame["y"].to_numpy(dtype=np.float64).reshape(-1, h),
        preds,
        train,
        season_length=panel.season_length if season_length is None else season_length,
        ids=panel.ids[case_sid],
        include_naive2=include_naive2,
    )
    rows = [
        {"model": name, **{k: v for k, v in s.items() if k != "n_series"}, "n_cases": s["n_series"]}
        for name, s in summarise(per).items()
    ]
    return pd.DataFrame(rows)


def window_numbers(frame: pd.DataFrame) -> np.ndarray:
    """Each row's window, ``0`` the earliest; a series' last cutoff is always window ``n − 1``.

    Why counted from the end: in a ragged panel a short series fits fewer windows, and they are
    its *latest* ones, so its first cutoff lines up with a later window of the long series.
    """
    n_windows = int(frame.groupby("unique_id", sort=False)["cutoff"].nunique().max())
    from_end = frame.groupby("unique_id", sort=False)["cutoff"].rank(method="dense", ascending=False)
    return (n_windows - from_end.to_numpy(dtype=np.int64)).astype(np.int64)
