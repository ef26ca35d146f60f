"""How much one window's interval coverage moves from window to window (issue #15):
``python -m benchmarks.coverage_spread``.

Issue #15's goal counts the collections whose pooled coverage on **one** test window lies within
±2.5 points of nominal at 80 % and 95 %. This benchmark measures how much of that count is the
window rather than the calibration: for every development collection it scores the default model
(AutoETS, conformal intervals exactly as ``train_panel`` calibrates them) not only on the official
test window but on each earlier rolling-origin window too, every window calibrated the same way
on the windows before *it* (values after its cutoff never seen). If a design were perfect on
average, the spread of those coverages is what is left: the chance of any one window landing
within ±2.5 points.

Per collection: the coverage of each window (the official one first), their standard deviation,
how many land within ±2.5 at both levels; over all: the design candidates of
``benchmarks/intervals.py`` with their mean coverage error on the earlier windows, the official
ones and all of them, and **the shipped design's choice**: leave-one-collection-out on the other
collections' *earlier* windows only (no test window takes part), scored on the held-out
collection's official test window — ``min300/conservative/all`` (the whole history's scale) in
every fold, which :data:`tsforge.panels.local_scale.PANEL_SCALE_WINDOW` ships.

Windows are kept while they still hold ``--min-series-fraction`` (default 0.8) of the official
window's series: older windows lose the short series and would describe another panel. Refits
before a window keep the seasonal form of the final fit on the whole training history, as the
product's calibration does; on series shorter than three seasons that form was chosen with later
values in view (a small optimism on those series only, counted in the JSON).

Same subsets as the intervals benchmark (``MAX_SERIES``). Writes
``benchmarks/results/coverage_spread.json``, a plot ``coverage_spread.png`` beside it, and logs one
MLflow run (experiment ``benchmark-coverage-spread``) with both.

    python -m benchmarks.coverage_spread                          # every dev collection (~15 min)
    python -m benchmarks.coverage_spread --collections cif_2016 --extra-windows 4
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.common import previous_results, results_dir, write_results
from benchmarks.intervals import (
    COLLECTIONS,
    DEFAULT_MODEL,
    LEVELS,
    SCALE_CANDIDATES,
    _last_windows,
    _request,
    _score,
    _subset,
    _window,
    design_calibration,
)

#: the design ``train_panel`` ships (tsforge.panels.calibrate / conformal / local_scale defaults)
SHIPPED = "min300/conservative/all"
#: the design shipped until this benchmark chose the one above (chosen then by leave-one-collection
#: -out on the official test windows themselves, ``benchmarks/intervals.py``)
PREVIOUS = "min300/conservative/2x/floor0.25"
EXPERIMENT = "benchmark-coverage-spread"
TOLERANCE = 0.025


def spread_forecasts(
    panel: Any, h: int, extra_windows: int, *, n_jobs: int = 1, model: str = DEFAULT_MODEL
) -> dict[str, Any]:
    """``model``'s forecast of ``panel``'s last ``h`` values (the test window) and its refits on
    ``calibration_windows + extra_windows`` rolling-origin windows of the history before it, short
    refits held to the final fit's seasonal form as ``train_panel`` calibrates."""
    from tsforge.panels.calibrate import calibration_forms, calibration_windows
    from tsforge.panels.cv import cross_validation
    from tsforge.panels.local import forecast_local
    from tsforge.panels.protocol import holdout_split

    t0 = time.perf_counter()
    split = holdout_split(panel, h, val_h=0)
    history = split.history
    W = calibration_windows(history, h) + int(extra_windows)
    fc = forecast_local(history, [model], h, n_jobs=n_jobs, progress=False)
    forms = calibration_forms(history, [model], h, W, n_jobs=n_jobs, final=fc.attrs["forms"])
    cv = cross_validation(
        history, [model], h, n_windows=W, n_jobs=n_jobs, progress=False, forms=forms, note_short=False
    )
    return {
        "history": history,
        "y": split.test,
        "point": fc[model].to_numpy(dtype=np.float64).reshape(len(history), h),
        "cv": cv,
        "info": {
            "horizon": int(h),
            "cv_windows": W,
            "extra_windows": int(extra_windows),
            "series_with_kept_forms": len(forms.get(model, {})),
            "forecast_seconds": time.perf_counter() - t0,
        },
    }


def forecasts(name: str, extra_windows: int, n_jobs: int, cache: Path | None = None) -> dict[str, Any]:
    """:func:`spread_forecasts` of the default model on collection ``name`` (the intervals
    benchmark's subset and horizon), cached in ``cache`` by collection."""
    from tsforge.data.load import load_panel
    from tsforge.data.protocol import default_panel_horizon

    file = None if cache is None else Path(cache) / f"{name}.pkl"
    if file is not None and file.exists():
        cached = pickle.loads(file.read_bytes())
        if cached["info"]["extra_windows"] >= extra_windows:
            return cached
    loaded = load_panel(name)
    panel, info = _subset(loaded.panel, name)
    h = int(default_panel_horizon(loaded.entry, panel.season_length, panel.horizon))
    out = spread_forecasts(panel, h, extra_windows, n_jobs=n_jobs)
    out["info"].update(info)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(pickle.dumps(out))
    return out


def window_coverage(
    cv: pd.DataFrame,
    history: Any,
    point: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray,
    h: int,
    design: str,
    model: str = DEFAULT_MODEL,
) -> dict[str, float] | None:
    """Coverage and MSIS (and the calibration's window count) of ``point`` / ``y`` (``[k, h]``, the series
    at positions ``rows`` of ``history``) under ``design``, calibrated on the cases of ``cv`` —
    every one of them must end before the forecast origin, i.e. inside ``history``; ``None``
    where ``cv`` holds fewer windows than the design asks for."""
    from tsforge.panels.calibrate import calibration_windows

    min_scores, rank, multiple, floor = SCALE_CANDIDATES[design]
    W = calibration_windows(history, h, min_scores)
    if np.bincount(_cases(cv, history, h), minlength=len(history)).max() < W:
        return None
    cal = design_calibration(
        cv, history, model, h, _window(h, history.season_length, multiple), W, rank, floor
    )
    sub = history.take(rows)
    q = cal.quantiles(point, [sub.series(i) for i in range(len(sub))], sub.ids, _request().probs)
    s = _score(y, q, sub)
    return {**{k: s[k] for lv in LEVELS for k in (f"coverage_{lv:g}", f"msis_{lv:g}")}, "windows": W}


def _cases(cv: pd.DataFrame, history: Any, h: int) -> np.ndarray:
    """The series position of every (series, cutoff) case of ``cv``."""
    return pd.Index(history.ids).get_indexer(cv["unique_id"].to_numpy()[::h])


def window_draws(
    forecasts: dict[str, Any],
    designs: Sequence[str] = tuple(SCALE_CANDIDATES),
    min_series_fraction: float = 0.8,
    model: str = DEFAULT_MODEL,
) -> list[dict[str, Any]]:
    """Coverage per design on the official test window (``window`` -1) and on each earlier
    rolling-origin window ``j`` (0: the last before the test window), each calibrated on the
    windows before it from the values before its cutoff. Stops at the first window with fewer
    than ``min_series_fraction`` of the official window's series or too few earlier windows for
    the shipped design."""
    history, cv, h = forecasts["history"], forecasts["cv"], int(forecasts["info"]["horizon"])
    cv = cv.sort_values(["unique_id", "cutoff", "ds"], kind="stable").reset_index(drop=True)
    first_ids = cv["unique_id"].to_numpy()[::h]
    codes = np.unique(first_ids, return_inverse=True)[1]
    n = len(history)
    official = {
        d: window_coverage(cv, history, forecasts["point"], forecasts["y"], np.arange(n), h, d, model)
        for d in designs
    }
    draws = [{"window": -1, "n_series": n, "designs": {d: r for d, r in official.items() if r is not None}}]
    for j in range(int(forecasts["info"]["cv_windows"]) - 1):
        cut = h * (j + 1)
        long_enough = np.flatnonzero(history.lengths > cut + 1)
        before = history.take(long_enough).head_cut(cut)  # the values before window j's cutoffs
        known = np.isin(first_ids, before.ids)
        this = _last_windows(codes, j + 1) & ~_last_windows(codes, j) & known
        earlier = ~_last_windows(codes, j + 1) & known
        if this.sum() < min_series_fraction * n or not earlier.any():
            break
        test = cv[np.repeat(this, h)]
        position = pd.Index(before.ids).get_indexer(test["unique_id"].to_numpy()[::h])
        point = test[model].to_numpy(dtype=np.float64).reshape(-1, h)
        y = test["y"].to_numpy(dtype=np.float64).reshape(-1, h)
        calib = cv[np.repeat(earlier, h)].reset_index(drop=True)
        results = {d: window_coverage(calib, before, point, y, position, h, d, model) for d in designs}
        kept = {d: r for d, r in results.items() if r is not None}
        if SHIPPED in designs and SHIPPED not in kept:
            break
        draws.append({"window": j, "n_series": int(this.sum()), "designs": kept})
    return draws


def coverage_error(result: dict[str, float]) -> float:
    """Mean absolute coverage error over the levels, as ``benchmarks/intervals.py`` scores it."""
    return float(np.mean([abs(result[f"coverage_{lv:g}"] - lv / 100) for lv in LEVELS]))


def within(result: dict[str, float]) -> bool:
    return all(abs(result[f"coverage_{lv:g}"] - lv / 100) <= TOLERANCE for lv in LEVELS)


def summarise(collections: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per collection the shipped design's window-to-window spread; per design its mean coverage
    error on the earlier windows, the official ones and all of them; and the leave-one-collection
    -out choice made on the *earlier* windows of the other collections only (no test window takes
    part in it), scored on the held-out collection's official test window."""
    per: dict[str, Any] = {}
    for name, draws in collections.items():
        rows = [d["designs"][SHIPPED] for d in draws]
        cov = {lv: np.array([r[f"coverage_{lv:g}"] for r in rows]) for lv in LEVELS}
        per[name] = {
            "windows_scored": len(rows),
            "official": {f"coverage_{lv:g}": float(cov[lv][0]) for lv in LEVELS},
            "earlier_windows": {f"coverage_{lv:g}": [float(c) for c in cov[lv][1:]] for lv in LEVELS},
            "sd_points": {
                f"{lv:g}": float(cov[lv].std(ddof=1) * 100) if len(rows) > 1 else None for lv in LEVELS
            },
            "within_both_levels": int(sum(within(r) for r in rows)),
        }
    designs = [
        d for d in SCALE_CANDIDATES if all(d in w["designs"] for ds in collections.values() for w in ds)
    ]
    names = list(collections)
    pick = {"official": slice(0, 1), "earlier": slice(1, None), "every": slice(None)}

    def error(name: str, design: str, which: str) -> float:
        draws = collections[name][pick[which]]
        return float(np.mean([coverage_error(w["designs"][design]) for w in draws])) if draws else np.nan

    def mean_error(design: str, which: str, among: Sequence[str] = names) -> float:
        return float(np.nanmean([error(c, design, which) for c in among]))

    by_design = {
        d: {
            **{f"mean_error_{w}_windows": mean_error(d, w) for w in pick},
            "within_official": int(sum(within(collections[c][0]["designs"][d]) for c in names)),
            "within_every": int(sum(within(w["designs"][d]) for ds in collections.values() for w in ds)),
        }
        for d in designs
    }
    folds: dict[str, dict[str, Any]] = {}
    for held in names:
        others = [c for c in names if c != held]
        choice = min(designs, key=lambda d: mean_error(d, "earlier", others))
        folds[held] = {
            "choice": choice,
            "held_out_error_official": error(held, choice, "official"),
            "held_out_within_official": within(collections[held][0]["designs"][choice]),
            "held_out_error_earlier": error(held, choice, "earlier"),
        }

    def msis_below(design: str, reference: str) -> dict[str, float]:
        """Share of windows where ``design``'s MSIS is below ``reference``'s, per level."""
        pairs = [(w["designs"][design], w["designs"][reference]) for ds in collections.values() for w in ds]
        return {
            f"{lv:g}": float(np.mean([a[f"msis_{lv:g}"] < b[f"msis_{lv:g}"] for a, b in pairs]))
            for lv in LEVELS
        }

    choices = [str(f["choice"]) for f in folds.values()]
    n_draws = sum(p["windows_scored"] for p in per.values())
    n_within = sum(p["within_both_levels"] for p in per.values())
    return {
        "per_collection": per,
        "windows_scored": n_draws,
        "windows_within_both_levels": n_within,
        "share_within_both_levels": n_within / n_draws if n_draws else None,
        "mean_sd_points": {
            f"{lv:g}": float(
                np.mean(
                    [p["sd_points"][f"{lv:g}"] for p in per.values() if p["sd_points"][f"{lv:g}"] is not None]
                )
            )
            for lv in LEVELS
        },
        "designs": dict(sorted(by_design.items(), key=lambda kv: kv[1]["mean_error_earlier_windows"])),
        "shipped": {"design": SHIPPED, **by_design.get(SHIPPED, {})},
        "loco_earlier_windows": {
            "folds": folds,
            "chosen_by_fold": {c: choices.count(c) for c in sorted(set(choices))},
            "mean_held_out_error_official": float(
                np.mean([f["held_out_error_official"] for f in folds.values()])
            ),
            "held_out_within_official": int(sum(f["held_out_within_official"] for f in folds.values())),
            "msis_below_previous_share": {
                c: msis_below(c, PREVIOUS) for c in sorted(set(choices)) if PREVIOUS in designs
            },
        },
    }


def plot(collections: dict[str, list[dict[str, Any]]], path: Path) -> Path:
    """Every window's coverage per collection at both levels, the ±2.5-point band shaded: where
    people would rather look than read how far one window moves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(collections)
    fig, axes = plt.subplots(1, len(LEVELS), figsize=(6 * len(LEVELS), 0.45 * len(names) + 1.5), sharey=True)
    for ax, lv in zip(np.atleast_1d(axes), LEVELS, strict=True):
        ax.axvspan(
            lv - 100 * TOLERANCE, lv + 100 * TOLERANCE, color="tab:green", alpha=0.15, label="±2.5 points"
        )
        ax.axvline(lv, color="tab:green", lw=1)
        for i, name in enumerate(names):
            cov = [100 * w["designs"][SHIPPED][f"coverage_{lv:g}"] for w in collections[name]]
            ax.scatter(
                cov[1:],
                [i] * len(cov[1:]),
                color="tab:gray",
                s=18,
                label="earlier window" if i == 0 else None,
            )
            ax.scatter(
                cov[:1],
                [i],
                color="tab:red",
                s=30,
                marker="D",
                label="official test window" if i == 0 else None,
            )
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()  # the collections top-down in the JSON's order
        ax.set_xlabel(f"pooled coverage of the {lv:g} % interval (%)")
        ax.set_title(f"{lv:g} % intervals, AutoETS conformal (shipped design)")
    np.atleast_1d(axes)[0].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collections", default=",".join(COLLECTIONS))
    parser.add_argument("--extra-windows", type=int, default=6, help="windows beyond the calibration's")
    parser.add_argument("--min-series-fraction", type=float, default=0.8)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None, help="keep/reuse forecasts in this folder")
    parser.add_argument("--no-track", action="store_true")
    args = parser.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore")
    previous = previous_results("coverage_spread").get("collections", {})
    # per collection: the forecasts' facts (subset, horizon, windows, series whose refits kept a
    # form) and every window's coverage per design
    collections: dict[str, Any] = {k: v for k, v in previous.items() if k in COLLECTIONS}
    for name in [c.strip() for c in args.collections.split(",") if c.strip()]:
        if name not in COLLECTIONS:
            parser.error(f"{name!r} is not a development collection ({', '.join(COLLECTIONS)})")
        f = forecasts(name, args.extra_windows, args.n_jobs, args.cache)
        draws = window_draws(f, min_series_fraction=args.min_series_fraction)
        collections[name] = {"info": f["info"], "windows": draws}
        shipped = [w["designs"][SHIPPED] for w in draws]
        print(
            f"{name}: "
            + "  ".join(f"{100 * r['coverage_80']:.1f}/{100 * r['coverage_95']:.1f}" for r in shipped),
            flush=True,
        )
    collections = {k: collections[k] for k in COLLECTIONS if k in collections}
    windows = {k: v["windows"] for k, v in collections.items()}
    summary = summarise(windows)
    payload = {
        "config": {
            "model": DEFAULT_MODEL,
            "shipped_design": SHIPPED,
            "extra_windows": args.extra_windows,
            "min_series_fraction": args.min_series_fraction,
            "command": "python -m benchmarks.coverage_spread",
        },
        "collections": collections,
        "summary": summary,
    }
    out = write_results("coverage_spread", payload)
    figure = plot(windows, results_dir() / "coverage_spread.png")
    print(json.dumps({k: v for k, v in summary.items() if k != "per_collection"}, indent=1, default=str))
    if not args.no_track:
        from tsforge.tracking.runs import tracked_run

        with tracked_run(
            experiment=EXPERIMENT, run_name="summary", tags={"tsforge.benchmark": "coverage_spread"}
        ) as run:
            run.log_metrics(
                {
                    "share_within_both_levels": float(summary["share_within_both_levels"] or 0.0),
                    **{f"mean_sd_points_{k}": v for k, v in summary["mean_sd_points"].items()},
                    **{
                        f"{c}.sd_points_{lv}": v
                        for c, p in summary["per_collection"].items()
                        for lv, v in p["sd_points"].items()
                        if v is not None
                    },
                }
            )
            run.log_artifact(out, "results")
            run.log_artifact(figure, "plots")
    print(f"wrote {out} and {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
