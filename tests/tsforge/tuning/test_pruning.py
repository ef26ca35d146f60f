"""The pruning callback against Optuna and the real training loop (no MLflow)."""

from __future__ import annotations

import optuna
import pytest
import torch

from tsforge.data.synthetic import synthetic_stations
from tsforge.data.task import prepare_task
from tsforge.models.base import ModelContext
from tsforge.models.registry import build_model
from tsforge.training.config import TrainConfig
from tsforge.training.fitting import train_forecaster
from tsforge.tuning.pruning import OptunaPruningCallback
from tsforge.tuning.space import config_from_params, suggest_config


@pytest.fixture(scope="module")
def task():
    torch.set_num_threads(1)
    return prepare_task(synthetic_stations(n_channels=2, n_steps=400, seed=3), 24, 8, "7:1:2")


def _train(task, trial, lr, epochs=3):
    model = build_model("dlinear", ModelContext.from_task(task), {"kernel_size": 13})
    cb = OptunaPruningCallback(trial)
    cfg = TrainConfig(max_epochs=epochs, lr=lr, batch_size=32, patience=10, progress=False, seed=0)
    report = train_forecaster(model, task, train_config=cfg, callbacks=[cb])
    return cb, report


def test_reports_every_epoch_and_prunes_a_clearly_worse_trial(task):
    study = optuna.create_study(pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0))
    lrs = [5e-3, 5e-3, 1e-5]

    def objective(trial):
        cb, report = _train(task, trial, lrs[trial.number])
        trial.set_user_attr("epochs", len(report.history))
        cb.raise_if_pruned()
        return report.best_val_loss

    study.optimize(objective, n_trials=3)
    states = [t.state for t in study.trials]
    assert states[:2] == [optuna.trial.TrialState.COMPLETE] * 2
    assert states[2] == optuna.trial.TrialState.PRUNED
    # Good trials reported one value per epoch; the bad one stopped after its first report.
    assert sorted(study.trials[0].intermediate_values) == [0, 1, 2]
    assert study.trials[2].user_attrs["epochs"] == 1
    assert study.trials[2].intermediate_values[0] > study.trials[0].intermediate_values[0]


def test_no_pruning_without_a_pruner_and_nothing_raised(task):
    study = optuna.create_study(pruner=optuna.pruners.NopPruner())
    trial = study.ask()
    cb, report = _train(task, trial, 1e-5, epochs=2)
    assert not cb.pruned and len(report.history) == 2
    cb.raise_if_pruned()  # no-op
    assert [s for s, _ in cb.reported] == [0, 1]


def test_suggest_config_splits_the_registry_space_and_rebuilds_it():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trial = study.ask()
    cfg = suggest_config(trial, "dlinear")
    assert set(cfg.model) == {"kernel_size"}
    assert {"lr", "batch_size", "weight_decay"} <= set(cfg.train)
    again = config_from_params(trial.params, "dlinear")
    assert again.to_dict() == cfg.to_dict()


def test_selective_strategy_space_joins_the_search():
    trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1)).ask()
    cfg = suggest_config(trial, "nlinear", "selective")
    assert set(cfg.strategy) == {"r_u", "r_a"}
    assert 0.0 <= cfg.strategy["r_u"] <= 0.3
