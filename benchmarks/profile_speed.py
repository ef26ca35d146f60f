"""Throughput of the property extractors: reference (statsmodels per window) vs fast (batched).

Windows: length 336, stride 24, of ``etth1`` (all 4,984), and one window per series of the
default synthetic corpus. The reference path is timed on a seeded subset (``--n-ref``, default
200 windows) and the fast path on the *same* subset, then on all windows with 1 and 2 worker
processes. STL operators are built (or read from the cache) before timing; the one-time cold
build cost is reported separately. Single-threaded BLAS (OMP_NUM_THREADS=1).

Run: ``OMP_NUM_THREADS=1 python -m benchmarks.profile_speed`` (part of ``make bench``).
Writes ``benchmarks/results/profile_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from benchmarks.common import results_dir  # noqa: E402
from recommender.properties.profile import extract_windows, profile_windows  # noqa: E402

RESULTS = results_dir() / "profile_speed.json"  # $TSFORGE_BENCH_RESULTS_DIR when set


@dataclass(frozen=True)
class _Timing:
    """One timed path; why a class: the speed-ups below read its rates as numbers, not as
    entries of the loosely typed JSON report."""

    windows: int
    processes: int
    windows_per_s: float
    seconds: float
    windows_per_cpu_s: float | None

    def record(self) -> dict[str, float | int | None]:
        """The report's entry (keys in the order the result file has always had)."""
        return {
            "windows": self.windows,
            "processes": self.processes,
            "windows_per_s": self.windows_per_s,
            "seconds": self.seconds,
            "windows_per_cpu_s": self.windows_per_cpu_s,
        }

    def cpu_rate(self) -> float:
        """The in-process CPU rate, which only a one-process timing has."""
        if self.windows_per_cpu_s is None:
            raise ValueError(f"a {self.processes}-process timing has no per-CPU-second rate")
        return self.windows_per_cpu_s


def _rate(windows: np.ndarray, method: str, jobs: int, chunk: int = 256) -> tuple[float, float, float | None]:
    """(windows per wall second, wall seconds, windows per CPU second of this process or None).

    The CPU-second rate is only meaningful in-process (jobs=1); on a machine shared with other
    jobs it estimates what one dedicated core would do.
    """
    c0, t0 = time.process_time(), time.perf_counter()
    profile_windows(windows, method=method, n_jobs=jobs, chunk_size=chunk)
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    return windows.shape[0] / dt, dt, (windows.shape[0] / dc if jobs == 1 else None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-ref", type=int, default=200, help="windows timed with the reference path")
    ap.add_argument("--n-synth", type=int, default=1000, help="synthetic windows timed with the fast path")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    from recommender.synth import load_corpus
    from tsforge.data.load import load_data

    windows, _, _ = extract_windows(load_data("etth1"), 336, 24)
    rng = np.random.default_rng(0)
    subset = windows[
        np.sort(rng.choice(windows.shape[0], size=min(args.n_ref, windows.shape[0]), replace=False))
    ]
    values, _ = load_corpus()
    starts = rng.integers(0, values.shape[1] - 336 + 1, size=min(args.n_synth, values.shape[0]))
    synth = np.stack([values[i, s : s + 336] for i, s in enumerate(starts)]).astype(np.float64)

    t0 = time.perf_counter()
    profile_windows(windows, method="fast", n_jobs=1)  # builds / loads every STL operator needed
    profile_windows(synth, method="fast", n_jobs=1)
    warmup = time.perf_counter() - t0

    runs = {
        "reference": (subset, "reference", 1, 50),
        "fast_same_windows": (subset, "fast", 1, 256),
        "fast_etth1_all": (windows, "fast", 1, 256),
        "fast_etth1_all_2proc": (windows, "fast", 2, 256),
        "fast_synthetic": (synth, "fast", 1, 256),
    }
    machine: dict[str, object] = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    report: dict[str, object] = {
        "window": 336,
        "note": "timings taken on a shared, loaded machine (2 cores shared by up to 8 agents); OMP_NUM_THREADS=1. "
        "windows_per_cpu_s = windows / CPU seconds of the (single) process: the rate of one dedicated core.",
        "machine": machine,
        "warmup_seconds_including_stl_operator_cache": warmup,
        "goal": "fast >= 20x reference and >= 1000 windows/s at L=336 on 2 cores",
    }
    timings: dict[str, _Timing] = {}
    for key, (w, method, jobs, chunk) in runs.items():
        timings[key] = _Timing(int(w.shape[0]), jobs, *_rate(w, method, jobs, chunk))
        report[key] = timings[key].record()
    machine["loadavg_at_end"] = list(os.getloadavg())
    ref, same = timings["reference"], timings["fast_same_windows"]
    speedup_wall = same.windows_per_s / ref.windows_per_s
    speedup_cpu = same.cpu_rate() / ref.cpu_rate()
    two_core = 2 * timings["fast_etth1_all"].cpu_rate()
    fast_all_2 = timings["fast_etth1_all_2proc"].windows_per_s
    report["speedup_same_windows_1proc"] = speedup_wall
    report["speedup_same_windows_cpu"] = speedup_cpu
    report["two_core_estimate_windows_per_s"] = two_core
    report["goal_met"] = bool(speedup_wall >= 20 and fast_all_2 >= 1000)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"{'path':<24}{'windows':>9}{'procs':>7}{'win/s':>10}{'win/cpu-s':>11}")
    for key, t in timings.items():
        cpu = f"{t.windows_per_cpu_s:.1f}" if t.windows_per_cpu_s else "-"
        print(f"{key:<24}{t.windows:>9}{t.processes:>7}{t.windows_per_s:>10.1f}{cpu:>11}")
    print(
        f"speed-up on the same windows: {speedup_wall:.0f}x wall, "
        f"{speedup_cpu:.0f}x CPU; 2-core estimate "
        f"{two_core:.0f} windows/s; goal met (wall): {report['goal_met']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
