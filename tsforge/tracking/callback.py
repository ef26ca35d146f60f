"""The training-loop callback that logs per-epoch metrics to an MLflow run."""

from __future__ import annotations

import math
import time

from tsforge.training.callbacks import Callback, TrainState

__all__ = ["MlflowCallback", "EPOCH_CURVES_NOTE"]

#: What a run trained in epochs says of its curves, in its description: the runs table showed
#: ``epoch_seconds`` (the last epoch's) beside a window model's ``seconds_per_epoch`` (a mean with
#: the set-up in it) with no word of which is which.
EPOCH_CURVES_NOTE = (
    "Per-epoch curves (step = epoch, counted from 1 as the training prints them): train_loss, "
    "val_loss, lr and epoch_seconds (that epoch's training and validation time)."
)


class MlflowCallback(Callback):
    """Logs ``train_loss``, ``val_loss``, ``lr``, ``epoch_seconds`` and the strategy's statistics
    every epoch, at the step of the epoch counted from 1 over every stage: the number the
    training's progress line gives it (``train epoch 1: …``) and the run's ``best_epoch``.

    ``epoch_seconds`` is that epoch's own wall time (its training and validation); the run's
    ``seconds_per_epoch`` is ``train_seconds`` over the epochs run, its set-up included.
    """

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id

    def on_epoch_end(self, state: TrainState) -> None:
        import mlflow
        from mlflow.entities import Metric

        row = state.history[-1]
        prefix = f"{state.stage}/" if state.n_stages > 1 else ""
        ts = _now_ms()
        metrics = [
            Metric(f"{prefix}{k}", float(v), ts, state.global_epoch + 1)
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
