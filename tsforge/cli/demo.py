"""``tsforge demo``: the main job end to end on data that needs no download.

profile → recommend → train the recommended model and the seasonal-naive baseline → compare
→ register the better one, first on long multichannel data, then on a generated ragged panel
(holdout protocol) → print the tables and what to open next. Every training is an MLflow
run (the recommended model's run also carries the data's property profile). On first use the
quick recommender is built (fast candidates on a small synthetic corpus, about a minute, with a
progress bar; :data:`recommender.api.SLOW_CANDIDATES`); later runs reuse it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from tsforge.cli.tables import metrics_table

__all__ = ["run_demo", "run_panel_demo"]

BASELINE = "seasonal_naive"


def run_demo(
    dataset: str = "synthetic",
    registered_name: str = "tsforge-demo",
    console: Any = None,
    seed: int = 2024,
) -> dict[str, Any]:
    """Run the demo; returns the comparison rows, the recommendation and the registered version
    of the multichannel part, the panel part's result (``panel``) and the seconds of each.

    The one total is printed at the very end: it was printed after the multichannel part as
    "Total 207 s", with the panel part (about 100 s more) still to come.
    """
    from rich.console import Console

    console = console or Console()
    t_all = time.perf_counter()
    part = _multichannel_demo(console, dataset, registered_name, seed)
    panel_result = run_panel_demo(console, seed=seed, registered_name=f"{registered_name}-panel")
    seconds = time.perf_counter() - t_all
    console.print(
        f"\nDemo done in {seconds:.0f} s (multichannel part {part['seconds']:.0f} s, "
        f"panel part {panel_result['seconds']:.0f} s)."
    )
    console.print(
        "\n[bold]Next[/]\n" + "\n".join(next_steps(registered_name, part["horizon"])),
        soft_wrap=True,  # a command wrapped by rich breaks when pasted; the terminal wraps it instead
    )
    return {**part, "panel": panel_result, "multichannel_seconds": part["seconds"], "seconds": seconds}


def _multichannel_demo(console: Any, dataset: str, registered_name: str, seed: int) -> dict[str, Any]:
    """The multichannel part of the demo: profile → recommend → train the pick and the baseline →
    register the better one by validation MSE."""
    from tsforge.data.load import load
    from tsforge.data.protocol import default_lengths
    from tsforge.pipeline import register_outcome
    from tsforge.tracking import configure_tracking

    t_part = time.perf_counter()
    uri = configure_tracking()
    loaded = load(dataset)
    series, entry = loaded.series, loaded.entry
    input_len, horizon = default_lengths(series, entry, None, None)
    console.rule(f"[bold]tsforge demo[/] — dataset [bold]{series.name}[/]")
    console.print(
        f"{series.n_channels} channels × {series.n_steps} steps, frequency {series.freq}, "
        f"{100 * series.missing_share:.1f}% missing; input {input_len}, horizon {horizon}; tracking to {uri}"
    )

    prof = _profile_step(console, series, input_len, seed)
    rec = _recommend_step(console, dataset, horizon, input_len, seed)
    rows, outcomes = _train_pick_and_baseline(console, dataset, rec, prof, seed)

    console.print("\n[bold]4. Compare and register[/]")
    best = min(rows, key=lambda r: r["val MSE"])["model"]
    winner = outcomes[best]
    register_outcome(winner, registered_name)  # described and tagged as `tsforge train` registers
    version, champion = winner.version, winner.champion_version
    title = f"{series.name}: L={rec.input_len}, H={rec.horizon} (normalised scale; MASE vs seasonal naive in-sample)"
    console.print(metrics_table(sorted(rows, key=lambda r: r["val MSE"]), title, highlight=best))
    seconds = time.perf_counter() - t_part
    console.print(
        f"Best by validation MSE: [bold green]{best}[/] → registered as [bold]{registered_name}[/] version "
        f"{version} (champion = version {champion}). Multichannel part: {seconds:.0f} s; the panel part follows."
    )
    return {
        "rows": rows,
        "best": best,
        "recommended": rec.best.name,
        "registered_name": registered_name,
        "version": version,
        "champion": champion,
        "horizon": rec.horizon,
        "seconds": seconds,
    }


def _profile_step(console: Any, series: Any, input_len: int, seed: int) -> Any:
    """Step 1: the data's property profile, the one the recommendation of step 2 reads
    (:func:`~recommender.api.recommendation_profile`: the same windows, sample and seed).

    Why that one: the demo profiled 336-step windows (512 of them) while the recommender reads
    the input's last 96 steps, so the table and the reasons quoted under it disagreed about the
    same series (trend |tau| 0.11 in the table, 0.20 in the reasons; seasonality 0.96 and 0.98).
    Shown as a profile is (``shown``): the 96-step windows' memorability is "not measured", as
    the reasons say, not the lineage's 0 read as "no memory".
    """
    from recommender.api import PROFILED_WINDOWS, recommendation_profile
    from tsforge.cli.profile import render_summary

    console.print(
        "\n[bold]1. Profile[/] — the ARIES properties of a seeded sample of its windows, as the "
        "recommendation reads them"
    )
    prof = recommendation_profile(series, input_len, PROFILED_WINDOWS, seed, shown=True)
    for table in render_summary(prof.summary, window_option=False):
        console.print(table)
    return prof


def _recommend_step(console: Any, dataset: str, horizon: int, input_len: int, seed: int) -> Any:
    """Step 2: the recommendation with its reasons, as ``tsforge recommend`` prints it, less its
    ``next:`` hint.

    Why without the hint: it advised ``tsforge recommend synthetic --train``, which step 3 does
    at once, and ``tsforge`` is not on PATH in a clone (``make demo`` runs ``.venv/bin/tsforge``):
    pasted, it was "command not found". The demo's own *Next* block names the commands as they run.
    """
    from recommender.api import PROFILED_WINDOWS, recommend
    from tsforge.cli.recommend import _progress_bar, render_recommendation

    console.print("\n[bold]2. Recommend[/] — which model fits these properties, and why")
    with _progress_bar() as update:
        rec = recommend(
            dataset,
            horizon=horizon,
            input_len=input_len,
            max_windows=PROFILED_WINDOWS,
            seed=seed,
            progress=update,
        )
    render_recommendation(rec, dataset, trained=True)  # trained: step 3 trains the pick next
    return rec


def _train_pick_and_baseline(
    console: Any, dataset: str, rec: Any, prof: Any, seed: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Step 3: train the recommended model and the seasonal-naive baseline (or, when the baseline
    is the pick, the runner-up), each an MLflow run; the pick's run also carries the profile."""
    from recommender.properties.profile import log_profile_to_mlflow
    from tsforge.pipeline import train

    console.print("\n[bold]3. Train[/] the recommended model and the seasonal-naive baseline")
    plans = [dict(rec.best.train_kwargs)]
    if rec.best.model == BASELINE and not rec.best.strategy:
        runner_up = next((m for m in rec.ranking if m.model != BASELINE), None)
        if runner_up is not None:
            plans.append(dict(runner_up.train_kwargs))
    else:
        plans.append({"model": BASELINE})
    rows, outcomes = [], {}
    for plan in plans:
        label = plan["model"] + (f"+{plan['strategy']}" if plan.get("strategy") else "")
        console.print(f"[cyan]training[/] {label} …")
        out = train(
            dataset,
            input_len=rec.input_len,
            horizon=rec.horizon,
            seed=seed,
            track=True,
            register=False,
            progress=False,
            tags={"tsforge.demo": "1", "tsforge.recommended": str(label == rec.best.name).lower()},
            **plan,
        )
        if label == rec.best.name and out.run_id:
            log_profile_to_mlflow(prof, run_id=out.run_id)
        outcomes[label] = out
        m = out.metrics
        rows.append(
            {
                "model": label,
                "recommended": "yes" if label == rec.best.name else "",
                "val MSE": m["val_mse"],
                "test MSE": m["test_mse"],
                "test MAE": m["test_mae"],
                "test MASE": m["test_mase"],
                "seconds": m["train_seconds"],
            }
        )
    return rows, outcomes


def run_panel_demo(
    console: Any,
    *,
    seed: int = 2024,
    registered_name: str = "tsforge-demo-panel",
    n_series: int | None = None,
) -> dict[str, Any]:
    """The panel half of the demo: a generated ragged monthly panel → profile the series →
    recommend by validation → train the pick and seasonal naive under the holdout protocol →
    register the better one."""

    from recommender.panel import recommend_panel
    from recommender.properties.profile import profile_panel
    from tsforge.cli.profile import render_summary
    from tsforge.cli.recommend import _progress_bar
    from tsforge.data.load import load_panel
    from tsforge.data.protocol import default_panel_horizon
    from tsforge.pipeline import TrackingOptions, train_panel

    t_part = time.perf_counter()
    # the generator's own series count unless --n-series is given
    loaded = (
        load_panel("synthetic_panel")
        if n_series is None
        else load_panel("synthetic_panel", n_series=n_series)
    )
    panel = loaded.panel
    horizon = default_panel_horizon(loaded.entry, panel.season_length, panel.horizon)
    lengths = panel.lengths
    console.rule(f"[bold]Panel[/] — dataset [bold]{panel.name}[/]")
    console.print(
        f"{len(panel)} series of {lengths.min()}–{lengths.max()} values (median {int(np.median(lengths))}), each with "
        f"its own dates, frequency {panel.freq}; holdout: each series' last {horizon} values test, the {horizon} "
        "before validate"
    )
    console.print("\n[bold]1. Profile[/] — the ARIES properties of every series, on its most recent values")
    prof = profile_panel(panel, seed=seed)
    for table in render_summary(prof.summary, window_option=False):
        console.print(table)
    console.print("\n[bold]2. Recommend[/] — every candidate forecasts each series' validation window")
    with _progress_bar() as update:
        rec = recommend_panel(panel, horizon, seed=seed, progress=update)
    console.print(f"[bold]recommended: {rec.best}[/] — {rec.explanation}")
    console.print(
        "\n[bold]3. Train and register[/] the recommended model and seasonal naive (holdout protocol)"
    )
    plans = [rec.best] + (["seasonal_naive"] if rec.best != "seasonal_naive" else [rec.ranking[1]["model"]])
    rows, outcomes = [], {}
    for model in plans:
        out = train_panel(
            panel,
            model,
            horizon=horizon,
            seed=seed,
            tracking=TrackingOptions(
                registered_name=registered_name, progress=False, tags={"tsforge.demo": "1"}
            ),
        )
        outcomes[model] = out
        m = out.metrics
        rows.append({"model": model, "recommended": "yes" if model == rec.best else "", "val MASE": m["val_mase"],
                     "test MASE": m["test_mase"], "test sMAPE": m["test_smape"], "test OWA": m["test_owa"],
                     "seconds": m["fit_predict_seconds"]})  # fmt: skip
    best = min(rows, key=lambda r: r["val MASE"])["model"]
    title = f"{panel.name}: holdout H={horizon} (per-series scores averaged over {len(panel)} series)"
    console.print(metrics_table(sorted(rows, key=lambda r: r["val MASE"]), title, highlight=best))
    _explain_smape_on_zeros(console, panel, rows, rec.best)
    champion = outcomes[plans[-1]].champion_version
    seconds = time.perf_counter() - t_part
    console.print(
        f"Both registered as [bold]{registered_name}[/]; champion (lowest validation MASE) = version {champion} "
        f"({best}). Panel part: {seconds:.0f} s."
    )
    return {
        "rows": rows,
        "best": best,
        "recommended": rec.best,
        "registered_name": registered_name,
        "champion": champion,
        "seconds": seconds,
    }


def _explain_smape_on_zeros(console: Any, panel: Any, rows: list[dict[str, Any]], recommended: str) -> None:
    """Say why the pick can win on MASE and lose on sMAPE/OWA
    (:func:`~tsforge.cli.tables.smape_on_zeros_note`): a reader otherwise sees a recommendation
    that looks worse than its baseline on two of the table's columns."""
    from tsforge.cli.tables import smape_on_zeros_note

    note = smape_on_zeros_note(panel, recommended, {r["model"]: r["test sMAPE"] for r in rows})
    if note:
        console.print(f"[dim]note: {note.replace('higher sMAPE', 'higher sMAPE (and OWA)', 1)}.[/]")


def next_steps(registered_name: str, horizon: int) -> list[str]:
    """The commands to run after the demo: the clone's ``make`` targets inside a clone,
    ``mlflow ui`` on this store for an installed package, and tsforge spelt as it runs when
    pasted (:func:`~tsforge.cli.core.tsforge_command`: ``.venv/bin/tsforge`` under ``make demo``,
    ``tsforge`` where that is on PATH).

    Why two versions: an installed wheel has no Makefile and no ``.venv`` of the repository, so
    the clone's advice (``make ui``, ``.venv/bin/tsforge``) failed for every pip user.
    """
    from tsforge.cli.core import tsforge_command
    from tsforge.data.validation import shell_word
    from tsforge.paths import source_root
    from tsforge.tracking.store import tracking_uri

    # each name quoted for the shell, as the commands are meant to be pasted: `--register-as
    # "good name.v1"` gave `forecast --model models:/good name.v1@champion`, two words
    model = f"{registered_name}@champion"
    name, champion, panel = (
        shell_word(x) for x in (registered_name, f"models:/{model}", f"{registered_name}-panel")
    )
    what = "(runs, per-epoch curves, forecast plots, profile, registry)"
    if source_root() is not None:
        tsforge = tsforge_command(default=".venv/bin/tsforge")
        ui = f"make ui      → MLflow UI at http://127.0.0.1:5000 {what}"
        serve = f"make serve   → REST API at http://127.0.0.1:8000/docs (default model {model})"
    else:
        uri = tracking_uri()
        tsforge = tsforge_command()
        ui = (
            f"MLflow UI at {uri} {what}"
            if uri.startswith(("http://", "https://"))
            else f"{_beside(tsforge, 'mlflow')} ui --backend-store-uri {uri}   → MLflow UI at http://127.0.0.1:5000 {what}"
        )
        serve = f"{tsforge} serve --model {name}   → REST API at http://127.0.0.1:8000/docs"
    return [
        f"  {ui}",
        f"  {serve}",
        f"  {tsforge} recommend my_data.csv",
        f"  {tsforge} train my_panel.csv --model auto_ets",
        f"  {tsforge} forecast --model {champion} --input history.csv --horizon {horizon}",
        f"  {tsforge} forecast --model {panel} --input my_panel.csv   (any series, any length)",
    ]


def _beside(tsforge: str, program: str) -> str:
    """``program`` (``mlflow``) spelt as tsforge is: bare beside a bare ``tsforge``, else the
    script of that name in the same folder, where there is one.

    Why: a virtual environment run by its path (``/opt/venv/bin/tsforge demo``) is not on PATH,
    so neither is its ``mlflow``; ``mlflow ui`` pasted was "command not found".
    """
    import shlex
    from pathlib import Path

    from tsforge.data.validation import shell_word

    if tsforge == "tsforge":
        return program
    script = Path(shlex.split(tsforge)[0]).with_name(program)
    return shell_word(str(script)) if script.is_file() else program
