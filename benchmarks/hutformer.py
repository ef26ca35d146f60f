"""HUTFormer benchmark: long horizons vs DLinear/NLinear/STPE-MLP, ablations, and the cost curve.

Three parts, each selectable by flags so the full grid can be run later on a bigger machine:

* **accuracy** — ``--datasets`` × ``--horizons`` under the catalogue's standard protocol
  (``tsforge.pipeline.train``; input length from ``--input-len`` or the catalogue), HUTFormer
  against ``--models`` (default DLinear and NLinear; add ``stpe_mlp``), with the published
  PatchTST/42 MSE as a reference column;
* **ablations** (``--ablations``) on ``--ablation-dataset``/``--ablation-horizon``: single stage
  (``stages=1``), no cross-scale attention (``cross_scale=False``), one-stage end-to-end
  training (``two_stage=False``, same total epoch budget);
* **cost** — seconds per training batch (and the implied seconds per full epoch) and peak
  resident memory of a training step for ``L ∈ --cost-lengths`` at fixed ``H``, each length
  in a fresh subprocess so the peaks do not mix; a PNG of the curve is logged to MLflow.

``--quick`` caps the training budget (epochs, batches per epoch, validation/evaluation stride)
so a run fits a shared CPU; the JSON records the exact budget used for every row. Rows are
merged into ``benchmarks/results/hutformer.json`` keyed by (part, dataset, H, model, variant), so
partial runs accumulate.

``--full-protocol`` runs HUTFormer and the three ablations through the long-horizon grid's full
protocol instead (:mod:`benchmarks.ltsf`: lookback chosen on validation from 96/336/720, every test
window, the chosen lookback with 3 seeds, one MLflow run each; rows go to
``benchmarks/results/ltsf.json`` next to the other LTSF models), by default on ETTm1 and Weather
at H = 336 and 720 — the question of issue #17 is whether the hierarchy pays at long horizons.

Examples::

    python benchmarks/hutformer.py --full-protocol --datasets ettm1,weather --horizons 336,720
    python benchmarks/hutformer.py --full-protocol --device cuda --jobs 16   # the 16 rows at once on a GPU
    python benchmarks/hutformer.py --cost-only
    python benchmarks/hutformer.py --quick --datasets ettm1 --horizons 336,720 --ablations
    python benchmarks/hutformer.py --datasets ettm1,weather,etth1 --horizons 96,192,336,720 --ablations
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import int_list, results_dir  # noqa: E402  (after the path set-up, as scale.py)

RESULTS = results_dir() / "hutformer.json"  # $TSFORGE_BENCH_RESULTS_DIR when set
EXPERIMENT = "bench-hutformer"

log = logging.getLogger("bench.hutformer")

#: PatchTST/42 (Nie et al. 2023, Table 3, input 336) test MSE, for reference only.
PATCHTST42_MSE: dict[str, dict[int, float]] = {
    "ettm1": {96: 0.290, 192: 0.332, 336: 0.366, 720: 0.416},
    "weather": {96: 0.149, 192: 0.194, 336: 0.245, 720: 0.314},
    "etth1": {96: 0.375, 192: 0.414, 336: 0.431, 720: 0.449},
}

ABLATIONS: dict[str, dict[str, Any]] = {
    "single_stage": {"stages": 1},
    "no_cross_scale": {"cross_scale": False},
    "one_stage_training": {"two_stage": False},
}


# --------------------------------------------------------------------------- budgets


def budget(args: argparse.Namespace) -> dict[str, Any]:
    """Training budget shared by every model of a run (recorded with each row)."""
    b: dict[str, int | None]  # None: no cap (max_batches_per_epoch)
    if args.quick:
        b = {
            "stage1_epochs": 4,
            "stage2_epochs": 2,
            "max_batches_per_epoch": 60,
            "train_stride": 4,
            "val_stride": 8,
            "eval_stride": 4,
            "batch_size": 32,
        }
    else:
        b = {
            "stage1_epochs": 10,
            "stage2_epochs": 5,
            "max_batches_per_epoch": None,
            "train_stride": 1,
            "val_stride": 1,
            "eval_stride": 1,
            "batch_size": 32,
        }
    for key in ("stage1_epochs", "stage2_epochs", "max_batches_per_epoch", "train_stride", "eval_stride"):
        v = getattr(args, key, None)
        if v is not None:
            b[key] = v
    return b


def _train_kwargs(model: str, variant_cfg: dict[str, Any], b: dict[str, Any]) -> tuple[dict, dict]:
    """(model_config, train_config) for one run under budget ``b``."""
    train_cfg = {
        "max_batches_per_epoch": b["max_batches_per_epoch"],
        "train_stride": b["train_stride"],
        "val_stride": b["val_stride"],
        "batch_size": b["batch_size"],
        "patience": 3,
        "progress": False,
        "num_threads": 1,
    }
    model_cfg: dict[str, Any] = {}
    if model == "hutformer":
        model_cfg = {"stage1_epochs": b["stage1_epochs"], "stage2_epochs": b["stage2_epochs"], **variant_cfg}
        if model_cfg.get("two_stage", True) is False:  # same total budget in one stage
            model_cfg["stage1_epochs"] = b["stage1_epochs"] + b["stage2_epochs"]
        train_cfg["max_epochs"] = model_cfg["stage1_epochs"]
    else:  # the baselines get the whole epoch budget (their own lr defaults)
        train_cfg["max_epochs"] = b["stage1_epochs"] + b["stage2_epochs"]
    return model_cfg, train_cfg


# --------------------------------------------------------------------------- accuracy


def run_one(
    dataset: str,
    horizon: int,
    model: str,
    variant: str,
    variant_cfg: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    from tsforge.pipeline import train

    b = budget(args)
    model_cfg, train_cfg = _train_kwargs(model, variant_cfg, b)
    t0 = time.perf_counter()
    out = train(
        dataset,
        model,
        input_len=args.input_len,
        horizon=horizon,
        model_config=model_cfg or None,
        train_config=train_cfg,
        seed=args.seed,
        track=args.track,
        register=False,
        experiment=EXPERIMENT,
        run_name=f"{model}-{variant}-{dataset}-H{horizon}",
        tags={"bench": "hutformer", "variant": variant},
        progress=False,
        eval_stride=b["eval_stride"],
    )
    m = out.metrics
    row = {
        "part": "ablation" if variant in ABLATIONS else "accuracy",
        "dataset": dataset,
        "horizon": horizon,
        "input_len": out.task.input_len,
        "model": model,
        "variant": variant,
        "model_config": model_cfg,
        "test_mse": m["test_mse"],
        "test_mae": m["test_mae"],
        "val_mse": m["val_mse"],
        "epochs_run": int(m["epochs_run"]),
        "train_seconds": round(m["train_seconds"], 1),
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "n_parameters": int(m["n_parameters"]),
        "budget": b,
        "patchtst42_mse": PATCHTST42_MSE.get(dataset, {}).get(horizon),
        "run_id": out.run_id,
    }
    if model == "hutformer" and variant_cfg.get("two_stage", True):
        hist = out.fit_report.history
        s1 = [r["val_loss"] for r in hist if r["stage"] == 0.0]
        s2 = [r["val_loss"] for r in hist if r["stage"] == 1.0]
        row["val_mse_stage1_best"] = min(s1) if s1 else None
        row["val_mse_stage2_best"] = min(s2) if s2 else None
    log.info(
        "%s", {k: row[k] for k in ("dataset", "horizon", "model", "variant", "test_mse", "train_seconds")}
    )
    return row


# --------------------------------------------------------------------------- cost curve


def _cost_child(
    dataset: str, L: int, H: int, model_cfg: dict[str, Any], n_batches: int, batch_size: int, queue: Any
) -> None:
    """Child process: seconds per training batch and peak RSS above the pre-training baseline."""
    import torch

    torch.set_num_threads(1)
    from tsforge.data.catalog import load_dataset
    from tsforge.data.task import prepare_task
    from tsforge.models import ModelContext, build_model
    from tsforge.models.base import NeuralForecaster
    from tsforge.training.losses import masked_loss

    task = prepare_task(load_dataset(dataset), L, H, "ett" if dataset.startswith("ett") else "7:1:2")
    model = build_model("hutformer", ModelContext.from_task(task), model_cfg)
    if not isinstance(model, NeuralForecaster):  # HUTFormer is one; its network is what is timed
        raise TypeError(f"'hutformer' built a {type(model).__name__}, which has no network to time")
    net = model.module.train()
    ds = task.dataset("train")
    g = torch.Generator().manual_seed(0)
    batches = [ds.get_batch(torch.randint(len(ds), (batch_size,), generator=g)) for _ in range(n_batches + 2)]
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step(batch: dict) -> None:
        loss = masked_loss(net(batch), batch["y"], batch["y_mask"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for batch in batches[:2]:  # warm-up (allocator, optimizer state)
        step(batch)
    base_kb = _rss_kb()
    reset = _reset_peak()
    t0 = time.perf_counter()
    for batch in batches[2:]:
        step(batch)
    sec = (time.perf_counter() - t0) / n_batches
    peak_kb = _peak_kb() if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put(
        {
            "input_len": L,
            "horizon": H,
            "seconds_per_batch": sec,
            "train_windows": len(ds),
            "seconds_per_epoch_est": sec * ((len(ds) + batch_size - 1) // batch_size),
            "peak_rss_mb": peak_kb / 1024,
            "peak_above_baseline_mb": (peak_kb - base_kb) / 1024,
            "peak_reset": reset,
            "n_parameters": model.n_parameters,
            "tokens_stage1": L // model.config.segment_len,
        }
    )


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _rss_kb() -> int:
    return _status_kb("VmRSS")


def _peak_kb() -> int:
    return _status_kb("VmHWM")


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS counter (``clear_refs`` = 5); False where not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run_cost(args: argparse.Namespace) -> list[dict[str, Any]]:
    ctx = mp.get_context("spawn")
    rows = []
    variants: dict[str, dict[str, Any]] = {"hutformer": {}}
    if args.cost_full_attention:
        variants["one_stage_full_attention"] = {"stages": 1, "window": None}
    for name, cfg in variants.items():
        for L in args.cost_lengths:
            model_cfg = dict(cfg)
            if model_cfg.get("window", 0) is None:  # one window over all stage-1 tokens = full attention
                model_cfg["window"] = L // 12
            q = ctx.Queue()
            p = ctx.Process(
                target=_cost_child,
                args=(args.cost_dataset, L, args.cost_horizon, model_cfg, args.cost_batches, 32, q),
            )
            p.start()
            row = q.get(timeout=900)
            p.join()
            row.update(
                {
                    "part": "cost",
                    "dataset": args.cost_dataset,
                    "model": "hutformer",
                    "variant": name,
                    "model_config": model_cfg,
                    "batch_size": 32,
                    "n_batches": args.cost_batches,
                }
            )
            log.info(
                "cost %s L=%d: %.3f s/batch, peak +%.0f MB",
                name,
                L,
                row["seconds_per_batch"],
                row["peak_above_baseline_mb"],
            )
            rows.append(row)
    if args.track:
        _log_cost_plot(rows, args)
    return rows


def _log_cost_plot(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mlflow

    from tsforge.tracking.store import configure_tracking, get_experiment_id

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for variant in sorted({r["variant"] for r in rows}):
        rs = sorted((r for r in rows if r["variant"] == variant), key=lambda r: r["input_len"])
        xs = [r["input_len"] for r in rs]
        axes[0].plot(xs, [r["seconds_per_batch"] * 1000 for r in rs], "o-", label=variant)
        axes[1].plot(xs, [r["peak_above_baseline_mb"] for r in rs], "o-", label=variant)
    for ax, title in zip(axes, ("ms per training batch (B=32)", "peak RSS above baseline (MB)"), strict=True):
        ax.set_xlabel("input length L")
        ax.set_title(title)
        ax.set_xticks(args.cost_lengths)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"HUTFormer cost, {args.cost_dataset}, H={args.cost_horizon} (shared CPU, 1 thread)")
    fig.tight_layout()
    path = RESULTS.with_name("hutformer_cost.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    configure_tracking()
    with mlflow.start_run(
        experiment_id=get_experiment_id(EXPERIMENT),
        run_name="hutformer-cost-curve",
        tags={"bench": "hutformer"},
    ):
        for r in rows:
            if r["variant"] == "hutformer":
                mlflow.log_metric("seconds_per_batch", r["seconds_per_batch"], step=r["input_len"])
                mlflow.log_metric("peak_above_baseline_mb", r["peak_above_baseline_mb"], step=r["input_len"])
        mlflow.log_artifact(str(path))
    log.info("cost curve → %s (and MLflow experiment %s)", path, EXPERIMENT)


# --------------------------------------------------------------------------- results file


def _key(row: dict[str, Any]) -> tuple:
    return (
        row["part"],
        row["dataset"],
        row.get("horizon"),
        row.get("input_len") if row["part"] == "cost" else None,
        row["model"],
        row["variant"],
    )


def merge_results(rows: list[dict[str, Any]], path: Path = RESULTS) -> dict[str, Any]:
    doc: dict[str, Any] = {"rows": []}
    if path.exists():
        doc = json.loads(path.read_text())
    by_key = {_key(r): r for r in doc.get("rows", [])}
    for r in rows:
        by_key[_key(r)] = r
    doc["rows"] = sorted(by_key.values(), key=lambda r: tuple(str(x) for x in _key(r)))
    doc["machine"] = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs shared with other jobs; "
        "torch 1 thread — timings are indicative only"
    )
    doc["reference"] = {"patchtst42_mse": PATCHTST42_MSE}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, default=str))
    return doc


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", default="ettm1,weather,etth1")
    p.add_argument("--horizons", type=int_list, default=[96, 192, 336, 720])
    p.add_argument("--models", default="dlinear,nlinear", help="compared models (add stpe_mlp)")
    p.add_argument("--input-len", type=int, default=None, help="default: the catalogue's (336)")
    p.add_argument("--ablations", action="store_true", help="run the three ablations too")
    p.add_argument("--ablations-only", action="store_true")
    p.add_argument("--ablation-dataset", default="ettm1")
    p.add_argument("--ablation-horizon", type=int, default=336)
    p.add_argument("--quick", action="store_true", help="capped budget for a shared CPU")
    p.add_argument("--stage1-epochs", type=int, default=None)
    p.add_argument("--stage2-epochs", type=int, default=None)
    p.add_argument("--max-batches-per-epoch", type=int, default=None)
    p.add_argument("--train-stride", type=int, default=None)
    p.add_argument("--eval-stride", type=int, default=None)
    p.add_argument("--cost-only", action="store_true")
    p.add_argument("--no-cost", action="store_true")
    p.add_argument(
        "--cost-plot-only", action="store_true", help="re-plot/log the cost rows already in the JSON"
    )
    p.add_argument("--cost-dataset", default="ettm1")
    p.add_argument("--cost-horizon", type=int, default=96)
    p.add_argument("--cost-lengths", type=int_list, default=[336, 672, 1344])
    p.add_argument("--cost-batches", type=int, default=8)
    p.add_argument("--cost-full-attention", action="store_true", help="also time one full-attention window")
    p.add_argument(
        "--hut-config",
        type=json.loads,
        default={},
        help='extra HUTFormer options as JSON, e.g. \'{"head_input": "all"}\' (rows get --variant)',
    )
    p.add_argument("--variant", default="default", help="name of the HUTFormer variant in the results")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--no-track", dest="track", action="store_false")
    p.add_argument(
        "--device", default="cpu", help="--full-protocol: where to train (cpu, cuda, cuda:N, auto)"
    )
    p.add_argument("--jobs", type=int, default=1, help="--full-protocol: rows side by side in processes")
    p.add_argument(
        "--batch-size", type=int, default=None, help="--full-protocol: batch size (default: HUTFormer's 32)"
    )
    p.add_argument(
        "--full-protocol",
        action="store_true",
        help="HUTFormer + ablations through benchmarks.ltsf (lookback search, all test windows, 3 seeds); "
        "default datasets ettm1,weather and horizons 336,720",
    )
    return p.parse_args(argv)


def run_full_protocol(args: argparse.Namespace, argv: list[str] | None) -> int:
    """HUTFormer and its ablations as rows of the LTSF grid (one protocol for every model)."""
    from benchmarks import ltsf

    given = sys.argv[1:] if argv is None else argv
    datasets = args.datasets if "--datasets" in given else "ettm1,weather"
    horizons = args.horizons if "--horizons" in given else [336, 720]
    ltsf_argv = [
        "--datasets",
        datasets,
        "--horizons",
        ",".join(map(str, horizons)),
        "--models",
        ",".join(ltsf.HUTFORMER_VARIANTS),
    ]
    if args.quick:
        ltsf_argv.append("--quick")
    if not args.track:
        ltsf_argv.append("--no-track")
    ltsf_argv += ["--device", args.device, "--jobs", str(args.jobs)]
    if args.batch_size is not None:
        ltsf_argv += ["--batch-size", str(args.batch_size)]
    return ltsf.main(ltsf_argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    import torch

    torch.set_num_threads(1)
    args = parse_args(argv)
    if args.full_protocol:
        return run_full_protocol(args, argv)
    rows: list[dict[str, Any]] = []
    if args.cost_plot_only:
        doc = json.loads(RESULTS.read_text())
        _log_cost_plot([r for r in doc["rows"] if r["part"] == "cost"], args)
        return 0
    if not args.no_cost:
        rows += run_cost(args)
        merge_results(rows)
    if args.cost_only:
        return 0
    if not args.ablations_only:
        for ds in [d for d in args.datasets.split(",") if d]:
            for H in args.horizons:
                for model in ["hutformer", *[m for m in args.models.split(",") if m]]:
                    hut = model == "hutformer"
                    rows.append(
                        run_one(
                            ds,
                            H,
                            model,
                            args.variant if hut else "default",
                            args.hut_config if hut else {},
                            args,
                        )
                    )
                    merge_results(rows)
    if args.ablations or args.ablations_only:
        for variant, cfg in ABLATIONS.items():
            rows.append(
                run_one(args.ablation_dataset, args.ablation_horizon, "hutformer", variant, cfg, args)
            )
            merge_results(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
