"""End-to-end tuning on tiny synthetic data: trials as nested MLflow runs, registration, resume."""

from __future__ import annotations

import math

import mlflow
import optuna
import pytest

from tsforge.errors import ConfigError
from tsforge.tracking.studies import study_runs
from tsforge.tuning import open_study, tune


def _runs_by_trial(exp, study):
    return {int(r.data.tags["tsforge.trial"]): r for r in study_runs(exp, study)}


def test_three_trials_complete_register_and_resume(data, store, tune_small):
    res = tune_small(data, store, "basic", n_trials=3, registered_name="tiny-dlinear")
    assert res.counts["total"] == 3 and res.n_trials_session == 3
    assert res.counts["complete"] + res.counts["pruned"] == 3
    # The best parameters were retrained (same seed → the same validation MSE) and registered.
    assert math.isclose(res.final_metrics["val_mse"], res.best_value, rel_tol=1e-5)
    client = mlflow.MlflowClient()
    champion = client.get_model_version_by_alias("tiny-dlinear", "champion")
    assert str(champion.version) == res.version == res.champion_version == "1"
    assert champion.run_id == res.final_run_id
    # Every trial is a nested child run of the parent, with the study's value as val_mse.
    by_trial = _runs_by_trial("exp-basic", "basic")
    assert sorted(by_trial) == [0, 1, 2]
    study = open_study("basic", store / "optuna.journal")
    for t in study.trials:
        run = by_trial[t.number]
        assert run.data.tags["mlflow.parentRunId"] == res.parent_run_id
        assert run.info.run_id == t.user_attrs["mlflow_run_id"]
        if t.state == optuna.trial.TrialState.COMPLETE:
            assert run.info.status == "FINISHED"
            assert math.isclose(run.data.metrics["val_mse"], t.value, rel_tol=1e-6)
    parent = client.get_run(res.parent_run_id)
    assert parent.info.status == "FINISHED" and parent.data.tags["tsforge.outcome"] == "finished"
    artifacts = {a.path for a in client.list_artifacts(res.parent_run_id, "tuning")}
    assert {
        "tuning/optimization_history.png",
        "tuning/param_importances.png",
        "tuning/best.json",
    } <= artifacts

    # Same study name again: trials are added, numbering continues, a new parent run holds them.
    # --trials is the study's total: 5 in all, so this session runs the 2 missing ones.
    res2 = tune_small(data, store, "basic", n_trials=5, registered_name="tiny-dlinear")
    assert res2.n_trials_session == 2 and res2.counts["total"] == 5
    assert res2.parent_run_id != res.parent_run_id
    by_trial = _runs_by_trial("exp-basic", "basic")
    assert sorted(by_trial) == [0, 1, 2, 3, 4]
    assert {by_trial[n].data.tags["mlflow.parentRunId"] for n in (3, 4)} == {res2.parent_run_id}
    if res2.best_trial == res.best_trial:
        # Nothing better found: the best trial's model is version 1 already; registering it again
        # would only add an identical version 2 (one per resume).
        assert res2.version is None and res2.already_registered == "tiny-dlinear version 1"
        assert [str(v.version) for v in client.search_model_versions("name='tiny-dlinear'")] == ["1"]
        return
    # A better trial: a second version is registered; the champion moves only if it is better
    # on validation.
    assert res2.version == "2"
    v1 = client.get_run(res.final_run_id).data.metrics["val_mse"]
    v2 = client.get_run(res2.final_run_id).data.metrics["val_mse"]
    expected = "2" if v2 < v1 else "1"
    assert (
        str(client.get_model_version_by_alias("tiny-dlinear", "champion").version)
        == expected
        == res2.champion_version
    )


def test_a_model_without_search_space_is_refused(data, store):
    with pytest.raises(ConfigError, match="no search space"):
        tune(data, "naive", n_trials=1, storage=str(store / "optuna.journal"))


def test_resume_from_another_directory_runs_only_the_missing_trials(data, tmp_path, monkeypatch):
    """Issue #18, finding 5: the journal followed the working directory, so ``--study`` from another
    directory silently started a new study (MLflow got ``trial-0`` twice), and ``--trials`` after
    an interruption ran that many *more*."""
    uri = f"sqlite:///{tmp_path}/store/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    common = dict(
        input_len=24, horizon=8, split="7:1:2", train_config={"max_epochs": 2, "patience": 10},
        study_name="moved", experiment="exp-moved", n_startup_trials=2, retrain=False,
    )  # fmt: skip
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    monkeypatch.chdir(tmp_path / "one")
    first = tune(data, "dlinear", n_trials=2, **common)
    assert first.n_trials_session == 2
    monkeypatch.chdir(tmp_path / "two")
    second = tune(data, "dlinear", n_trials=3, **common)
    assert second.n_trials_session == 1 and second.counts["total"] == 3
    again = tune(data, "dlinear", n_trials=3, **common)  # the total is reached: nothing to run
    assert again.n_trials_session == 0 and again.counts["total"] == 3
    trials = sorted(int(r.data.tags["tsforge.trial"]) for r in study_runs("exp-moved", "moved"))
    assert trials == [0, 1, 2]  # no trial-0 twice
    assert (tmp_path / "store" / "optuna.journal").is_file()
    assert not any((tmp_path / d / "mlruns").exists() for d in ("one", "two"))


def test_resuming_a_study_with_other_fixed_options_is_refused(data, tmp_path, monkeypatch):
    """A study tuned with --epochs 2 and resumed with --epochs 1 compared trials trained otherwise
    and retrained its "best" under the new options (best value 1.05, retrained 1.29)."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/store/mlflow.db")
    monkeypatch.chdir(tmp_path)
    common = dict(
        input_len=24, horizon=8, split="7:1:2", study_name="fixed", experiment="exp-fixed",
        n_startup_trials=1, retrain=False,
    )  # fmt: skip
    tune(data, "dlinear", n_trials=1, train_config={"max_epochs": 2}, **common)
    with pytest.raises(ConfigError, match="study 'fixed' was created with fixed_options"):
        tune(data, "dlinear", n_trials=2, train_config={"max_epochs": 1}, **common)
    resumed = tune(data, "dlinear", n_trials=2, train_config={"max_epochs": 2}, **common)
    assert resumed.n_trials_session == 1 and resumed.counts["total"] == 2
