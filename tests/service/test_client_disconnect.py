"""A client that leaves while its large forecast runs in a worker process frees the worker.

Before: the server never looked at the connection, so the worker computed on until
TSFORGE_FORECAST_TIMEOUT_SECONDS ran out, and with one forecast worker every other large
request meanwhile got 429. Here a real uvicorn server (in a thread of the test process, on a
free loopback port) serves a fake local model whose forecast of a series named ``slow...``
sleeps past any test; the client sends such a request over a raw socket and closes it.

The fake is computed in spawned worker processes, which import it by module name (the
``importable`` fixture puts the repository root on ``sys.path``; a spawned process starts with
its parent's).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from service.cpu_pool import CpuPool
from service.inline import COST_PER_VALUE, POOL_MIN_COST
from service.main import create_app
from service.model_store import ModelStore
from service.settings import ServiceSettings
from tests.service.conftest import OnePredictorStore
from tsforge.inference import SeriesForecast

ROOT = Path(__file__).resolve().parents[2]
#: the budget of one large forecast here: far longer than the test may take
BUDGET_S = 120
#: how long the server may take to free the worker after the client left (generous: the
#: server polls every 0.1 s, and a fresh worker then starts in 1–3 s on a loaded machine)
FREED_WITHIN_S = 30


class SleepyLocal:
    """A fake local model (cost 100 a value: a large request goes to a worker) that sleeps
    ``BUDGET_S`` seconds when a series' id starts with ``slow``, else forecasts the last value."""

    kind = "local"
    input_len, max_horizon = 1, 3

    def predict_series(self, series, horizon=None, *, level=None, quantiles=None):
        if any(str(s.id).startswith("slow") for s in series):
            time.sleep(BUDGET_S)
        return [SeriesForecast(s.id, np.full(horizon, float(s.values[-1]))) for s in series]

    def interval_shortfall(self, level=None, quantiles=None, horizon=None):
        return None


def _large_body(prefix: str) -> dict:
    """A /v1/forecast body costing the pool threshold for a local model (10 series)."""
    length = -(-POOL_MIN_COST // COST_PER_VALUE["local"] // 10)
    return {
        "series": [
            {"id": f"{prefix}{i}", "values": [float(t % 7) for t in range(length)]} for i in range(10)
        ],
        "horizon": 2,
    }


def _large_frame(prefix: str) -> dict:
    """The same request as an /invocations long frame."""
    body = _large_body(prefix)
    ids = [s["id"] for s in body["series"] for _ in s["values"]]
    values = [v for s in body["series"] for v in s["values"]]
    return {"inputs": {"unique_id": ids, "y": values}, "params": {"horizon": 2}}


@pytest.fixture()
def importable(monkeypatch):
    """This module importable by name in the spawned workers."""
    monkeypatch.syspath_prepend(str(ROOT))
    assert __name__.endswith("test_client_disconnect")


@pytest.fixture()
def live(importable) -> Iterator[tuple[str, FastAPI]]:
    """``(base URL, app)``: the service on a free loopback port, one forecast worker, one
    profiling worker and no waiting line (a second request for a busy worker is 429 at once)."""
    import uvicorn

    store = OnePredictorStore(SleepyLocal(), "sleepy")
    settings = ServiceSettings(
        alias_poll_seconds=0,
        forecast_timeout_seconds=BUDGET_S,
        forecast_workers=1,
        cpu_timeout_seconds=BUDGET_S,
        cpu_workers=1,
        cpu_queue=0,
        max_profile_window=512,
    )
    app = create_app(settings, store=cast(ModelStore, store))
    from service.dependencies import get_store

    app.dependency_overrides[get_store] = lambda: store
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        app.state.forecast_pool.close()  # a request still waiting on a worker ends at once
        server.should_exit = True
        thread.join(timeout=30)


def _send_and_keep_open(base: str, path: str, body: dict) -> socket.socket:
    """Send a whole POST on a raw socket and return the socket, unread."""
    host, port = base.removeprefix("http://").split(":")
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(head + payload)
    return sock


def _status_until(base: str, path: str, body: dict, want: int, within_s: float) -> list[int]:
    """POST ``body`` every half second until it is answered ``want`` or ``within_s`` pass; the
    statuses seen, in order."""
    seen: list[int] = []
    deadline = time.monotonic() + within_s
    with httpx.Client(base_url=base, timeout=within_s + 10) as c:
        while time.monotonic() < deadline:
            seen.append(c.post(path, json=body).status_code)
            if seen[-1] == want:
                break
            time.sleep(0.5)
    return seen


@pytest.mark.parametrize(("path", "make"), [("/v1/forecast", _large_body), ("/invocations", _large_frame)])
def test_a_client_that_leaves_frees_its_forecast_worker_for_the_next_request(live, path, make):
    base, app = live
    pool = app.state.forecast_pool
    first = _send_and_keep_open(base, path, make("slow"))
    try:
        deadline = time.monotonic() + FREED_WITHIN_S
        while not (busy := pool.processes()) and time.monotonic() < deadline:
            time.sleep(0.05)  # the worker starts once the request is admitted
        assert len(busy) == 1, busy
        # while that client waits, its forecast holds the only worker: another large one is 429
        with httpx.Client(base_url=base, timeout=FREED_WITHIN_S) as c:
            assert c.post(path, json=make("quick")).status_code == 429
    finally:
        first.close()  # the client gives up
    seen = _status_until(base, path, make("quick"), 200, within_s=FREED_WITHIN_S)
    assert seen[-1] == 200, f"statuses after the client left: {seen}"
    assert busy[0] not in pool.processes()  # the sleeping worker was stopped, not left computing


def _profile(window: int) -> dict:
    """A /v1/profile body of one window: 512 builds its STL operators for about two minutes on a
    cold cache (336 took under 30 s here), 32 in well under a second."""
    t = np.arange(600)
    values = (10 + 3 * np.sin(2 * np.pi * t / 24) + 0.01 * t).tolist()
    return {"series": [{"id": "s", "values": values}], "window": window, "max_windows": 1}


def test_a_client_that_leaves_frees_its_profiling_worker_for_the_next_request(live, tmp_path, monkeypatch):
    """The same for ``/v1/profile`` (``/v1/recommend`` runs the same way), in its own pool."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cold"))  # read by the worker at its start
    base, app = live
    pool = app.state.cpu_pool
    first = _send_and_keep_open(base, "/v1/profile", _profile(512))
    try:
        deadline = time.monotonic() + FREED_WITHIN_S
        while not (busy := pool.processes()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(busy) == 1, busy
        with httpx.Client(base_url=base, timeout=FREED_WITHIN_S) as c:
            assert c.post("/v1/profile", json=_profile(32)).status_code == 429
    finally:
        first.close()
    seen = _status_until(base, "/v1/profile", _profile(32), 200, within_s=FREED_WITHIN_S)
    assert seen[-1] == 200, f"statuses after the client left: {seen}"
    assert busy[0] not in pool.processes()


def test_a_request_waiting_for_a_busy_worker_leaves_the_line_when_cancelled(importable):
    """A client that leaves while its request waits for a worker no longer holds a place in the
    waiting line (``TSFORGE_CPU_QUEUE``) until the budget ends."""
    from service.errors import ClientDisconnectedError

    pool = CpuPool(1, 1, timeout_s=BUDGET_S, label="large-forecast")
    sleeping = threading.Thread(target=lambda: _ignore(pool.run, "time:sleep", BUDGET_S))
    outcome: dict[str, object] = {}
    cancel = threading.Event()

    def waiting() -> None:
        try:
            outcome["result"] = pool.run("time:sleep", 0, cancel=cancel)
        except Exception as exc:  # noqa: BLE001 - the test reads which
            outcome["error"] = exc

    try:
        sleeping.start()
        while not pool.processes():  # the first request holds the worker
            time.sleep(0.05)
        waiter = threading.Thread(target=waiting)
        waiter.start()
        time.sleep(0.5)
        assert waiter.is_alive() and not outcome  # waiting in line
        cancel.set()
        waiter.join(timeout=FREED_WITHIN_S)
        assert not waiter.is_alive(), "the cancelled request still waits for a worker"
        assert isinstance(outcome.get("error"), ClientDisconnectedError), outcome
    finally:
        pool.close()
        sleeping.join(timeout=30)


def _ignore(fn, *args) -> None:
    try:
        fn(*args)
    except Exception:  # noqa: BLE001 - closed at the end of the test
        pass
