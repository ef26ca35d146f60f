"""The one place for forecast metrics: masked MAE, MSE, RMSE, MAPE, sMAPE, WAPE, MASE.

Every metric is built from per-(step, channel) sums kept by :class:`MetricAccumulator`, so
the same code gives the overall value, the per-horizon-step curve and the per-channel values,
and evaluates test sets too large to hold in memory (batches are folded in one by one).
Missing targets (``mask == False``) never count.

Definitions (sums over observed points):
* MAE = Σ|e| / n, MSE = Σe² / n, RMSE = √MSE
* MAPE = 100 · mean |e| / |y| over points with |y| > eps (in %, as the panel scores give it)
* sMAPE = 100 · mean 2|e| / (|y| + |ŷ|) over points where the denominator > eps (in %, 0..200,
  the M4 scale). Unlike :mod:`tsforge.evaluation.panel_metrics`, which scores a step with
  y = ŷ = 0 as 0, such a step is left out here.
* WAPE = Σ|e| / Σ|y|
* MASE = mean over channels of MAE_c / scale_c, with ``scale_c`` the in-sample mean absolute
  seasonal difference of the training data (``insample_scale``); NaN when no scale is given.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "METRIC_NAMES",
    "RELATIVE_SCALE_FLOOR",
    "RELATIVE_TO_VALUES",
    "MetricAccumulator",
    "compute_metrics",
    "mase_scale",
    "per_window_errors",
    "round_trip_tolerance",
]

METRIC_NAMES = ("mae", "mse", "rmse", "mape", "smape", "wape", "mase")
#: the scores that divide by the actual values (MAPE, sMAPE) or their sum (WAPE): on z-scored
#: values, which lie around 0, they are no error rate (a window model's normalised MAPE read
#: 204.5 beside its 4.36 % in original units, and a user read both as MAPE), so a window model's
#: are shown (``tsforge evaluate``, ``train``) and logged (``metrics/scores.json``) in original
#: units only
RELATIVE_TO_VALUES = ("mape", "smape", "wape")
_EPS = 1e-8
#: A seasonal-difference scale at most this share of the series' magnitude (mean |y|) is
#: rounding, not signal: the MASE is undefined there (NaN). Relative, so a series measured in
#: millionths has a MASE as one measured in units does (an absolute 1e-8 took every series
#: whose steps are below 1e-8 for flat). Shared with the panel metrics.
RELATIVE_SCALE_FLOOR = 1e-6


def mase_scale(train_values: np.ndarray, season: int = 1) -> np.ndarray:
    """Per-channel MASE denominator: mean |y_t − y_{t−m}| over the training rows (NaN-aware);
    NaN where a channel has no pair of values or the mean is at most :data:`RELATIVE_SCALE_FLOOR`
    of its mean |y| (a constant or exactly repeating history)."""
    v = np.asarray(train_values, dtype=np.float64)
    m = max(1, int(season))
    if v.shape[0] <= m:
        m = 1
    if v.shape[0] <= m:
        return np.full(v.shape[1], np.nan)
    d = np.abs(v[m:] - v[:-m])
    ok = np.isfinite(d)
    n = ok.sum(axis=0)
    # a channel with no pair of training values has no scale (NaN), without numpy's "Mean of empty
    # slice" warning reaching the user (a panel read as wide data: a series that starts late)
    scale = np.where(n > 0, np.where(ok, d, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)
    seen = np.isfinite(v)
    size = np.where(seen, np.abs(v), 0.0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
    return np.where((scale > 0) & (scale > RELATIVE_SCALE_FLOOR * size), scale, np.nan)


def round_trip_tolerance(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Per channel, how far from 0 a true zero can come back from a window standardised with
    ``mean``/``std`` and stored in float32: ``2^-20 · (|mean| + std)``, 8–16 times the round trip's
    error (``2^-24`` of ``|mean|`` and of ``|y − mean|``) and a millionth of the channel's size.
    Why it matters: on Weather 71 % of the zeros (rain, 50,785 of them in one channel) came back
    as 1e-8 … 8e-6, and MAPE in original units divided by them."""
    return 2.0**-20 * (np.abs(np.asarray(mean, dtype=np.float64)) + np.asarray(std, dtype=np.float64))


class MetricAccumulator:
    """Fold ``[B, H, C]`` batches into per-(step, channel) sums; read metrics at any time."""

    _KEYS = ("n", "abs", "sq", "ape", "n_ape", "sape", "n_sape", "absy")

    def __init__(
        self,
        horizon: int,
        n_channels: int,
        insample_scale: np.ndarray | None = None,
        zero_tolerance: np.ndarray | float | None = None,
    ) -> None:
        """``zero_tolerance`` (per channel, or one number; default an absolute 1e-8): a target
        with ``|y|`` at most this is a zero for MAPE and sMAPE. Targets read back from a scaled
        float32 window (:func:`tsforge.evaluation.evaluate.evaluate`) carry the round trip's
        error, so a true zero is not 0 there (see :func:`round_trip_tolerance`)."""
        self.sums = {k: np.zeros((horizon, n_channels), dtype=np.float64) for k in self._KEYS}
        self.insample_scale = None if insample_scale is None else np.asarray(insample_scale, dtype=np.float64)
        self.zero_tolerance = np.asarray(_EPS if zero_tolerance is None else zero_tolerance, dtype=np.float64)

    def update(
        self, pred: np.ndarray, target: np.ndarray, mask: np.ndarray | None = None
    ) -> MetricAccumulator:
        pred = np.asarray(pred, dtype=np.float64)
        target = np.asarray(target, dtype=np.float64)
        if pred.ndim == 2:
            pred, target = pred[None], target[None]
            mask = None if mask is None else np.asarray(mask)[None]
        m = np.isfinite(target) if mask is None else (np.asarray(mask, dtype=bool) & np.isfinite(target))
        mf = m.astype(np.float64)
        e = np.where(m, pred - target, 0.0)
        y = np.where(m, target, 0.0)
        abs_e = np.abs(e)
        abs_y = np.abs(y)
        ok_ape = m & (abs_y > self.zero_tolerance)
        denom = abs_y + np.abs(np.where(m, pred, 0.0))
        ok_sape = m & (denom > self.zero_tolerance)
        s = self.sums
        s["n"] += mf.sum(0)
        s["abs"] += abs_e.sum(0)
        s["sq"] += (e * e).sum(0)
        s["ape"] += np.where(ok_ape, abs_e / np.where(ok_ape, abs_y, 1.0), 0.0).sum(0)
        s["n_ape"] += ok_ape.sum(0)
        s["sape"] += np.where(ok_sape, 2.0 * abs_e / np.where(ok_sape, denom, 1.0), 0.0).sum(0)
        s["n_sape"] += ok_sape.sum(0)
        s["absy"] += abs_y.sum(0)
        return self

    @staticmethod
    def _finish(s: dict[str, np.ndarray], axis, scale: np.ndarray | None) -> dict[str, np.ndarray | float]:
        def tot(k):
            return s[k].sum(axis=axis)

        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            n = tot("n")
            mae = tot("abs") / n
            mse = tot("sq") / n
            out = {
                "mae": mae,
                "mse": mse,
                "rmse": np.sqrt(mse),
                # in %, as the panel scores and the M4 tables give them (one unit for a user who
                # compares a window model's run with a panel model's)
                "mape": 100.0 * tot("ape") / tot("n_ape"),
                "smape": 100.0 * tot("sape") / tot("n_sape"),
                "wape": tot("abs") / tot("absy"),
            }
            if scale is not None:
                per_channel_mae = s["abs"].sum(0) / s["n"].sum(0)
                ratio = per_channel_mae / scale
                if axis == 0:  # per channel
                    out["mase"] = ratio
                elif axis is None:
                    out["mase"] = np.nanmean(ratio) if np.isfinite(ratio).any() else np.nan
                else:  # per step: per-step MAE of each channel / its scale, averaged over channels
                    out["mase"] = np.nanmean(s["abs"] / s["n"] / scale[None, :], axis=1)
            else:
                out["mase"] = np.full_like(mae, np.nan) if np.ndim(mae) else np.nan
        return out

    def result(self) -> dict[str, float]:
        """Overall metrics (all steps, all channels)."""
        return {k: float(v) for k, v in self._finish(self.sums, None, self.insample_scale).items()}

    def per_step(self) -> dict[str, np.ndarray]:
        """Metric per horizon step, ``[H]`` arrays."""
        return self._finish(self.sums, 1, self.insample_scale)  # type: ignore[return-value]

    def per_channel(self) -> dict[str, np.ndarray]:
        """Metric per channel, ``[C]`` arrays."""
        return self._finish(self.sums, 0, self.insample_scale)  # type: ignore[return-value]


def compute_metrics(
    pred: np.ndarray,
    target: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    insample_scale: np.ndarray | None = None,
) -> dict[str, float]:
    """All metrics for ``[B, H, C]`` (or ``[H, C]``) arrays in one call."""
    pred = np.asarray(pred)
    shape = pred.shape if pred.ndim == 3 else (1, *pred.shape)
    return MetricAccumulator(shape[1], shape[2], insample_scale).update(pred, target, mask).result()


def per_window_errors(
    pred: np.ndarray, target: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Masked MSE and MAE of each (window, channel) of ``[B, H, C]`` arrays → two ``[B, C]``
    arrays, NaN where no target of the window was observed."""
    m = np.asarray(mask, dtype=np.float64)
    err = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    err = np.where(m > 0, err, 0.0)
    n = m.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mse = np.where(n > 0, (err**2).sum(axis=1) / n, np.nan)
        mae = np.where(n > 0, np.abs(err).sum(axis=1) / n, np.nan)
    return mse, mae
