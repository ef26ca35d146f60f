"""Closing-note experiment of issue #9: Optuna tuning of DLinear on ETTh1 (H=96) vs its defaults.

Runs (1) the model with its default configuration and (2) ``tsforge.tuning.tune`` with the
model's registry search space (TPE + median pruning on per-epoch validation MSE), then retrains
the best parameters; writes ``benchmarks/results/tune_etth1.json`` with best validation MSE and
test MSE of both, trial counts and wall time. Normalised-scale metrics under the standard ETT
protocol (12/4/4 months, L=336, every window scored).

The MLflow store and the study journal go to a temporary folder unless ``--tracking-uri`` /
``--storage`` are given, so a benchmark run does not mix into the project's ``mlruns/``.

    python -m benchmarks.tune_etth1 --trials 30 --timeout 2400
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time

import torch

from benchmarks.common import write_results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="etth1")
    parser.add_argument("--model", default="dlinear")
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=None, help="stop starting trials after S seconds")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--tracking-uri", default=None)
    parser.add_argument("--storage", default=None)
    parser.add_argument(
        "--name", default="tune_etth1", help="result file name (benchmarks/results/<name>.json)"
    )
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    logging.basicConfig(level=logging.WARNING)
    tmp = tempfile.mkdtemp(prefix="tsforge-tune-bench-")
    os.environ["MLFLOW_TRACKING_URI"] = args.tracking_uri or f"sqlite:///{tmp}/mlflow.db"
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import optuna

    from tsforge.pipeline import train
    from tsforge.tuning import tune

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    t0 = time.perf_counter()
    default = train(
        args.dataset, args.model, horizon=args.horizon, seed=args.seed, track=False, progress=False
    )
    default_seconds = time.perf_counter() - t0
    print(
        f"defaults: val MSE {default.metrics['val_mse']:.4f}  test MSE {default.metrics['test_mse']:.4f}  "
        f"({default_seconds:.0f} s)",
        flush=True,
    )

    def report(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        best = study.best_value if any(t.value is not None for t in study.trials) else float("nan")
        print(f"trial {trial.number}: {trial.state.name} value={trial.value}  best={best:.4f}", flush=True)

    t1 = time.perf_counter()
    result = tune(
        args.dataset,
        args.model,
        horizon=args.horizon,
        n_trials=args.trials,
        timeout=args.timeout,
        study_name=f"bench-{args.model}-{args.dataset}-h{args.horizon}-{int(time.time())}",
        storage=args.storage or f"{tmp}/optuna.journal",
        seed=args.seed,
        register=False,
        callbacks=[report],
    )
    tune_seconds = time.perf_counter() - t1
    fm = result.final_metrics
    payload = {
        "dataset": args.dataset,
        "model": args.model,
        "horizon": args.horizon,
        "input_len": default.task.input_len,
        "trials_requested": args.trials,
        "timeout_s": args.timeout,
        "counts": result.counts,
        "search_space": "registry search_space of the model (lr, batch_size, weight_decay, kernel_size)",
        "sampler": "TPE (seeded), MedianPruner(n_startup_trials=3, n_warmup_steps=1) on per-epoch val MSE",
        "default": {
            "val_mse": default.metrics["val_mse"],
            "test_mse": default.metrics["test_mse"],
            "test_mae": default.metrics["test_mae"],
            "wall_seconds": default_seconds,
        },
        "tuned": {
            "best_trial": result.best_trial,
            "best_val_mse": result.best_value,
            "best_params": result.best_params,
            "retrained_val_mse": fm.get("val_mse"),
            "test_mse": fm.get("test_mse"),
            "test_mae": fm.get("test_mae"),
            "tuning_wall_seconds": tune_seconds,
        },
        "note": "timings taken on a shared, loaded 2-core machine (several agents), torch 1 thread",
    }
    path = write_results(args.name, payload)
    print(
        f"tuned ({result.counts}): best val MSE {result.best_value:.4f}, test MSE {fm.get('test_mse', float('nan')):.4f}; "
        f"tuning wall {tune_seconds:.0f} s → {path}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
