"""Which windows should calibrate the routed ensemble's intervals? A design study on
knowledge-base forecasts: ``python -m benchmarks.routed_calibration``.

Why: ``train_routed`` calibrates the ensemble on its forecast of the validation window routed
with the router's own prior, but serves it routed with the *validation-window* prior (the
candidates' errors on that window), because the window before it has no member forecasts. The
README named that mismatch; this study measures whether calibrating exactly as the ensemble is
served would cover better, before anyone pays the extra member fits it needs.

For every development collection, held out in turn: a router built from the other collections
only (:func:`build_default_router`), and the collection's rolling-origin cross-validation
forecasts of every candidate from the knowledge-base cache (members refit on each window:
windows ``P-1, P, V`` before the official test window ``T``). The test window is always routed
as served (prior from ``V``'s errors, the weighting chosen for a validation prior); the
designs differ only in the calibration:

- ``validation_router_prior``: window ``V`` routed with the router's prior (what
  ``train_routed`` does today);
- ``validation_as_served``: window ``V`` routed with the prior from ``P``'s errors;
- ``two_windows_as_served``: windows ``P`` (prior from ``P-1``) and ``V`` (prior from ``P``),
  pooled.

Reported per collection and design: pooled test coverage at 80 / 95 % and MSIS; per design the
mean absolute coverage error and the collections within ±2.5 points at both levels. Writes
``benchmarks/results/routed_calibration.json`` and one MLflow run (experiment
``benchmark-intervals-routed``). Differences from ``train_routed``: the validation forecasts of
global members come from a refit per window, not from the model early-stopped on that window,
collections above the knowledge base's ``max_series`` keep its subset (car parts), and the
priors leave out the same-phase window that ``train_routed`` also weighs where the season is
longer than the horizon (NN5 weekly, among the development collections).

    python -m benchmarks.routed_calibration
    python -m benchmarks.routed_calibration --collections covid_deaths,nn5_daily
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from dataclasses import replace
from typing import Any

import numpy as np

from benchmarks.common import RESULTS, machine, write_results

log = logging.getLogger("benchmarks.routed_calibration")
LEVELS = (80, 95)
#: design → the calibration windows, each as (offset before the test window, prior source):
#: a prior source ``None`` routes with the router's own prior, ``k`` with window ``T - k``'s errors
DESIGNS: dict[str, tuple[tuple[int, int | None], ...]] = {
    "validation_router_prior": ((1, None),),
    "validation_as_served": ((1, 2),),
    "two_windows_as_served": ((2, 3), (1, 2)),
}


def _validation_router(router: Any) -> Any:
    """``router`` with the weighting chosen for a validation-window prior (as ``train_routed``)."""
    selected = router.meta.get("validation_selection", {}).get("selected")
    return replace(router, config=router.config.with_selection(selected))


def evaluate_designs(router: Any, cases: Any) -> dict[str, dict[str, float]]:
    """Test-window coverage and MSIS of the routed ensemble under each calibration design of
    :data:`DESIGNS`, from one collection's cases (:func:`recommender.series_kb.collection_cases`)."""
    from recommender.per_series import combine_forecasts, validation_prior
    from recommender.series_recommendation import route_panel
    from tsforge.panels.calibrate import calibrate_forecasts, holdout_interval_metrics

    cands = list(router.candidates)
    served_router = _validation_router(router)
    T = cases.test_window
    if T < 3:
        raise ValueError(f"{cases.name}: the designs need 3 windows before the test window, got {T}")

    def window(k: int) -> Any:
        return cases.subset(cases.window == k)

    def routed(k: int, prior_window: int | None) -> np.ndarray:
        c = window(k)
        if prior_window is None:
            w, _, _ = route_panel(router, c.history, c.horizon, features=c.features)
        else:
            prior = validation_prior(window(prior_window).errors[cands].to_numpy(), router.config.clip)
            w, _, _ = route_panel(served_router, c.history, c.horizon, features=c.features, prior=prior)
        return combine_forecasts(w, c.forecasts, cands)

    test = window(T)
    served = routed(T, T - 1)
    out: dict[str, dict[str, float]] = {}
    for design, parts in DESIGNS.items():
        ks = [T - offset for offset, _ in parts]
        sub = cases.subset(np.isin(cases.window, ks))
        pred = np.empty_like(sub.y)
        for k, (_, prior) in zip(ks, parts, strict=True):
            pred[sub.window == k] = routed(k, None if prior is None else T - prior)
        calibration = calibrate_forecasts(sub.history, sub.y, pred, info={"design": design})
        metrics, _ = holdout_interval_metrics(calibration, served, test.history, test.y)
        out[design] = {
            **{f"coverage_{lv}": float(metrics[f"coverage_{lv}"]) for lv in LEVELS},
            **{f"msis_{lv}": float(metrics[f"msis_{lv}"]) for lv in LEVELS},
            "scores_per_step": int(len(sub.history)),
        }
    return out


def summarise(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per design: mean absolute coverage error (points) and collections within ±2.5 points."""
    summary: dict[str, Any] = {}
    for design in DESIGNS:
        errors = [
            [abs(100 * r["designs"][design][f"coverage_{lv}"] - lv) for lv in LEVELS] for r in rows.values()
        ]
        summary[design] = {
            "mean_abs_coverage_error_points": float(np.mean(errors)),
            "within_2.5_points_both_levels": int(sum(max(e) <= 2.5 for e in errors)),
            "collections": len(errors),
        }
    return summary


def main(argv: list[str] | None = None) -> int:
    from recommender.series_kb import DEV_COLLECTIONS, collection_cases
    from recommender.series_recommendation import build_default_router

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--collections", default=",".join(DEV_COLLECTIONS))
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--no-track", dest="track", action="store_false")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    path = RESULTS / "routed_calibration.json"
    # the other collections' rows are kept: one collection can be re-run on its own
    rows: dict[str, dict[str, Any]] = (
        dict(json.loads(path.read_text()).get("per_collection", {})) if path.exists() else {}
    )
    for held in [c.strip() for c in args.collections.split(",") if c.strip()]:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            router = build_default_router(
                [c for c in DEV_COLLECTIONS if c != held], n_jobs=args.n_jobs, path=folder
            )
        cases = collection_cases(held, n_jobs=args.n_jobs)
        rows[held] = {
            "designs": evaluate_designs(router, cases),
            "n_series": int((cases.window == cases.test_window).sum()),
            "seconds": time.perf_counter() - t0,
            "command": f"python -m benchmarks.routed_calibration --collections {held}",
        }
        log.info("%s: %s", held, json.dumps(rows[held]["designs"]))
    payload = {"machine": machine(), "per_collection": rows, "summary": summarise(rows)}
    out = write_results("routed_calibration", payload)
    print(json.dumps(payload["summary"], indent=1))
    if args.track:
        from tsforge.tracking.runs import tracked_run

        with tracked_run(
            experiment="benchmark-intervals-routed",
            run_name="calibration-designs",
            tags={"tsforge.benchmark": "routed_calibration"},
        ) as run:
            run.log_metrics(
                {
                    f"{held}.{design}.{k}": v
                    for held, r in rows.items()
                    for design, m in r["designs"].items()
                    for k, v in m.items()
                }
                | {f"summary.{d}.{k}": float(v) for d, s in payload["summary"].items() for k, v in s.items()}
            )
            run.log_artifact(out, "results")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
