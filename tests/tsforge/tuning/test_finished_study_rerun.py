"""Rerunning a study that already has its trials (and its best model registered) opens no
MLflow run: each rerun used to leave an empty ``tune-<study>`` parent run behind."""

from __future__ import annotations

import mlflow

from tsforge.cli.tune import _print_result
from tsforge.tracking.studies import ROLE_TAG, study_runs


def _parent_runs(experiment: str, study: str) -> list:
    runs = study_runs(experiment, study, trials_only=False)
    return [r for r in runs if r.data.tags.get(ROLE_TAG) == "tuning"]


def test_a_finished_study_rerun_opens_no_parent_run(data, store, tune_small, capsys):
    first = tune_small(data, store, "finished", n_trials=2, registered_name="finished-dl")
    assert first.version == "1" and first.parent_run_id is not None
    assert [r.info.run_id for r in _parent_runs("exp-finished", "finished")] == [first.parent_run_id]
    n_runs = len(study_runs("exp-finished", "finished", trials_only=False))

    again = tune_small(data, store, "finished", n_trials=2, registered_name="finished-dl")
    # nothing ran and nothing was retrained: no new run of any kind in the study's experiment
    assert again.n_trials_session == 0 and again.counts["total"] == 2
    assert again.parent_run_id is None and again.final_run_id is None
    assert len(study_runs("exp-finished", "finished", trials_only=False)) == n_runs
    assert [r.info.run_id for r in _parent_runs("exp-finished", "finished")] == [first.parent_run_id]
    # ...but it still reports the study as it stands, and where its summary lives
    assert again.best_trial == first.best_trial and again.best_value == first.best_value
    assert again.best_config == first.best_config
    assert again.already_registered == "finished-dl version 1"
    assert again.last_parent_run_id == first.parent_run_id
    versions = mlflow.MlflowClient().search_model_versions("name='finished-dl'")
    assert [str(v.version) for v in versions] == ["1"]

    _print_result(again)  # the CLI's summary names the earlier parent run, not a new one
    out = capsys.readouterr().out
    assert "no MLflow run opened" in out and first.parent_run_id in out


def test_a_finished_study_rerun_without_retrain_opens_no_parent_run(data, store, tune_small):
    first = tune_small(data, store, "no-retrain", n_trials=2, retrain=False)
    again = tune_small(data, store, "no-retrain", n_trials=2, retrain=False)
    assert again.parent_run_id is None and again.n_trials_session == 0
    assert again.last_parent_run_id == first.parent_run_id
    assert [r.info.run_id for r in _parent_runs("exp-no-retrain", "no-retrain")] == [first.parent_run_id]


def test_a_finished_study_whose_best_was_never_retrained_still_retrains_it(data, store, tune_small):
    """No trial to run, but the best model was not retrained yet (the first session said
    --no-retrain): the rerun has work to do, in a parent run that holds the retrained model."""
    first = tune_small(data, store, "late-retrain", n_trials=2, retrain=False)
    again = tune_small(data, store, "late-retrain", n_trials=2, registered_name="late-dl")
    assert again.n_trials_session == 0 and again.version == "1"
    assert again.parent_run_id is not None and again.parent_run_id != first.parent_run_id
    best = mlflow.MlflowClient().get_run(again.final_run_id)
    assert best.data.tags["mlflow.parentRunId"] == again.parent_run_id


def test_a_rerun_retrains_when_the_registered_version_is_gone(data, store, tune_small):
    """The study remembers the version that holds its best model; with that version deleted from
    the store (or the store itself replaced) a rerun said "version 1 already holds its model" of
    an empty registry and retrained nothing."""
    first = tune_small(data, store, "gone", n_trials=2, registered_name="gone-dl")
    assert first.version == "1"
    mlflow.MlflowClient().delete_registered_model("gone-dl")

    again = tune_small(data, store, "gone", n_trials=2, registered_name="gone-dl")
    assert again.n_trials_session == 0 and again.already_registered is None
    assert again.version == "1"  # registered anew
    versions = mlflow.MlflowClient().search_model_versions("name='gone-dl'")
    assert [str(v.version) for v in versions] == ["1"]
