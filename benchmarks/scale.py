"""Scale-out: series per second of the per-series work on the local engine and on Ray, 1 and 2 workers.

Panel: :func:`tsforge.data.synthetic.synthetic_panel` — ragged monthly series of 24–500 values,
mixed seasonality (none to strong yearly), trend, noise, 15 % intermittent counts. Stages, each
one ``Engine.map`` of a pure chunk function, exactly what the library runs:

* **profile**: the ARIES properties (``properties_fast``) of the last 48 values of every series
  that long (``--profile-series`` series, chunks of 256 windows);
* **fit + forecast**: ``forecast_chunk`` with ``auto_ets`` and ``seasonal_naive``, h = 12 (a
  statsforecast forecast *is* a fit then a forecast), ``--n-series`` series in 16+ chunks.

Configurations: local engine (process pool) and Ray (a local Ray instance with that many CPUs)
with 1 and 2 workers, interleaved (local 1, Ray 1, local 2, Ray 2) so that each pair sees about
the same machine load. Start-up is timed apart from the stages: for Ray ``ray.init`` plus one
warm-up task per worker (imports, a tiny profile and forecast), for the local engine the same
warm-up in the driver (its forked pool inherits it); a local pool is forked per map and that is
part of the stage time. Every configuration's forecasts are checked identical to the first's.

Per task the worker records its pid, its peak RSS (``ru_maxrss``) and the CPU seconds the chunk
took (``process_time``): the CPU cost per series is what one dedicated core would do, which
the capacity projection uses because wall times on a machine shared with other jobs understate
what the code does on a quiet one.

Run: ``python -m benchmarks.scale`` (bounded subset, part of ``make bench``) or e.g.
``python -m benchmarks.scale --n-series 100000 --profile-series 100000`` on a machine with the
time for it. Writes ``benchmarks/results/scale.json``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import write_results  # noqa: E402

MODELS = ["auto_ets", "seasonal_naive"]
H = 12
PROFILE_WINDOW = 48
#: (nodes, cores per node) rows of the projected capacity table
CLUSTERS = [(1, 2), (1, 16), (4, 16), (16, 32), (64, 32)]


def _stamp(t_cpu: float) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_s": time.process_time() - t_cpu,
    }


def forecast_task(chunk: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``forecast_chunk`` plus the worker's pid, peak RSS and CPU seconds."""
    from tsforge.panels.local import forecast_chunk

    t_cpu = time.process_time()
    frame = forecast_chunk(chunk, MODELS, H)
    return frame, _stamp(t_cpu)


def profile_task(windows: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
    """``properties_fast`` plus the worker's pid, peak RSS and CPU seconds."""
    from recommender.properties.fast import properties_fast

    t_cpu = time.process_time()
    props = properties_fast(windows)
    return props, _stamp(t_cpu)


def warm_task(_: int) -> int:
    """Import and touch what the stages use (modules, STL operators read from the cache), once
    per process: Ray workers get it as their first task, the local engine in the driver, whose
    state its forked pool workers inherit."""
    from recommender.properties.fast import properties_fast
    from tsforge.data.synthetic import synthetic_panel
    from tsforge.panels.local import forecast_chunk

    panel = synthetic_panel(4, min_length=60, max_length=60, seed=99)
    forecast_chunk(panel, MODELS, H)
    properties_fast(np.stack([panel.series(i)[-PROFILE_WINDOW:] for i in range(len(panel))]))
    time.sleep(0.5)  # keep this worker busy so the next warm-up task lands on another one
    return os.getpid()


def _engine(kind: str, workers: int) -> tuple[Any, float]:
    """The engine and its start-up seconds (Ray: init + warm-up of every worker)."""
    from tsforge.engine import LocalEngine, RayEngine

    if kind == "local":
        t0 = time.perf_counter()
        warm_task(0)
        return LocalEngine(workers), time.perf_counter() - t0
    import ray

    if ray.is_initialized():
        ray.shutdown()
    t0 = time.perf_counter()
    eng = RayEngine(None, workers)
    eng.connect()
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    eng.map(warm_task, list(range(2 * workers)))
    return eng, time.perf_counter() - t0


def _stage(eng: Any, fn: Any, items: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    t0 = time.perf_counter()
    out = eng.map(fn, items)
    wall = time.perf_counter() - t0
    stamps = [s for _, s in out]
    per_worker: dict[int, float] = {}
    for s in stamps:
        per_worker[s["pid"]] = max(per_worker.get(s["pid"], 0.0), s["rss_mb"])
    info = {
        "wall_s": wall,
        "cpu_s": float(sum(s["cpu_s"] for s in stamps)),
        "workers_seen": len(per_worker),
        "peak_rss_mb_per_worker": sorted(round(v, 1) for v in per_worker.values()),
    }
    return [r for r, _ in out], info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-series", type=int, default=500, help="series fitted and forecast per configuration")
    ap.add_argument("--profile-series", type=int, default=20000, help="series profiled per configuration")
    ap.add_argument("--engines", nargs="+", default=["local", "ray"], choices=["local", "ray"])
    ap.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    from tsforge.data.synthetic import synthetic_panel

    t0 = time.perf_counter()
    fit_panel = synthetic_panel(args.n_series, min_length=24, max_length=500, seed=args.seed)
    prof_panel = synthetic_panel(args.profile_series, min_length=24, max_length=500, seed=args.seed + 1)
    long_enough = np.flatnonzero(prof_panel.lengths >= PROFILE_WINDOW)
    ends = prof_panel.indptr[1:][long_enough]
    windows = prof_panel.values[ends[:, None] - PROFILE_WINDOW + np.arange(PROFILE_WINDOW)[None, :]]
    windows = np.ascontiguousarray(np.nan_to_num(windows.astype(np.float64)))
    prof_chunks = [windows[a : a + 256] for a in range(0, len(windows), 256)]
    fit_chunks = fit_panel.chunks(max(16, args.n_series // 100))
    print(
        f"panel: {len(fit_panel)} series to fit (mean length {fit_panel.n_values / len(fit_panel):.0f}), "
        f"{len(windows)} windows to profile; built in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )

    configs = [(w, e) for w in args.workers for e in args.engines]  # interleaved: local 1, ray 1, ...
    rows: list[dict[str, Any]] = []
    reference: pd.DataFrame | None = None
    for workers, kind in configs:
        load0 = os.getloadavg()[0]
        eng, startup = _engine(kind, workers)
        _, prof = _stage(eng, profile_task, prof_chunks)
        frames, fit = _stage(eng, forecast_task, fit_chunks)
        merged = pd.concat(frames, ignore_index=True)
        if reference is None:
            reference = merged
        identical = bool(merged.equals(reference))
        row = {
            "engine": kind,
            "workers": workers,
            "startup_s": startup,
            "profile": {**prof, "series_per_s": len(windows) / prof["wall_s"]},
            "fit_forecast": {**fit, "series_per_s": len(fit_panel) / fit["wall_s"]},
            "identical_to_first": identical,
            "loadavg_1min_before": load0,
            "loadavg_1min_after": os.getloadavg()[0],
        }
        rows.append(row)
        print(
            f"{kind:5s} x{workers}: start {startup:5.1f} s | profile {row['profile']['series_per_s']:8.0f} series/s"
            f" | fit+forecast {row['fit_forecast']['series_per_s']:6.2f} series/s"
            f" ({fit['cpu_s'] / len(fit_panel) * 1000:.0f} CPU-ms/series)"
            f" | peak RSS/worker {fit['peak_rss_mb_per_worker']} MB | identical {identical}"
            f" | load {load0:.1f}",
            flush=True,
        )
        if kind == "ray":
            import ray

            ray.shutdown()

    summary = _summary(rows, len(fit_panel), len(windows))
    path = write_results(
        "scale",
        {
            "command": "python -m benchmarks.scale " + " ".join(argv if argv is not None else sys.argv[1:]),
            "n_series_fit": len(fit_panel),
            "n_series_profile": len(windows),
            "mean_length_fit": fit_panel.n_values / len(fit_panel),
            "models": MODELS,
            "h": H,
            "profile_window": PROFILE_WINDOW,
            "configs": rows,
            **summary,
        },
    )
    for key in ("speedup_1_to_2", "ray_overhead"):
        print(f"{key}: {summary[key]}")
    print(f"wrote {path}")
    return 0


def _summary(rows: list[dict[str, Any]], n_fit: int, n_prof: int) -> dict[str, Any]:
    """Speed-ups 1 → 2 workers, Ray's overhead against the local pool, and the projection."""
    by = {(r["engine"], r["workers"]): r for r in rows}
    speedup: dict[str, dict[str, float]] = {}
    overhead: dict[str, dict[str, float]] = {}
    for kind in ("local", "ray"):
        if (kind, 1) in by and (kind, 2) in by:
            speedup[kind] = {
                stage: by[(kind, 2)][stage]["series_per_s"] / by[(kind, 1)][stage]["series_per_s"]
                for stage in ("profile", "fit_forecast")
            }
    for w in (1, 2):
        if ("local", w) in by and ("ray", w) in by:
            overhead[f"x{w}"] = {
                stage: by[("ray", w)][stage]["wall_s"] / by[("local", w)][stage]["wall_s"] - 1
                for stage in ("profile", "fit_forecast")
            }
    # CPU seconds per series of one dedicated core: the mean over every configuration's tasks
    cpu_fit = float(np.mean([r["fit_forecast"]["cpu_s"] / n_fit for r in rows]))
    cpu_prof = float(np.mean([r["profile"]["cpu_s"] / n_prof for r in rows]))
    per_series = cpu_fit + cpu_prof
    projection = [
        {
            "nodes": nodes,
            "cores_per_node": cores,
            **{f"hours_1e{k}": 10**k * per_series / (nodes * cores) / 3600 for k in (6, 7)},
        }
        for nodes, cores in CLUSTERS
    ]
    return {
        "speedup_1_to_2": speedup,
        "ray_overhead": overhead,
        "cpu_s_per_series": {"fit_forecast": cpu_fit, "profile": cpu_prof, "total": per_series},
        "projection": {
            "note": "PROJECTION, not measured: N x CPU-seconds per series / (nodes x cores), i.e. "
            "perfect scaling of independent series; same length mix (24-500, mean ~260) and models",
            "rows": projection,
        },
    }


if __name__ == "__main__":
    raise SystemExit(main())
