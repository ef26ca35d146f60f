"""MlflowCallback: the per-epoch curves of a training, as MLflow shows them."""

from __future__ import annotations

import time

import pytest

from tsforge.data.task import prepare_task
from tsforge.models import ModelContext, build_model
from tsforge.tracking.callback import MlflowCallback
from tsforge.training import TrainConfig
from tsforge.training.fitting import train_forecaster


def test_epoch_metrics_carry_the_wall_time_of_their_epoch_and_its_step(tracking_uri, toy_series):
    """Every epoch's metrics were logged at timestamp 0 (1970), which broke MLflow's wall-time
    and relative-time charts; now each carries the time its epoch ended, in milliseconds."""
    import mlflow

    task = prepare_task(toy_series, 48, 12)
    model = build_model("dlinear", ModelContext.from_task(task))
    cfg = TrainConfig(max_epochs=2, patience=10, lr=0.005, lr_schedule="halving", progress=False)
    with mlflow.start_run() as run:
        before = int(time.time() * 1000)
        train_forecaster(model, task, train_config=cfg, callbacks=[MlflowCallback(run.info.run_id)])
        after = int(time.time() * 1000)
    client = mlflow.MlflowClient()
    for key in ("train_loss", "val_loss", "lr", "epoch_seconds"):
        history = sorted(client.get_metric_history(run.info.run_id, key), key=lambda m: m.step)
        assert [m.step for m in history] == [1, 2], key  # epochs as the progress lines number them
        stamps = [m.timestamp for m in history]
        assert before <= stamps[0] <= stamps[1] <= after, key
    lr = sorted(client.get_metric_history(run.info.run_id, "lr"), key=lambda m: m.step)
    assert [m.value for m in lr] == pytest.approx([0.005, 0.0025])  # the rate each epoch used
