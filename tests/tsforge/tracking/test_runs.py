"""tracked_run: terminal status and outcome tag for every way a run can end, and its logging handle."""

from __future__ import annotations

import os
import signal
import socket

import mlflow
import numpy as np
import pandas as pd
import pytest

from tsforge.errors import ConfigError
from tsforge.tracking.runs import (
    HOST_TAG,
    OUTCOME_TAG,
    PID_TAG,
    active_run_id,
    attach_run,
    run_outcome,
    set_active_run_tag,
    tracked_run,
)


def _run(run_id: str):
    return mlflow.MlflowClient().get_run(run_id)


def test_finished_run_has_outcome_process_tags_and_logged_values(tracking_uri, tmp_path):
    with tracked_run(experiment="exp", run_name="r", tags={"k": 1}, description="why") as run:
        assert active_run_id() == run.run_id
        run.log_params({"long": "x" * 900, "none": None, "bad key!": 3})
        logged = run.log_metrics({"a": 1.5, "nan": float("nan"), "inf": np.inf, "none": None}, step=2)
        run.log_dict({"x": 1}, "d/x.json")
        run.log_table(pd.DataFrame({"a": [1, 2]}), "tables/t.csv")
        path = tmp_path / "f.txt"
        path.write_text("hi")
        run.log_artifact(path, "files")
        run.set_tags({"extra": "yes"})
    assert logged == {"a": 1.5}
    got = _run(run.run_id)
    assert got.info.status == "FINISHED" and active_run_id() is None
    tags = got.data.tags
    assert tags[OUTCOME_TAG] == "finished" and tags["k"] == "1" and tags["extra"] == "yes"
    assert tags[PID_TAG] == str(os.getpid()) and tags[HOST_TAG] == socket.gethostname()
    assert tags["mlflow.note.content"] == "why"
    assert got.data.params["long"] == "x" * 500 and got.data.params["none"] == "None"
    assert got.data.params["bad key_"] == "3"
    assert got.data.metrics == {"a": 1.5}
    assert [m.step for m in mlflow.MlflowClient().get_metric_history(run.run_id, "a")] == [2]
    arts = {
        a.path for d in ("d", "tables", "files") for a in mlflow.MlflowClient().list_artifacts(run.run_id, d)
    }
    assert arts == {"d/x.json", "tables/t.csv", "files/f.txt"}
    assert mlflow.get_experiment(got.info.experiment_id).name == "exp"


@pytest.mark.parametrize(
    ("exc", "status", "outcome"),
    [
        (ValueError("boom\nat line 2"), "FAILED", "failed: ValueError: boom at line 2"),
        (RuntimeError(), "FAILED", "failed: RuntimeError"),
        (KeyboardInterrupt(), "KILLED", "killed"),
        (SystemExit(143), "KILLED", "killed"),
        (SystemExit(1), "FAILED", "failed: SystemExit: 1"),
    ],
)
def test_exceptions_end_the_run_with_their_status_and_are_reraised(tracking_uri, exc, status, outcome):
    with pytest.raises(type(exc)), tracked_run(experiment="exp") as run:
        raise exc
    got = _run(run.run_id)
    assert (got.info.status, got.data.tags[OUTCOME_TAG]) == (status, outcome)
    assert active_run_id() is None


def test_sigterm_marks_the_run_killed_and_restores_the_default_handler(tracking_uri):
    # start from the default handler whatever ran before in this worker (e.g. ray.init installs one)
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with pytest.raises(SystemExit) as err, tracked_run(experiment="exp") as run:
            signal.raise_signal(signal.SIGTERM)
        assert err.value.code == 128 + signal.SIGTERM
        got = _run(run.run_id)
        assert (got.info.status, got.data.tags[OUTCOME_TAG]) == ("KILLED", "killed")
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_nested_run_lives_in_the_parents_experiment_and_is_closed_with_the_parent(tracking_uri):
    with pytest.raises(KeyboardInterrupt), tracked_run(experiment="outer") as parent:
        with tracked_run(experiment="ignored", nested=True) as child:
            pass
        orphan = mlflow.start_run(nested=True)  # left open, as by a trial interrupted half way
        raise KeyboardInterrupt
    got_child = _run(child.run_id)
    assert got_child.data.tags["mlflow.parentRunId"] == parent.run_id
    assert got_child.info.experiment_id == parent.experiment_id
    assert mlflow.MlflowClient().get_experiment_by_name("ignored") is None
    assert _run(orphan.info.run_id).info.status == "KILLED"
    assert _run(parent.run_id).info.status == "KILLED"


def test_attach_and_active_run_tag(tracking_uri):
    set_active_run_tag("nothing", "happens")  # no active run: a no-op
    with pytest.raises(ConfigError):
        attach_run()
    with tracked_run(experiment="exp") as run:
        set_active_run_tag("t", 5)
        attach_run().log_metrics({"m": 1})
    attach_run(run.run_id).log_params({"later": "yes"})
    got = _run(run.run_id)
    assert got.data.tags["t"] == "5" and got.data.metrics["m"] == 1 and got.data.params["later"] == "yes"


def test_run_outcome_rule():
    assert run_outcome(None) == ("FINISHED", "finished")
    assert run_outcome(SystemExit(0)) == ("FINISHED", "finished")
    assert run_outcome(SystemExit(130)) == ("KILLED", "killed")


def _integrity_error() -> Exception:
    """What MLflow's SQL store raises when another process inserted the same dataset first."""
    from mlflow.exceptions import MlflowException
    from sqlalchemy.exc import IntegrityError

    cause = IntegrityError("INSERT INTO datasets ...", {}, Exception("UNIQUE constraint failed"))
    try:
        # MLflow passes the IntegrityError itself and stringifies it: the same message as str()
        raise MlflowException(message=str(cause)) from cause
    except MlflowException as exc:
        return exc


def test_log_dataset_retries_an_insert_another_process_won(tracking_uri, monkeypatch):
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0]})
    with tracked_run(experiment="exp") as run:
        real = run._client.log_inputs
        calls = []

        def racing(*args, **kwargs):
            calls.append(1)
            if len(calls) == 1:
                raise _integrity_error()
            return real(*args, **kwargs)

        monkeypatch.setattr(run._client, "log_inputs", racing)
        run.log_dataset(frame, name="tiny", source="in-memory data: tiny")
    inputs = _run(run.run_id).inputs.dataset_inputs
    assert len(calls) == 2 and [d.dataset.name for d in inputs] == ["tiny"]


def test_log_dataset_does_not_retry_other_errors(tracking_uri, monkeypatch):
    with tracked_run(experiment="exp") as run:
        calls = []

        def broken(*args, **kwargs):
            calls.append(1)
            raise OSError("disk full")

        monkeypatch.setattr(run._client, "log_inputs", broken)
        with pytest.raises(OSError, match="disk full"):
            run.log_dataset(None, name="tiny", source="in-memory data: tiny", digest="abc")
    assert calls == [1]
