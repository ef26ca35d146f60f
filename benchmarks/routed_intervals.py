"""Intervals of the routed ensemble (issue #15's goal "for the default model and the routed
model"): ``python -m benchmarks.routed_intervals``.

For every development collection of the per-series knowledge base, held out in turn:

1. a router is built from the *other* collections' knowledge-base rows only (its weighting
   chosen by leave-one-collection-out among them, :func:`build_default_router`), so the held-out
   collection never shaped the routing;
2. :func:`recommender.routed_training.train_routed` fits every member on the collection's
   training history, routes with the validation-window prior, calibrates the ensemble's
   conformal intervals on its validation forecast as served (members as served, the served
   weights), and scores the official test window
   (one MLflow run per collection, experiment ``benchmark-intervals-routed``; nothing registered).

Reported per collection: pooled test coverage at 80 / 95 %, width, MSIS, WQL and MASE of the
routed ensemble, next to statsforecast AutoETS's native intervals on the same collection (from
``benchmarks/results/intervals.json`` when present). Writes
``benchmarks/results/routed_intervals.json``.

    python -m benchmarks.routed_intervals                       # every dev collection
    python -m benchmarks.routed_intervals --collections hospital
    python -m benchmarks.routed_intervals --collections /data/new_panel.tsf   # held out: reported apart
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from typing import Any

from benchmarks.common import previous_results, split_held_out, write_results

log = logging.getLogger("benchmarks.routed_intervals")
KEYS = ("coverage_80", "coverage_95", "width_80", "width_95", "msis_80", "msis_95", "wql", "mase")


def _native_reference() -> dict[str, Any]:
    results = previous_results("intervals")
    held_out = results.get("held_out", {}).get("summary", {}).get("per_collection", {})
    return {**held_out, **results.get("summary", {}).get("per_collection", {})}


def run_one(held: str, collections: list[str], n_jobs: int, track: bool) -> dict[str, Any]:
    """The routed ensemble on ``held`` (a catalogue name or a panel file), routed by a router
    built from ``collections`` without it."""
    from recommender.routed_training import train_routed
    from recommender.series_recommendation import build_default_router
    from tsforge.data.load import source_name
    from tsforge.pipeline import TrackingOptions

    t0 = time.perf_counter()
    others = [c for c in collections if c != held]
    with tempfile.TemporaryDirectory() as folder:
        router = build_default_router(others, n_jobs=n_jobs, path=folder)
    tracking = TrackingOptions(
        track=track, register=False, progress=False, experiment="benchmark-intervals-routed",
        run_name=f"{source_name(held)}-routed", tags={"tsforge.benchmark": "routed_intervals"},
    )  # fmt: skip
    out = train_routed(held, router=router, n_jobs=n_jobs, tracking=tracking)
    m = out.metrics
    scores = {k: float(m[f"test_{k}"]) for k in KEYS if f"test_{k}" in m}
    row: dict[str, Any] = dict(scores)
    row.update(
        {
            "router_trained_on": others,
            "best_single": out.hindsight_best_single,
            "test_mase_best_single": float(m["test_mase_best_single"]),
            "seconds": time.perf_counter() - t0,
            "run_at": time.strftime("%Y-%m-%d %H:%M:%S"),  # rows of several runs can share the file
            "within_2.5_points": {
                "80": abs(scores["coverage_80"] - 0.80) <= 0.025,
                "95": abs(scores["coverage_95"] - 0.95) <= 0.025,
            },
            "command": f"python -m benchmarks.routed_intervals --collections {held}",
        }
    )
    return row


def main(argv: list[str] | None = None) -> int:
    from recommender.series_kb import DEV_COLLECTIONS
    from tsforge.data.load import source_name

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--collections", default=",".join(DEV_COLLECTIONS))
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--no-track", dest="track", action="store_false")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    dev, held = split_held_out([c.strip() for c in args.collections.split(",") if c.strip()], DEV_COLLECTIONS)
    native = _native_reference()
    previous = previous_results("routed_intervals")
    rows = dict(previous.get("per_collection", {}))
    held_rows = dict(previous.get("held_out", {}).get("per_collection", {}))
    if not dev and not held:
        p.error("--collections names no collection")
    for source in [*dev, *held]:
        name = source_name(source)
        row = run_one(source, list(DEV_COLLECTIONS), args.n_jobs, args.track)
        ref = native.get(name, {})
        if ref:
            row["auto_ets_native"] = {
                "coverage_80": ref["coverage_native"]["80"],
                "coverage_95": ref["coverage_native"]["95"],
                "msis_80": ref["msis_native"]["80"],
                "msis_95": ref["msis_native"]["95"],
            }
        (rows if source in dev else held_rows)[name] = row
        log.info("%s: coverage %.3f / %.3f, MSIS %.2f / %.2f, MASE %.3f (%.0f s)", name,
                 row["coverage_80"], row["coverage_95"], row["msis_80"], row["msis_95"], row["mase"], row["seconds"])  # fmt: skip
        payload: dict[str, Any] = {"per_collection": rows, "summary": _summary(rows)}
        if held_rows:  # not development collections: reported apart, as for benchmarks.intervals
            payload["held_out"] = {"per_collection": held_rows, "summary": _summary(held_rows)}
        write_results("routed_intervals", payload)
    print(json.dumps(payload["summary"], indent=1))
    if held_rows:
        print("held out:", json.dumps(payload["held_out"]["summary"], indent=1))
    return 0


def _summary(rows: dict[str, Any]) -> dict[str, Any]:
    if not rows:
        return {"collections": 0}
    return {
        "collections": len(rows),
        "within_2.5_points_both_levels": sum(
            r["within_2.5_points"]["80"] and r["within_2.5_points"]["95"] for r in rows.values()
        ),
        "mean_abs_coverage_error": sum(
            abs(r["coverage_80"] - 0.8) + abs(r["coverage_95"] - 0.95) for r in rows.values()
        )
        / (2 * len(rows)),
    }


if __name__ == "__main__":
    raise SystemExit(main())
