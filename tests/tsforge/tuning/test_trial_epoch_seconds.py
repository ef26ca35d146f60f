"""A LightGBM tuning trial logs no ``seconds_per_epoch``: a booster has no epochs (its history
counts boosting rounds, logged as ``boosting_rounds``); a network's trial keeps the metric."""

from __future__ import annotations

import math

import pytest

from tsforge.models.base import FitReport
from tsforge.tracking.studies import study_runs
from tsforge.tuning import tune

from .conftest import FAST

ROUNDS = {"n_estimators": 8, "early_stopping_rounds": 50}


def _trial_metrics(data, store, model: str, **kw) -> dict[str, float]:
    study = f"epochs-{model}"
    tune(
        data, model, n_trials=1, input_len=24, horizon=8, split="7:1:2", retrain=False,
        storage=str(store / "optuna.journal"), study_name=study, experiment=f"exp-{study}", **kw,
    )  # fmt: skip
    (run,) = study_runs(f"exp-{study}", study)
    return run.data.metrics


def test_a_lightgbm_trial_logs_boosting_rounds_and_no_seconds_per_epoch(data, store):
    metrics = _trial_metrics(data, store, "lightgbm", model_config=ROUNDS)
    assert metrics["boosting_rounds"] == 8
    assert "seconds_per_epoch" not in metrics and "epochs_run" not in metrics
    assert metrics["train_seconds"] > 0  # how long it trained is still logged


def test_a_neural_trial_keeps_seconds_per_epoch(data, store):
    metrics = _trial_metrics(data, store, "dlinear", train_config=FAST)
    epochs = metrics["epochs_run"]
    assert epochs >= 1
    assert math.isclose(metrics["seconds_per_epoch"], metrics["train_seconds"] / epochs, rel_tol=1e-6)


@pytest.mark.parametrize(
    ("model", "expected"), [("dlinear", {"seconds_per_epoch": 2.0}), ("lightgbm", {}), ("naive", {})]
)
def test_only_a_model_trained_in_epochs_has_seconds_per_epoch(model, expected):
    from tsforge.training.fitting import epoch_seconds

    report = FitReport(history=[{"epoch": float(i)} for i in range(3)])
    assert epoch_seconds(model, report, 6.0) == expected
