"""End to end over a real socket: ``tsforge serve`` in a subprocess on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(registry):
    """One ``tsforge serve`` for the module's tests that only send requests to it.

    Why: a server's start-up (a Python process importing the service and loading the model) was
    ~12 s of each test on CI; neither test changes what the server holds (no alias moves, no
    reload), so the second test asks the same server the same questions as before.
    """
    port = _free_port()
    env = {**os.environ, "TSFORGE_API_KEY": "k-e2e", "TSFORGE_ALIAS_POLL_SECONDS": "0"}
    cmd = [
        sys.executable,
        "-c",
        "from tsforge.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--tracking-uri",
        registry.uri,
        "--model",
        registry.name,
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stdout.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("server did not become ready in 90 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# the tests that share ``server`` run on one xdist worker (``--dist loadgroup``), so it starts once
SHARES_THE_SERVER = pytest.mark.xdist_group("uvicorn_server")


@SHARES_THE_SERVER
def test_real_server_round_trip(server, registry, series):
    with httpx.Client(base_url=server, timeout=30) as c:
        assert c.get("/ping").status_code == 200
        assert c.get("/healthz").json() == {"status": "ok"}
        assert c.post("/v1/forecast", json={"series": [series]}).status_code == 401
        auth = {"X-API-Key": "k-e2e"}
        r = c.post("/v1/forecast", json={"series": [series], "horizon": 6}, headers=auth)
        assert r.status_code == 200, r.text
        assert r.json()["model"] == {
            "name": registry.name,
            "version": registry.dlinear_version,
            "alias": "champion",
            "run_id": r.json()["model"]["run_id"],
        }
        assert len(r.json()["forecasts"][0]["values"]) == 6
        rows = [[series["id"], t, v] for t, v in zip(series["timestamps"], series["values"], strict=True)]
        body = {
            "dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows},
            "params": {"horizon": 3},
        }
        r = c.post("/invocations", json=body, headers={"Authorization": "Bearer k-e2e"})
        assert r.status_code == 200, r.text
        assert [p["step"] for p in r.json()["predictions"]] == [1, 2, 3]
        r = c.post(
            "/v1/forecast",
            content=b'{"series": [{"id": "a", "values": [NaN]}]}',
            headers={**auth, "content-type": "application/json"},
        )
        assert r.status_code == 422 and r.json()["field"] == "series[0].values[0]"
        assert c.get("/openapi.json").json()["info"]["title"] == "tsforge forecast service"


def _raw_request(base: str, head: str, timeout: float = 10.0) -> tuple[int, float]:
    """Send only a request's head (no body) and read the status line: ``(status, seconds)``."""
    host, port = base.removeprefix("http://").split(":")
    t0 = time.perf_counter()
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(head.encode())
        status = s.recv(4096).split(b"\r\n", 1)[0]
    return int(status.split()[1]), time.perf_counter() - t0


@SHARES_THE_SERVER
def test_limits_answer_from_the_headers_alone(server):
    """Issue #18, finding 3: 210 MB without a key used to be read and parsed before the 401."""
    head = (
        "POST /v1/forecast HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {210 * 1024 * 1024}\r\n"
    )
    status, seconds = _raw_request(server, head + "\r\n")
    assert status == 401 and seconds < 5
    status, seconds = _raw_request(server, head + "X-API-Key: k-e2e\r\n\r\n")
    assert status == 413 and seconds < 5


def test_sigterm_stops_the_server_within_10_s_during_a_long_profile(registry, tmp_path) -> None:
    """Issue #18, finding 2: SIGTERM did not stop a server busy with a long profile."""
    import signal
    import threading

    import numpy as np

    port = _free_port()
    env = {
        **os.environ,
        "TSFORGE_ALIAS_POLL_SECONDS": "0",
        "TSFORGE_CACHE_DIR": str(tmp_path / "cold"),  # cold STL operators: a profile of minutes
        "TSFORGE_CPU_TIMEOUT_SECONDS": "300",
    }
    env.pop("TSFORGE_API_KEY", None)
    cmd = [sys.executable, "-c", "from tsforge.cli import main; main()", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--tracking-uri", registry.uri, "--model", registry.name, "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        t = np.arange(400)
        values = (10 + 3 * np.sin(2 * np.pi * t / 24) + 0.01 * t).tolist()
        body = {"series": [{"id": "s", "values": values}], "window": 336, "max_windows": 1}
        answer: dict = {}

        def long_profile() -> None:
            try:
                answer["status"] = httpx.post(f"{base}/v1/profile", json=body, timeout=120).status_code
            except httpx.HTTPError as exc:
                answer["error"] = type(exc).__name__

        thread = threading.Thread(target=long_profile)
        thread.start()
        time.sleep(4)  # the worker has started and is building operators
        assert thread.is_alive(), answer
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        stopped = time.perf_counter() - t0
        thread.join(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert stopped <= 10, f"took {stopped:.1f} s to stop"
    assert answer.get("status") == 503 or "error" in answer  # told, or the connection closed
