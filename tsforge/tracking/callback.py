"""The training-loop callback that logs per-epoch metrics to an MLflow run."""

from __future__ import annotations

import math

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
        ts = 0
        metrics = [
            Metric(f"{prefix}{k}", float(v), ts, state.global_epoch)
            for k, v in row.items()
            if k not in ("epoch", "stage") and v is not None and math.isfinite(float(v))
        ]
        mlflow.MlflowClient().log_batch(self.run_id, metrics=metrics)
