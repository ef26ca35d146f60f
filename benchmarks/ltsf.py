"""Long-horizon (LTSF) grid against the best published numbers: ``python -m benchmarks.ltsf``.

Protocol (issue #17), per (dataset, horizon, model):

1. **lookback search** — the model is trained once (first seed) for every input length in
   ``--lookbacks`` (default 96, 336, 720); the length with the lowest **validation** MSE is kept
   (the test split plays no part in the choice); with ``--lrs`` every (input length, learning
   rate) pair is trained and the pair with the lowest validation MSE is kept (a model's default
   rate is one number for every dataset and lookback, and the papers' scripts tune it per
   dataset: searching it on validation is the honest counterpart); with ``--periods`` (the
   period-folding models SparseTSF and TimeBase only) the folding period is searched the same
   way: ``season`` is the data's season length (the models' default), a number is that many
   steps. The authors fold 10- and 15-minute data (Weather, ETTm1) by 4 steps, not by the day,
   so the day is not assumed to be the right period: validation decides;
2. **seeds** — the chosen configuration is trained again with the other seeds (default 2024,
   2025, 2026; the first seed's search run is reused) and the test MSE/MAE are averaged.

Splits, scaling and windows are the catalogue's standard protocol (ETT 12/4/4 months, Weather
7:1:2, z-score fitted on train); every test window is scored (stride 1, the last partial batch
included — the "drop_last" bug of several reference implementations is not reproduced), and the
number of test windows does not depend on the input length (windows may read their inputs from
the previous split). Metrics are on the normalised scale, as in the papers.

Every training goes through :func:`tsforge.pipeline.train` and is one MLflow run (experiment
``benchmark-ltsf``; params, per-epoch curves, metrics; ``--log-models`` also logs each model and
its forecast plot; ``--no-track`` for a dry run). Rows are merged into
``benchmarks/results/ltsf.json`` after every row, keyed by (dataset, horizon, model), each with
the exact command that reproduces it; ``--resume`` skips rows already there under the same
protocol.

Examples::

    python -m benchmarks.ltsf --quick --datasets etth1 --horizons 96 --models sparsetsf
    python -m benchmarks.ltsf --datasets etth1 --models sparsetsf,cyclenet,timebase,rlinear
    python -m benchmarks.ltsf --datasets ettm1 --models cyclenet --lrs 0.01,0.005
    python -m benchmarks.ltsf --datasets weather --models timebase --periods season,4
    python -m benchmarks.ltsf                      # the full grid: 3 datasets x 4 horizons x all models
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import platform
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import float_list, int_list, results_dir

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = results_dir() / "ltsf.json"  # $TSFORGE_BENCH_RESULTS_DIR when set
EXPERIMENT = "benchmark-ltsf"
DATASETS = ("etth1", "ettm1", "weather")
HORIZONS = (96, 192, 336, 720)
LOOKBACKS = (96, 336, 720)
SEEDS = (2024, 2025, 2026)

#: Best published test MSE under the corrected protocol (all test windows, searched lookback),
#: as quoted in issue #17, and the models that hold them.
PUBLISHED: dict[str, dict[int, float]] = {
    "etth1": {96: 0.350, 192: 0.388, 336: 0.409, 720: 0.426},
    "ettm1": {96: 0.279, 192: 0.320, 336: 0.348, 720: 0.405},
    "weather": {96: 0.141, 192: 0.185, 336: 0.234, 720: 0.305},
}
PUBLISHED_BY = {"etth1": "TimeBase / DUET / SparseTSF", "ettm1": "DUET", "weather": "SegRNN / DUET"}

#: Benchmark label → registered model + options (``rlinear`` = NLinear with RevIN, Li et al. 2023).
RECIPES: dict[str, dict[str, Any]] = {
    "sparsetsf": {"model": "sparsetsf"},
    "timebase": {"model": "timebase"},
    # the official TimeBase runs use RevIN (``revin=1, affine=0`` in the authors' published logs)
    "timebase_revin": {"model": "timebase", "model_config": {"revin": True}},
    "cyclenet": {"model": "cyclenet"},
    "cyclenet_mlp": {"model": "cyclenet_mlp"},
    "rlinear": {"model": "nlinear", "model_config": {"revin": True}},
    "nlinear": {"model": "nlinear"},
    "dlinear": {"model": "dlinear"},
    "patchtst": {"model": "patchtst"},
    "itransformer": {"model": "itransformer"},
    # tsforge's STELLA model (spatio-temporal positional encoding + MLP; about a minute per run on ETT)
    "stpe_mlp": {"model": "stpe_mlp"},
    # the same with reversible instance normalisation: each window is forecast relative to its own
    # level and spread, not the absolute level its calendar embedding learnt in the training year
    "stpe_mlp_revin": {"model": "stpe_mlp", "model_config": {"revin": True}},
    # HUTFormer and its ablations under the full protocol (``benchmarks/hutformer.py --full-protocol``)
    "hutformer": {"model": "hutformer"},
    "hutformer_single_stage": {"model": "hutformer", "model_config": {"stages": 1}},
    "hutformer_no_cross_scale": {"model": "hutformer", "model_config": {"cross_scale": False}},
    # one end-to-end stage with the two stages' total epoch budget (see ``hutformer_model_config``)
    "hutformer_one_stage_training": {"model": "hutformer", "model_config": {"two_stage": False}},
}
HUTFORMER_VARIANTS = (
    "hutformer",
    "hutformer_single_stage",
    "hutformer_no_cross_scale",
    "hutformer_one_stage_training",
)
DEFAULT_MODELS = "sparsetsf,timebase,cyclenet,rlinear,cyclenet_mlp,patchtst,itransformer,stpe_mlp"

log = logging.getLogger("benchmarks.ltsf")


def _names(text: str) -> list[str]:
    return [v.strip().lower() for v in text.split(",") if v.strip()]


SEASON = "season"


def folds_by_period(label: str) -> bool:
    """Whether the benchmark label's model folds its window by a period (a
    :class:`~tsforge.models.periodic.PeriodForecaster`, with ``period_len`` in its config).

    Read from the model registry, not listed here, so a new recipe of such a model needs no edit.
    """
    from tsforge.models import get_model_spec
    from tsforge.models.periodic import PeriodForecaster

    return issubclass(get_model_spec(RECIPES[label]["model"]).cls, PeriodForecaster)


def period_list(text: str) -> list[int | None]:
    """``"season,4"`` → ``[None, 4]`` (an argparse ``type``; ``None`` = the data's season length)."""
    out: list[int | None] = []
    for v in (v.strip().lower() for v in text.split(",") if v.strip()):
        if v == SEASON:
            out.append(None)
        elif v.isdigit() and int(v) >= 1:
            out.append(int(v))
        else:
            raise argparse.ArgumentTypeError(
                f"period {v!r} is neither {SEASON!r} nor a whole number of steps >= 1"
            )
    return out


def _period_text(period: int | None) -> str:
    return SEASON if period is None else str(period)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", type=_names, default=list(DATASETS))
    p.add_argument("--horizons", type=int_list, default=list(HORIZONS))
    p.add_argument("--models", type=_names, default=_names(DEFAULT_MODELS), help=f"any of {sorted(RECIPES)}")
    p.add_argument("--lookbacks", type=int_list, default=list(LOOKBACKS))
    p.add_argument("--seeds", type=int_list, default=list(SEEDS))
    p.add_argument(
        "--lrs",
        type=float_list,
        default=None,
        help="learning rates searched on validation together with the lookbacks (default: the model's own)",
    )
    p.add_argument(
        "--periods",
        type=period_list,
        default=None,
        help=f"folding periods searched on validation for the period-folding models (SparseTSF, TimeBase; "
        f"'{SEASON}' = the data's season length; default: the season only)",
    )
    p.add_argument("--max-epochs", type=int, default=None, help="cap every model's epochs (default: its own)")
    p.add_argument("--threads", type=int, default=1, help="torch threads per run")
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="rows side by side in this many processes (each with --threads torch threads); a GPU "
        "(--device cuda) is shared by them",
    )
    p.add_argument(
        "--device", default="cpu", help="where the neural models train: cpu (default), cuda, cuda:N, auto"
    )
    p.add_argument("--batch-size", type=int, default=None, help="every model's batch size (default: its own)")
    p.add_argument("--no-track", dest="track", action="store_false", help="do not log to MLflow")
    p.add_argument("--log-models", action="store_true", help="also log every model and its forecast plot")
    p.add_argument(
        "--resume", action="store_true", help="skip rows already in the results under this protocol"
    )
    p.add_argument("--quick", action="store_true", help="smoke test: 2 epochs, one seed, lookbacks 96,336")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--table", action="store_true", help="print the README table from --out and exit")
    args = p.parse_args(argv)
    unknown = sorted(set(args.models) - set(RECIPES))
    if unknown:
        p.error(f"unknown model(s) {unknown}; choose from {sorted(RECIPES)}")
    no_period = sorted(m for m in args.models if not folds_by_period(m)) if args.periods else []
    if no_period:
        p.error(f"--periods applies to the period-folding models (SparseTSF, TimeBase) only, not {no_period}")
    bad = sorted(set(args.datasets) - set(PUBLISHED))
    if bad:
        p.error(f"unknown dataset(s) {bad}; choose from {sorted(PUBLISHED)}")
    if args.quick:
        args.max_epochs, args.seeds = 2, args.seeds[:1]
        args.lookbacks = [L for L in args.lookbacks if L <= 336] or args.lookbacks[:1]
    return args


def command_for(dataset: str, horizon: int, model: str, args: argparse.Namespace) -> str:
    """The command that reproduces one row (its lookback search and its seeds)."""
    parts = [
        "python -m benchmarks.ltsf",
        f"--datasets {dataset}",
        f"--horizons {horizon}",
        f"--models {model}",
        f"--lookbacks {','.join(map(str, args.lookbacks))}",
        f"--seeds {','.join(map(str, args.seeds))}",
        f"--threads {args.threads}",
    ]
    if args.lrs:
        parts.append(f"--lrs {','.join(map(str, args.lrs))}")
    if args.periods:
        parts.append(f"--periods {','.join(map(_period_text, args.periods))}")
    if args.max_epochs is not None:
        parts.append(f"--max-epochs {args.max_epochs}")
    if args.batch_size is not None:
        parts.append(f"--batch-size {args.batch_size}")
    if args.device != "cpu":
        parts.append(f"--device {args.device}")
    if args.quick:
        parts.append("--quick")
    return " ".join(parts)


def device_label(device: str) -> str:
    """``"cpu"``, or the GPU's name for a CUDA run (``"cuda (NVIDIA H200)"``), for the rows."""
    from tsforge.models.device import resolve_device

    resolved = resolve_device(device)
    if resolved.type != "cuda":
        return resolved.type
    import torch

    return f"cuda ({torch.cuda.get_device_name(resolved)})"


_DATA: dict[str, tuple[Any, str]] = {}


def catalogue_data(dataset: str) -> tuple[Any, str]:
    """The dataset's series and its catalogue split, read once per process.

    Why once: a long grid must not depend on re-reading the catalogue for every run (and every
    run then trains on byte-identical values).
    """
    if dataset not in _DATA:
        from tsforge.data.catalog import get_entry, load_dataset

        _DATA[dataset] = (load_dataset(dataset), get_entry(dataset).split)
    return _DATA[dataset]


def train_once(
    dataset: str,
    horizon: int,
    model: str,
    input_len: int,
    seed: int,
    args: argparse.Namespace,
    lr: float | None = None,
    period: int | None = None,
):
    """One tracked training under the standard protocol (``lr``: None = the model's own;
    ``period``: None = the model's default); returns the pipeline's outcome."""
    from tsforge.pipeline import train

    series, split = catalogue_data(dataset)
    recipe = RECIPES[model]
    train_config: dict[str, Any] = {"progress": False, "num_threads": args.threads, "device": args.device}
    if args.max_epochs is not None:
        train_config["max_epochs"] = args.max_epochs
    if args.batch_size is not None:
        train_config["batch_size"] = args.batch_size
    if lr is not None:
        train_config["lr"] = lr
    model_config = hutformer_model_config(dict(recipe.get("model_config", {})), args.max_epochs)
    if period is not None:
        model_config["period_len"] = period
    return train(
        series,
        recipe["model"],
        input_len=input_len,
        horizon=horizon,
        split=split,
        model_config=model_config,
        train_config=train_config,
        seed=seed,
        track=args.track,
        register=False,
        log_model=args.log_models,
        experiment=EXPERIMENT,
        run_name=f"{model}-{dataset}-L{input_len}-H{horizon}-s{seed}"
        + (f"-lr{lr:g}" if lr is not None else "")
        + (f"-p{period}" if period is not None else ""),
        tags={"tsforge.benchmark": "ltsf", "ltsf.model": model},
        progress=False,
    )


def hutformer_model_config(model_config: dict[str, Any], max_epochs: int | None) -> dict[str, Any]:
    """The one-stage HUTFormer ablation gets the epochs the two stages get together.

    Why: each stage of the two-stage model trains up to ``max_epochs`` (the run's cap, else the
    model's default 10), so the end-to-end ablation must get twice that whatever the cap, or the
    comparison measures a budget and not the training scheme (a fixed 20 matched the default
    10 + 10 only: a ``--quick`` run's 2 + 2 stood against 20 end-to-end epochs).
    """
    if model_config.get("two_stage") is False and "stage1_epochs" not in model_config:
        from tsforge.models.base import NeuralForecaster
        from tsforge.models.registry import get_model_spec

        cls = get_model_spec("hutformer").cls
        if not issubclass(cls, NeuralForecaster):  # HUTFormer is one: it has a default training budget
            raise TypeError(f"'hutformer' is a {cls.__name__}, which has no default_train_config")
        default = cls.default_train_config["max_epochs"]
        model_config["stage1_epochs"] = 2 * (max_epochs if max_epochs is not None else default)
    return model_config


def _run_record(
    out: Any, input_len: int, seed: int, lr: float | None = None, period: int | None = None
) -> dict[str, Any]:
    m = out.metrics
    return {
        "input_len": input_len,
        "lr": float(out.params.get("train.lr", float("nan"))) if lr is None else lr,
        "period": period,
        "seed": seed,
        "val_mse": float(m["val_mse"]),
        "test_mse": float(m["test_mse"]),
        "test_mae": float(m["test_mae"]),
        "train_seconds": float(m["train_seconds"]),
        "epochs": int(m["epochs_run"]),
        "params": int(m["n_parameters"]),
        "test_windows": len(out.task.dataset("test")),
        "run_id": out.run_id,
    }


def _search_key(rec: dict[str, Any], args: argparse.Namespace) -> str:
    """``"336"``, ``"336/lr0.005"`` when learning rates are searched too, ``"336/p4"`` (or
    ``"336/pseason"``) when periods are."""
    return (
        str(rec["input_len"])
        + (f"/lr{rec['lr']:g}" if args.lrs else "")
        + (f"/p{_period_text(rec.get('period'))}" if args.periods else "")
    )


def run_row(dataset: str, horizon: int, model: str, args: argparse.Namespace) -> dict[str, Any]:
    """Lookback (and, with ``--lrs`` / ``--periods``, learning-rate / period) search on validation
    with the first seed, then the chosen configuration with every seed.

    A period longer than the lookback cannot fold it and is left out of that lookback's search.
    """
    t_row = time.perf_counter()
    first = args.seeds[0]
    search = []
    for input_len, lr, period in itertools.product(
        args.lookbacks, args.lrs or [None], args.periods or [None]
    ):
        if period is not None and period > input_len:
            log.info(
                "%s/H%d/%s L=%d: period %d does not fit, skipped", dataset, horizon, model, input_len, period
            )
            continue
        out = train_once(dataset, horizon, model, input_len, first, args, lr, period)
        rec = _run_record(out, input_len, first, lr, period)
        log.info("%s/H%d/%s L=%d lr=%g period=%s: val %.4f test %.4f (%.0f s)", dataset, horizon, model, input_len,
                 rec["lr"], _period_text(period), rec["val_mse"], rec["test_mse"], rec["train_seconds"])  # fmt: skip
        search.append(rec)
    best = min(search, key=lambda r: r["val_mse"])
    chosen_lr = best["lr"] if args.lrs else None
    runs = [best]
    for seed in args.seeds[1:]:
        out = train_once(dataset, horizon, model, best["input_len"], seed, args, chosen_lr, best["period"])
        runs.append(_run_record(out, best["input_len"], seed, chosen_lr, best["period"]))
    mse = np.array([r["test_mse"] for r in runs])
    mae = np.array([r["test_mae"] for r in runs])
    published = PUBLISHED[dataset][horizon]
    row = {
        "dataset": dataset,
        "horizon": horizon,
        "model": model,
        "registered_model": RECIPES[model]["model"],
        "model_config": RECIPES[model].get("model_config", {}),
        "input_len": best["input_len"],
        "lr": best["lr"],
        "lr_searched": list(args.lrs) if args.lrs else None,
        "period": _period_text(best["period"]),
        "period_searched": [_period_text(v) for v in args.periods] if args.periods else None,
        "test_mse": float(mse.mean()),
        "test_mae": float(mae.mean()),
        "test_mse_std": float(mse.std(ddof=0)),
        "test_mae_std": float(mae.std(ddof=0)),
        "seeds": list(args.seeds),
        "params": best["params"],
        "train_seconds": float(np.mean([r["train_seconds"] for r in runs])),
        "test_windows": best["test_windows"],
        "published_best_mse": published,
        "published_by": PUBLISHED_BY[dataset],
        "gap_to_published": float(mse.mean() / published - 1.0),
        "lookback_search": {
            _search_key(r, args): {
                k: r[k] for k in ("val_mse", "test_mse", "train_seconds", "epochs", "run_id")
            }
            for r in search
        },
        "runs": runs,
        "max_epochs_cap": args.max_epochs,
        "quick": bool(args.quick),
        "device": device_label(args.device),
        "batch_size": args.batch_size,
        "row_seconds": time.perf_counter() - t_row,
        "command": command_for(dataset, horizon, model, args),
    }
    log.info("row %s/H%d/%s: L=%d test %.4f ± %.4f (published %.3f, %+.1f%%)", dataset, horizon, model,
             row["input_len"], row["test_mse"], row["test_mse_std"], published, 100 * row["gap_to_published"])  # fmt: skip
    return row


#: rows whose validation MSE is in-sample (their weights were fitted on it): a validation pick
#: cannot compare them with models that only early-stopped there
IN_SAMPLE_ON_VALIDATION = frozenset({"ensemble_validation"})


def validation_mse(row: dict[str, Any]) -> float | None:
    """The row's validation MSE, averaged over its seeds (``None`` where the row has none)."""
    if row.get("val_mse") is not None:
        return float(row["val_mse"])
    values = [run["val_mse"] for run in row.get("runs", ()) if run.get("val_mse") is not None]
    return float(np.mean(values)) if values else None


def validation_pick(cell: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The cell's row with the lowest validation MSE: the model a user would pick without
    seeing the test split. Why: "best tsforge" takes the best row by *test* MSE, which no user
    can do; the two together show how much of the frontier survives an honest choice.
    Validation targets are the same windows whatever the lookback, so the rows compare."""
    scored = [
        (v, r)
        for r in cell
        if not r.get("quick")
        and r["model"] not in IN_SAMPLE_ON_VALIDATION
        and (v := validation_mse(r)) is not None
    ]
    return min(scored, key=lambda vr: vr[0])[1] if scored else None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per (dataset, horizon): the best tsforge model (by mean test MSE) against the published
    number, and the model picked on validation (:func:`validation_pick`)."""
    cells: dict[str, Any] = {}
    by_cell: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r.get("quick"):
            continue
        key = f"{r['dataset']}/{r['horizon']}"
        by_cell.setdefault(key, []).append(r)
        if key not in cells or r["test_mse"] < cells[key]["test_mse"]:
            cells[key] = {
                "best_model": r["model"],
                "input_len": r["input_len"],
                "test_mse": r["test_mse"],
                "published_best_mse": r["published_best_mse"],
                "gap_to_published": r["gap_to_published"],
                "meets_published": r["test_mse"] <= r["published_best_mse"],
                "train_seconds": r["train_seconds"],
            }
    done = [c for c in cells.values()]
    picks = {}
    for key, cell in sorted(by_cell.items()):
        pick = validation_pick(cell)
        if pick is not None:
            picks[key] = {
                "model": pick["model"],
                "val_mse": validation_mse(pick),
                "test_mse": pick["test_mse"],
                "gap_to_published": pick["test_mse"] / pick["published_best_mse"] - 1.0,
                "meets_published": pick["test_mse"] <= pick["published_best_mse"],
            }
    return {
        "cells_measured": len(done),
        "cells_total": len(PUBLISHED) * len(HORIZONS),
        "cells_meeting_published": sum(c["meets_published"] for c in done),
        "mean_gap_to_published": float(np.mean([c["gap_to_published"] for c in done])) if done else None,
        "best_per_cell": dict(sorted(cells.items())),
        "validation_pick": {
            "what": "per cell, the row with the lowest validation MSE (no test data in the choice); "
            "ensemble_validation is left out (its weights were fitted on validation)",
            "cells_meeting_published": sum(p["meets_published"] for p in picks.values()),
            "mean_gap_to_published": float(np.mean([p["gap_to_published"] for p in picks.values()]))
            if picks
            else None,
            "per_cell": picks,
        },
    }


#: README column titles, in column order (models without rows are left out)
TABLE_COLUMNS: dict[str, str] = {
    "sparsetsf": "SparseTSF",
    "timebase": "TimeBase",
    "timebase_revin": "TimeBase+RevIN",
    "cyclenet": "CycleNet",
    "cyclenet_mlp": "CycleNet/MLP",
    "rlinear": "RLinear",
    "patchtst": "PatchTST",
    "itransformer": "iTransformer",
    "stpe_mlp": "STPE-MLP",
    "stpe_mlp_revin": "STPE-MLP+RevIN",
    # a weighted average of the cell's models above (``benchmarks/ltsf_ensemble.py``)
    "ensemble": "Ensemble",
    "ensemble_validation": "Ensemble (val. weights)",
}


def _mse(value: float) -> str:
    """``0.3560`` → ``.356`` (the papers' style)."""
    return f"{value:.3f}".removeprefix("0")


def _config_text(row: dict[str, Any]) -> str:
    """``"L 720"``, or ``"L 720, P 4"`` where validation chose a folding period other than the season;
    ``"8 models"`` for an ensemble."""
    if "members" in row:  # an ensemble: how many models it averages
        return f"{len(row['members'])} models"
    period = row.get("period", SEASON)  # rows from before the period search folded by the season
    return f"L {row['input_len']}" + ("" if period == SEASON else f", P {period}")


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The README table: test MSE (chosen lookback, and period where searched) per model, the model
    picked on validation (:func:`validation_pick`, with its gap), the best per cell in bold, the gap.

    Why generated: the README must say exactly what ``ltsf.json`` holds.
    """
    rows = [r for r in rows if not r.get("quick") and r["model"] in TABLE_COLUMNS]
    models = [m for m in TABLE_COLUMNS if any(r["model"] == m for r in rows)]
    by_cell: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_cell.setdefault((r["dataset"], int(r["horizon"])), {})[r["model"]] = r
    head = ["data", "H", *(TABLE_COLUMNS[m] for m in models), "picked on validation", "best tsforge",
            "published best", "gap"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    order = {d: i for i, d in enumerate(PUBLISHED)}
    for (dataset, horizon), cell in sorted(by_cell.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        best = min(cell.values(), key=lambda r: r["test_mse"])
        cols = []
        for m in models:
            found = cell.get(m)
            text = "—" if found is None else f"{_mse(found['test_mse'])} ({_config_text(found)})"
            cols.append(f"**{text}**" if found is best else text)
        published = PUBLISHED[dataset][horizon]
        gap = best["test_mse"] / published - 1.0
        pick = validation_pick(list(cell.values()))
        picked = (
            "—"
            if pick is None
            else f"{_mse(pick['test_mse'])} {TABLE_COLUMNS[pick['model']]} "
            f"({100 * (pick['test_mse'] / published - 1.0):+.1f}%)"
        )
        lines.append(
            f"| {dataset} | {horizon} | {' | '.join(cols)} | {picked} | {_mse(best['test_mse'])} "
            f"| {_mse(published)} | {100 * gap:+.1f}% |"
        )
    return "\n".join(lines)


def _key(r: dict[str, Any]) -> tuple[str, int, str]:
    return (r["dataset"], int(r["horizon"]), r["model"])


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        return {}


def write_results(new_rows: list[dict[str, Any]], path: Path) -> dict[str, Any]:
    """Merge ``new_rows`` into ``path`` (same dataset/horizon/model replaced) and rewrite the summary."""
    import torch

    doc = _load(path)
    rows = {_key(r): r for r in doc.get("rows", [])}
    rows.update({_key(r): r for r in new_rows})
    merged = sorted(rows.values(), key=_key)
    doc = {
        "benchmark": "long-horizon forecasting grid vs the best published numbers (issue #17)",
        "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "torch": torch.__version__,
            "device": "cpu unless a row's device says otherwise",
            "note": "shared 2-core machine, 1 torch thread per run; other jobs ran concurrently, so "
            "train_seconds are upper bounds",
        },
        "protocol": {
            "splits": "catalogue standard: ETT 12/4/4 months, Weather 7:1:2; z-score fitted on train",
            "metrics": "test MSE/MAE on the normalised scale, every test window (stride 1, none dropped)",
            "lookback": "chosen per row on validation MSE (first seed) from the row's lookback_search",
            "period": "SparseTSF / TimeBase rows with period_searched: the folding period chosen on validation "
            "together with the lookback ('season' = the data's season length)",
            "seeds": "the chosen lookback re-run with every seed; test_mse is the mean, test_mse_std the spread",
            "training": "each model's own defaults (tsforge/models/<model>.py: default_train_config), "
            "early stopping on validation MSE with best-checkpoint restore",
            "tracking": f"one MLflow run per training, experiment {EXPERIMENT!r}",
            "published": "issue #17's best published numbers (corrected protocol)",
        },
        "summary": summarise(merged),
        "rows": merged,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, default=str))
    return doc


def _touch_store() -> None:
    from tsforge.tracking.store import configure_tracking, get_experiment_id

    configure_tracking()
    get_experiment_id(EXPERIMENT)


def _create_store() -> None:
    """Create the tracking store and the experiment before the rows' processes start.

    Why: on a fresh SQLite store, processes that each create the schema at their first run collide
    (``table _alembic_tmp_tags already exists``). Done in a spawned process so that no database
    connection is open in this one when the pool forks.
    """
    import multiprocessing as mp

    proc = mp.get_context("spawn").Process(target=_touch_store)
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(
            f"could not create the MLflow store / experiment {EXPERIMENT!r} (exit {proc.exitcode})"
        )


def _row_job(job: tuple[str, int, str, argparse.Namespace]) -> dict[str, Any]:
    """One row as an engine task (a module-level function, so a process pool can run it; the
    thread count is set by ``main`` before the pool forks and by every training's config)."""
    return run_row(*job)


def main(argv: list[str] | None = None) -> int:
    import torch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("mlflow", "alembic", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = parse_args(argv)
    if args.table:
        print(markdown_table(_load(args.out).get("rows", [])))
        return 0
    torch.set_num_threads(args.threads)
    done = {(_key(r), r.get("command")) for r in _load(args.out).get("rows", [])} if args.resume else set()
    grid = [(d, h, m) for d in args.datasets for h in args.horizons for m in args.models]
    log.info("ltsf: %d rows (%s)", len(grid), shlex.join(sys.argv[1:]) if argv is None else " ".join(argv))
    todo = []
    for i, (dataset, horizon, model) in enumerate(grid, 1):
        if ((dataset, horizon, model), command_for(dataset, horizon, model, args)) in done:
            log.info(
                "[%d/%d] %s/H%d/%s: in the results, skipped (--resume)", i, len(grid), dataset, horizon, model
            )
            continue
        todo.append((dataset, horizon, model, args))
    if args.jobs > 1 and len(todo) > 1:
        from tsforge.engine.local import LocalEngine

        log.info("%d rows, %d at a time", len(todo), args.jobs)
        if args.track:
            _create_store()

        def write_row(_: int, row: dict[str, Any]) -> None:
            write_results([row], args.out)

        # each finished row is written at once (in this process only): partial runs still count
        LocalEngine(args.jobs).map(_row_job, todo, on_result=write_row)
    else:
        for i, job in enumerate(todo, 1):
            log.info("[%d/%d] %s/H%d/%s", i, len(todo), *job[:3])
            write_results([_row_job(job)], args.out)  # after every row: partial runs still count
    summary = _load(args.out).get("summary", {})
    log.info("summary: %s", json.dumps({k: v for k, v in summary.items() if k != "best_per_cell"}))
    for cell, best in summary.get("best_per_cell", {}).items():
        log.info("  %-12s %-13s L=%-4d test %.4f  published %.3f  %+.1f%%", cell, best["best_model"],
                 best["input_len"], best["test_mse"], best["published_best_mse"], 100 * best["gap_to_published"])  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
