"""Workers sharing one study: ``--trials`` is the study's total across them, and only one of
them retrains and registers the best trial.

A user walk ran two ``tsforge tune --study team --trials 4`` on one storage: 3 + 2 = 5 trials
(each worker counted finished trials only, so each started one while the other's was running),
and both workers retrained the best trial and registered it (versions 1 and 2, same parameters).
The other worker is simulated here by a trial asked from the same journal, as a worker on
another host leaves it (RUNNING, with its ``host:pid``), told its value when that worker ends.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import mlflow
import optuna

from tsforge.cli.tune import _print_result
from tsforge.tuning import open_study
from tsforge.tuning.study import INTERRUPTED_ATTR, WORKER_ATTR, worker_id

#: a worker this process cannot check (another host): its running trial counts as running
REMOTE = "another-host:4242"


def _journal(store):
    return str(store / "optuna.journal")  # tune_small's storage


def _other_worker_trial(store, name: str, worker: str = REMOTE) -> tuple[optuna.Study, int]:
    """A trial of ``name`` started by another worker and still running; its number."""
    study = open_study(name, _journal(store))
    trial = study.ask()
    trial.set_user_attr(WORKER_ATTR, worker)
    return study, trial.number


def _versions(name: str) -> list[str]:
    return [str(v.version) for v in mlflow.MlflowClient().search_model_versions(f"name='{name}'")]


def test_a_worker_started_with_the_study_at_its_total_runs_and_registers_nothing(
    data, store, tune_small, capsys
):
    tune_small(data, store, "team", n_trials=2, retrain=False)
    other, running = _other_worker_trial(store, "team")  # trial #2, of a total of 3

    late = tune_small(data, store, "team", n_trials=3, registered_name="team-dl")
    # the old count (finished trials only) ran a 4th trial and registered version 1 while the
    # other worker would register its own
    assert late.n_trials_session == 0 and late.counts["total"] == 3 and late.counts["running"] == 1
    assert late.parent_run_id is None and late.version is None and late.final_run_id is None
    assert f"#{running} is still running in another worker" in (late.retrain_left_to or "")
    assert _versions("team-dl") == []
    _print_result(late)
    assert "not retrained by this run: trial #2 is still running" in capsys.readouterr().out

    # the other worker ends without having retrained (killed, say): a rerun retrains the best once
    other.tell(running, 1e9)
    again = tune_small(data, store, "team", n_trials=3, registered_name="team-dl")
    assert again.n_trials_session == 0 and again.version == "1" and again.retrain_left_to is None
    # and once it is registered, a further rerun registers nothing new
    third = tune_small(data, store, "team", n_trials=3, registered_name="team-dl")
    assert third.already_registered == "team-dl version 1" and third.parent_run_id is None
    assert _versions("team-dl") == ["1"]


def test_a_trial_running_in_another_worker_counts_towards_the_total(data, store, tune_small):
    _, running = _other_worker_trial(store, "race")

    result = tune_small(data, store, "race", n_trials=3, registered_name="race-dl")
    # 2 here + 1 there = 3 (the old count ran 3 here: 4 in all), and the best is left to the
    # worker whose trial is still running (it may be better)
    assert result.n_trials_session == 2
    assert result.counts["total"] == 3 and result.counts["running"] == 1
    assert result.version is None and result.final_run_id is None
    assert f"#{running}" in (result.retrain_left_to or "")
    assert _versions("race-dl") == []
    study = open_study("race", _journal(store))
    mine = [t for t in study.trials if t.number != running]
    assert [t.user_attrs.get(WORKER_ATTR) for t in mine] == [worker_id()] * 2


def test_only_the_worker_whose_trial_finished_last_retrains(data, store, tune_small):
    other, running = _other_worker_trial(store, "last")

    def other_worker_ends(study, trial):  # after this session's trial: the other one ends last
        if trial.number != running and other.trials[running].state == optuna.trial.TrialState.RUNNING:
            other.tell(running, 1e9)

    result = tune_small(
        data, store, "last", n_trials=2, registered_name="last-dl", callbacks=[other_worker_ends]
    )
    assert result.n_trials_session == 1 and result.counts["complete"] == 2
    assert result.version is None and result.final_run_id is None
    assert result.retrain_left_to == (
        f"the study's last trial #{running} finished in another worker, which retrains and registers the best"
    )
    assert _versions("last-dl") == []


def test_a_session_whose_trial_finished_last_retrains_the_best(data, store, tune_small):
    other, running = _other_worker_trial(store, "first")
    other.tell(running, 1e9)  # the other worker ended before this session's trial

    result = tune_small(data, store, "first", n_trials=2, registered_name="first-dl")
    assert result.n_trials_session == 1 and result.retrain_left_to is None
    assert result.version == "1" and _versions("first-dl") == ["1"]


def test_a_trial_left_running_by_a_killed_worker_here_does_not_hold_the_total(data, store, tune_small):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid no longer exists, as after SIGKILL or the OOM killer
    _, stale = _other_worker_trial(store, "killed", worker=f"{socket.gethostname()}:{gone.pid}")

    result = tune_small(data, store, "killed", n_trials=2, retrain=False)
    assert result.n_trials_session == 2
    assert result.counts["running"] == 0 and result.counts["interrupted"] == 1
    trial = open_study("killed", _journal(store)).trials[stale]
    assert trial.state == optuna.trial.TrialState.FAIL and trial.user_attrs[INTERRUPTED_ATTR] is True


def test_a_worker_started_while_all_the_trials_run_elsewhere_is_no_failure(data, store, tune_small, capsys):
    other, first = _other_worker_trial(store, "all-elsewhere")
    second = other.ask()
    second.set_user_attr(WORKER_ATTR, REMOTE)

    late = tune_small(data, store, "all-elsewhere", n_trials=2, registered_name="elsewhere-dl")
    assert late.n_trials_session == 0 and late.best_trial is None and late.counts["running"] == 2
    assert late.parent_run_id is None and late.version is None
    _print_result(late)  # no typer.Exit(1): "every trial of this study failed" was not so
    out = capsys.readouterr().out
    assert "no trial has completed yet: 2 still running in other workers" in out
