"""Runs and registrations stopped half way: Ctrl-C inside a library, a store that refuses the
status write, a registration interrupted before its version was described, a damaged model."""

from __future__ import annotations

import logging
from pathlib import Path

import mlflow
import pytest

from tests.conftest import raised_while_interrupted
from tsforge import errors
from tsforge.tracking import runs
from tsforge.tracking.runs import OUTCOME_TAG, active_run_id, run_outcome, tracked_run


def test_an_error_raised_while_a_ctrl_c_went_through_is_an_interruption():
    ctrl_c = raised_while_interrupted(KeyboardInterrupt())
    assert run_outcome(ctrl_c) == ("KILLED", "killed")
    assert isinstance(runs.interruption(ctrl_c), KeyboardInterrupt)
    term = raised_while_interrupted(SystemExit(143))
    assert runs.interruption(term).code == 143
    assert runs.interruption(ValueError("plain")) is None
    assert run_outcome(ValueError("plain")) == ("FAILED", "failed: ValueError: plain")


def test_a_run_whose_status_write_fails_once_still_ends_killed_and_the_ctrl_c_goes_on(
    tracking_uri, monkeypatch
):
    original = mlflow.tracking.fluent.MlflowClient.set_terminated
    calls = []

    def flaky(self, run_id, status=None, end_time=None):
        calls.append(status)
        if len(calls) == 1:
            raise mlflow.exceptions.MlflowException("(sqlite3.OperationalError) database is locked")
        return original(self, run_id, status=status, end_time=end_time)

    monkeypatch.setattr(mlflow.tracking.client.MlflowClient, "set_terminated", flaky)
    with pytest.raises(KeyboardInterrupt), tracked_run(experiment="exp") as run:
        raise KeyboardInterrupt
    got = mlflow.MlflowClient().get_run(run.run_id)
    assert (got.info.status, got.data.tags[OUTCOME_TAG]) == ("KILLED", "killed")
    assert active_run_id() is None and len(calls) == 2


def test_a_status_the_store_never_takes_is_a_warning_not_a_new_error(tracking_uri, monkeypatch, caplog):
    def refuse(self, run_id, status=None, end_time=None):
        raise mlflow.exceptions.MlflowException("(sqlite3.OperationalError) database is locked")

    monkeypatch.setattr(mlflow.tracking.client.MlflowClient, "set_terminated", refuse)
    with caplog.at_level(logging.WARNING), pytest.raises(KeyboardInterrupt):
        with tracked_run(experiment="exp") as run:
            raise KeyboardInterrupt
    assert f"could not mark MLflow run {run.run_id} KILLED" in caplog.text
    assert active_run_id() is None


def test_an_interrupted_registration_leaves_no_version_and_keeps_the_champion(
    tracking_uri, toy_series, monkeypatch
):
    from tsforge.pipeline import train
    from tsforge.tracking import registry

    first = train(toy_series, "naive", input_len=48, horizon=12, registered_name="cut", progress=False)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(registry, "promote_if_better", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train(toy_series, "naive", input_len=48, horizon=12, registered_name="cut", progress=False)
    client = mlflow.MlflowClient()
    assert [str(v.version) for v in client.search_model_versions("name='cut'")] == [str(first.version)]
    assert {k: str(v) for k, v in client.get_registered_model("cut").aliases.items()} == {
        "champion": str(first.version)
    }
    killed = client.search_runs(
        [client.get_run(first.run_id).info.experiment_id], "attributes.status = 'KILLED'"
    )
    assert len(killed) == 1


def test_a_damaged_model_file_is_a_one_line_error_naming_the_version(tracking_uri, toy_series):
    from tsforge.pipeline import train
    from tsforge.tracking import load_predictor

    out = train(toy_series, "naive", input_len=48, horizon=12, registered_name="damaged", progress=False)
    uri = mlflow.MlflowClient().get_model_version_download_uri("damaged", out.version)
    (meta,) = Path(uri.removeprefix("file://")).rglob("model.json")
    meta.write_text("{truncated")
    with pytest.raises(
        errors.ModelLoadError, match=rf"registered model damaged/{out.version} could not be loaded"
    ):
        load_predictor(f"damaged/{out.version}")


def _sleep_long(ready) -> None:
    import time

    ready.set()
    time.sleep(120)


def test_a_worker_forked_during_a_run_dies_of_sigterm_itself(tracking_uri):
    """A ``--n-jobs`` worker must die when its pool terminates it (Ctrl-C, ``kill``), not carry
    the parent's SIGTERM handler, which waits for the worker's native code to return and then
    exits as if it had finished (143)."""
    import multiprocessing
    import signal

    ctx = multiprocessing.get_context("fork")
    # as in the CLI: SIGTERM at its default action, so the run installs its own handler (a test
    # process may hold another library's handler, e.g. Ray's, which a run leaves alone)
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with tracked_run(experiment="exp"):
            assert signal.getsignal(signal.SIGTERM) is runs._raise_system_exit
            ready = ctx.Event()
            worker = ctx.Process(target=_sleep_long, args=(ready,))
            worker.start()
            assert ready.wait(timeout=60)
            worker.terminate()
            worker.join(timeout=60)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert worker.exitcode == -signal.SIGTERM
