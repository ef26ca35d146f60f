"""The training-loop callback that logs per-epoch metrics to an MLflow run."""

from __future__ import annotations

import math
import time

from tsforge.training.callbacks import Callback, TrainState

__all__ = ["MlflowCallback"]


class MlflowCallback(Callback):
    """Logs ``train_loss``, ``val_loss``, ``lr`` and the strategy's statistics every epoch."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id

    def on_epoch_end(self, state: TrainState) -> None:
        import mlflow
        from mlflow.entities import Metric

        row = state.history[-1]
        prefix = f"{state.stage}/" if state.n_stages > 1 else ""
        ts = _now_ms()
        metrics = [
            Metric(f"{prefix}{k}", float(v), ts, state.global_epoch)
            for k, v in row.items()
            if k not in ("epoch", "stage") and v is not None and math.isfinite(float(v))
        ]
        mlflow.MlflowClient().log_batch(self.run_id, metrics=metrics)


def _now_ms() -> int:
    """Wall time in milliseconds since the Unix epoch, the unit of an MLflow metric's timestamp.

    ``log_batch`` takes ``Metric`` objects, which (unlike ``log_metric``) stamp no time of their
    own: each epoch's values carry the time the epoch ended, so MLflow's wall-time and
    relative-time charts place the epochs where they happened. Only the tracking record reads
    it; the training itself never does (equal seeds still give equal models).
    """
    return int(time.time() * 1000)
