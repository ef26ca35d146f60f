"""Selective learning vs plain MSE: ``python -m benchmarks.selective [--datasets ...] [--models ...]``.

Per cell (dataset × backbone × horizon), on the standard protocol of the catalogue entry
(input 336, 96 for exchange_rate, 36 for illness — 96 for PatchTST and iTransformer there, as in the
paper's configs; splits as catalogued):

1. **plain**: the backbone trained with plain MSE, once per seed.
2. **selection**: selective learning with every ``(r_u, r_a)`` of a small grid (default
   ``r_u ∈ {0, 0.3}`` × ``r_a ∈ {0, 0.3, 0.9}`` without ``(0, 0)``), first seed only; the pair
   with the lowest **validation** MSE is kept (the test split plays no part in the choice).
3. **selective**: the chosen pair, once per seed (the first seed's selection run is reused).

Reported per cell: test MSE/MAE (normalised scale, all windows) mean ± std over seeds, the
relative change selective vs plain, and the per-epoch time ratio selective/plain measured on
the *training phase* of each epoch (batches + mask rebuild; validation excluded, as is the
estimator's one-off training and cache lookup) in adjacent plain/selective pairs, both in wall
time and in this process's CPU time (``time.process_time``: on a shared machine the other jobs
inflate wall time at random, CPU time only counts our own work). The estimator (DLinear) is
trained once per (dataset, horizon) with a fixed seed and reused from
``datasets/cache/estimators``.

Training goes through :func:`tsforge.pipeline.train`, so with ``--track`` every run (and each
estimator, as its own run) is logged to MLflow; runs are never registered. Results go to
``benchmarks/results/selective.json``; an existing file is merged cell by cell, so subsets can
be run one after another. Example (the full grid of the issue, for a machine with time)::

    python -m benchmarks.selective --datasets etth1,ettm1,weather,exchange_rate,illness \
        --models patchtst,itransformer,hutformer,stpe_mlp --seeds 2024,2025,2026 --track
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks.common import float_list, int_list, results_dir
from tsforge.training.strategy import LossStrategy

RESULTS = results_dir() / "selective.json"  # $TSFORGE_BENCH_RESULTS_DIR when set
# Standard protocol (spec §3.3/§3.4): input 336, 96 for Exchange; ILI 36 with its short horizons.
PROTOCOL: dict[str, dict[str, Any]] = {
    "etth1": {"input_len": 336, "horizons": [96, 192, 336, 720]},
    "ettm1": {"input_len": 336, "horizons": [96, 192, 336, 720]},
    "weather": {"input_len": 336, "horizons": [96, 192, 336, 720]},
    "exchange_rate": {"input_len": 96, "horizons": [96, 192, 336, 720]},
    "illness": {"input_len": 36, "horizons": [24, 36, 48, 60]},
}
#: Backbones whose research configs use another input length on a dataset (spec §3.3: on ILI,
#: Informer, PatchTST and iTransformer run the "regular" 96; Crossformer/TimesNet/TimeMixer 36).
INPUT_LEN_BY_MODEL: dict[str, dict[str, int]] = {"illness": {"patchtst": 96, "itransformer": 96}}


def protocol_input_len(dataset: str, model: str) -> int:
    """The input length of a (dataset, backbone) cell under the paper's protocol."""
    return INPUT_LEN_BY_MODEL.get(dataset, {}).get(model, PROTOCOL[dataset]["input_len"])


ESTIMATOR_SEED = 2024
GOALS = {"frac_cells_mse_lower": 0.8, "mean_mse_reduction": 0.05, "max_epoch_time_ratio": 1.3}

log = logging.getLogger("benchmarks.selective")


class TimedStrategy(LossStrategy):
    """Forwards every hook to ``inner`` and times each epoch's training phase.

    The time runs from ``on_epoch_start`` to the end of ``on_epoch_end`` (all batches' forward,
    loss, backward and step, plus the strategy's mask rebuild), which excludes validation and
    the one-off ``on_fit_start`` (estimator training or cache load). The process CPU time spent
    inside the strategy's own hooks (every batch's loss and masks, the epoch-end rebuild) is kept
    apart too. Why: on a shared machine whole epochs of one configuration vary by a third between
    runs, which hides the strategy's cost; the time inside its hooks is that cost, measured
    where it is spent.
    """

    def __init__(self, inner: LossStrategy) -> None:
        super().__init__(inner.kind)
        self.inner = inner
        self.name = inner.name
        self.epoch_seconds: list[float] = []
        self.epoch_cpu_seconds: list[float] = []
        self.epoch_hook_cpu_seconds: list[float] = []
        self.setup_seconds = 0.0
        self._hook_cpu = 0.0
        self._t0 = 0.0
        self._c0 = 0.0

    def on_fit_start(self, state, train_data, task) -> None:
        t0 = time.perf_counter()
        self.inner.on_fit_start(state, train_data, task)
        self.setup_seconds = time.perf_counter() - t0

    def on_epoch_start(self, state) -> None:
        self._t0, self._c0 = time.perf_counter(), time.process_time()
        self._hook_cpu = 0.0
        self.inner.on_epoch_start(state)

    def __call__(self, pred, batch, state):
        c0 = time.process_time()
        loss = self.inner(pred, batch, state)
        self._hook_cpu += time.process_time() - c0
        return loss

    def on_epoch_end(self, state) -> dict[str, float]:
        c0 = time.process_time()
        stats = self.inner.on_epoch_end(state)
        self.epoch_hook_cpu_seconds.append(self._hook_cpu + time.process_time() - c0)
        self.epoch_seconds.append(time.perf_counter() - self._t0)
        self.epoch_cpu_seconds.append(time.process_time() - self._c0)
        return stats

    def params(self) -> dict[str, Any]:
        return self.inner.params()


def _train_overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "max_epochs": args.max_epochs,
        "patience": args.patience,
        "num_threads": args.threads,
    }
    for name in ("batch_size", "lr", "max_batches_per_epoch", "train_stride"):
        value = getattr(args, name)
        if value is not None:
            out[name] = value
    return out


def run_one(
    data: Any, model: str, input_len: int, horizon: int, seed: int, args: argparse.Namespace, sel: dict | None
) -> dict[str, Any]:
    """One training run through the pipeline (plain when ``sel`` is None); scores and timings.

    Per-epoch time here is the loop's ``epoch_seconds`` (training *and* validation); the
    training-phase overhead is measured separately in adjacent pairs (:func:`measure_overhead`).
    """
    from tsforge.pipeline import train

    train_cfg = _train_overrides(args)
    strategy_config: dict[str, Any] = {}
    if sel is not None:
        strategy_config = {
            "r_u": sel["r_u"],
            "r_a": sel["r_a"],
            "seed": ESTIMATOR_SEED,
            "buffer_dtype": args.buffer_dtype,
            "estimator_train_config": {k: v for k, v in train_cfg.items() if k != "num_threads"},
        }
    out = train(
        data,
        model,
        input_len=input_len,
        horizon=horizon,
        split=_catalog_split(data.name),  # a TimeSeriesData carries no catalogue protocol
        train_config={**train_cfg, "progress": False},
        strategy="selective" if sel is not None else None,
        strategy_config=strategy_config,
        seed=seed,
        track=args.track,
        register=False,
        log_model=False,
        experiment=args.experiment,
        run_name=f"{'sel' if sel else 'plain'}-{model}-H{horizon}-s{seed}",
        tags={"tsforge.benchmark": "selective"},
        progress=False,
        eval_stride=args.eval_stride,
    )
    history = out.fit_report.history
    row = {
        "seed": seed,
        "val_mse": out.metrics["val_mse"],
        "test_mse": out.metrics["test_mse"],
        "test_mae": out.metrics["test_mae"],
        "epochs": len(history),
        "train_epoch_seconds": float(np.mean([h["epoch_seconds"] for h in history]))
        if history
        else float("nan"),
        "train_seconds": out.metrics["train_seconds"],
        "run_id": out.run_id,
    }
    if sel is not None:
        row.update({"r_u": sel["r_u"], "r_a": sel["r_a"]})
        row["estimator_run_id"] = out.params.get("strategy.sel_estimator_run_id")
        if history:
            row["last_epoch_kept_frac"] = history[-1].get("sel_kept_frac")
    log.info("%s", {k: v for k, v in row.items() if k not in ("run_id", "estimator_run_id")})
    return row


def pair_key(pair: dict[str, Any]) -> str:
    """``{"r_u": 0.3, "r_a": 0.0, ...}`` → ``"r_u=0.3,r_a=0.0"``: the key of a cell's ``selection.val_mse``."""
    return f"r_u={pair['r_u']},r_a={pair['r_a']}"


def _stats(rows: list[dict[str, Any]], key: str) -> dict[str, float]:
    values = np.asarray([r[key] for r in rows], dtype=np.float64)
    return {"mean": float(values.mean()), "std": float(values.std(ddof=0)), "values": values.tolist()}


def run_cell(data: Any, dataset: str, model: str, horizon: int, args: argparse.Namespace) -> dict[str, Any]:
    input_len = args.input_len or protocol_input_len(dataset, model)
    seeds = args.seeds
    t_cell = time.perf_counter()
    plain = [run_one(data, model, input_len, horizon, s, args, None) for s in seeds]
    grid = [{"r_u": ru, "r_a": ra} for ru in args.grid_ru for ra in args.grid_ra if (ru, ra) != (0.0, 0.0)]
    selection = [run_one(data, model, input_len, horizon, seeds[0], args, g) for g in grid]
    best = min(selection, key=lambda r: r["val_mse"])
    chosen = {"r_u": best["r_u"], "r_a": best["r_a"]}
    selective = [best] + [run_one(data, model, input_len, horizon, s, args, chosen) for s in seeds[1:]]
    p_mse, s_mse = _stats(plain, "test_mse"), _stats(selective, "test_mse")
    p_mae, s_mae = _stats(plain, "test_mae"), _stats(selective, "test_mae")
    sel_epoch = np.mean([r["train_epoch_seconds"] for r in selection + selective[1:]])
    plain_epoch = np.mean([r["train_epoch_seconds"] for r in plain])
    return {
        "dataset": dataset,
        "model": model,
        "input_len": input_len,
        "horizon": horizon,
        "split": _catalog_split(dataset),
        "seeds": seeds,
        "train": _train_overrides(args),
        "plain": {"test_mse": p_mse, "test_mae": p_mae, "runs": plain},
        "selection": {
            "grid": grid,
            "val_mse": {pair_key(r): r["val_mse"] for r in selection},
            "chosen": chosen,
            "plain_val_mse_first_seed": plain[0]["val_mse"],
            "runs": selection,
        },
        "selective": {"test_mse": s_mse, "test_mae": s_mae, "runs": selective},
        "rel_change_mse": s_mse["mean"] / p_mse["mean"] - 1.0,
        "rel_change_mae": s_mae["mean"] / p_mae["mean"] - 1.0,
        "epoch_seconds_plain": float(plain_epoch),
        "epoch_seconds_selective": float(sel_epoch),
        "epoch_time_ratio": float(sel_epoch / plain_epoch),
        "cell_seconds": time.perf_counter() - t_cell,
    }


def measure_overhead(
    data: Any, dataset: str, model: str, horizon: int, args: argparse.Namespace
) -> dict[str, Any]:
    """Per-epoch training-phase time, selective (r_u = r_a = 0.3) vs plain, in adjacent pairs.

    On a shared machine the load drifts within minutes, so run-level means from different
    minutes are not comparable. Here each repetition trains plain and then selective for the
    same two epochs (so the uncertainty mask is active in the second), no early stopping,
    and the ratio of each adjacent pair is taken; the median over repetitions is reported, in
    wall time and in CPU time of this process (robust to other jobs on the machine). Training
    goes through the one fit path (:func:`tsforge.training.fitting.fit_model`, the timed strategy
    passed as its loss); the estimator comes from the cache (its one-off training is excluded).
    """
    from tsforge.data.task import prepare_task
    from tsforge.training.fitting import fit_model
    from tsforge.training.selective import SelectiveLearning
    from tsforge.training.spec import TrainingSpec

    input_len = args.input_len or protocol_input_len(dataset, model)
    task = prepare_task(data, input_len, horizon, _catalog_split(dataset))
    overrides = {**_train_overrides(args), "max_epochs": 2, "patience": 10, "progress": False}
    est_cfg = {k: v for k, v in _train_overrides(args).items() if k != "num_threads"}
    pairs = []
    for rep in range(args.timing_reps):
        seconds, cpu, hooks = {}, {}, {}
        for name in ("plain", "selective"):
            spec = TrainingSpec(model, data=dataset, seed=args.seeds[0] + rep, train_config=overrides)
            inner = (
                SelectiveLearning(0.3, 0.3, seed=ESTIMATOR_SEED, estimator_train_config=est_cfg)
                if name == "selective"
                else LossStrategy("mse")
            )
            timed = TimedStrategy(inner)
            fit_model(spec, task, loss=timed)
            seconds[name] = float(np.mean(timed.epoch_seconds))
            cpu[name] = float(np.mean(timed.epoch_cpu_seconds))
            hooks[name] = float(np.mean(timed.epoch_hook_cpu_seconds))
        pairs.append(
            {
                **seconds,
                "ratio": seconds["selective"] / seconds["plain"],
                "cpu_plain": cpu["plain"],
                "cpu_selective": cpu["selective"],
                "cpu_ratio": cpu["selective"] / cpu["plain"],
                "hook_cpu_plain": hooks["plain"],
                "hook_cpu_selective": hooks["selective"],
                # the plain epoch plus what the selective hooks cost beyond the plain loss
                "hook_ratio": (cpu["plain"] + hooks["selective"] - hooks["plain"]) / cpu["plain"],
            }
        )
        log.info("timing %s/%s/H%d rep %d: %s", dataset, model, horizon, rep, pairs[-1])
    ratios = [p["ratio"] for p in pairs]
    cpu_ratios = [p["cpu_ratio"] for p in pairs]
    hook_ratios = [p["hook_ratio"] for p in pairs]
    return {
        "method": "adjacent plain/selective pairs of 2 epochs each (batch cap as in cell.train), r_u=r_a=0.3, "
        "median ratio of training-phase time (wall and process CPU time); hook_ratio: the plain epoch's CPU "
        "time plus the CPU time the selective hooks spent beyond the plain loss's, over the plain epoch's",
        "strategy_code": _strategy_commit(),
        "pairs": pairs,
        "median_ratio": float(np.median(ratios)),
        "median_cpu_ratio": float(np.median(cpu_ratios)),
        "median_hook_ratio": float(np.median(hook_ratios)),
        "median_hook_cpu_per_epoch": {
            name: float(np.median([p[f"hook_cpu_{name}"] for p in pairs])) for name in ("plain", "selective")
        },
        "train": overrides,
    }


@functools.cache
def _strategy_commit() -> str | None:
    """The last commit that changed the strategy's code (timings from different versions differ),
    with ``+dirty`` when the file differs from it.

    Read once, when the benchmark starts (:func:`main`): the code a run timed is the code it
    imported then, not what the file holds when a cell ends hours later.
    """
    import subprocess

    root, path = Path(__file__).resolve().parents[1], "tsforge/training/selective.py"
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%h", "--", path],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=root,
        )
        dirty = subprocess.run(
            ["git", "diff", "--quiet", "HEAD", "--", path], timeout=10, cwd=root
        ).returncode
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return (commit + ("+dirty" if dirty == 1 else "")) or None


def _catalog_split(dataset: str) -> str:
    from tsforge.data.catalog import get_entry

    return get_entry(dataset).split


#: the linear backbone; every other model counts as one of the heavier backbones the method was made for
LINEAR_BACKBONES = frozenset({"dlinear"})


def validated_rel_change(cell: dict[str, Any]) -> float:
    """The cell's MSE change when plain training is one more choice of the validation search.

    ``(r_u, r_a) = (0, 0)`` is plain training; if no selective pair beats plain on the first
    seed's validation MSE, the validated choice is plain and the cell's change is 0. Why report
    it: a user tuning on validation would not switch selective learning on where validation
    says it does not pay; the test split still plays no part in the choice.
    """
    sel = cell["selection"]
    chosen = sel["chosen"]
    chosen_val = sel["val_mse"][pair_key(chosen)]
    return float(cell["rel_change_mse"]) if chosen_val < sel["plain_val_mse_first_seed"] else 0.0


def _scores(cells: list[dict[str, Any]]) -> dict[str, Any]:
    rel = np.asarray([c["rel_change_mse"] for c in cells])
    validated = np.asarray([validated_rel_change(c) for c in cells])
    ratio = np.asarray([c.get("timing", {}).get("median_ratio", c["epoch_time_ratio"]) for c in cells])
    cpu = [c["timing"]["median_cpu_ratio"] for c in cells if "median_cpu_ratio" in c.get("timing", {})]
    hooks = [c["timing"]["median_hook_ratio"] for c in cells if "median_hook_ratio" in c.get("timing", {})]
    frac_lower, mean_change, max_ratio = float((rel < 0).mean()), float(rel.mean()), float(ratio.max())
    out: dict[str, Any] = {
        "n_cells": len(cells),
        "frac_cells_mse_lower": frac_lower,
        "mean_rel_change_mse": mean_change,
        "mean_rel_change_mae": float(np.mean([c["rel_change_mae"] for c in cells])),
        "validated_choice": {
            "what": "plain training is one more choice of the validation search (see validated_rel_change)",
            "n_cells_selective_kept": int(sum(validated != 0)),
            "frac_cells_mse_lower": float((validated < 0).mean()),
            "mean_rel_change_mse": float(validated.mean()),
        },
        "epoch_time_ratio_source": "paired timing (cell.timing.median_ratio) where measured, else run means",
        "mean_epoch_time_ratio": float(ratio.mean()),
        "max_epoch_time_ratio": max_ratio,
        "max_epoch_cpu_time_ratio": float(max(cpu)) if cpu else None,
        "max_epoch_hook_ratio": float(max(hooks)) if hooks else None,
    }
    out["goals_met"] = {
        "frac_cells_mse_lower": frac_lower >= GOALS["frac_cells_mse_lower"],
        "mean_mse_reduction": -mean_change >= GOALS["mean_mse_reduction"],
        "epoch_time_ratio": max_ratio <= GOALS["max_epoch_time_ratio"],
    }
    return out


def summarise(cells: list[dict[str, Any]]) -> dict[str, Any]:
    """Scores over all cells, plus over the heavier backbones alone (the scope of the goals)."""
    if not cells:
        return {}
    heavier = [c for c in cells if c["model"] not in LINEAR_BACKBONES]
    return {
        **_scores(cells),
        "goals": GOALS,
        "heavier_backbones": _scores(heavier) if heavier else None,
    }


def _key(c: dict[str, Any]) -> tuple[str, str, int, int]:
    return (c["dataset"], c["model"], int(c["input_len"]), int(c["horizon"]))


def write_results(
    new_cells: list[dict[str, Any]], args: argparse.Namespace, path: Path = RESULTS
) -> dict[str, Any]:
    """Merge ``new_cells`` into ``path`` (same dataset/model/L/H replaced) and rewrite the summary."""
    doc: dict[str, Any] = {}
    if path.exists():
        try:
            doc = json.loads(path.read_text())
        except json.JSONDecodeError:
            doc = {}
    cells = {_key(c): c for c in doc.get("cells", [])}
    cells.update({_key(c): c for c in new_cells})
    merged = sorted(cells.values(), key=_key)
    old = doc.get("protocol", {})
    # a timing-only run trains no grid: the file keeps the grid and evaluation the cells ran with
    timing_only = args.timing_only and bool(old)
    commands = sorted(
        {*old.get("commands", []), *([old["command"]] if "command" in old else []), args.command}
    )
    doc = {
        "benchmark": "selective learning vs plain MSE (spec models.md §3)",
        "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "torch": torch.__version__,
            "torch_threads": args.threads,
            "note": "timings taken on a shared, loaded 2-core machine (up to 8 agents); ratios compare runs "
            "interleaved in the same cell",
        },
        "protocol": {
            "metrics": "test MSE/MAE on the normalised scale over all test windows (stride 1 unless stated)",
            "eval_stride": old.get("eval_stride", args.eval_stride) if timing_only else args.eval_stride,
            "train": "per cell (cell.train); defaults max_epochs 10, patience 3, model's own lr/batch size",
            "grid_r_u": old.get("grid_r_u", args.grid_ru) if timing_only else args.grid_ru,
            "grid_r_a": old.get("grid_r_a", args.grid_ra) if timing_only else args.grid_ra,
            "selection": "lowest validation MSE over the grid (first seed); test split unused for the choice",
            "estimator": f"dlinear, seed {ESTIMATOR_SEED}, same training options, cached per (dataset, L, H)",
            "epoch_time": "training phase only (batches + mask rebuild), estimator training excluded",
            "commands": commands,
        },
        "summary": summarise(merged),
        # before/after measurement of the mask bookkeeping (kept across runs; see the report of #17)
        **({"bookkeeping_overhead": doc["bookkeeping_overhead"]} if "bookkeeping_overhead" in doc else {}),
        # cells run under an earlier protocol, kept for the record and left out of the summary
        **({"superseded_cells": doc["superseded_cells"]} if "superseded_cells" in doc else {}),
        "cells": merged,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, default=str))
    return doc


def update_timing(data: Any, dataset: str, model: str, horizon: int, args: argparse.Namespace) -> None:
    """Measure the paired timing of an existing cell and store it in the results file."""
    if not args.out.exists():
        log.warning("no results file %s: run the cells first", args.out)
        return
    doc = json.loads(args.out.read_text())
    input_len = args.input_len or protocol_input_len(dataset, model)
    for cell in doc.get("cells", []):
        if _key(cell) == (dataset, model, input_len, horizon):
            cell["timing"] = measure_overhead(data, dataset, model, horizon, args)
            write_results([cell], args, args.out)
            log.info(
                "timing %s/%s/H%d: median ratio %.2f", dataset, model, horizon, cell["timing"]["median_ratio"]
            )
            return
    log.warning("no cell %s/%s/L%d/H%d in %s", dataset, model, input_len, horizon, args.out)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", default="etth1,ettm1,weather,exchange_rate,illness")
    p.add_argument(
        "--models",
        default="patchtst,itransformer,hutformer,stpe_mlp",
        help="backbones (the heavier ones the method was made for; dlinear for the linear baseline)",
    )
    p.add_argument(
        "--horizons", type=int_list, default=None, help="default: the two shortest horizons of each dataset"
    )
    p.add_argument("--all-horizons", action="store_true", help="all four horizons of each dataset")
    p.add_argument("--input-len", type=int, default=None, help="default: the protocol's (336 / 96 / 36)")
    p.add_argument("--seeds", type=int_list, default=[2024, 2025, 2026])
    p.add_argument("--grid-ru", type=float_list, default=[0.0, 0.3])
    p.add_argument("--grid-ra", type=float_list, default=[0.0, 0.3, 0.9])
    p.add_argument("--max-epochs", type=int, default=10)
    p.add_argument("--patience", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--max-batches-per-epoch", type=int, default=None)
    p.add_argument("--train-stride", type=int, default=None)
    p.add_argument("--eval-stride", type=int, default=1)
    p.add_argument("--buffer-dtype", default="float32", choices=["float32", "float16"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--track", action="store_true", help="log every run (and each estimator) to MLflow")
    p.add_argument("--experiment", default="benchmark-selective")
    p.add_argument("--quick", action="store_true", help="smoke test: 2 epochs of 20 batches, one seed")
    p.add_argument("--timing-reps", type=int, default=3, help="paired plain/selective timing repetitions")
    p.add_argument("--no-timing", action="store_true", help="skip the paired timing after each cell")
    p.add_argument("--timing-only", action="store_true", help="only (re)measure the paired timing of cells")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    if args.quick:
        args.max_epochs, args.max_batches_per_epoch, args.seeds = 2, 20, args.seeds[:1]
    return args


def main(argv: list[str] | None = None) -> int:
    import sys

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args = parse_args(argv)
    args.command = "python -m benchmarks.selective " + " ".join(argv if argv is not None else sys.argv[1:])
    _strategy_commit()  # the code this process imported (see its docstring)
    torch.set_num_threads(args.threads)
    from tsforge.data.catalog import load_dataset

    done: list[dict[str, Any]] = []
    for dataset in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        data = load_dataset(dataset)
        horizons = args.horizons or (
            PROTOCOL[dataset]["horizons"] if args.all_horizons else PROTOCOL[dataset]["horizons"][:2]
        )
        for horizon in horizons:
            for model in [m.strip() for m in args.models.split(",") if m.strip()]:
                if args.timing_only:
                    update_timing(data, dataset, model, horizon, args)
                    continue
                cell = run_cell(data, dataset, model, horizon, args)
                if not args.no_timing:
                    cell["timing"] = measure_overhead(data, dataset, model, horizon, args)
                done.append(cell)
                write_results([cell], args, args.out)  # after every cell: partial runs still count
                log.info(
                    "cell %s/%s/H%d: mse %+.1f%%, mae %+.1f%%, epoch time x%.2f, chosen %s",
                    dataset,
                    model,
                    horizon,
                    100 * cell["rel_change_mse"],
                    100 * cell["rel_change_mae"],
                    cell.get("timing", {}).get("median_ratio", cell["epoch_time_ratio"]),
                    cell["selection"]["chosen"],
                )
    doc = json.loads(args.out.read_text()) if args.out.exists() else {}
    log.info("summary: %s", json.dumps(doc.get("summary", {}), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
