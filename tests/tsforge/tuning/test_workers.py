"""Two ``tsforge tune`` worker processes sharing one journal storage make one study."""

from __future__ import annotations

import os
import subprocess
import sys

import optuna
import pandas as pd
import pytest

from tsforge.data.synthetic import synthetic_stations
from tsforge.tracking.store import configure_tracking, get_experiment_id
from tsforge.tracking.studies import study_runs
from tsforge.tuning import open_study

TRIALS_EACH = 3
TOTAL = 2 * TRIALS_EACH  # --trials is the study's total, shared by its workers


def _worker(csv, journal, seed):
    return [
        sys.executable,
        "-c",
        "from tsforge.cli import main; main()",
        "tune",
        "--dataset", str(csv),
        "--time-col", "date",
        "--model", "nlinear",
        "--horizon", "8",
        "--input", "24",
        "--split", "7:1:2",
        "--trials", str(TOTAL),
        "--epochs", "2",
        "--train-option", "num_threads=1",
        "--startup-trials", "2",
        "--study", "shared",
        "--storage", str(journal),
        "--experiment", "workers",
        "--sampler-seed", str(seed),
        "--no-retrain",
        "--no-progress",
    ]  # fmt: skip


@pytest.mark.slow
def test_two_workers_finish_all_trials_once_each_visible_in_mlflow(tmp_path, monkeypatch):
    data = synthetic_stations(n_channels=2, n_steps=400, seed=5)
    csv = tmp_path / "tiny.csv"
    frame = pd.DataFrame(data.values, columns=list(data.channel_ids))
    frame.insert(0, "date", data.timestamps)
    frame.to_csv(csv, index=False)
    journal = tmp_path / "study.journal"
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    # Create the MLflow schema and experiment once: two processes migrating one new SQLite file race.
    configure_tracking()
    get_experiment_id("workers")
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri, "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}

    procs = [
        subprocess.Popen(
            _worker(csv, journal, seed),
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for seed in (1, 2)
    ]
    outputs = [p.communicate(timeout=400)[0].decode(errors="replace") for p in procs]
    for p, out in zip(procs, outputs, strict=True):
        assert p.returncode == 0, out[-3000:]

    study = open_study("shared", journal)
    numbers = sorted(t.number for t in study.trials)
    # The total, no duplicated number; a trial the other worker had already started when the
    # total was reached still finishes (at most one extra per additional worker).
    assert numbers == list(range(len(numbers))) and TOTAL <= len(numbers) <= TOTAL + 1
    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    assert all(t.state in finished for t in study.trials)

    runs = study_runs("workers", "shared")
    by_trial = {}
    for r in runs:
        by_trial.setdefault(int(r.data.tags["tsforge.trial"]), []).append(r)
    assert sorted(by_trial) == numbers and all(len(v) == 1 for v in by_trial.values())
    for t in study.trials:
        assert by_trial[t.number][0].info.run_id == t.user_attrs["mlflow_run_id"]
    parents = {v[0].data.tags["mlflow.parentRunId"] for v in by_trial.values()}
    assert len(parents) == 2  # one parent run per worker, both tagged with the study
    assert all(out.count("study shared") == 1 for out in outputs)
