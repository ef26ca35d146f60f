"""Bounded work per request (issue #18, finding 2): one long ``/v1/profile`` used to stall the
service for minutes. Profiling now runs in worker processes with a time budget (504), a bounded
waiting line (429) and a window limit, and forecasts are answered meanwhile."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.main import create_app

COLD_WINDOW = 336  # builds STL operators of 336 x 336 on a cold cache: seconds to tens of seconds


@pytest.fixture()
def cold_cache(tmp_path, monkeypatch):
    """An empty STL-operator cache for the worker processes (they inherit the environment)."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _long_profile() -> dict:
    t = np.arange(COLD_WINDOW + 40)
    values = 10 + 3 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(0).normal(0, 0.3, t.size)
    return {
        "series": [{"id": "s", "values": values.round(3).tolist()}],
        "window": COLD_WINDOW,
        "max_windows": 1,
    }


def _wait_busy(app, timeout: float = 60.0) -> None:
    pool = app.state.cpu_pool
    deadline = time.time() + timeout
    while not pool.processes() and time.time() < deadline:
        time.sleep(0.05)
    assert pool.processes(), "no worker process started"


def test_a_request_past_its_budget_is_504_and_its_worker_is_stopped(make_settings, cold_cache):
    with TestClient(create_app(make_settings(cpu_timeout_seconds=3))) as c:
        t0 = time.perf_counter()
        r = c.post("/v1/profile", json=_long_profile())
        elapsed = time.perf_counter() - t0
        assert r.status_code == 504, r.text
        body = r.json()
        assert body["error"] == "DeadlineExceededError" and body["error_code"] == "DEADLINE_EXCEEDED"
        assert "budget of 3 s" in body["message"]
        assert elapsed < 10
        assert c.app.state.cpu_pool.processes() == []  # killed, not left computing
        # the next request gets a fresh worker and normal answers
        r = c.post("/v1/profile", json={"series": [{"id": "a", "values": [1.0] * 20}]})
        assert r.status_code == 422 and r.json()["field"] == "series[0].values"


def test_busy_workers_and_full_queue_give_429(make_settings, cold_cache) -> None:
    app = create_app(make_settings(cpu_workers=1, cpu_queue=0, cpu_timeout_seconds=60))
    with TestClient(app) as c:
        first: dict = {}
        thread = threading.Thread(
            target=lambda: first.setdefault("r", c.post("/v1/profile", json=_long_profile()))
        )
        thread.start()
        _wait_busy(app)
        r = c.post("/v1/profile", json=_long_profile())
        assert r.status_code == 429, r.text
        assert r.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED" and int(r.headers["retry-after"]) >= 1
        app.state.cpu_pool.close()  # what shutdown does: the running request ends at once
        thread.join(timeout=30)
        assert not thread.is_alive() and first["r"].status_code == 503


def test_window_over_the_service_limit_is_413(client):
    body = {"series": [{"id": "s", "values": [float(i % 7) for i in range(2000)]}], "window": 1024}
    r = client.post("/v1/profile", json=body)
    assert r.status_code == 413 and r.json()["field"] == "window" and "336" in r.json()["message"]


def _forecasts_ok(c, body, n: int) -> int:
    """How many of ``n`` forecast requests answered 200."""
    return sum(c.post("/v1/forecast", json=body).status_code == 200 for _ in range(n))


def test_forecasts_are_answered_while_a_long_profile_runs(make_settings, cold_cache, series) -> None:
    """The profile computes in a worker process, so the event loop keeps answering: forecasts and
    health checks complete *while* it still runs. (How fast they stay under load is measured by
    ``benchmarks/serve_load.py``, not asserted here: a timed unit test breaks on a busy machine.)"""
    import os

    app = create_app(make_settings(cpu_timeout_seconds=120))
    with TestClient(app) as c:
        body = {"series": [series], "horizon": 12}
        done: dict = {}
        thread = threading.Thread(
            target=lambda: done.setdefault("r", c.post("/v1/profile", json=_long_profile()))
        )
        thread.start()
        _wait_busy(app)
        workers = app.state.cpu_pool.processes()
        answered = _forecasts_ok(c, body, 40)
        healthy = c.get("/healthz").status_code == 200
        still_running = thread.is_alive()
        app.state.cpu_pool.close()
        thread.join(timeout=30)
    assert still_running, "the profile finished before the forecasts did; nothing was shown"
    assert answered == 40 and healthy
    assert workers and os.getpid() not in workers  # the profile computes in another process


def test_warm_started_workers_import_the_endpoint_modules_before_the_first_request():
    """The first ``/v1/recommend`` after start-up spent ~5 s of its budget importing torch,
    LightGBM and statsmodels in the fresh worker (42 s on a loaded machine, near the 60 s budget);
    a warm-started service's workers import them before any request arrives."""
    from service.cpu_pool import CpuPool
    from service.main import CPU_ENDPOINT_MODULES

    probe = "__import__('sys').modules.keys() >= {'service.profiling', 'service.recommending'}"
    warm = CpuPool(timeout_s=120, preload=CPU_ENDPOINT_MODULES)
    cold = CpuPool(timeout_s=120)
    try:
        warm.warm()
        cold.warm()
        assert warm.run("builtins:eval", probe) is True
        assert cold.run("builtins:eval", probe) is False  # the probe itself imports nothing
    finally:
        warm.close()
        cold.close()
