"""Shared fixtures of the tuning tests: one MLflow store per module, tiny data, a small-study runner."""

from __future__ import annotations

import mlflow
import pytest
import torch

from tsforge.data.synthetic import synthetic_stations
from tsforge.tuning import tune

FAST = {"max_epochs": 3, "patience": 10}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One MLflow SQLite store for the module (creating one costs seconds); tests use distinct studies."""
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("mlflow")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root}/mlflow.db")
        mp.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        mp.chdir(root)
        yield root
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture(scope="module")
def data():
    return synthetic_stations(n_channels=2, n_steps=400, seed=11)


def _tune(data, store, study, **kw):
    """A tiny DLinear study (24 → 8) in the module's store."""
    args = dict(
        input_len=24,
        horizon=8,
        split="7:1:2",
        train_config=FAST,
        storage=str(store / "optuna.journal"),
        study_name=study,
        experiment=f"exp-{study}",
        n_startup_trials=2,
    )
    args.update(kw)
    return tune(data, "dlinear", **args)


@pytest.fixture(scope="module")
def tune_small():
    return _tune
