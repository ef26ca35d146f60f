"""End-to-end: a clearly worse trial is pruned by the per-epoch validation loss; its run is KILLED."""

from __future__ import annotations

import optuna

from tsforge.tracking.studies import study_runs
from tsforge.tuning import open_study

GOOD = {"lr": 5e-3, "batch_size": 16, "weight_decay": 1e-6, "kernel_size": 25}
# Distinct from GOOD: enqueueing skips a parameter set that is already queued.
GOOD_2 = {**GOOD, "kernel_size": 13}


def _runs_by_trial(exp, study):
    return {int(r.data.tags["tsforge.trial"]): r for r in study_runs(exp, study)}


def test_a_clearly_worse_trial_is_pruned_and_its_run_killed(data, store, tune_small):
    pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0)
    bad = {**GOOD, "lr": 1e-4, "batch_size": 64}
    res = tune_small(
        data, store, "prune", n_trials=3, pruner=pruner, enqueue=[GOOD, GOOD_2, bad], register=False
    )
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
