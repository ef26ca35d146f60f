"""Runs that tell the truth (issue #18, finding 6): a SIGTERM'd process ends its run KILLED; a
SIGKILL'd one cannot, so the next tracked run on the host marks it FAILED; artifacts live in one
folder beside the store, never in a folder named after the experiment (or a dataset)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest

from tsforge.tracking.runs import OUTCOME_TAG, sweep_stale_runs, tracked_run

_VICTIM = """
import time
from tsforge.tracking.runs import tracked_run
with tracked_run(experiment="exp", run_name="victim") as run:
    print(run.run_id, flush=True)
    time.sleep(120)
"""


def _start_victim(uri: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri}
    proc = subprocess.Popen(
        [sys.executable, "-c", _VICTIM], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None  # stdout=PIPE
    run_id = proc.stdout.readline().strip()
    assert run_id, "the victim process did not open its run"
    return proc, run_id


def _status(run_id: str) -> tuple[str, str | None]:
    run = mlflow.MlflowClient().get_run(run_id)
    return run.info.status, run.data.tags.get(OUTCOME_TAG)


def test_sigterm_ends_the_run_killed(tracking_uri):
    proc, run_id = _start_victim(tracking_uri)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert _status(run_id) == ("KILLED", "killed")


def test_sigkill_leaves_running_until_the_next_tracked_run_sweeps_it(tracking_uri):
    proc, run_id = _start_victim(tracking_uri)
    assert sweep_stale_runs() == []  # its process is alive: not touched
    assert _status(run_id)[0] == "RUNNING"
    proc.kill()
    proc.wait(timeout=30)
    assert _status(run_id)[0] == "RUNNING"  # SIGKILL runs no cleanup: this is the finding
    with tracked_run(experiment="other") as run:  # the next run on this host sweeps (once per process)
        pass
    status, outcome = _status(run_id)
    assert status == "FAILED" and outcome.startswith(f"failed: process {proc.pid} on ")
    assert _status(run.run_id)[0] == "FINISHED"
    assert sweep_stale_runs() == []


def test_runs_of_other_hosts_are_left_alone(tracking_uri):
    client = mlflow.MlflowClient()
    with tracked_run(experiment="exp") as run:
        client.set_tag(run.run_id, "tsforge.host", "elsewhere")
        assert sweep_stale_runs() == []
        assert sweep_stale_runs(host="elsewhere") == []  # pid is ours, alive


def test_artifacts_live_in_one_folder_beside_the_store(tmp_path, monkeypatch):
    """With the store in the working directory, an experiment named like a dataset must not
    create a folder of that name there (it used to shadow the catalogue)."""
    from tsforge.data.load import classify_source
    from tsforge.tracking import configure_tracking

    monkeypatch.chdir(tmp_path)
    uri = "sqlite:///mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    configure_tracking(uri)
    with tracked_run(experiment="etth1") as run:
        run.log_dict({"a": 1}, "x.json")
    assert not (tmp_path / "etth1").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["artifacts", "mlflow.db"]
    uri_art = mlflow.MlflowClient().get_run(run.run_id).info.artifact_uri
    assert Path(uri_art.removeprefix("file://")).is_relative_to(tmp_path / "artifacts")
    # and even a folder of that name would not shadow the catalogue name
    (tmp_path / "etth1").mkdir()
    assert classify_source("etth1") == "catalogue"


@pytest.fixture(autouse=True)
def _end_runs():
    yield
    while mlflow.active_run() is not None:
        mlflow.end_run()
