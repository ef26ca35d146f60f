"""Peak memory of loading and profiling a large ragged panel (issue #13's memory goal: a
100,000-series panel of lengths 20–2,000 loads and profiles within 4 GB RSS):
``python -m benchmarks.panel_memory``.

A seeded panel (``--n-series`` series, lengths uniform in [20, 2000], daily dates, string ids
``series_000000``...) is written as a long Parquet file (``unique_id, ds, y``) in a temporary
folder; a fresh child process then runs ``load_panel(file)`` and profiles the last 48 values of
every series (``recommender.properties.profile``), and reports its peak RSS after each stage
(``VmHWM``: the child's own high-water mark; ``ru_maxrss`` is not used because Linux carries the
parent's peak — which held the generated frame — across ``exec``).
Writes ``benchmarks/results/panel_memory.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import write_results

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from tsforge.data.load import load_panel
from recommender.properties.profile import profile
def peak_gib():
    # VmHWM: this process image's own peak (ru_maxrss would carry the parent's peak across exec)
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024 ** 2
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
panel = load_panel(sys.argv[1]).panel
loaded = {"seconds": time.perf_counter() - t0, "peak_rss_gib": peak_gib()}
t1 = time.perf_counter()
result = profile(panel.tail(48), window=48)
profiled = {"seconds": time.perf_counter() - t1, "peak_rss_gib": peak_gib(), "windows": int(len(result.table))}
print(json.dumps({"n_series": len(panel), "n_values": int(panel.values.size), "load": loaded,
                  "load_and_profile": profiled}))
"""


def write_panel(path: Path, n_series: int, seed: int) -> int:
    import polars as pl

    rng = np.random.default_rng(seed)
    lengths = rng.integers(20, 2001, n_series)
    sid = np.repeat(np.arange(n_series, dtype=np.int32), lengths)
    steps = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    ds = np.datetime64("2000-01-01") + steps.astype("timedelta64[D]")
    y = 100 + np.cumsum(rng.normal(size=lengths.sum()))
    frame = pl.DataFrame({"sid": sid, "ds": ds, "y": y}).with_columns(
        pl.format("series_{}", pl.col("sid").cast(pl.String).str.zfill(6)).alias("unique_id")
    )
    frame.select("unique_id", "ds", "y").write_parquet(path)
    return int(lengths.sum())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n-series", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "panel.parquet"
        t0 = time.perf_counter()
        n_values = write_panel(path, args.n_series, args.seed)
        print(f"wrote {n_values:,} values of {args.n_series:,} series in {time.perf_counter() - t0:.0f} s",
              flush=True)  # fmt: skip
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=False
        )
        if proc.returncode:
            print(proc.stderr[-3000:], file=sys.stderr)
            return proc.returncode
        parquet = json.loads(proc.stdout.strip().splitlines()[-1])
        parquet["file_mib"] = path.stat().st_size / 1024**2
    result = {
        "goal": "load + profile a 100,000-series panel (lengths 20-2,000) within 4 GB RSS",
        "n_series": args.n_series,
        "parquet_string_ids": parquet,
        "within_4_gb": parquet["load_and_profile"]["peak_rss_gib"] * 1024**3 <= 4e9,
        "note": "peak_rss_gib in GiB (2^30 bytes); the goal's 4 GB read as 4e9 bytes (3.73 GiB)",
        "command": f"python -m benchmarks.panel_memory --n-series {args.n_series}",
    }
    out = write_results("panel_memory", result)
    print(json.dumps(result, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
