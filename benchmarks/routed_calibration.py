"""Which windows should calibrate the routed ensemble's intervals? A design study on
knowledge-base forecasts: ``python -m benchmarks.routed_calibration``.

Why: ``train_routed`` serves the ensemble routed with the *validation-window* prior (the
candidates' errors on that window), so which forecasts should calibrate its intervals — routed
how, on which windows — is a design choice; this study measures the choices on the
knowledge base's forecasts before anyone pays the extra member fits one of them needs.

For every development collection, held out in turn: a router built from the other collections
only (:func:`build_default_router`), and the collection's rolling-origin cross-validation
forecasts of every candidate from the knowledge-base cache (members refit on each window:
windows ``P-1, P, V`` before the official test window ``T``). The scored window is always routed
as served (prior from the window before it, the weighting chosen for a validation prior); the
designs (:data:`DESIGNS`) differ only in the calibration:

- ``validation_router_prior``: window ``V`` routed with the router's prior;
- ``validation_as_served``: window ``V`` routed with the prior from ``P``'s errors;
- ``two_windows_as_served``: windows ``P`` (prior from ``P-1``) and ``V`` (prior from ``P``),
  pooled;
- ``validation_served_weights``: window ``V``'s member forecasts combined with the weights the
  scored window is served with (what ``train_routed`` did on many series until this release);
- ``two_windows_router_prior``: windows ``P`` and ``V``, each routed with the router's prior
  (what it did on a few series);
- ``two_windows_served_weights``: windows ``P`` and ``V`` with the served weights (what it does
  now, on every panel: chosen below).

Every design is scored twice: on the test window ``T`` (``designs``) and, never looking at the
test window, on ``V`` (``designs_earlier``: calibration windows one earlier; the designs that
would need a window before ``P-1`` are left out there). The design is chosen on ``V``, leaving
each collection out in turn (``loco_choice``).

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
import pandas as pd

from benchmarks.common import machine, results_dir, write_results

log = logging.getLogger("benchmarks.routed_calibration")
LEVELS = (80, 95)
#: design → the calibration windows, each as (offset before the scored window, prior source):
#: a prior source ``None`` routes with the router's own prior, ``k`` with window ``target - k``'s
#: errors, ``SERVED`` combines that window's member forecasts with the weights the scored window
#: is served with (each series its own weights, the prior from the window before it)
SERVED = "served"
DESIGNS: dict[str, tuple[tuple[int, int | str | None], ...]] = {
    "validation_router_prior": ((1, None),),
    "validation_as_served": ((1, 2),),
    "two_windows_as_served": ((2, 3), (1, 2)),
    # what train_routed does on a panel of many series: the served weights on the validation window
    "validation_served_weights": ((1, SERVED),),
    # what train_routed did on a few series: two windows, each routed with the router's own prior
    "two_windows_router_prior": ((2, None), (1, None)),
    "two_windows_served_weights": ((2, SERVED), (1, SERVED)),
}


def _validation_router(router: Any) -> Any:
    """``router`` with the weighting chosen for a validation-window prior (as ``train_routed``)."""
    selected = router.meta.get("validation_selection", {}).get("selected")
    return replace(router, config=router.config.with_selection(selected))


def evaluate_designs(router: Any, cases: Any, target: int | None = None) -> dict[str, dict[str, float]]:
    """Coverage and MSIS of the routed ensemble on window ``target`` (default: the official test
    window) under each calibration design of :data:`DESIGNS` that has the windows it needs
    before ``target``, from one collection's cases (:func:`recommender.series_kb.collection_cases`).
    A ``target`` before the test window scores a design without looking at the test window."""
    from recommender.per_series import combine_forecasts, validation_prior
    from recommender.series_recommendation import route_panel
    from tsforge.panels.calibrate import calibrate_forecasts, holdout_interval_metrics

    cands = list(router.candidates)
    served_router = _validation_router(router)
    T = cases.test_window if target is None else int(target)
    if T < 2:
        raise ValueError(f"{cases.name}: the designs need 2 windows before the scored window, got {T}")

    def window(k: int) -> Any:
        return cases.subset(cases.window == k)

    def weights(k: int, prior_window: int | None) -> np.ndarray:
        c = window(k)
        if prior_window is None:
            w, _, _ = route_panel(router, c.history, c.horizon, features=c.features)
        else:
            prior = validation_prior(window(prior_window).errors[cands].to_numpy(), router.config.clip)
            w, _, _ = route_panel(served_router, c.history, c.horizon, features=c.features, prior=prior)
        return np.asarray(w, dtype=np.float64)

    test = window(T)
    served_w = weights(T, T - 1)
    served = combine_forecasts(served_w, test.forecasts, cands)
    served_row = pd.Index(np.asarray(test.ids).astype(str))

    def routed(k: int, prior: int | str | None) -> np.ndarray:
        c = window(k)
        if prior == SERVED:
            rows = served_row.get_indexer(np.asarray(c.ids).astype(str))
            if (rows < 0).any():  # every series of an earlier window is in the later one
                raise ValueError(f"{cases.name}: window {k} has series the scored window lacks")
            return combine_forecasts(served_w[rows], c.forecasts, cands)
        return combine_forecasts(weights(k, None if prior is None else T - int(prior)), c.forecasts, cands)

    out: dict[str, dict[str, float]] = {}
    for design, parts in DESIGNS.items():
        needed = [max(offset, prior if isinstance(prior, int) else 0) for offset, prior in parts]
        if max(needed) > T:  # a window before the first one
            continue
        ks = [T - offset for offset, _ in parts]
        sub = cases.subset(np.isin(cases.window, ks))
        pred = np.empty_like(sub.y)
        for k, (_, prior) in zip(ks, parts, strict=True):
            pred[sub.window == k] = routed(k, prior)
        calibration = calibrate_forecasts(sub.history, sub.y, pred, info={"design": design})
        metrics, _ = holdout_interval_metrics(calibration, served, test.history, test.y)
        out[design] = {
            **{f"coverage_{lv}": float(metrics[f"coverage_{lv}"]) for lv in LEVELS},
            **{f"msis_{lv}": float(metrics[f"msis_{lv}"]) for lv in LEVELS},
            "scores_per_step": int(len(sub.history)),
        }
    return out


def summarise(rows: dict[str, dict[str, Any]], key: str = "designs") -> dict[str, Any]:
    """Per design: mean absolute coverage error (points) and collections within ±2.5 points,
    over the collections whose ``key`` (``designs``: the test window; ``designs_earlier``: the
    window before it) scored that design."""
    summary: dict[str, Any] = {}
    for design in DESIGNS:
        errors = [
            [abs(100 * r[key][design][f"coverage_{lv}"] - lv) for lv in LEVELS]
            for r in rows.values()
            if design in r.get(key, {})
        ]
        if not errors:
            continue
        summary[design] = {
            "mean_abs_coverage_error_points": float(np.mean(errors)),
            "within_2.5_points_both_levels": int(sum(max(e) <= 2.5 for e in errors)),
            "collections": len(errors),
        }
    return summary


def loco_choice(rows: dict[str, dict[str, Any]], key: str = "designs_earlier") -> dict[str, Any]:
    """Leave one collection out: per held-out collection, the design with the lowest mean
    absolute coverage error over the *other* collections' ``key`` scores (by default the window
    before the test window, so the choice never sees a test window), and how often each design
    was chosen."""
    chosen: dict[str, str] = {}
    for held in rows:
        others = {c: r for c, r in rows.items() if c != held and key in r}
        summary = summarise(others, key)
        if summary:
            chosen[held] = min(summary, key=lambda d: summary[d]["mean_abs_coverage_error_points"])
    counts = {d: sum(c == d for c in chosen.values()) for d in DESIGNS if d in chosen.values()}
    return {"by_held_out_collection": chosen, "times_chosen": counts}


def _payload(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "machine": machine(),
        "per_collection": rows,
        "summary": summarise(rows),
        "summary_earlier": summarise(rows, "designs_earlier"),
        "loco_choice": loco_choice(rows),
    }


def main(argv: list[str] | None = None) -> int:
    from recommender.series_kb import DEV_COLLECTIONS, collection_cases
    from recommender.series_recommendation import build_default_router

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--collections", default=",".join(DEV_COLLECTIONS))
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--no-track", dest="track", action="store_false")
    p.add_argument("--summary-only", action="store_true", help="re-summarise the stored rows, run nothing")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    path = results_dir() / "routed_calibration.json"
    # the other collections' rows are kept: one collection can be re-run on its own
    rows: dict[str, dict[str, Any]] = (
        dict(json.loads(path.read_text()).get("per_collection", {})) if path.exists() else {}
    )
    for held in [] if args.summary_only else [c.strip() for c in args.collections.split(",") if c.strip()]:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            router = build_default_router(
                [c for c in DEV_COLLECTIONS if c != held], n_jobs=args.n_jobs, path=folder
            )
        cases = collection_cases(held, n_jobs=args.n_jobs)
        rows[held] = {
            "designs": evaluate_designs(router, cases),
            # the same designs scored on the window before the test window: a choice that never
            # looks at the test window
            "designs_earlier": evaluate_designs(router, cases, target=cases.test_window - 1),
            "n_series": int((cases.window == cases.test_window).sum()),
            "seconds": time.perf_counter() - t0,
            "command": f"python -m benchmarks.routed_calibration --collections {held}",
        }
        log.info("%s: %s", held, json.dumps(rows[held]["designs"]))
    payload = _payload(rows)
    out = write_results("routed_calibration", payload)
    print(json.dumps({k: payload[k] for k in ("summary", "summary_earlier", "loco_choice")}, indent=1))
    if args.track:
        from tsforge.tracking.runs import tracked_run

        with tracked_run(
            experiment="benchmark-intervals-routed",
            run_name="calibration-designs",
            tags={"tsforge.benchmark": "routed_calibration"},
        ) as run:
            run.log_metrics(
                {
                    # the test window's scores as before; the earlier window's (what chose) prefixed
                    f"{'' if part == 'designs' else 'earlier.'}{held}.{design}.{k}": v
                    for held, r in rows.items()
                    for part in ("designs", "designs_earlier")
                    for design, m in r.get(part, {}).items()
                    for k, v in m.items()
                }
                | {
                    f"{part}.{d}.{k}": float(v)
                    for part in ("summary", "summary_earlier")
                    for d, s in payload[part].items()
                    for k, v in s.items()
                }
            )
            run.log_params(
                {f"loco_choice.{c}": d for c, d in payload["loco_choice"]["by_held_out_collection"].items()}
            )
            run.log_artifact(out, "results")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
