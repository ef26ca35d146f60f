"""``tsforge recommend`` (which model, and why) and ``tsforge recommender build``.

The commands parse options, draw progress bars and render tables; the work is
:func:`recommender.api.recommend` and :func:`recommender.api.build_default_recommender`.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from tsforge.cli.app import app, console

__all__ = ["recommend_cmd", "build_cmd", "recommender_app"]

recommender_app = typer.Typer(help="Build and manage the model recommender.", no_args_is_help=True)
app.add_typer(recommender_app, name="recommender")


@contextmanager
def _progress_bar(enabled: bool = True):
    """A rich progress bar fed by ``progress(description, done, total)`` callbacks."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task_id = bar.add_task("recommender", total=1)

        def update(description: str, done: int, total: int) -> None:
            bar.update(task_id, description=description, completed=done, total=total)

        yield update


@app.command("recommend")
def recommend_cmd(
    data: Annotated[str, typer.Argument(help="CSV/Parquet file or catalogue dataset name")],
    horizon: Annotated[
        int | None, typer.Option("--horizon", "-H", help="forecast horizon (default: catalogue/season)")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="how many models to show")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="print the full result as JSON")] = False,
    train: Annotated[
        bool, typer.Option("--train", help="train the top choice (tracked and registered in MLflow)")
    ] = False,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    split: Annotated[
        str | None,
        typer.Option(
            help="holdout (panels; the default for your own files) or 7:1:2/6:2:2/ett to rank from the "
            "properties of long multichannel data (default: the catalogue's)."
        ),
    ] = None,
) -> None:
    """Rank the candidate models for a dataset and explain the top choice.

    Long multichannel datasets are ranked from their properties by the recommender; panels (and
    your own files, which follow the holdout protocol) by every candidate's validation MASE.
    """
    from recommender.api import recommend
    from tsforge.data.protocol import HOLDOUT, protocol_for

    if protocol_for(data, split) == HOLDOUT:
        _recommend_panel(data, horizon, top, as_json, train, seed)
        return

    with _progress_bar(not as_json) as progress:
        rec = recommend(data, horizon=horizon, top=top, seed=seed, progress=progress)
    if as_json:
        print(json.dumps(rec.to_dict(), indent=2, default=str))
    else:
        render_recommendation(rec, data)
    if train:
        from tsforge.pipeline import train as train_model

        best = rec.best
        console.print(f"\ntraining [bold]{best.name}[/] (input {rec.input_len}, horizon {rec.horizon}) ...")
        outcome = train_model(data, horizon=rec.horizon, input_len=rec.input_len, **best.train_kwargs)
        m = outcome.metrics
        console.print(
            f"{best.name}: test MSE {m.get('test_mse', float('nan')):.4f}, MAE {m.get('test_mae', float('nan')):.4f}"
            + (f"; MLflow run {outcome.run_id}" if outcome.run_id else "")
            + (f", registered version {outcome.version}" if outcome.version else "")
        )


def _recommend_panel(data: str, horizon: int | None, top: int, as_json: bool, train: bool, seed: int) -> None:
    from rich.table import Table

    from recommender.panel import recommend_panel
    from tsforge.data.load import load_panel
    from tsforge.data.protocol import default_panel_horizon

    loaded = load_panel(data)
    panel = loaded.panel
    h = int(horizon or default_panel_horizon(loaded.entry, panel.season_length, panel.horizon))
    with _progress_bar(not as_json) as progress:
        rec = recommend_panel(panel, h, seed=seed, progress=progress)
    if as_json:
        print(json.dumps(rec.to_dict(), indent=2, default=str))
    else:
        t = Table(title=f"Models for the panel {rec.dataset} ({rec.n_series} series, horizon {rec.horizon})")
        for col in ("#", "model", "validation MASE", "validation sMAPE"):
            t.add_column(col, justify="left" if col == "model" else "right")
        for i, row in enumerate(rec.ranking[:top], start=1):
            t.add_row(str(i), row["model"], f"{row['val_mase']:.3f}", f"{row['val_smape']:.2f}")
        console.print(t)
        console.print(f"[bold]why {rec.best}:[/] {rec.explanation}")
    if train:
        from tsforge.pipeline import train_panel

        out = train_panel(panel, rec.best, horizon=h, seed=seed)
        console.print(
            f"{rec.best}: test MASE {out.metrics['test_mase']:.3f}"
            + (f"; MLflow run {out.run_id}" if out.run_id else "")
            + (f", registered {out.registered_name} version {out.version}" if out.version else "")
        )


def render_recommendation(rec: Any, data: str) -> None:
    from rich.table import Table

    t = Table(title=f"Recommended models for {rec.dataset} (input {rec.input_len}, horizon {rec.horizon})")
    t.add_column("#", justify="right")
    t.add_column("model")
    t.add_column("expected error vs best", justify="right")
    t.add_column("pick")
    for m in rec.top:
        t.add_row(
            str(m.rank),
            m.name,
            f"{m.expected_relative_error:.2f}×",
            "✓" if m.recommended else "",
            style="bold" if m.recommended else None,
        )
    console.print(t)
    if rec.rule:
        console.print(f"[bold]rule:[/] {rec.rule}")
    console.print(f"[bold]why {rec.best.name}:[/] {rec.explanation}")
    for r in rec.reasons:
        console.print(f"  • {r.description} {r.effect} it ({r.contribution:+.3f} log-error)")
    if rec.avoid:
        console.print("[bold]avoid:[/]")
        for a in rec.avoid:
            console.print(f"  • {a.name}: {a.reason}")
    console.print(
        f"[dim]{rec.properties['n_windows_profiled']} windows profiled; "
        f"{rec.timings['total_seconds']:.1f} s; next: tsforge recommend {data} --train, or tsforge train --dataset {data} --model {rec.best.model}"
        + (f" --strategy {rec.best.strategy}" if rec.best.strategy else "")
        + "[/]"
    )


@recommender_app.command("build")
def build_cmd(
    corpus_size: Annotated[
        int, typer.Option("--corpus-size", help="synthetic series in the knowledge base")
    ] = 300,
    length: Annotated[int, typer.Option("--length", help="steps per synthetic series")] = 1024,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    real: Annotated[
        bool, typer.Option("--real/--no-real", help="also benchmark real catalogue datasets (slow)")
    ] = False,
    track: Annotated[
        bool, typer.Option("--track/--no-track", help="log to MLflow and register tsforge-recommender")
    ] = True,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="retrain the pool on the corpus instead of using the cache")
    ] = False,
) -> None:
    """Build the knowledge base (cached) and train the default recommender."""
    from recommender.api import build_default_recommender

    with _progress_bar() as progress:
        rec = build_default_recommender(
            corpus_size,
            length,
            seed=seed,
            compute_real=real,
            track=track,
            use_cache=not rebuild,
            progress=progress,
        )
    console.print(
        f"recommender saved to {rec.path}: {len(rec.candidates)} candidates ({', '.join(rec.candidates)}), "
        f"{rec.meta.get('n_examples')} training examples from {len(rec.meta.get('groups', []))} groups"
    )
    ml = rec.meta.get("mlflow")
    if ml:
        console.print(
            f"MLflow run {ml['run_id']}, registered tsforge-recommender version {ml.get('version')}"
        )
