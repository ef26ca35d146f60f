"""Baselines under the standard LTSF protocol: naive, seasonal naive, DLinear, NLinear, LightGBM.

Datasets etth1, ettm1, weather, exchange_rate at H ∈ {96, 192, 336, 720} (L = the catalogue's
336, or 96 for exchange_rate); test MSE/MAE on the normalised scale; every run is an MLflow run
(experiment = dataset). Writes ``benchmarks/results/baselines.json``.

LightGBM predicts one row per (window, channel, step); scoring every test window at H=720 on
weather would mean ~150M predictions, so it is scored on test windows at a stride chosen to
keep at most ``--lgbm-max-windows`` windows (reported in the JSON). All other models are scored
on every test window.

    python -m benchmarks.baselines                       # the full grid
    python -m benchmarks.baselines --datasets etth1 --horizons 96
"""

from __future__ import annotations

import argparse
import time

from benchmarks.common import write_results

PUBLISHED_DLINEAR = {
    "etth1": {96: 0.375, 192: 0.405, 336: 0.439, 720: 0.472},
    "ettm1": {96: 0.299, 192: 0.335, 336: 0.369, 720: 0.425},
    "weather": {96: 0.176, 192: 0.220, 336: 0.265, 720: 0.323},
}


def _previous_rows() -> list[dict]:
    import json

    from benchmarks.common import results_dir

    path = results_dir() / "baselines.json"
    if not path.exists():
        return []
    try:
        return list(json.loads(path.read_text()).get("rows", []))
    except (ValueError, OSError):
        return []


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="+", default=["etth1", "ettm1", "weather", "exchange_rate"])
    ap.add_argument("--horizons", nargs="+", type=int, default=[96, 192, 336, 720])
    ap.add_argument(
        "--models", nargs="+", default=["naive", "seasonal_naive", "dlinear", "nlinear", "lightgbm"]
    )
    ap.add_argument("--lgbm-max-windows", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--no-track", action="store_true")
    args = ap.parse_args(argv)

    from tsforge.data.catalog import load_dataset
    from tsforge.pipeline import train

    rows = _previous_rows()  # keep cells from earlier runs; a cell run again is replaced
    for ds in args.datasets:
        data = load_dataset(ds)
        for h in args.horizons:
            for model in args.models:
                stride = 1
                if model == "lightgbm":
                    from tsforge.data.catalog import get_entry
                    from tsforge.data.protocol import default_lengths
                    from tsforge.data.task import prepare_task

                    entry = get_entry(ds)
                    L, _ = default_lengths(data, entry, None, h)
                    n_test = len(prepare_task(data, L, h, entry.split).dataset("test"))
                    stride = max(1, -(-n_test // args.lgbm_max_windows))
                t0 = time.perf_counter()
                out = train(
                    ds,  # the catalogue name: its protocol (split, L) applies
                    model,
                    horizon=h,
                    seed=args.seed,
                    track=not args.no_track,
                    register=False,
                    progress=False,
                    eval_stride=stride,
                    run_name=f"bench-{model}-H{h}",
                    tags={"benchmark": "baselines"},
                )
                m = out.metrics
                row = {
                    "dataset": ds,
                    "horizon": h,
                    "input_len": out.task.input_len,
                    "model": model,
                    "test_mse": m["test_mse"],
                    "test_mae": m["test_mae"],
                    "val_mse": m["val_mse"],
                    "test_windows": out.test.n_windows,
                    "eval_stride": stride,
                    "train_seconds": m["train_seconds"],
                    "wall_seconds": time.perf_counter() - t0,
                    "epochs": m.get("epochs_run", m.get("boosting_rounds")),  # LightGBM: its rounds
                    "published_dlinear_mse": PUBLISHED_DLINEAR.get(ds, {}).get(h)
                    if model == "dlinear"
                    else None,
                    "run_id": out.run_id,
                }
                rows = [r for r in rows if (r["dataset"], r["horizon"], r["model"]) != (ds, h, model)] + [row]
                print(
                    f"{ds:14s} H={h:4d} {model:15s} test MSE {row['test_mse']:.4f}  MAE {row['test_mae']:.4f}  "
                    f"({row['wall_seconds']:.0f} s)",
                    flush=True,
                )
                write_results("baselines", {"rows": rows, "args": vars(args)})
    return {"rows": rows}


if __name__ == "__main__":
    main()
