"""Agreement of the fast batched property path with the reference implementation.

Windows: length 336, stride 24, of the ``etth1`` and ``weather`` catalogue datasets (a seeded
random sample of ``--n-per-dataset`` windows each, or all with ``--n-per-dataset 0``), plus one
336-window at a seeded random offset from each of ``--n-synth`` series of the default synthetic
corpus. Reports, per dataset and overall, the share of windows in the same ARIES bucket for each
property and the Pearson correlation (and max abs difference) of the continuous values.

Run: ``python -m benchmarks.profile_agreement [--n-per-dataset 1000] [--n-synth 500] [--jobs 2]``.
Writes ``benchmarks/results/profile_agreement.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.common import results_dir
from recommender.properties.buckets import BUCKETS, bucket_all
from recommender.properties.profile import extract_windows, profile_windows
from recommender.synth import load_corpus

RESULTS = results_dir() / "profile_agreement.json"  # $TSFORGE_BENCH_RESULTS_DIR when set
CONTINUOUS = ("tau", "season_strength", "volatility", "hurst", "anomaly_ratio", "arch_pvalue")
WINDOW, STRIDE = 336, 24


def dataset_windows(name: str, n: int, seed: int) -> np.ndarray:
    from tsforge.data.load import load_data

    windows, _, _ = extract_windows(load_data(name), WINDOW, STRIDE)
    if n and windows.shape[0] > n:
        pick = np.sort(np.random.default_rng(seed).choice(windows.shape[0], size=n, replace=False))
        windows = windows[pick]
    return windows


def synth_windows(n: int, seed: int) -> np.ndarray:
    values, _ = load_corpus()
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, values.shape[1] - WINDOW + 1, size=n)
    return np.stack([values[i, s : s + WINDOW] for i, s in enumerate(starts)]).astype(np.float64)


def compare(fast: dict, ref: dict) -> dict:
    fb, rb = bucket_all(fast), bucket_all(ref)
    out: dict = {
        "n_windows": int(len(fast["tau"])),
        "bucket_agreement": {},
        "correlation": {},
        "max_abs_diff": {},
    }
    for name in BUCKETS:
        out["bucket_agreement"][name] = float(np.mean(fb[name] == rb[name]))
    for key in CONTINUOUS:
        a, b = np.asarray(fast[key], float), np.asarray(ref[key], float)
        corr = float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else float(np.array_equal(a, b))
        out["correlation"][key] = corr
        out["max_abs_diff"][key] = float(np.max(np.abs(a - b)))
    out["periods_identical"] = float(
        np.mean([p == q for p, q in zip(fast["periods"], ref["periods"], strict=True)])
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--n-per-dataset", type=int, default=1000, help="windows sampled per real dataset (0 = all)"
    )
    ap.add_argument("--n-synth", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument(
        "--datasets",
        nargs="+",
        default=["etth1", "weather", "synthetic"],
        help="subset of etth1 weather synthetic",
    )
    args = ap.parse_args(argv)
    makers = {
        "etth1": lambda: dataset_windows("etth1", args.n_per_dataset, args.seed),
        "weather": lambda: dataset_windows("weather", args.n_per_dataset, args.seed),
        "synthetic": lambda: synth_windows(args.n_synth, args.seed),
    }
    sets = {name: makers[name]() for name in args.datasets}
    report: dict = {
        "window": WINDOW,
        "stride": STRIDE,
        "sampling": f"seeded random sample of {args.n_per_dataset or 'all'} windows per real dataset (seed {args.seed}); "
        f"one random 336-window from each of {args.n_synth} corpus series (kernelsynth n1000 L2048 seed 0)",
        "machine": {
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "note": "shared machine, other jobs running",
        },
        "datasets": {},
    }
    all_fast: dict = {}
    all_ref: dict = {}
    for name, windows in sets.items():
        t0 = time.perf_counter()
        fast = profile_windows(windows, method="fast", n_jobs=1)
        t1 = time.perf_counter()
        ref = profile_windows(windows, method="reference", n_jobs=args.jobs, chunk_size=50)
        t2 = time.perf_counter()
        res = compare(fast, ref)
        res["seconds_fast"], res["seconds_reference"] = t1 - t0, t2 - t1
        report["datasets"][name] = res
        for k in fast:
            all_fast.setdefault(k, []).extend(list(fast[k]))
            all_ref.setdefault(k, []).extend(list(ref[k]))
        print(
            f"{name}: {res['n_windows']} windows, fast {t1 - t0:.1f}s, reference {t2 - t1:.1f}s", flush=True
        )
    report["overall"] = compare(
        {k: (v if k == "periods" else np.asarray(v)) for k, v in all_fast.items()},
        {k: (v if k == "periods" else np.asarray(v)) for k, v in all_ref.items()},
    )
    checks = [v >= 0.95 for v in report["overall"]["bucket_agreement"].values()]
    checks += [v >= 0.98 for v in report["overall"]["correlation"].values()]
    report["targets_met"] = bool(all(checks))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    names = list(report["datasets"]) + ["overall"]
    rows = [("bucket", k) for k in BUCKETS] + [("corr", k) for k in CONTINUOUS]
    print("| property | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for kind, k in rows:
        field = "bucket_agreement" if kind == "bucket" else "correlation"
        vals = [
            report["datasets"][n][field][k] if n != "overall" else report["overall"][field][k] for n in names
        ]
        print(
            f"| {k} ({'agree' if kind == 'bucket' else 'r'}) | " + " | ".join(f"{v:.4f}" for v in vals) + " |"
        )
    print(f"targets met: {report['targets_met']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
