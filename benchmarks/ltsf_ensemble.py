"""Do the LTSF grid's small models add up? The weighted average of a cell's validated models:
``python -m benchmarks.ltsf_ensemble``.

Why: the grid (``benchmarks/ltsf.py``) trailed the published frontier by 2–7 % per cell with
models of very different kinds (period folding, residual cycles, linear maps with RevIN, MLPs,
attention over channels). Averaging forecasts of different kinds lowers the MSE where their errors
are not the same errors; this study measures by how much under the grid's own protocol, for the
two weightings of the ``ensemble`` model (:mod:`tsforge.models.ensemble`).

Protocol, per (dataset, horizon):

1. **members** — every model of the cell in ``ltsf.json`` (``--models``; PatchTST is left out by
   default for its 6–14 min per run), each with the configuration its row chose on validation
   (lookback, and the learning rate / folding period where those were searched);
2. **per seed** — the members are trained again with that seed as one ``ensemble`` model (one
   MLflow run per seed, experiment ``benchmark-ltsf``, with each member's validation MSE in
   ``ensemble_members.json``); a member of an ensemble is the model trained alone with the same
   seed, and ``--workers N`` trains N members at once (a process pool, one thread each: the same
   numbers). Their forecasts of every validation and test window are reduced to Gram sums
   (:class:`tsforge.models.ensemble.GramSums`): the MSE of any weighted average follows exactly,
   without keeping the forecasts (Weather at H720 would be gigabytes);
3. **weights** — equal, and greedy forward selection with replacement (Caruana et al., ICML 2004)
   on the **first seed's validation** MSE, then held for every seed: the ``ensemble`` model's
   ``weights="equal"`` and ``weights="validation"``. The test split plays no part in any choice;
4. **scores** — test MSE (from the Gram sums) and MAE (one more pass) of both, averaged over
   seeds; beside them the best member by validation (what a validation pick would give).

The cell's study row goes to ``results/ltsf_ensemble.json`` and its two weightings into the grid
(``ltsf.json``, models ``ensemble`` and ``ensemble_validation``) with the ``tsforge train --model
ensemble`` command that trains the same members as one registered model (a member of an ensemble
is the model trained alone with the same seed, so that command gives these numbers). Members
share the test windows: the grid's windows are the same targets whatever the lookback (inputs may
reach into the previous split), and :func:`aligned_targets` checks it.

    python -m benchmarks.ltsf_ensemble --datasets etth1 --horizons 96
    python -m benchmarks.ltsf_ensemble --datasets weather --horizons 720 --workers 2
    python -m benchmarks.ltsf_ensemble --datasets ettm1 --horizons 96,192 --out ltsf_ensemble_ettm1
    python -m benchmarks.ltsf_ensemble --datasets etth1 --horizons 96 --print-commands equal
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import int_list, previous_rows, write_results
from tsforge.models.ensemble import WEIGHTINGS, GramSums, greedy_weights

log = logging.getLogger("benchmarks.ltsf_ensemble")
NAME = "ltsf_ensemble"
#: every grid recipe but PatchTST (6–14 min per run on ETTh1) and the HUTFormer ablations
DEFAULT_MEMBERS = (
    "sparsetsf,timebase,timebase_revin,cyclenet,cyclenet_mlp,rlinear,itransformer,stpe_mlp,stpe_mlp_revin"
)


def aligned_targets(tasks: list[Any], split: str) -> int:
    """The number of windows every member scores on ``split``; raises when the members' windows
    are not the same targets (same count and the same target start rows)."""
    targets = [ds.starts.numpy() + ds.input_len for ds in (t.dataset(split) for t in tasks)]
    if any(len(t) != len(targets[0]) or not np.array_equal(t, targets[0]) for t in targets):
        raise ValueError(f"the members' {split} windows are not the same targets")
    return len(targets[0])


def member_forecasts(
    members: list[Any], split: str, batch_size: int = 128
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(preds [M, B, H, C], y, mask)`` per batch of ``split``: every member forecasts the same
    targets from its own input window (checked by :func:`aligned_targets`)."""
    import torch

    n = aligned_targets([m.task for m in members], split)
    for lo in range(0, n, batch_size):
        idx = torch.arange(lo, min(lo + batch_size, n))
        preds, batch = [], None
        with torch.no_grad():
            for m in members:
                batch = m.task.dataset(split).get_batch(idx)
                preds.append(m.forecaster.predict(batch).float().numpy())
        assert batch is not None  # aligned_targets refuses an empty member list (targets[0])
        yield np.stack(preds), batch["y"].numpy(), batch["y_mask"].numpy()


def split_sums(members: list[Any], split: str, batch_size: int = 128) -> GramSums:
    """Gram sums of the members' forecasts of every window of ``split``."""
    return GramSums.of(len(members), member_forecasts(members, split, batch_size))


def ensemble_mae(
    members: list[Any], weightings: dict[str, np.ndarray], split: str = "test", batch_size: int = 128
) -> dict[str, float]:
    """MAE of each weighted average (needs the forecasts themselves: one more pass)."""
    total, count = dict.fromkeys(weightings, 0.0), 0.0
    for preds, y, mask in member_forecasts(members, split, batch_size):
        preds = preds.astype(np.float64)
        for name, w in weightings.items():
            total[name] += float((np.abs(np.tensordot(w, preds, axes=1) - y) * mask).sum())
        count += float(mask.sum())
    return {name: t / count for name, t in total.items()}


@dataclass
class Member:
    """One grid model with the configuration its row chose."""

    label: str
    input_len: int
    lr: float | None
    period: int | None
    row_test_mse: float
    params: int = 0
    forecaster: Any = field(default=None, repr=False)
    task: Any = field(default=None, repr=False)
    val_mse: float = float("nan")
    test_mse: float = float("nan")


def grid_members(dataset: str, horizon: int, labels: list[str], path: Path) -> list[Member]:
    """The cell's rows of ``ltsf.json`` for ``labels``, with their chosen configuration."""
    from benchmarks.ltsf import SEASON, _load

    rows = {
        r["model"]: r
        for r in _load(path).get("rows", [])
        if r["dataset"] == dataset and r["horizon"] == horizon
    }
    missing = [label for label in labels if label not in rows]
    if missing:
        log.info("%s/H%d: no grid row for %s, left out", dataset, horizon, missing)
    out = []
    for label in labels:
        if label not in rows:
            continue
        r = rows[label]
        period = r.get("period")
        out.append(
            Member(
                label,
                int(r["input_len"]),
                float(r["lr"]) if r.get("lr_searched") else None,
                None if period in (None, SEASON) else int(period),
                float(r["test_mse"]),
                int(r.get("params", 0)),
            )
        )
    return out


def member_option(m: Member) -> dict[str, Any]:
    """The member as the ``ensemble`` model takes it (``--option members=[...]``)."""
    from benchmarks.ltsf import RECIPES

    recipe = RECIPES[m.label]
    config = dict(recipe.get("model_config", {}))
    if m.period is not None:
        config["period_len"] = m.period
    out: dict[str, Any] = {"model": recipe["model"], "input_len": m.input_len}
    if config:
        out["config"] = config
    if m.lr is not None:
        out["train"] = {"lr": m.lr}
    return out


def model_command(dataset: str, horizon: int, members: list[Member], weights: str, seed: int) -> str:
    """The ``tsforge train`` command that trains the cell's ensemble as one registered model."""
    option = json.dumps([member_option(m) for m in members], separators=(",", ":"))
    return (
        f"tsforge train {dataset} --model ensemble --input {max(m.input_len for m in members)} "
        f"--horizon {horizon} --seed {seed} --option weights={weights} --option 'members={option}'"
    )


def train_members(
    dataset: str, horizon: int, members: list[Member], seed: int, args: argparse.Namespace
) -> dict[str, float]:
    """Train the cell's members with ``seed`` as one ``ensemble`` model (one tracked run per seed,
    experiment ``benchmark-ltsf``): each member is the model trained alone with that seed, and
    with ``--workers N`` they train side by side on a process pool (one thread each, as here).

    Returns the timing that shows what ``--workers`` buys: the wall time of the whole training
    (data preparation and tracking included) and the sum of the members' own training times, which
    is what training them one after the other would take."""
    from benchmarks.ltsf import EXPERIMENT, catalogue_data
    from tsforge.engine import get_engine, using
    from tsforge.models.ensemble import EnsembleForecaster
    from tsforge.pipeline import train

    t0 = time.perf_counter()
    series, split = catalogue_data(dataset)
    options = [member_option(m) for m in members]
    if args.max_epochs is not None:
        for o in options:
            o["train"] = {**o.get("train", {}), "max_epochs": args.max_epochs}
    with using(get_engine("local", n_jobs=args.workers)):
        out = train(
            series,
            "ensemble",
            input_len=max(m.input_len for m in members),
            horizon=horizon,
            split=split,
            model_config={"members": options, "weights": "equal"},
            train_config={"progress": False, "num_threads": args.threads},
            seed=seed,
            track=args.track,
            register=False,
            log_model=False,
            experiment=EXPERIMENT,
            run_name=f"ensemble-{dataset}-H{horizon}-s{seed}",
            tags={"tsforge.benchmark": "ltsf", "ltsf.model": "ensemble"},
            progress=False,
        )
    wall = time.perf_counter() - t0
    ensemble = out.forecaster
    if not isinstance(ensemble, EnsembleForecaster):  # the "ensemble" model name builds one
        raise TypeError(f"training 'ensemble' gave a {type(ensemble).__name__}, not an EnsembleForecaster")
    summaries = out.fit_report.extra["members"]
    for i, (m, summary) in enumerate(zip(members, summaries, strict=True)):
        m.forecaster, m.task = ensemble.members[i], ensemble.member_task(out.task, i)
        m.val_mse = float(summary["val_mse"])
        log.info("%s/H%d s%d %s L=%d: val %.4f (%.0f s)", dataset, horizon, seed, m.label, m.input_len,
                 m.val_mse, summary["seconds"])  # fmt: skip
    return {
        "train_wall_seconds": wall,
        "members_seconds_sum": float(sum(s["seconds"] for s in summaries)),
    }


def _sums_record(sums: GramSums) -> dict[str, Any]:
    """JSON form of :class:`GramSums` (``GramSums(np.array(G), np.array(b), c, n)`` reads it back)."""
    return {"G": sums.G.tolist(), "b": sums.b.tolist(), "c": sums.c, "n": sums.n}


def run_cell(dataset: str, horizon: int, args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.ltsf import PUBLISHED, PUBLISHED_BY

    t0 = time.perf_counter()
    members = grid_members(dataset, horizon, args.models, args.grid)
    if len(members) < 2:
        raise SystemExit(f"{dataset}/H{horizon}: fewer than two grid rows among {args.models}")
    names = [m.label for m in members]
    weights: np.ndarray | None = None
    per_seed = []
    for seed in args.seeds:
        timing = train_members(dataset, horizon, members, seed, args)
        val, test = split_sums(members, "val"), split_sums(members, "test")
        for i, m in enumerate(members):
            m.test_mse = test.mse(np.eye(len(members))[i])
        if weights is None:  # chosen on the first seed's validation only
            weights, order = greedy_weights(val)
            best_val = int(np.argmin([m.val_mse for m in members]))
        weightings = {"equal": np.full(len(members), 1.0 / len(members)), "validation": weights}
        maes = ensemble_mae(members, weightings)
        per_seed.append(
            {
                "seed": seed,
                **{
                    k: {"val_mse": val.mse(w), "test_mse": test.mse(w), "test_mae": maes[k]}
                    for k, w in weightings.items()
                },
                "best_val_member": {
                    "val_mse": members[best_val].val_mse,
                    "test_mse": members[best_val].test_mse,
                },
                "members": {m.label: {"val_mse": m.val_mse, "test_mse": m.test_mse} for m in members},
                "timing": timing,
                # the Gram sums give the MSE of any other weighting of these members exactly
                # (GramSums.mse), so a new weighting rule can be scored without training again
                "sums": {"val": _sums_record(val), "test": _sums_record(test)},
            }
        )
        log.info("%s/H%d s%d: equal weights test %.4f | validation weights test %.4f | best-val member (%s) %.4f",
                 dataset, horizon, seed, per_seed[-1]["equal"]["test_mse"], per_seed[-1]["validation"]["test_mse"],
                 names[best_val], per_seed[-1]["best_val_member"]["test_mse"])  # fmt: skip
        for m in members:  # free the networks before the next seed
            m.forecaster = m.task = None
    if weights is None:  # no seed ran: nothing was trained to weigh
        raise SystemExit(f"{dataset}/H{horizon}: no seeds to train (--seeds is empty)")
    published = PUBLISHED[dataset][horizon]

    def summary(key: str) -> dict[str, Any]:
        mse = np.array([s[key]["test_mse"] for s in per_seed])
        return {
            "test_mse": float(mse.mean()),
            "test_mse_std": float(mse.std(ddof=0)),
            "test_mae": float(np.mean([s[key]["test_mae"] for s in per_seed])),
            "gap_to_published": float(mse.mean() / published - 1.0),
        }

    return {
        "dataset": dataset,
        "horizon": horizon,
        "members": [
            {
                "model": m.label,
                "input_len": m.input_len,
                "lr": m.lr,
                "period": m.period,
                "grid_test_mse": m.row_test_mse,
                "grid_params": m.params,
            }
            for m in members
        ],
        "equal": {"weights": {n: 1.0 / len(names) for n in names}, **summary("equal")},
        "validation": {
            "weights": {n: float(w) for n, w in zip(names, weights, strict=True) if w > 0},
            "greedy_order": [names[j] for j in order],
            **summary("validation"),
        },
        "best_val_member": names[best_val],
        "best_val_member_test_mse": float(np.mean([s["best_val_member"]["test_mse"] for s in per_seed])),
        "best_grid_row_test_mse": min(m.row_test_mse for m in members),
        "published_best_mse": published,
        "published_by": PUBLISHED_BY[dataset],
        "seeds": list(args.seeds),
        "per_seed": per_seed,
        "seconds": time.perf_counter() - t0,
        "workers": args.workers,  # members trained side by side (same numbers, less wall time)
        "model_commands": {
            w: model_command(dataset, horizon, members, w, args.seeds[0]) for w in ("equal", "validation")
        },
        "command": " ".join(
            [
                "python -m benchmarks.ltsf_ensemble",
                f"--datasets {dataset} --horizons {horizon}",
                f"--models {','.join(args.models)}",
                f"--seeds {','.join(map(str, args.seeds))}",
            ]
        ),
    }


#: weighting → the model label of its row in the grid (``ltsf.json``)
GRID_LABELS = {"equal": "ensemble", "validation": "ensemble_validation"}


def grid_rows(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The study's row as the grid's rows (one per weighting), so the README table and the grid's
    summary count the ensembles like any model."""
    lengths = [m["input_len"] for m in row["members"]]
    out = []
    for weighting, label in GRID_LABELS.items():
        r = row[weighting]
        vals = [seed[weighting].get("val_mse") for seed in row.get("per_seed", ())]
        out.append(
            {
                "dataset": row["dataset"],
                "horizon": row["horizon"],
                "model": label,
                "registered_model": "ensemble",
                "model_config": {"weights": weighting, "members": [m["model"] for m in row["members"]]},
                "members": row["members"],
                "weights": r["weights"],
                "input_len": max(lengths),
                # the validation pick's score (in-sample for the validation weights, which it skips);
                # None for study rows from before it recorded the equal weights' validation MSE
                "val_mse": float(np.mean(vals)) if vals and None not in vals else None,
                "test_mse": r["test_mse"],
                "test_mae": r["test_mae"],
                "test_mse_std": r["test_mse_std"],
                "seeds": row["seeds"],
                "params": int(sum(m.get("grid_params", 0) for m in row["members"])),
                "train_seconds": row["seconds"] / max(1, len(row["seeds"])),
                "published_best_mse": row["published_best_mse"],
                "published_by": row.get("published_by"),
                "gap_to_published": r["gap_to_published"],
                "quick": False,
                "device": "cpu",
                "command": row["command"],
                "model_command": row.get("model_commands", {}).get(weighting),
            }
        )
    return out


def _log_run(row: dict[str, Any]) -> None:
    import mlflow

    from benchmarks.ltsf import EXPERIMENT

    mlflow.set_experiment(EXPERIMENT)
    with mlflow.start_run(run_name=f"ensemble-{row['dataset']}-H{row['horizon']}"):
        mlflow.set_tags({"tsforge.benchmark": "ltsf", "ltsf.model": "ensemble"})
        mlflow.log_params({f"weight.{k}": round(v, 4) for k, v in row["validation"]["weights"].items()})
        mlflow.log_metrics(
            {
                **{
                    f"{w}_{k}": row[w][k]
                    for w in WEIGHTINGS
                    for k in ("test_mse", "test_mae", "gap_to_published")
                },
                "best_val_member_test_mse": row["best_val_member_test_mse"],
            }
        )
        mlflow.log_dict(row, "ensemble.json")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from benchmarks.ltsf import DATASETS, HORIZONS, RECIPES, SEEDS, _names
    from benchmarks.ltsf import RESULTS as GRID

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", type=_names, default=list(DATASETS))
    p.add_argument("--horizons", type=int_list, default=list(HORIZONS))
    p.add_argument("--models", type=_names, default=_names(DEFAULT_MEMBERS), help="the members (grid labels)")
    p.add_argument("--seeds", type=int_list, default=list(SEEDS))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="train the members side by side in this many processes (one thread each; same numbers)",
    )
    p.add_argument("--grid", type=Path, default=GRID, help="the grid's results (the members' configurations)")
    p.add_argument("--max-epochs", type=int, default=None, help="cap every member's epochs (smoke tests)")
    p.add_argument("--no-track", dest="track", action="store_false")
    p.add_argument(
        "--to-grid",
        type=lambda text: [v for v in text.split(",") if v],
        default=None,
        help="merge these result files' cells (names under benchmarks/results) into ltsf.json and exit",
    )
    p.add_argument(
        "--print-commands",
        choices=("equal", "validation"),
        default=None,
        help="print the `tsforge train --model ensemble` command of each cell (with these weights) and exit",
    )
    p.add_argument("--out", default=NAME, help="results name under benchmarks/results (default: %(default)s)")
    args = p.parse_args(argv)
    unknown = sorted(set(args.models) - set(RECIPES))
    if unknown:
        p.error(f"unknown model(s) {unknown}; choose from {sorted(RECIPES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    import torch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("mlflow", "alembic", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = parse_args(argv)
    from benchmarks.ltsf import RESULTS as GRID
    from benchmarks.ltsf import write_results as write_grid

    if args.to_grid:
        rows = [
            r
            for name in args.to_grid
            for r in previous_rows(name, lambda r: (r["dataset"], r["horizon"])).values()
        ]
        write_grid([g for r in rows for g in grid_rows(r)], GRID)
        log.info("merged %d ensemble cells into %s", len(rows), GRID)
        return 0
    if args.print_commands:
        for dataset in args.datasets:
            for horizon in args.horizons:
                members = grid_members(dataset, horizon, args.models, args.grid)
                print(model_command(dataset, horizon, members, args.print_commands, args.seeds[0]))
        return 0
    torch.set_num_threads(args.threads)
    for dataset in args.datasets:
        for horizon in args.horizons:
            row = run_cell(dataset, horizon, args)
            if args.track:
                _log_run(row)
            # read just before writing: another cell's process may have added its row meanwhile
            cells = previous_rows(args.out, lambda r: (r["dataset"], r["horizon"]))
            cells[(dataset, horizon)] = row
            write_grid(grid_rows(row), GRID)  # the grid's table and summary count the ensembles too
            write_results(
                args.out, {"rows": sorted(cells.values(), key=lambda r: (r["dataset"], r["horizon"]))}
            )
            for w in WEIGHTINGS:
                log.info("%s/H%d %s weights: %.4f ± %.4f (best grid row %.4f, published %.3f, %+.1f%%)",
                         dataset, horizon, w, row[w]["test_mse"], row[w]["test_mse_std"], row["best_grid_row_test_mse"],
                         row["published_best_mse"], 100 * row[w]["gap_to_published"])  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
