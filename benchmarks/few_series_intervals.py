"""Intervals on a panel of few series (issue #15): ``python -m benchmarks.few_series_intervals``.

The intervals benchmark scores whole collections (72+ series), where one validation window gives
enough conformal scores. Users often have a handful of series (a few stores, one sensor). Here,
for each development collection asked for, ``--subsets`` random draws of ``--series`` series
(seeded; only series long enough for four horizons and a few values more) are trained with
:func:`tsforge.pipeline.train_panel` under the holdout protocol at the collection's horizon, and
the pooled test coverage of the 80 / 95 % conformal intervals is averaged over the draws, with
the number of calibration windows and the widest level the calibration resolves (a level above
it is clamped to the most extreme scores, and its coverage is then below nominal by design).

Writes ``benchmarks/results/few_series_intervals.json`` and, unless ``--no-track``, one MLflow run
per (collection, model) in experiment ``benchmark-intervals-few-series`` (nothing registered).

    python -m benchmarks.few_series_intervals                              # defaults below
    python -m benchmarks.few_series_intervals --collections nn5_daily --models lightgbm --subsets 10
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

import numpy as np

from benchmarks.common import previous_rows, write_results

log = logging.getLogger("benchmarks.few_series_intervals")
EXPERIMENT = "benchmark-intervals-few-series"


def run_one(collection: str, model: str, subsets: int, n_series: int, seed: int) -> dict[str, Any]:
    """Mean coverage over ``subsets`` random ``n_series``-series subsets of ``collection``."""
    from tsforge.data.load import load_panel
    from tsforge.data.protocol import panel_horizon
    from tsforge.pipeline import TrackingOptions, train_panel

    loaded = load_panel(collection)
    panel = loaded.panel
    h = panel_horizon(None, loaded.entry, panel.season_length, panel.horizon)
    eligible = np.flatnonzero(panel.lengths >= 4 * h + 8)
    quiet = TrackingOptions(track=False, progress=False)
    rows = []
    t0 = time.perf_counter()
    for r in range(subsets):
        idx = np.sort(np.random.default_rng(seed + r).choice(eligible, n_series, replace=False))
        out = train_panel(panel.take(idx), model, horizon=h, seed=seed, tracking=quiet)
        rows.append(
            {
                "coverage_80": float(out.metrics["test_coverage_80"]),
                "coverage_95": float(out.metrics["test_coverage_95"]),
                "windows": int(out.params["intervals.windows"]),
                "resolved_level": float(out.params["intervals.resolved_level"]),
            }
        )
    mean = {k: float(np.mean([row[k] for row in rows])) for k in rows[0]}
    return {
        "collection": collection,
        "model": model,
        "horizon": int(h),
        "series_per_subset": n_series,
        "subsets": subsets,
        **mean,
        "seconds": time.perf_counter() - t0,
        "per_subset": rows,
        "command": f"python -m benchmarks.few_series_intervals --collections {collection} --models {model} "
        f"--subsets {subsets} --series {n_series} --seed {seed}",
    }


def _track(row: dict[str, Any]) -> None:
    from tsforge.tracking.runs import tracked_run

    with tracked_run(
        experiment=EXPERIMENT,
        run_name=f"{row['collection']}-{row['model']}-{row['series_per_subset']}series",
        tags={"tsforge.benchmark": "few_series_intervals", "tsforge.model": row["model"]},
        description=(
            f"Conformal intervals of {row['model']} on {row['subsets']} random subsets of "
            f"{row['series_per_subset']} series of {row['collection']} (holdout, H={row['horizon']})."
        ),
    ) as run:
        run.log_params(
            {k: row[k] for k in ("collection", "model", "horizon", "series_per_subset", "subsets")}
        )
        run.log_metrics({k: row[k] for k in ("coverage_80", "coverage_95", "windows", "resolved_level")})
        run.log_dict(row["per_subset"], "per_subset.json")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--collections", default="m1_monthly,nn5_daily")
    p.add_argument("--models", default="lightgbm,dlinear,auto_ets")
    p.add_argument("--subsets", type=int, default=20)
    p.add_argument("--series", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-track", dest="track", action="store_false")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    rows = previous_rows("few_series_intervals", lambda r: r["key"])
    for collection in [c.strip() for c in args.collections.split(",") if c.strip()]:
        for model in [m.strip() for m in args.models.split(",") if m.strip()]:
            row = run_one(collection, model, args.subsets, args.series, args.seed)
            row["key"] = f"{collection}/{model}/{args.series}"
            rows[row["key"]] = row
            log.info("%s: coverage %.1f / %.1f %%, %.1f windows, resolves %.1f %% (%.0f s)", row["key"],
                     100 * row["coverage_80"], 100 * row["coverage_95"], row["windows"], row["resolved_level"],
                     row["seconds"])  # fmt: skip
            if args.track:
                _track(row)
            write_results("few_series_intervals", {"rows": sorted(rows.values(), key=lambda r: r["key"])})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
