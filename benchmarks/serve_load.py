"""Serving benchmark: tsforge's FastAPI service against ``mlflow models serve``, same model, same requests.

What it measures (loopback only, bounded request counts):

1. Latency p50/p95/p99 and requests/s at concurrency 1, 8 and 32 for a single-series forecast
   (DLinear, input 96, H=24) and a 64-series batch, against
   * tsforge ``POST /v1/forecast`` (native schema),
   * tsforge ``POST /invocations`` (MLflow scoring protocol, byte-identical bodies to MLflow's),
   * ``mlflow models serve --env-manager local`` ``POST /invocations`` (one uvicorn worker each).
2. schemathesis against tsforge's ``/openapi.json`` (bounded examples): server errors must be 0.
3. A bounded load while ``@champion`` moves to another version mid-run (picked up by
   ``POST /v1/admin/reload`` and the 1 s poll): failed requests must be 0.

The load generator (asyncio + httpx) runs on the same machine as both servers, so absolute
numbers include its cost; the tsforge/MLflow ratio is the comparable figure. Both servers run
with one torch thread. Results: ``benchmarks/results/serve.json``.

Run: ``python -m benchmarks.serve_load`` (``--quick`` for a smoke run with tiny counts).

``--latency-only SECONDS``: only the latency goal (p99 ≤ 25 ms at concurrency 8, one series),
measured with ``wrk`` (apt package ``wrk``; a C client, so the load generator does not steal
the server's CPU as the Python client does) for a bounded time against ``tsforge serve``;
results in ``benchmarks/results/serve_latency.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.common import write_results

MODEL = "bench_dlinear"
INPUT_LEN = 96
HORIZON = 24
CONCURRENCY = (1, 8, 32)
# Requests per (target, payload, concurrency): bounded so the whole run stays a few minutes.
COUNTS = {"single": {1: 150, 8: 300, 32: 400}, "batch64": {1: 40, 8: 80, 32: 96}}
QUICK_COUNTS = {"single": {1: 20, 8: 40, 32: 64}, "batch64": {1: 8, 8: 16, 32: 32}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _train_registry(root: Path, quick: bool) -> tuple[str, dict[str, Any]]:
    """Register two DLinear versions (different seeds) of ``MODEL``; ``@champion`` → version 1."""
    import torch

    torch.set_num_threads(1)
    import mlflow

    from tsforge.data.synthetic import synthetic_stations
    from tsforge.pipeline import train
    from tsforge.tracking import configure_tracking

    uri = f"sqlite:///{root}/mlflow.db"
    configure_tracking(uri)
    data = synthetic_stations(n_channels=8, n_steps=1200 if quick else 2400, seed=0)
    versions = []
    for seed in (1, 2):
        out = train(
            data,
            "dlinear",
            input_len=INPUT_LEN,
            horizon=HORIZON,
            train_config={"max_epochs": 1 if quick else 3, "batch_size": 64},
            seed=seed,
            registered_name=MODEL,
            experiment="bench_serve",
            progress=False,
        )
        versions.append(str(out.version))
    client = mlflow.MlflowClient()
    client.set_registered_model_alias(MODEL, "champion", versions[0])
    info = {"versions": versions, "channel_ids": list(data.channel_ids)}
    return uri, info


def _payloads() -> dict[str, dict[str, Any]]:
    """For each payload kind: the native /v1/forecast body and the MLflow /invocations body."""
    rng = np.random.default_rng(0)
    start = np.datetime64("2024-01-01T00:00:00")
    ts = [str(start + np.timedelta64(i, "h")) for i in range(INPUT_LEN)]
    out = {}
    for kind, n in (("single", 1), ("batch64", 64)):
        series = []
        rows: list[list[str | float]] = []  # the dataframe_split rows: [unique_id, ds, y]
        for i in range(n):
            vals = (
                15 + 4 * np.sin(2 * np.pi * np.arange(INPUT_LEN) / 24 + i) + rng.normal(0, 0.3, INPUT_LEN)
            ).round(4)
            sid = f"S{i:02d}" if i < 8 else f"new{i:02d}"
            series.append({"id": sid, "values": vals.tolist(), "timestamps": ts})
            rows.extend([sid, t, float(v)] for t, v in zip(ts, vals, strict=True))
        out[kind] = {
            "native": {"series": series, "horizon": HORIZON},
            "mlflow": {
                "dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows},
                "params": {"horizon": HORIZON},
            },
        }
    return out


def _start(cmd: list[str], env: dict[str, str], ready_url: str, timeout: float = 180) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            assert proc.stderr is not None  # opened with stderr=PIPE above
            raise RuntimeError(f"{cmd[0:3]} exited: {proc.stderr.read().decode()[-3000:]}")
        try:
            if httpx.get(ready_url, timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"server not ready after {timeout} s: {cmd}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def _load(url: str, body: bytes, n: int, concurrency: int, headers: dict[str, str]) -> dict[str, Any]:
    """``n`` POSTs of ``body`` with ``concurrency`` in flight; latency percentiles and req/s."""
    latencies: list[float] = []
    errors = 0
    statuses: dict[int, int] = {}
    transport: dict[str, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def worker() -> None:
            nonlocal errors
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                try:
                    r = await client.post(url, content=body, headers=headers)
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError as exc:
                    errors += 1
                    kind = type(exc).__name__
                    transport[kind] = transport.get(kind, 0) + 1
                latencies.append(time.perf_counter() - t0)

        t_start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t_start
    lat = np.array(latencies) * 1e3
    return {
        "requests": n,
        "concurrency": concurrency,
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "transport_errors": transport,
        "req_per_s": round(n / wall, 1),
        "p50_ms": round(float(np.percentile(lat, 50)), 2),
        "p95_ms": round(float(np.percentile(lat, 95)), 2),
        "p99_ms": round(float(np.percentile(lat, 99)), 2),
        "wall_s": round(wall, 2),
    }


def _bench_target(base: str, path: str, body: dict, counts: dict[int, int]) -> list[dict[str, Any]]:
    raw = json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    asyncio.run(_load(base + path, raw, 10, 2, headers))  # warm-up (model load, JIT paths, connections)
    return [asyncio.run(_load(base + path, raw, counts[c], c, headers)) for c in CONCURRENCY]


_WRK_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("TSFORGE_BENCH_BODY"), "r")
wrk.body = f:read("*a")
f:close()
"""


def _wrk(url: str, body: dict, seconds: int, concurrency: int, out_dir: Path) -> dict[str, Any]:
    """``wrk`` for ``seconds`` at ``concurrency`` connections: p50/p90/p99 and requests/s."""
    import re

    exe = shutil.which("wrk")
    if exe is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    (out_dir / "body.json").write_text(json.dumps(body))
    (out_dir / "post.lua").write_text(_WRK_LUA)
    env = {**os.environ, "TSFORGE_BENCH_BODY": str(out_dir / "body.json")}
    base = [exe, "-t1", f"-c{concurrency}", "-s", str(out_dir / "post.lua"), url]
    subprocess.run([*base[:3], "-d3s", *base[3:]], env=env, capture_output=True, timeout=60)  # warm-up
    proc = subprocess.run(
        [*base[:3], f"-d{seconds}s", "--latency", *base[3:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    out = proc.stdout

    def ms(q: str) -> float:
        m = re.search(rf"^\s*{q}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if m is None:
            return float("nan")
        return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "tool": "wrk",
        "seconds": seconds,
        "concurrency": concurrency,
        "req_per_s": float(rps.group(1)) if rps else float("nan"),
        "p50_ms": ms("50"),
        "p90_ms": ms("90"),
        "p99_ms": ms("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "load_average_1min": float(Path("/proc/loadavg").read_text().split()[0])
        if Path("/proc/loadavg").exists()
        else None,
    }


def _schemathesis(base: str, out_dir: Path, max_examples: int) -> dict[str, Any]:
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if exe is None:
        return {"skipped": "schemathesis not installed"}
    report = out_dir / "schemathesis.json"
    cmd = [
        exe,
        "run",
        f"{base}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--request-timeout",
        "120",
        "--seed",
        "1",
        "--no-color",
        "--generation-database",
        "none",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    t0 = time.perf_counter()
    # cwd: schemathesis keeps a .schemathesis/ cache in the working directory; keep it out of the repo.
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=str(out_dir))
    data = json.loads(report.read_text()) if report.exists() else {}
    cases = data.get("test_cases", {})
    return {
        "command": " ".join(["schemathesis", *cmd[1:-2]]),
        "exit_code": proc.returncode,
        "operations_tested": data.get("operations", {}).get("tested"),
        "test_cases": cases.get("generated"),
        "server_errors": cases.get("with_failures"),
        "unique_failures": cases.get("unique_failures"),
        "network_errors": len(data.get("errors", []) or []),
        "seconds": round(time.perf_counter() - t0, 1),
        "output_tail": proc.stdout[-600:],
    }


async def _alias_switch_load(base: str, body: bytes, n: int, concurrency: int, switch) -> dict[str, Any]:
    """Load with the alias moved when half of the requests are done; counts failures and versions."""
    versions: dict[str, int] = {}
    failures = 0
    done = 0
    switched_at = None
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    async with httpx.AsyncClient(timeout=120) as client:

        async def worker() -> None:
            nonlocal failures, done, switched_at
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    r = await client.post(
                        f"{base}/v1/forecast", content=body, headers={"content-type": "application/json"}
                    )
                    if r.status_code == 200:
                        v = r.json()["model"]["version"]
                        versions[v] = versions.get(v, 0) + 1
                    else:
                        failures += 1
                except httpx.HTTPError:
                    failures += 1
                done += 1
                if switched_at is None and done >= n // 2:
                    switched_at = done
                    await asyncio.to_thread(switch)
                    await client.post(f"{base}/v1/admin/reload")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {
        "requests": n,
        "concurrency": concurrency,
        "failed": failures,
        "versions_served": versions,
        "switched_after": switched_at,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny request counts (smoke run)")
    ap.add_argument("--max-examples", type=int, default=25, help="schemathesis examples per operation")
    ap.add_argument("--out", default="serve", help="results name (benchmarks/results/<out>.json)")
    ap.add_argument(
        "--latency-only",
        type=int,
        metavar="SECONDS",
        help="only wrk for SECONDS at concurrency 8 on one series (results: serve_latency.json)",
    )
    args = ap.parse_args()
    counts = QUICK_COUNTS if args.quick else COUNTS

    root = Path(tempfile.mkdtemp(prefix="tsforge-serve-bench-"))
    t0 = time.perf_counter()
    uri, reg = _train_registry(root, args.quick)
    print(f"registry ready in {time.perf_counter() - t0:.0f} s: {reg['versions']}", flush=True)
    payloads = _payloads()
    bindir = Path(sys.executable).parent
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
    }  # mlflow serve execs uvicorn
    env.pop("TSFORGE_API_KEY", None)
    bindir = Path(sys.executable).parent

    ts_port, mlf_port = _free_port(), _free_port()
    ts_base, mlf_base = f"http://127.0.0.1:{ts_port}", f"http://127.0.0.1:{mlf_port}"
    ts_cmd = [
        sys.executable,
        "-c",
        "from tsforge.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(ts_port),
        "--tracking-uri",
        uri,
        "--model",
        f"{MODEL}@champion",
        "--poll",
        "1",
        "--torch-threads",
        "1",
        "--log-level",
        "warning",
    ]
    mlf_cmd = [
        str(bindir / "mlflow"),
        "models",
        "serve",
        "-m",
        f"models:/{MODEL}/{reg['versions'][0]}",
        "-h",
        "127.0.0.1",
        "-p",
        str(mlf_port),
        "--env-manager",
        "local",
        "-w",
        "1",
    ]

    results: dict[str, Any] = {
        "note": "2-core machine; the load client and both servers share the same cores. "
        "Absolute latencies are pessimistic; compare tsforge and MLflow within this run only.",
        "model": {"name": MODEL, "kind": "dlinear", "input_len": INPUT_LEN, "horizon": HORIZON},
        "counts": counts,
        "latency": {},
    }

    if args.latency_only:
        ts = _start(ts_cmd, env, f"{ts_base}/readyz")
        try:
            single = _wrk(f"{ts_base}/v1/forecast", payloads["single"]["native"], args.latency_only, 8, root)
        finally:
            _stop(ts)
        single["goal_p99_le_25ms"] = single["p99_ms"] <= 25.0
        path = write_results("serve_latency", {"single_c8": single, "model": results["model"]})
        print(json.dumps(single, indent=1))
        print(f"wrote {path}")
        shutil.rmtree(root, ignore_errors=True)
        return

    # One server at a time, so they never compete for the two cores.
    ts = _start(ts_cmd, env, f"{ts_base}/readyz")
    try:
        for kind in ("single", "batch64"):
            results["latency"].setdefault(kind, {})
            results["latency"][kind]["tsforge_native"] = _bench_target(
                ts_base, "/v1/forecast", payloads[kind]["native"], counts[kind]
            )
            print(kind, "tsforge native", results["latency"][kind]["tsforge_native"], flush=True)
            results["latency"][kind]["tsforge_invocations"] = _bench_target(
                ts_base, "/invocations", payloads[kind]["mlflow"], counts[kind]
            )
            print(kind, "tsforge invocations", results["latency"][kind]["tsforge_invocations"], flush=True)
        results["schemathesis"] = _schemathesis(ts_base, root, 5 if args.quick else args.max_examples)
        print("schemathesis", results["schemathesis"], flush=True)

        import mlflow

        def switch() -> None:
            mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri).set_registered_model_alias(
                MODEL, "champion", reg["versions"][1]
            )

        body = json.dumps(payloads["single"]["native"]).encode()
        n_switch = 100 if args.quick else 600
        results["alias_switch"] = asyncio.run(_alias_switch_load(ts_base, body, n_switch, 8, switch))
        results["alias_switch"]["mechanism"] = (
            "POST /v1/admin/reload right after the move (+ 1 s background poll)"
        )
        print("alias switch", results["alias_switch"], flush=True)
    finally:
        _stop(ts)

    mlf = _start(mlf_cmd, env, f"{mlf_base}/ping", timeout=300)
    try:
        for kind in ("single", "batch64"):
            results["latency"][kind]["mlflow_invocations"] = _bench_target(
                mlf_base, "/invocations", payloads[kind]["mlflow"], counts[kind]
            )
            print(kind, "mlflow", results["latency"][kind]["mlflow_invocations"], flush=True)
    finally:
        _stop(mlf)

    ratios: dict[str, Any] = {}
    for kind, targets in results["latency"].items():
        for name in ("tsforge_native", "tsforge_invocations"):
            ratios[f"{kind}/{name}_vs_mlflow"] = {
                f"c{a['concurrency']}": round(a["req_per_s"] / b["req_per_s"], 2)
                for a, b in zip(targets[name], targets["mlflow_invocations"], strict=True)
            }
    results["throughput_ratio"] = ratios
    single8 = next(r for r in results["latency"]["single"]["tsforge_native"] if r["concurrency"] == 8)
    results["goals"] = {
        "ratio_ge_3x_single_c8": ratios["single/tsforge_native_vs_mlflow"]["c8"] >= 3.0,
        "p99_le_25ms_single_c8": single8["p99_ms"] <= 25.0,
        "zero_errors_tsforge": all(
            r["errors"] == 0
            for t in results["latency"].values()
            for name, rs in t.items()
            if name.startswith("tsforge")
            for r in rs
        ),
        "mlflow_errors": sum(
            r["errors"] for t in results["latency"].values() for r in t["mlflow_invocations"]
        ),
        "schemathesis_zero_server_errors": results["schemathesis"].get("server_errors") == 0,
        "alias_switch_zero_failed": results["alias_switch"]["failed"] == 0,
    }
    path = write_results(args.out, results)
    print(json.dumps(results["throughput_ratio"], indent=1))
    print(json.dumps(results["goals"], indent=1))
    print(f"wrote {path}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
