"""Features of every series of a panel for the per-series recommender: ARIES properties of its
last values plus series-level shape features.

Why this shape: the per-series recommender (:mod:`recommender.per_series`) learns which
candidate forecasts a series best *from the values it has seen*, so the same function runs at
knowledge-base time (on each series cut at a rolling-origin cutoff) and at predict time (on a
history that just arrived). Everything here reads only the values it is given — the input
window — so a knowledge-base row cannot leak its own future.

* **ARIES properties** (:func:`recommender.properties.profile_windows`, batched): stationarity,
  trend, seasonality, volatility, memorability, scedasticity and anomaly of the series' **last
  ``min(length, W)`` values**, with the length snapped *down* to the ladder :data:`PROFILE_LADDER`
  (so a series of 70 values is profiled on its last 64, one of 30 on its last 24). The ladder
  keeps batches rectangular (a handful of ``[n, L]`` calls instead of one per length) and the
  window of a series the same at training and at predict time. Series shorter than the first
  rung (12 values) get NaN properties; LightGBM routes NaN on its own.
* **Shape features** (vectorised over the CSR layout): history length, season length, sampling
  rate, horizon relative to length and season, share of zeros and average inter-demand interval
  (intermittency), missing share, a scale-free level shift (last ``k`` values vs the ``k``
  before, in units of the mean absolute step), the in-sample seasonal-vs-naive step ratio,
  coefficient of variation and whether the series has non-positive values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from recommender.properties.features import WINDOW_FEATURES
from recommender.properties.profile import profile_windows
from tsforge.data.frequency import steps_per_day
from tsforge.data.panel import Panel
from tsforge.data.ragged import fill_missing_ragged, series_index
from tsforge.evaluation.panel_metrics import insample_scale

__all__ = [
    "PROFILE_WINDOW",
    "PROFILE_LADDER",
    "PROPERTY_FEATURES",
    "SHAPE_FEATURES",
    "SERIES_FEATURES",
    "FEATURE_GROUPS",
    "series_features",
    "profile_length",
]

#: Longest window profiled (the dataset-level recommender's window too; the seasonality test
#: dominates the cost and grows quickly beyond it).
PROFILE_WINDOW = 96
#: Window lengths a series is profiled on: the largest rung ≤ its length (capped at the window).
PROFILE_LADDER: tuple[int, ...] = (12, 16, 24, 32, 48, 64, 96)
#: ARIES property columns (raw values of the profiled window).
PROPERTY_FEATURES: tuple[str, ...] = WINDOW_FEATURES
#: Series-level columns.
SHAPE_FEATURES: tuple[str, ...] = (
    "log_length",
    "profile_length",
    "season_length",
    "log_steps_per_day",
    "horizon",
    "horizon_over_length",
    "horizon_over_season",
    "zero_share",
    "adi",
    "missing_share",
    "level_shift",
    "seasonal_step_ratio",
    "cv",
    "nonpositive",
)
#: Every feature, in model column order.
SERIES_FEATURES: tuple[str, ...] = PROPERTY_FEATURES + SHAPE_FEATURES
#: Feature → property group, for explanations (contributions are summed per group).
FEATURE_GROUPS: Mapping[str, str] = {
    "stationarity": "stationarity",
    "trend_label": "trend",
    "tau": "trend",
    "season_count": "seasonality",
    "season_strength": "seasonality",
    "seasonal_step_ratio": "seasonality",
    "volatility": "volatility",
    "cv": "volatility",
    "hurst": "memorability",
    "scedasticity": "scedasticity",
    "arch_pvalue": "scedasticity",
    "anomaly_ratio": "anomaly",
    "log_length": "history length",
    "profile_length": "history length",
    "horizon_over_length": "history length",
    "zero_share": "intermittency",
    "adi": "intermittency",
    "missing_share": "missing values",
    "level_shift": "level shift",
    "season_length": "frequency and horizon",
    "log_steps_per_day": "frequency and horizon",
    "horizon": "frequency and horizon",
    "horizon_over_season": "frequency and horizon",
    "nonpositive": "level",
}


def profile_length(lengths: np.ndarray, window: int = PROFILE_WINDOW) -> np.ndarray:
    """``[n]`` values each series is profiled on: the largest ladder rung ≤ min(length, window)
    (0 when the series is shorter than the first rung)."""
    rungs = np.asarray([r for r in PROFILE_LADDER if r <= window] or [min(PROFILE_LADDER)], dtype=np.int64)
    capped = np.minimum(np.asarray(lengths, dtype=np.int64), window)
    pos = np.searchsorted(rungs, capped, side="right") - 1
    return np.where(pos >= 0, rungs[np.clip(pos, 0, None)], 0)


#: Chunks each rung's windows are profiled in (the work of at most this many processes).
PROFILE_CHUNKS = 2


def _properties(
    values: np.ndarray,
    indptr: np.ndarray,
    plen: np.ndarray,
    n_jobs: int,
    progress: Callable[[int, int], None] | None,
) -> dict[str, np.ndarray]:
    """ARIES properties of the last ``plen[i]`` values of every series (NaN where ``plen`` is 0).

    ``progress(done, total)``: at the start (0) and after each chunk of each rung, not only
    after a rung: a panel of one rung (most monthly files) moved its bar once, at the end.
    """
    n = plen.size
    out = {k: np.full(n, np.nan) for k in PROPERTY_FEATURES}
    rungs = [int(r) for r in np.unique(plen) if r > 0]
    total, done = int((plen > 0).sum()), 0
    if progress:
        progress(0, total)
    for r in rungs:
        idx = np.flatnonzero(plen == r)
        rows = indptr[idx + 1][:, None] - r + np.arange(r)[None, :]
        windows = values[rows]
        # the chunks depend on the rung alone, never on n_jobs: the batched properties differ in
        # the last bits with a window's batch-mates, so chunks cut by n_jobs gave other features
        # (and knowledge-base rows) with --n-jobs 1 than with 2; two chunks, as n_jobs=2 always had
        chunk = max(256, -(-idx.size // PROFILE_CHUNKS))
        props = profile_windows(
            windows, n_jobs=n_jobs, chunk_size=chunk, progress=_offset(progress, done, total)
        )
        for k in PROPERTY_FEATURES:
            out[k][idx] = np.asarray(props[k], dtype=np.float64)
        done += idx.size
        if progress:
            progress(done, total)
    return out


def _offset(
    progress: Callable[[int, int], None] | None, base: int, total: int
) -> Callable[[int, int], None] | None:
    """``progress`` for one rung's windows: its ``done`` counted after the ``base`` series of the
    rungs before, out of every profiled series (``None`` stays ``None``)."""
    if progress is None:
        return None
    return lambda done, _n: progress(base + done, total)


def _last_k_means(
    values: np.ndarray, indptr: np.ndarray, k: np.ndarray, offset: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the ``k[i]`` values ending ``offset[i]`` values before each series' end, and its count."""
    n = indptr.size - 1
    sid = series_index(indptr)
    from_end = indptr[1:][sid] - 1 - np.arange(indptr[-1])  # 0 for the last value
    lo, hi = offset[sid], offset[sid] + k[sid]
    sel = (from_end >= lo) & (from_end < hi) & np.isfinite(values)
    total = np.bincount(sid[sel], weights=values[sel], minlength=n)
    count = np.bincount(sid[sel], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count, count


def series_features(
    panel: Panel,
    horizon: int,
    *,
    window: int = PROFILE_WINDOW,
    n_jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """``[n_series, len(SERIES_FEATURES)]`` features of every series of ``panel`` (its values are
    the input window), rows in panel order, indexed by the series ids.

    Args:
        panel: the histories (each series ends where its forecast would start).
        horizon: the forecast horizon the recommendation is for.
        window: longest profile window (see the module docstring).
        n_jobs: worker processes for the property extraction (at most 2).
        progress: ``progress(done_series, total)`` during profiling.
    """
    raw = np.asarray(panel.values, dtype=np.float64)
    indptr = panel.indptr
    n = len(panel)
    lengths = panel.lengths
    sid = series_index(indptr)
    observed = np.isfinite(raw)
    n_obs = np.bincount(sid, weights=observed, minlength=n)
    filled = fill_missing_ragged(raw, indptr)
    m = max(1, int(panel.season_length))

    plen = profile_length(lengths, window)
    props = _properties(filled, indptr, plen, n_jobs, progress)

    with np.errstate(invalid="ignore", divide="ignore"):
        missing_share = 1.0 - n_obs / np.maximum(lengths, 1)
        zeros = np.bincount(sid, weights=observed & (raw == 0), minlength=n)
        zero_share = zeros / np.maximum(n_obs, 1)
        adi = n_obs / np.maximum(n_obs - zeros, 1)
        mean = np.bincount(sid[observed], weights=raw[observed], minlength=n) / np.maximum(n_obs, 1)
        sq = np.bincount(sid[observed], weights=raw[observed] ** 2, minlength=n) / np.maximum(n_obs, 1)
        std = np.sqrt(np.maximum(sq - mean**2, 0.0))
        cv = std / np.abs(mean)
        step1 = insample_scale(filled, indptr, 1)
        step_m = insample_scale(filled, indptr, m) if m > 1 else step1
        seasonal_step_ratio = np.log(step_m / step1)
        k = np.clip(np.minimum(max(int(horizon), m), lengths // 2), 1, None)
        recent, c1 = _last_k_means(filled, indptr, k, np.zeros(n, dtype=np.int64))
        before, c2 = _last_k_means(filled, indptr, k, k)
        level_shift = np.where((c1 > 0) & (c2 > 0), np.abs(recent - before) / step1, np.nan)
        nonpos = np.bincount(sid, weights=observed & (raw <= 0), minlength=n) > 0

    spd = steps_per_day(panel.freq)
    shape = {
        "log_length": np.log(np.maximum(lengths, 1)),
        "profile_length": plen.astype(np.float64),
        "season_length": np.full(n, float(m)),
        "log_steps_per_day": np.full(n, np.log(spd) if np.isfinite(spd) and spd > 0 else np.nan),
        "horizon": np.full(n, float(horizon)),
        "horizon_over_length": float(horizon) / np.maximum(lengths, 1),
        "horizon_over_season": np.full(n, float(horizon) / m),
        "zero_share": zero_share,
        "adi": adi,
        "missing_share": missing_share,
        "level_shift": level_shift,
        "seasonal_step_ratio": seasonal_step_ratio,
        "cv": cv,
        "nonpositive": nonpos.astype(np.float64),
    }
    frame = pd.DataFrame({**props, **shape}, columns=list(SERIES_FEATURES))
    frame = frame.replace([np.inf, -np.inf], np.nan)
    frame.index = pd.Index(panel.ids, name="unique_id")
    return frame
