"""Recommender evaluation: leave-one-dataset-out over the real catalogue datasets.

Ground truth per real dataset = the test MSE (normalised scale) of every candidate actually
trained on it under the dataset's standard protocol (catalogue input length, first horizon,
split; the same ``prepare_task``/model ``fit`` path as ``tsforge.pipeline.train``, no MLflow),
with the cheap fixed budget of the knowledge base (``KBSettings``) and test windows at a stride
(at most ~40 per channel) and at most 32 channels per dataset. These per-window results are
cached under ``datasets/cache/knowledge_base/groups/`` and are also the real groups of the
knowledge base, so a re-run only trains what is missing.

For each held-out dataset the recommender is trained on the corpus plus every *other* real
dataset and asked for a ranking from the held-out data's properties (profiled on the full
dataset, as a user would). Metrics: hit@1, hit@3, regret = MSE(recommended) / MSE(best in pool)
(median and mean); baselines: random choice (expected value) and "always the model that is
best on average" (lowest mean log relative error over the other real datasets). Designs compared:
per-model regressors with the anchor rule (the default), the same without the anchor rule,
lambdarank, and (ablation) per-model regressors trained on the synthetic corpus alone. The
default's settings (real weight, target cap, leaf size, anchor margin) were picked on this same
leave-one-out loop, so its numbers are optimistic; there are too few real datasets for a
separate validation split.

Run: ``.venv/bin/python -m benchmarks.recommender_eval [--datasets a,b] [--track]``.
Timings are taken on whatever machine runs it (here: a shared, loaded 2-core box).

**Per-series recommender** (``--part panels``; ``--part all``, the default, runs both): leave one
panel collection out (:func:`panel_loco`). The knowledge base is the rolling-origin CV of every
candidate on the development collections (:mod:`recommender.series_kb`, cached under
``datasets/cache/series_kb``); for each held-out collection a router is trained on the other
collections' knowledge-base rows, with its weighting (temperature, top-k) chosen by an inner
leave-one-collection-out over those same collections, and scored on the held-out collection's
official test window (never part of any knowledge base): MASE/OWA of the per-series pick, the
per-series weighted combination, the best single candidate in hindsight, always AutoETS, the
equal-weight top-3 (ranked on the collection's validation window, and in hindsight), the
validation pick (``recommend_panel``'s rule) and the per-series oracle; the share of the
oracle gap captured; router training and recommendation wall time, plus the latency of
recommending for 1,000 series. Where the season is longer than the horizon (weekly data with a
yearly cycle), the validation prior and the validation pick also weigh the test window's phase
one season earlier, as ``train_routed`` and ``recommend_panel`` do
(:func:`recommender.series_kb.same_phase_cases`, cached with the knowledge base). Writes
``benchmarks/results/recommender_per_series.json``.
A collection in ``--collections`` that is not a development one (a later catalogue entry, or a
panel file) is held out: scored by routers learnt on the development collections only and
reported under ``held_out`` (:func:`panel_loco`).
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import torch

from benchmarks.common import previous_results, split_held_out, write_results
from recommender.api import recommend
from recommender.knowledge_base import KBSettings, build_knowledge_base, default_pool, real_group
from recommender.ranker import RankerConfig, make_training_set, train_recommender
from tsforge.data.load import source_name

log = logging.getLogger("recommender_eval")

DATASETS = (
    "etth1",
    "ettm1",
    "weather",
    "exchange_rate",
    "illness",
    "weather_stations",
    "pm10_germany",
    "m4_hourly",
    "co2",
)


def _ground_truth(kb, name: str) -> pd.Series:
    rows = kb.table[kb.table["group"] == name]
    errs = rows[[f"mse__{c}" for c in kb.candidates]].to_numpy(dtype=np.float64)
    ok = np.isfinite(errs).all(axis=1)
    return pd.Series(errs[ok].mean(axis=0), index=kb.candidates)


def _metrics(ranked: list[str], gt: pd.Series) -> dict[str, float]:
    best = gt.idxmin()
    return {
        "hit1": float(ranked[0] == best),
        "hit3": float(best in ranked[:3]),
        "regret": float(gt[ranked[0]] / gt.min()),
    }


def _summary(per: list[dict[str, float]]) -> dict[str, float]:
    if not per:
        return {}
    reg = np.array([p["regret"] for p in per])
    return {
        "hit@1": float(np.mean([p["hit1"] for p in per])),
        "hit@3": float(np.mean([p["hit3"] for p in per])),
        "median_regret": float(np.median(reg)),
        "mean_regret": float(reg.mean()),
        "max_regret": float(reg.max()),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("all", "dataset", "panels"), default="all")
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--collections", default=None, help="panel collections (default: the development ones)")
    ap.add_argument("--n-jobs", type=int, default=2, help="processes for the panel cross-validation")
    ap.add_argument("--corpus-size", type=int, default=300)
    ap.add_argument("--length", type=int, default=1024)
    ap.add_argument(
        "--track", action="store_true", help="log the results to MLflow (experiment tsforge-recommender)"
    )
    ap.add_argument(
        "--with-long",
        action="store_true",
        help="also hold out and train on the long-benchmark datasets (an experiment: writes "
        "recommender_per_series_with_long.json)",
    )
    ap.add_argument(
        "--with-synthetic",
        action="store_true",
        help="also train every fold on the synthetic panel collections, never scored on them (an "
        "experiment: writes recommender_per_series_with_synthetic.json)",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    out: dict[str, Any] = {}
    if args.part in ("all", "dataset"):
        out["dataset"] = dataset_level(args)
    if args.part in ("all", "panels"):
        cols = args.collections.split(",") if args.collections else None
        out["panels"] = panel_loco(
            cols,
            n_jobs=args.n_jobs,
            track=args.track,
            with_long=args.with_long,
            with_synthetic=args.with_synthetic,
        )
    return out


def dataset_level(args: argparse.Namespace) -> dict[str, Any]:
    """The dataset-level recommender: leave one real dataset out (see the module docstring)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("lightgbm", "mlflow", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    torch.set_num_threads(1)
    from tsforge.data.catalog import get_entry, list_datasets

    available = {e.name for e in list_datasets() if e.available}
    names = [n for n in args.datasets.split(",") if n in available]
    pool, settings = default_pool(), KBSettings()

    # 1. ground truth = real knowledge-base groups (cached)
    gt_seconds: dict[str, float] = {}
    for name in names:
        t0 = time.perf_counter()
        try:
            real_group(name, pool, settings, compute=True)
        except Exception as exc:  # noqa: BLE001 - report and go on with the others
            log.warning("ground truth for %s failed: %s", name, exc)
        gt_seconds[name] = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb = build_knowledge_base(args.corpus_size, args.length, pool=pool, settings=settings, real=names)
    kb_seconds = time.perf_counter() - t0
    names = [n for n in names if n in set(kb.groups())]
    gts = {n: _ground_truth(kb, n) for n in names}

    # 2. leave one dataset out: train without its examples, recommend from its full data
    configs = {
        "per_model": RankerConfig(mode="per_model"),
        "per_model_no_anchor": RankerConfig(mode="per_model", anchor_margin=0.0),
        "lambdarank": RankerConfig(mode="lambdarank", anchor_margin=0.0),
    }
    ts_all = make_training_set(kb, configs["per_model"])
    X, E, w, labels = ts_all
    corpus_only = labels == kb.groups()[0]

    results: dict[str, Any] = {
        "per_dataset": {},
        "designs": {k: {f: getattr(c, f) for f in c.__dataclass_fields__} for k, c in configs.items()},
    }
    per: dict[str, list[dict[str, float]]] = {k: [] for k in (*configs, "corpus_only", "best_on_average")}
    random_per: list[dict[str, float]] = []
    latency: dict[str, float] = {}
    for held in names:
        gt = gts[held]
        entry = get_entry(held)
        horizon = int(kb.table.loc[kb.table["group"] == held, "horizon"].iloc[0])
        keep = labels != held
        row: dict[str, Any] = {"ground_truth_mse": gt.to_dict(), "best": gt.idxmin()}
        for key, cfg in configs.items():
            rec = train_recommender(
                kb,
                cfg,
                exclude_groups=[held],  # recorded in rec.meta: the set below is already filtered
                training_set=(
                    X[keep].reset_index(drop=True),
                    E[keep].reset_index(drop=True),
                    w[keep],
                    labels[keep],
                ),
            )
            t1 = time.perf_counter()
            r = recommend(held, horizon=horizon, recommender=rec)
            latency.setdefault(held, time.perf_counter() - t1)
            ranked = [m.name for m in r.ranking]
            row[key] = {"ranking": ranked, **_metrics(ranked, gt), "explanation": r.explanation}
            per[key].append(_metrics(ranked, gt))
        rec = train_recommender(
            kb,
            configs["per_model"],
            exclude_groups=list(names),  # the corpus alone: no real dataset
            training_set=(
                X[corpus_only].reset_index(drop=True),
                E[corpus_only].reset_index(drop=True),
                w[corpus_only],
                labels[corpus_only],
            ),
        )
        ranked = [m.name for m in recommend(held, horizon=horizon, recommender=rec).ranking]
        row["corpus_only"] = {"ranking": ranked, **_metrics(ranked, gt)}
        per["corpus_only"].append(_metrics(ranked, gt))
        # always-best-on-average: lowest mean log relative error over the other real datasets
        others = [n for n in names if n != held]
        avg = pd.DataFrame({n: np.log(gts[n] / gts[n].min()) for n in others}).mean(axis=1)
        ranked = list(avg.sort_values(kind="stable").index)
        row["best_on_average"] = {"ranking": ranked, **_metrics(ranked, gt)}
        per["best_on_average"].append(_metrics(ranked, gt))
        rel = gt / gt.min()
        k = len(gt)
        random_per.append({"hit1": 1.0 / k, "hit3": min(3, k) / k, "regret": float(rel.mean())})
        row["protocol"] = {
            "input_len": int(kb.table.loc[kb.table["group"] == held, "input_len"].iloc[0]),
            "horizon": horizon,
            "split": entry.split,
        }
        results["per_dataset"][held] = row
        log.info(
            "%s: best %s | per_model %s (regret %.3f)",
            held,
            gt.idxmin(),
            row["per_model"]["ranking"][0],
            row["per_model"]["regret"],
        )

    summary = {k: _summary(v) for k, v in per.items()}
    summary["random"] = _summary(random_per)
    chosen = min(configs, key=lambda k: (summary[k]["median_regret"], summary[k]["mean_regret"]))
    s, b = summary[chosen], summary["best_on_average"]
    results.update(
        {
            "datasets": names,
            "pool": kb.candidates,
            "settings": {
                "kb": settings.__dict__,
                "corpus": {"n_series": args.corpus_size, "length": args.length},
            },
            "summary": summary,
            "chosen_design": chosen,
            "goal": {
                "median_regret_le_1.05": s["median_regret"] <= 1.05,
                "better_than_best_on_average": (s["median_regret"], s["mean_regret"])
                < (b["median_regret"], b["mean_regret"]),
            },
            "timing_seconds": {
                "ground_truth_per_dataset": gt_seconds,
                "knowledge_base_assemble": kb_seconds,
                "knowledge_base_groups_first_build": kb.meta.get("timings"),
                "recommend_latency_per_dataset": latency,
                "recommend_latency_median": float(np.median(list(latency.values()))) if latency else math.nan,
                "note": "shared, loaded 2-core machine; ground-truth seconds are 0 when read from cache",
            },
        }
    )
    path = write_results("recommender", results)
    log.info("wrote %s", path)
    if args.track:
        import mlflow

        from tsforge.tracking.store import configure_tracking, get_experiment_id

        configure_tracking()
        with mlflow.start_run(
            experiment_id=get_experiment_id("tsforge-recommender"), run_name="recommender-eval"
        ):
            for design, vals in summary.items():
                mlflow.log_metrics({f"{design}.{k.replace('@', '_at_')}": v for k, v in vals.items()})
            mlflow.log_artifact(str(path))
    for design, vals in summary.items():
        print(f"{design:16s} " + "  ".join(f"{k}={v:.3f}" for k, v in vals.items()))
    return results


# ------------------------------------------------------------------------------------------------
# Per-series recommender: leave one panel collection out
# ------------------------------------------------------------------------------------------------


def _scores(cases: Any, forecasts: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Mean MASE/sMAPE/OWA of each ``[n, h]`` forecast on the cases (the one scoring path)."""
    from tsforge.evaluation.panel_metrics import panel_scores, summarise

    per = panel_scores(cases.y, forecasts, cases.history, cases.history.season_length, include_naive2=True)
    return {k: {m: float(v[m]) for m in ("mase", "smape", "owa")} for k, v in summarise(per).items()}


def _loco_one(held: str, kb: dict[str, Any], settings: Any, phase: Any = None) -> dict[str, Any]:
    """Train on every other collection, score on ``held``'s official test window.

    Three routers: ``strict`` learns from the other collections only and pools towards its own
    mean score (a recommendation without any fit; the issue's protocol); ``own`` also learns
    from ``held``'s own knowledge-base windows (all before its test window), as
    ``train_routed(adapt=True)`` does; ``val`` is ``strict`` pooled towards the candidates'
    errors on ``held``'s validation window (what ``train_routed`` does by default). Each has its
    weighting chosen by an inner leave-one-collection-out over the other collections, in the
    same mode.

    ``phase``: ``held``'s same-phase cases (:func:`recommender.series_kb.same_phase_cases`;
    ``None`` where the season is no longer than the horizon). Where given, the ``val`` prior
    and the validation-pick baselines also weigh that window, as ``train_routed`` and
    ``recommend_panel`` do: the benchmark scores what is served.
    """
    from recommender.per_series import (
        RouterConfig,
        SeriesRouter,
        combine_forecasts,
        select_weighting,
        train_router,
        validation_prior,
    )
    from recommender.series_features import series_features

    cands = list(settings.candidates)
    combos = dict(settings.combinations)
    others = {k: v.kb() for k, v in kb.items() if k != held}
    rows_others = pd.concat([c.kb_rows() for c in others.values()], ignore_index=True)
    test = kb[held].test()
    n = len(test.ids)
    f = test.forecasts
    forecasts: dict[str, np.ndarray] = {}
    info: dict[str, Any] = {}
    last_kb = kb[held].subset(kb[held].window == kb[held].test_window - 1)
    # the candidates' errors on the same-phase window (one season before the test window)
    phase_errors = None if phase is None else phase.test().errors[cands]
    # the strict and validation-prior variants train on the same rows with the same LightGBM
    # settings: they share their inner routers and their final one (only the weighting differs)
    inner: dict[tuple[str, bool], SeriesRouter] = {}
    plain_router: SeriesRouter | None = None
    for variant, own, source in (
        ("", False, "router"),
        ("own_", True, "router"),
        ("val_", False, "validation"),
    ):
        t0 = time.perf_counter()
        config, selection = select_weighting(
            others, cands, combos, RouterConfig(), own=own, prior_source=source, routers=inner
        )
        rows = rows_others if not own else pd.concat([rows_others, kb[held].kb_rows()], ignore_index=True)
        if not own and plain_router is not None:
            router = replace(plain_router, config=config)
        else:
            router = train_router(rows, cands, combos, config)
            if not own:
                plain_router = router
        train_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        feats = series_features(test.history, test.horizon)  # recomputed: this is what a user pays
        rel = router.relative(feats)
        prior = (
            validation_prior(
                last_kb.errors[cands].to_numpy(),
                router.config.clip,
                same_phase=None if phase_errors is None else phase_errors.to_numpy(),
            )
            if source == "validation"
            else None
        )
        pick = router.pick(feats, rel=rel, prior=prior)
        weights = router.weights(feats, rel=rel, prior=prior)
        recommend_seconds = time.perf_counter() - t1
        # what `tsforge recommend` prints as the pick's "expected MASE" (recommend_series' rule),
        # scaled by the inner loop's expected_scale, and the models' raw estimate
        expected = router.expected_mase(feats, router.scores(feats, rel=rel, prior=prior))
        expected_pick = float(np.nanmean(expected[np.arange(n), pick]))
        raw_pick = expected_pick / router.config.expected_scale
        one_hot = np.zeros_like(weights)
        one_hot[np.arange(n), pick] = 1.0
        forecasts[f"{variant}per_series_pick"] = combine_forecasts(one_hot, f, cands)
        forecasts[f"{variant}per_series_weights"] = combine_forecasts(weights, f, cands)
        info[variant or "strict"] = {
            "weighting": selection.get("selected"),
            "n_train_rows": int(len(rows)),
            "pick_distribution": {
                str(k): float(v)
                for k, v in pd.Series([cands[j] for j in pick]).value_counts(normalize=True).items()
            },
            "seconds": {"train_router": train_seconds, "recommend": recommend_seconds},
            "expected_mase_pick": expected_pick,
            "expected_mase_pick_raw": raw_pick,
            "expected_scale": router.config.expected_scale,
        }

    errs = test.errors[cands]
    mean = errs.mean()
    best_single = str(mean.idxmin())
    val = last_kb.errors[cands].mean()
    if phase_errors is not None:  # recommend_panel's rule: the geometric mean of the two windows' means
        val = np.sqrt(val * phase_errors.mean())
    val_pick = str(val.idxmin())
    top3_val = list(val.sort_values(kind="stable").index[:3])
    top3_hind = list(mean.sort_values(kind="stable").index[:3])
    e = errs.to_numpy()
    oracle = np.zeros((n, len(cands)))
    oracle[np.arange(n), np.argmin(np.where(np.isfinite(e), e, np.inf), axis=1)] = 1.0
    forecasts.update(
        {
            "best_single_hindsight": f[best_single],
            "auto_ets": f["auto_ets"],
            "top3_equal_validation": np.mean([f[c] for c in top3_val], axis=0),
            "top3_equal_hindsight": np.mean([f[c] for c in top3_hind], axis=0),
            "validation_pick": f[val_pick],
            "seasonal_naive": f["seasonal_naive"],
            "oracle": combine_forecasts(oracle, f, cands),
        }
    )
    scores = _scores(test, forecasts)
    best, orc = scores["best_single_hindsight"]["mase"], scores["oracle"]["mase"]

    def captured(method: str) -> float:
        gap = best - orc
        return float((best - scores[method]["mase"]) / gap) if gap > 0 else math.nan

    methods = [m for m in forecasts if "per_series" in m]
    out = {
        "n_series": n,
        "horizon": int(test.horizon),
        "trained_on": sorted(others),
        "routers": info,
        "best_single_hindsight": best_single,
        "validation_pick": val_pick,
        "top3_validation": top3_val,
        # series whose same-phase window (one season before the test window) the val prior and
        # the validation pick also weigh; None: the season is no longer than the horizon
        "same_phase_series": None if phase_errors is None else len(phase_errors),
        "top3_hindsight": top3_hind,
        "scores": scores,
        "candidate_test_mase": {c: float(v) for c, v in mean.items()},
        "oracle_gap_captured": {m: captured(m) for m in methods},
        "improvement_vs_best_single": {m: float(1 - scores[m]["mase"] / best) for m in methods},
    }

    def goals(prefix: str) -> dict[str, bool]:
        pick, weights = (
            scores[f"{prefix}per_series_pick"]["mase"],
            scores[f"{prefix}per_series_weights"]["mase"],
        )
        return {
            "weights_ge_5pct_better_than_best_single": weights <= 0.95 * best,
            "pick_no_worse_than_best_single": pick <= best,
            "both_capture_ge_40pct_of_oracle_gap": min(
                captured(f"{prefix}per_series_pick"), captured(f"{prefix}per_series_weights")
            )
            >= 0.4,
            "never_worse_than_seasonal_naive": max(pick, weights) <= scores["seasonal_naive"]["mase"],
        }

    for variant, r in info.items():  # how far the printed expectation is from the test window
        r["actual_mase_pick"] = scores[f"{'' if variant == 'strict' else variant}per_series_pick"]["mase"]
    out["goals"] = goals("")
    out["goals_own_history"] = goals("own_")
    out["goals_validation_prior"] = goals("val_")
    return out


def _latency_1000(kb: dict[str, Any], settings: Any) -> dict[str, Any]:
    """Recommend (profile + predict, no training) for 1,000 real monthly series: the test-window
    histories of m1_monthly and hospital, by a router trained on every knowledge-base row."""
    from recommender.per_series import RouterConfig, train_router
    from recommender.series_recommendation import recommend_series
    from tsforge.data.panel import Panel

    monthly = [kb[k].test().history for k in ("m1_monthly", "hospital") if k in kb]
    if not monthly:
        return {}
    arrays = [p.series(i) for p in monthly for i in range(len(p))][:1000]
    panel = Panel.from_arrays(
        arrays, ids=[f"s{i}" for i in range(len(arrays))], freq="MS", name="monthly-1000"
    )
    rows = pd.concat([c.kb_rows() for c in kb.values()], ignore_index=True)
    router = train_router(rows, settings.candidates, dict(settings.combinations), RouterConfig())
    out: dict[str, Any] = {"n_series": len(panel)}
    for n_jobs in (1, 2):
        t0 = time.perf_counter()
        rec = recommend_series(panel, 18, router=router, n_jobs=n_jobs)
        out[f"n_jobs={n_jobs}"] = {"wall_seconds": time.perf_counter() - t0, **rec.timings}
    out["goal_under_10s"] = min(v["wall_seconds"] for k, v in out.items() if k.startswith("n_jobs")) < 10
    return out


def panel_loco(
    collections: list[str] | None = None,
    *,
    n_jobs: int = 2,
    track: bool = False,
    with_long: bool = False,
    with_synthetic: bool = False,
) -> dict[str, Any]:
    """Leave-one-collection-out evaluation of the per-series recommender (module docstring).

    ``collections`` not among the development ones (a later catalogue entry, or a panel file)
    are *held out*: each is scored by routers learnt on the development collections given (all
    of them when none is given), and reported apart (``held_out`` in the JSON, merged with
    earlier runs' held-out rows). A run of held-out collections only keeps the development
    results of the last full run.

    ``with_synthetic``: the synthetic panel collections (:mod:`recommender.synth_panels`) join
    every router's training rows (and its inner weighting selection) but are never a fold: a
    result on made-up data says nothing about real data.
    """
    from recommender.series_kb import (
        DEV_COLLECTIONS,
        LONG_BENCHMARK_COLLECTIONS,
        SeriesKBSettings,
        build_series_kb,
        same_phase_cases,
    )
    from recommender.synth_panels import synthetic_collections

    settings = SeriesKBSettings()
    development = (*DEV_COLLECTIONS, *LONG_BENCHMARK_COLLECTIONS) if with_long else DEV_COLLECTIONS
    result_name = (
        "recommender_per_series"
        + ("_with_long" if with_long else "")
        + ("_with_synthetic" if with_synthetic else "")
    )
    synthetic = synthetic_collections() if with_synthetic else []
    dev, held_out = split_held_out(list(collections or development), development)
    pool = dev or list(development)

    def progress(what: str, i: int, n: int) -> None:
        log.info("%s (%d/%d)", what, i, n)

    t0 = time.perf_counter()
    built = build_series_kb([*pool, *synthetic, *held_out], settings, n_jobs=n_jobs, progress=progress)
    kb_seconds = time.perf_counter() - t0
    kb = built.collections
    held_names = [source_name(s) for s in held_out]
    synthetic_names = [p.name for p in synthetic]
    pool_names = [k for k in kb if k not in held_names and k not in synthetic_names]
    train = {k: kb[k] for k in (*pool_names, *synthetic_names)}
    per: dict[str, Any] = {}
    for held in pool_names if dev else []:
        phase = same_phase_cases(held, settings, n_jobs=n_jobs, progress=progress)
        per[held] = _loco_one(held, train, settings, phase)
        _log_scores(held, per[held])
    held_per: dict[str, Any] = {}
    for source, held in zip(held_out, held_names, strict=True):
        phase = same_phase_cases(source, settings, n_jobs=n_jobs, progress=progress)
        held_per[held] = _loco_one(held, {**train, held: kb[held]}, settings, phase)
        held_per[held]["source"] = str(source)
        held_per[held]["knowledge_base"] = built.meta["collections"][held]
        _log_scores(held, held_per[held])
    previous = previous_results(result_name)
    results: dict[str, Any] = {
        "collections": pool_names,
        "candidates": list(settings.candidates),
        "settings": settings.to_dict(),
        "knowledge_base": {
            "rows": int(sum(built.meta["collections"][k]["n_kb_cases"] for k in pool_names)),
            "per_collection": {k: built.meta["collections"][k] for k in pool_names},
            **(
                {"synthetic": {k: built.meta["collections"][k] for k in synthetic_names}}
                if synthetic_names
                else {}
            ),
            "assemble_seconds": kb_seconds,
            "note": "cv_seconds are the first (uncached) build on a shared, loaded 2-core machine",
        },
    }
    if dev:
        latency = _latency_1000(kb, settings)
        results.update(_dev_summary(per, latency))
        results["command"] = (
            "python -m benchmarks.recommender_eval --part panels"
            + ("" if tuple(dev) == tuple(development) else f" --collections {','.join(dev)}")
            + (" --with-long" if with_long else "")
            + (" --with-synthetic" if with_synthetic else "")
        )
    else:  # held-out collections only: the development results stay those of the last full run
        results.update({k: v for k, v in previous.items() if k not in ("machine", "held_out")})
    results["held_out"] = {**previous.get("held_out", {}), **held_per}
    path = write_results(result_name, results)
    log.info("wrote %s", path)
    if track:
        from tsforge.tracking.runs import tracked_run

        with tracked_run(experiment="tsforge-recommender", run_name="per-series-loco") as run:
            for held, r in {**per, **held_per}.items():
                run.log_metrics(
                    {f"{held}.{m}_mase": v["mase"] for m, v in r["scores"].items()}
                    | {f"{held}.captured_{k}": v for k, v in r["oracle_gap_captured"].items()}
                )
            run.log_artifact(path)
    if per:
        print(_markdown(per))
    if held_per:
        print("\nHeld out (routers learnt on the development collections):")
        print(_markdown(held_per))
    return results


def _log_scores(held: str, r: dict[str, Any]) -> None:
    sc = r["scores"]
    log.info(
        "%s: pick %.3f weights %.3f | own history: pick %.3f weights %.3f | validation prior: pick %.3f "
        "weights %.3f | best single %s %.3f, validation pick %.3f, oracle %.3f",
        held,
        sc["per_series_pick"]["mase"],
        sc["per_series_weights"]["mase"],
        sc["own_per_series_pick"]["mase"],
        sc["own_per_series_weights"]["mase"],
        sc["val_per_series_pick"]["mase"],
        sc["val_per_series_weights"]["mase"],
        r["best_single_hindsight"],
        sc["best_single_hindsight"]["mase"],
        sc["validation_pick"]["mase"],
        sc["oracle"]["mase"],
    )


def _dev_summary(per: dict[str, Any], latency: dict[str, Any]) -> dict[str, Any]:
    """The issue's goals over the development collections' folds."""
    first = next(iter(per.values()))
    goals = {g: all(r["goals"][g] for r in per.values()) for g in first["goals"]}
    goals["recommend_1000_series_under_10s"] = bool(latency.get("goal_under_10s", False))
    goals_own = {g: all(r["goals_own_history"][g] for r in per.values()) for g in first["goals_own_history"]}
    goals_val = {
        g: all(r["goals_validation_prior"][g] for r in per.values()) for g in first["goals_validation_prior"]
    }

    def over(key: str) -> dict[str, dict[str, Any]]:
        ratios = {
            v: {k: r["routers"][v]["actual_mase_pick"] / r["routers"][v][key] for k, r in per.items()}
            for v in first["routers"]
        }
        return {
            v: {"per_collection": r, "median": float(np.median(list(r.values())))} for v, r in ratios.items()
        }

    return {
        "per_collection": per,
        # test MASE of the pick ÷ the expected MASE `tsforge recommend` prints for it, per router
        # (scaled by the inner loop's expected_scale), and ÷ the models' raw estimate
        "actual_over_expected_mase_pick": over("expected_mase_pick"),
        "actual_over_raw_expected_mase_pick": over("expected_mase_pick_raw"),
        "latency_1000_series": latency,
        "goals_met_on_every_collection": goals,
        "goals_met_on_every_collection_own_history": goals_own,
        "goals_met_on_every_collection_validation_prior": goals_val,
    }


def _markdown(per: dict[str, Any]) -> str:
    """The README table: test-window MASE per held-out collection."""
    cols = [
        ("per_series_pick", "pick"),
        ("per_series_weights", "weights"),
        ("own_per_series_pick", "pick (+own)"),
        ("own_per_series_weights", "weights (+own)"),
        ("val_per_series_pick", "pick (val prior)"),
        ("val_per_series_weights", "weights (val prior)"),
        ("best_single_hindsight", "best single (hindsight)"),
        ("auto_ets", "AutoETS"),
        ("top3_equal_validation", "top-3 equal (val)"),
        ("validation_pick", "validation pick"),
        ("seasonal_naive", "seasonal naive"),
        ("oracle", "oracle"),
    ]
    lines = [
        "| collection | " + " | ".join(c for _, c in cols) + " | gap captured (weights / +own / val prior) |",
        "|---" * (len(cols) + 2) + "|",
    ]
    for held, r in per.items():
        s = r["scores"]
        cells = [f"{s[k]['mase']:.3f}" for k, _ in cols]
        cells[6] += f" ({r['best_single_hindsight']})"
        g = r["oracle_gap_captured"]
        gaps = " / ".join(
            f"{100 * g[m]:.0f}%"
            for m in ("per_series_weights", "own_per_series_weights", "val_per_series_weights")
        )
        lines.append(f"| {held} | " + " | ".join(cells) + f" | {gaps} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
