"""Intervals of the routed ensemble (issue #15's goal "for the default model and the routed
model"): ``python -m benchmarks.routed_intervals``.

For every development collection of the per-series knowledge base, held out in turn:

1. a router is built from the *other* collections' knowledge-base rows only (its weighting
   chosen by leave-one-collection-out among them, :func:`build_default_router`), so the held-out
   collection never shaped the routing;
2. :func:`recommender.routed_training.train_routed` fits every member on the collection's
   training history, routes with the validation-window prior, calibrates the ensemble's
   conformal intervals on its routed validation forecast, and scores the official test window
   (one MLflow run per collection, experiment ``benchmark-intervals-routed``; nothing registered).

Reported per collection: pooled test coverage at 80 / 95 %, width, MSIS, WQL and MASE of the
routed ensemble, next to statsforecast AutoETS's native intervals on the same collection (from
``benchmarks/results/intervals.json`` when present). Writes
``benchmarks/results/routed_intervals.json``.

    python -m benchmarks.routed_intervals                       # every dev collection
    python -m benchmarks.routed_intervals --collections hospital
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from typing import Any

from benchmarks.common import RESULTS, write_results

log = logging.getLogger("benchmarks.routed_intervals")
KEYS = ("coverage_80", "coverage_95", "width_80", "width_95", "msis_80", "msis_95", "wql", "mase")


def _native_reference() -> dict[str, Any]:
    path = RESULTS / "intervals.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text()).get("summary", {}).get("per_collection", {})


def run_one(held: str, collections: list[str], n_jobs: int, track: bool) -> dict[str, Any]:
    from recommender.routed_training import train_routed
    from recommender.series_recommendation import build_default_router
    from tsforge.pipeline import TrackingOptions

    t0 = time.perf_counter()
    others = [c for c in collections if c != held]
    with tempfile.TemporaryDirectory() as folder:
        router = build_default_router(others, n_jobs=n_jobs, path=folder)
    tracking = TrackingOptions(
        track=track, register=False, progress=False, experiment="benchmark-intervals-routed",
        run_name=f"{held}-routed", tags={"tsforge.benchmark": "routed_intervals"},
    )  # fmt: skip
    out = train_routed(held, router=router, n_jobs=n_jobs, tracking=tracking)
    m = out.metrics
    row = {k: float(m[f"test_{k}"]) for k in KEYS if f"test_{k}" in m}
    row.update(
        {
            "router_trained_on": others,
            "best_single": out.best_single,
            "test_mase_best_single": float(m["test_mase_best_single"]),
            "seconds": time.perf_counter() - t0,
            "within_2.5_points": {
                "80": abs(row["coverage_80"] - 0.80) <= 0.025,
                "95": abs(row["coverage_95"] - 0.95) <= 0.025,
            },
            "command": f"python -m benchmarks.routed_intervals --collections {held}",
        }
    )
    return row


def main(argv: list[str] | None = None) -> int:
    from recommender.series_kb import DEV_COLLECTIONS

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--collections", default=",".join(DEV_COLLECTIONS))
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--no-track", dest="track", action="store_false")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    held_out = [c.strip() for c in args.collections.split(",") if c.strip()]
    native = _native_reference()
    previous = {}
    path = RESULTS / "routed_intervals.json"
    if path.exists():
        previous = json.loads(path.read_text()).get("per_collection", {})
    rows = dict(previous)
    for held in held_out:
        row = run_one(held, list(DEV_COLLECTIONS), args.n_jobs, args.track)
        ref = native.get(held, {})
        if ref:
            row["auto_ets_native"] = {
                "coverage_80": ref["coverage_native"]["80"],
                "coverage_95": ref["coverage_native"]["95"],
                "msis_80": ref["msis_native"]["80"],
                "msis_95": ref["msis_native"]["95"],
            }
        rows[held] = row
        log.info("%s: coverage %.3f / %.3f, MSIS %.2f / %.2f, MASE %.3f (%.0f s)", held,
                 row["coverage_80"], row["coverage_95"], row["msis_80"], row["msis_95"], row["mase"], row["seconds"])  # fmt: skip
        summary = {
            "collections": len(rows),
            "within_2.5_points_both_levels": sum(
                r["within_2.5_points"]["80"] and r["within_2.5_points"]["95"] for r in rows.values()
            ),
            "mean_abs_coverage_error": sum(
                abs(r["coverage_80"] - 0.8) + abs(r["coverage_95"] - 0.95) for r in rows.values()
            )
            / (2 * len(rows)),
        }
        write_results("routed_intervals", {"per_collection": rows, "summary": summary})
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
