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


@pytest.fixture()
def server(registry):
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
