"""Shared tuning and tracking on PostgreSQL: two ``tsforge tune`` worker processes on one study
(``--storage postgresql://...``) in an empty database, tracked by the team MLflow server
(PostgreSQL backend store); and openers of an empty database at one instant."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import optuna
import pandas as pd
import pytest

from tests.tsforge.tuning.test_storage_schema_race import OPENERS, open_at_once
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
    # no schema made beforehand: README's recipe on a new database, where both workers create
    # Optuna's tables at once (one of them failed with "duplicate key value violates unique
    # constraint pg_type_typname_nsp_index")
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
    # MLflow's "View run ... / View experiment ..." lines, two per trial, are not printed
    assert not any("View run" in out or "View experiment" in out for out in outputs), outputs


#: rounds of openers on a new database: 4 threads collided in each of 5 rounds before the retry
ROUNDS = 3


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_openers_of_a_new_postgres_storage_at_once_all_get_it(fresh_database, round_: int) -> None:
    """Each thread opens the storage with its own engine (its own connections), so their
    ``CREATE TABLE``s meet in PostgreSQL's catalogue as two workers' do."""
    results = open_at_once(fresh_database)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    stores = [r for r in results if isinstance(r, optuna.storages.RDBStorage)]
    assert len(stores) == OPENERS
    optuna.create_study(storage=stores[0], study_name="shared")
    assert [s.study_name for s in optuna.get_all_study_summaries(stores[-1])] == ["shared"]
