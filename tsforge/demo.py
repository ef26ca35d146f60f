"""``tsforge demo``: the main job end to end on data that needs no download.

Steps: load the embedded dataset → train every baseline and light model under the standard
protocol (each an MLflow run) → compare them on validation and test → register the best by
validation MSE as ``tsforge-demo`` with the ``champion`` alias → print the table and what to
open next. Takes about a minute on two CPU cores.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["run_demo", "DEMO_MODELS"]

DEMO_MODELS: tuple[str, ...] = ("naive", "seasonal_naive", "mean", "dlinear", "nlinear", "lightgbm")


def run_demo(
    dataset: str = "synthetic",
    registered_name: str = "tsforge-demo",
    models: tuple[str, ...] = DEMO_MODELS,
    console: Any = None,
    train_overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run the demo; returns the comparison rows and the registered model's name and version."""
    from rich.console import Console
    from rich.table import Table

    from tsforge.pipeline import resolve_data, train
    from tsforge.tracking import configure_tracking, promote_champion, register_model_version

    console = console or Console()
    uri = configure_tracking()
    series, entry = resolve_data(dataset)
    console.rule(f"[bold]tsforge demo[/] — dataset [bold]{series.name}[/]")
    console.print(
        f"{series.n_channels} channels × {series.n_steps} steps, frequency {series.freq}, "
        f"{100 * series.missing_share:.1f}% missing; tracking to {uri}"
    )
    rows, outcomes = [], {}
    t_all = time.perf_counter()
    for name in models:
        console.print(f"[cyan]training[/] {name} …")
        out = train(dataset, name, track=True, register=False, progress=False, train_config=train_overrides)
        outcomes[name] = out
        m = out.metrics
        rows.append(
            {
                "model": name,
                "val MSE": m["val_mse"],
                "test MSE": m["test_mse"],
                "test MAE": m["test_mae"],
                "test MASE": m["test_mase"],
                "seconds": m["train_seconds"],
            }
        )
    best = min(rows, key=lambda r: r["val MSE"])["model"]
    winner = outcomes[best]
    version = register_model_version(winner.model_uri, registered_name, run_id=winner.run_id)
    champion = promote_champion(registered_name, "val_mse")
    table = Table(title=f"Models on {series.name} (L={winner.task.input_len}, H={winner.task.horizon}; normalised scale)")
    for col in rows[0]:
        table.add_column(col, justify="left" if col == "model" else "right")
    for r in sorted(rows, key=lambda r: r["val MSE"]):
        style = "bold green" if r["model"] == best else None
        table.add_row(*[f"{v:.4f}" if isinstance(v, float) else v for v in r.values()], style=style)
    console.print(table)
    console.print(
        f"Best by validation MSE: [bold green]{best}[/] → registered as [bold]{registered_name}[/] version "
        f"{version} (champion = version {champion}). Total {time.perf_counter() - t_all:.0f} s."
    )
    console.print(
        "\n[bold]Next[/]\n"
        "  make ui      → MLflow UI at http://127.0.0.1:5000 (runs, per-epoch curves, forecast plots, registry)\n"
        f"  make serve   → REST API at http://127.0.0.1:8000/docs (default model {registered_name}@champion)\n"
        f"  .venv/bin/tsforge forecast --model models:/{registered_name}@champion --input history.csv --horizon 24"
    )
    return {"rows": rows, "best": best, "registered_name": registered_name, "version": version, "champion": champion}
