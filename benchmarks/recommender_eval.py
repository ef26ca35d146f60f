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
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from typing import Any

import numpy as np
import pandas as pd
import torch

from benchmarks.common import write_results
from recommender.api import recommend
from recommender.knowledge_base import KBSettings, build_knowledge_base, default_pool, real_group
from recommender.ranker import RankerConfig, make_training_set, train_recommender

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
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--corpus-size", type=int, default=300)
    ap.add_argument("--length", type=int, default=1024)
    ap.add_argument(
        "--track", action="store_true", help="log the results to MLflow (experiment tsforge-recommender)"
    )
    args = ap.parse_args(argv)
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


if __name__ == "__main__":
    main()
