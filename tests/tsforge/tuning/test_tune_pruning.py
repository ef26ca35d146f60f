"""End-to-end: a clearly worse trial is pruned by the per-epoch validation loss; its run is KILLED."""

from __future__ import annotations

import mlflow
import optuna
import pytest
import torch

from tsforge.data.synthetic import synthetic_stations
from tsforge.tuning import open_study, tune
from tsforge.tuning.runs import study_runs

FAST = {"max_epochs": 3, "patience": 10}
GOOD = {"lr": 5e-3, "batch_size": 16, "weight_decay": 1e-6, "kernel_size": 25}
# Distinct from GOOD: enqueueing skips a parameter set that is already queued.
GOOD_2 = {**GOOD, "kernel_size": 13}


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


def _runs_by_trial(exp, study):
    return {int(r.data.tags["tsforge.trial"]): r for r in study_runs(exp, study)}


def test_a_clearly_worse_trial_is_pruned_and_its_run_killed(data, store):
    pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0)
    bad = {**GOOD, "lr": 1e-4, "batch_size": 64}
    res = _tune(data, store, "prune", n_trials=3, pruner=pruner, enqueue=[GOOD, GOOD_2, bad], register=False)
    study = open_study("prune", store / "optuna.journal")
    states = [t.state for t in study.trials]
    assert states == [optuna.trial.TrialState.COMPLETE] * 2 + [optuna.trial.TrialState.PRUNED]
    assert res.counts == {**res.counts, "complete": 2, "pruned": 1}
    pruned = study.trials[2]
    assert list(pruned.intermediate_values) == [0]  # stopped after its first epoch
    assert pruned.intermediate_values[0] > study.trials[0].intermediate_values[0]
    by_trial = _runs_by_trial("exp-prune", "prune")
    assert by_trial[2].info.status == "KILLED"
    assert by_trial[2].data.tags["tsforge.trial_state"] == "PRUNED"
    assert by_trial[2].data.metrics["epochs_run"] == 1
    assert by_trial[0].info.status == "FINISHED"
    assert res.version is None and res.final_run_id is not None  # retrained, not registered


