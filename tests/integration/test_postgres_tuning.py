"""Shared tuning and tracking on PostgreSQL: two ``tsforge tune`` worker processes on one study
(``--storage postgresql://...``), tracked by the team MLflow server (PostgreSQL backend store)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import optuna
import pandas as pd
import pytest

from tsforge.data.synthetic import synthetic_stations
from tsforge.tuning import open_study

pytestmark = pytest.mark.integration

#: ``--trials`` is the study's total over all workers: each worker stops once the study has it
TOTAL = 5


def _worker(csv, storage: str, study: str, experiment: str, seed: int) -> list[str]:
    return [
        sys.executable, "-c", "from tsforge.cli import main; main()", "tune",
        "--dataset", str(csv), "--time-col", "date", "--model", "nlinear",
        "--horizon", "8", "--input", "24", "--split", "7:1:2",
        "--trials", str(TOTAL), "--epochs", "2", "--train-option", "num_threads=1",
        "--startup-trials", "2", "--study", study, "--storage", storage,
        "--experiment", experiment, "--sampler-seed", str(seed),
        "--no-retrain", "--no-progress",
    ]  # fmt: skip


def test_two_workers_on_postgres_run_every_trial_once_and_mlflow_sees_all(
    tmp_path, monkeypatch, fresh_database, mlflow_server
) -> None:
    data = synthetic_stations(n_channels=2, n_steps=400, seed=5)
    csv = tmp_path / "tiny.csv"
    frame = pd.DataFrame(data.values, columns=list(data.channel_ids))
    frame.insert(0, "date", data.timestamps)
    frame.to_csv(csv, index=False)
    study, experiment = "shared", f"pg-workers-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": mlflow_server,
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    }
    # create the study schema once, as an operator would: two processes creating Optuna's tables
    # in one empty database at the same instant race on CREATE TABLE
    open_study(study, fresh_database)

    procs = [
        subprocess.Popen(
            _worker(csv, fresh_database, study, experiment, seed),
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for seed in (1, 2)
    ]
    outputs = [p.communicate(timeout=300)[0].decode(errors="replace") for p in procs]
    for p, out in zip(procs, outputs, strict=True):
        assert p.returncode == 0, out[-3000:]

    trials = open_study(study, fresh_database).trials
    numbers = sorted(t.number for t in trials)
    assert numbers == list(range(len(numbers)))  # no duplicated (or skipped) trial number
    # N finished; at most one more — the other worker's trial in flight when the N-th finished
    assert TOTAL <= len(numbers) <= TOTAL + 1
    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    assert all(t.state in finished for t in trials)

    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    from tsforge.tracking.store import configure_tracking
    from tsforge.tracking.studies import study_runs

    configure_tracking(mlflow_server)
    runs = study_runs(experiment, study)
    by_trial: dict[int, list] = {}
    for r in runs:
        by_trial.setdefault(int(r.data.tags["tsforge.trial"]), []).append(r)
    assert sorted(by_trial) == numbers and all(len(v) == 1 for v in by_trial.values())
    for t in trials:
        assert by_trial[t.number][0].info.run_id == t.user_attrs["mlflow_run_id"]
    parents = {v[0].data.tags["mlflow.parentRunId"] for v in by_trial.values()}
    assert len(parents) == 2  # one parent run per worker process
    assert all("postgresql+psycopg://" in out for out in outputs)  # the storage the workers used
