"""Score a fitted forecaster on a task's split, on the normalised and the original scale."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from tsforge.evaluation.metrics import MetricAccumulator, mase_scale, per_window_errors, round_trip_tolerance

if TYPE_CHECKING:
    from tsforge.data.task import ForecastTask
    from tsforge.models.base import Forecaster

__all__ = ["EvaluationResult", "evaluate", "predict_windows", "window_errors"]


@dataclass
class EvaluationResult:
    """Metrics of one split: overall (normalised / original units) and per horizon step."""

    split: str
    n_windows: int
    normalized: dict[str, float]
    original: dict[str, float]
    per_step: dict[str, list[float]] = field(default_factory=dict)
    per_channel: dict[str, list[float]] = field(default_factory=dict)

    def flat(self, prefix: str | None = None) -> dict[str, float]:
        """``{"test_mse": .., "test_orig_mae": ..}`` for logging."""
        p = prefix or self.split
        out = {f"{p}_{k}": v for k, v in self.normalized.items()}
        out.update({f"{p}_orig_{k}": v for k, v in self.original.items()})
        return out


@torch.no_grad()
def predict_windows(
    forecaster: Forecaster, task: ForecastTask, split: str, idx: np.ndarray
) -> dict[str, np.ndarray]:
    """Predictions and targets for a few windows (for plots), normalised scale."""
    batch = task.dataset(split).get_batch(torch.as_tensor(idx))
    pred = forecaster.predict(batch)
    return {
        "x": batch["x"].numpy(),
        "y": batch["y"].numpy(),
        "y_mask": batch["y_mask"].numpy(),
        "pred": pred.numpy(),
    }


@torch.no_grad()
def evaluate(
    forecaster: Forecaster, task: ForecastTask, split: str = "test", *, stride: int = 1, batch_size: int = 256
) -> EvaluationResult:
    """Metrics over every window of ``split`` (stride 1 = all windows, the standard protocol).

    Normalised-scale metrics compare with published LTSF tables; original-scale metrics are in
    the data's units. MASE uses the training rows' seasonal naive error as its scale.
    """
    data = task.dataset(split, stride=stride)
    H, C = task.horizon, task.data.n_channels
    m = max(1, task.data.freq and _season(task) or 1)
    train_raw = task.train_values()
    scale_orig = mase_scale(train_raw, m)
    scale_norm = scale_orig / task.scaler.std
    acc_n = MetricAccumulator(H, C, scale_norm)
    acc_o = MetricAccumulator(H, C, scale_orig, round_trip_tolerance(task.scaler.mean, task.scaler.std))
    for batch in data.batches(batch_size):
        pred = forecaster.predict(batch).numpy()
        y, mask = batch["y"].numpy(), batch["y_mask"].numpy()
        acc_n.update(pred, y, mask)
        acc_o.update(task.scaler.inverse(pred), task.scaler.inverse(y), mask)
    per_step = {k: np.asarray(v).tolist() for k, v in acc_n.per_step().items() if k in ("mse", "mae")}
    per_channel = {k: np.asarray(v).tolist() for k, v in acc_o.per_channel().items() if k in ("mae", "rmse")}
    return EvaluationResult(split, len(data), acc_n.result(), acc_o.result(), per_step, per_channel)


def _season(task: ForecastTask) -> int:
    from tsforge.data.frequency import season_length

    return season_length(task.data.freq)


@torch.no_grad()
def window_errors(
    forecaster: Forecaster, task: ForecastTask, split: str = "test", *, stride: int = 1, batch_size: int = 64
) -> pd.DataFrame:
    """Normalised-scale MSE and MAE of every (channel, window) of ``split``: one row each with
    ``channel, window_start, mse, mae`` (the recommender's knowledge base scores candidates so)."""
    ds = task.dataset(split, stride=stride)
    starts = ds.starts.numpy()
    frames = []
    for lo in range(0, len(ds), batch_size):
        idx = np.arange(lo, min(lo + batch_size, len(ds)))
        batch = ds.get_batch(torch.as_tensor(idx))
        mse, mae = per_window_errors(
            forecaster.predict(batch).float().numpy(), batch["y"].numpy(), batch["y_mask"].numpy()
        )
        n_windows, n_channels = mse.shape
        frames.append(
            pd.DataFrame(
                {
                    "channel": np.tile(np.arange(n_channels), n_windows),
                    "window_start": np.repeat(starts[idx], n_channels),
                    "mse": mse.ravel(),
                    "mae": mae.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
