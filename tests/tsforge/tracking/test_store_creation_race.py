"""Several processes opening one new SQLite store at once (a team starting runs together):
each must find a working store, none may die in MLflow's table creation."""

from __future__ import annotations

import multiprocessing

import mlflow

WORKERS = 4


def _open_and_use(uri: str, barrier, results) -> None:
    from tsforge.tracking import configure_tracking

    try:
        # all workers reach the store at the same moment; a worker that waited in vain (a slow
        # spawn on a loaded machine breaks the barrier) reports it instead of putting nothing,
        # which left the test waiting 300 s for a result and failing with an empty queue
        barrier.wait(timeout=120)
        configure_tracking(uri)
        client = mlflow.MlflowClient()
        client.search_experiments(max_results=1)
        client.search_registered_models(max_results=1)
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_opening_a_new_store_together_all_get_it(tmp_path):
    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=_open_and_use, args=(uri, barrier, results)) for _ in range(WORKERS)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert outcomes == ["ok"] * WORKERS
