"""``make bench``: run every benchmark script in turn (each writes benchmarks/results/<name>.json).

Pass module names to run a subset: ``python -m benchmarks.run_all baselines stpe``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

ORDER = [
    "baselines",
    "profile_speed",
    "profile_agreement",
    "panels",
    "panel_memory",
    "stpe",
    "hutformer",
    "ltsf",
    "ltsf_ensemble",
    "selective",
    "serve_load",
    "intervals",
    "coverage_spread",
    "routed_intervals",
    "routed_calibration",
    "few_series_intervals",
    "local_history",
    "long_season",
    "scale",
    "recommender_eval",
]


def main() -> int:
    names = sys.argv[1:] or ORDER
    failed = []
    for name in names:
        module = f"benchmarks.{name}"
        if importlib.util.find_spec(module) is None:
            print(f"== {name}: not present, skipped", flush=True)
            continue
        print(f"== {name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, "-m", module])
        print(f"== {name}: exit {rc} after {time.perf_counter() - t0:.0f} s", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
