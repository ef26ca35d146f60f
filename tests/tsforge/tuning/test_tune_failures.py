"""End-to-end: failing trials and Ctrl-C leave correctly marked runs and a resumable study."""

from __future__ import annotations

import mlflow
import optuna
import pytest

from tsforge.errors import ConfigError
from tsforge.pipeline import train as pipeline_train
from tsforge.tracking.studies import study_runs
from tsforge.training.callbacks import Callback
from tsforge.tuning import open_study


def _runs_by_trial(exp, study):
    return {int(r.data.tags["tsforge.trial"]): r for r in study_runs(exp, study)}


class _Raise(Callback):
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def on_epoch_end(self, state) -> None:
        raise self.exc


def _failing_train(trial_to_break: str, exc: BaseException):
    """pipeline.train, except that the run of one trial raises ``exc`` after its first epoch."""

    def fn(*args, **kwargs):
        if kwargs.get("tags", {}).get("tsforge.trial") == trial_to_break:
            kwargs["callbacks"] = [*kwargs.get("callbacks", ()), _Raise(exc)]
        return pipeline_train(*args, **kwargs)

    return fn


def test_a_failing_trial_is_marked_failed_and_the_study_goes_on(data, store, tune_small):
    fn = _failing_train("1", ConfigError("training diverged (test)", field="lr"))
    res = tune_small(data, store, "fail", n_trials=3, train_fn=fn, retrain=False)
    study = open_study("fail", store / "optuna.journal")
    assert study.trials[1].state == optuna.trial.TrialState.FAIL
    assert "diverged" in study.trials[1].user_attrs["error"]
    assert res.counts["fail"] == 1 and res.counts["total"] == 3
    by_trial = _runs_by_trial("exp-fail", "fail")
    assert by_trial[1].info.status == "FAILED"
    assert by_trial[2].info.status in ("FINISHED", "KILLED")


def test_ctrl_c_kills_runs_and_leaves_a_resumable_study(data, store, tune_small):
    fn = _failing_train("1", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        tune_small(data, store, "ctrlc", n_trials=4, train_fn=fn)
    assert mlflow.active_run() is None
    study = open_study("ctrlc", store / "optuna.journal")
    assert [t.state for t in study.trials][:1] == [optuna.trial.TrialState.COMPLETE]
    assert study.trials[1].state == optuna.trial.TrialState.FAIL  # not counted as a result
    assert len(study.trials) == 2
    by_trial = _runs_by_trial("exp-ctrlc", "ctrlc")
    assert by_trial[1].info.status == "KILLED"
    parent = mlflow.MlflowClient().get_run(by_trial[1].data.tags["mlflow.parentRunId"])
    assert parent.info.status == "KILLED" and parent.data.tags["tsforge.outcome"] == "killed"
    assert study.trials[1].user_attrs["interrupted"] is True
    # Resume: the same name continues with trial number 2. --trials is the total, and the
    # interrupted trial does not count: 1 finished + 1 to run = 2.
    res = tune_small(data, store, "ctrlc", n_trials=2, retrain=False)
    assert [t.number for t in open_study("ctrlc", store / "optuna.journal").trials] == [0, 1, 2]
    assert res.best_trial in (0, 2)


def test_ctrl_c_inside_optunas_bookkeeping_is_still_a_ctrl_c(data, store, tune_small, monkeypatch):
    """Ctrl-C landing in Optuna's journal write comes out of ``study.optimize`` as
    ``UnboundLocalError``; the session must still end as interrupted (KILLED), not FAILED."""
    import optuna.study._optimize as optimize_module

    real_tell = optimize_module._tell_with_warning
    calls = []

    def tell(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the second trial is being recorded when Ctrl-C arrives
            raise KeyboardInterrupt
        return real_tell(*args, **kwargs)

    monkeypatch.setattr(optimize_module, "_tell_with_warning", tell)
    with pytest.raises(KeyboardInterrupt):
        tune_small(data, store, "ctrlc-tell", n_trials=4, retrain=False)
    assert mlflow.active_run() is None
    by_trial = _runs_by_trial("exp-ctrlc-tell", "ctrlc-tell")
    parent = mlflow.MlflowClient().get_run(by_trial[0].data.tags["mlflow.parentRunId"])
    assert parent.info.status == "KILLED" and parent.data.tags["tsforge.outcome"] == "killed"
