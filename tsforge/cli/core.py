"""Core commands: ``train``, ``evaluate``, ``forecast``, ``models`` and ``demo``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tsforge.cli.app import app, console, print_note
from tsforge.cli.data_options import (
    DROP_SHORT_WAY,
    DataArgument,
    DatasetOption,
    DropShortOption,
    comma_items,
    data_source,
    key_value_options,
    number_items,
    reader_flags,
    reads_data,
    too_few_left_out,
    training_options,
)
from tsforge.cli.engine_options import EngineOption, RayAddressOption, engine_from_options
from tsforge.cli.interval_options import OldTrainIntervalsOption, TrainIntervalMethodOption, interval_method
from tsforge.cli.model_options import HorizonOption, InputLengthOption, TrainedModelOption, check_at_least_one
from tsforge.cli.tables import metric_list_table, metrics_table
from tsforge.data.panel_checks import leave_out_advice
from tsforge.data.validation import shell_word
from tsforge.errors import ConfigError

if TYPE_CHECKING:  # the CLI imports the data modules lazily, when a command runs
    from tsforge.data.label_forms import TimeForm

__all__ = ["train_cmd", "evaluate_cmd", "forecast_cmd", "models_cmd", "demo_cmd"]


def warn_unused_training_options(model: str, train_cfg: dict[str, Any]) -> None:
    """Training-loop options (--epochs, --lr, --batch-size, --train-option) reach neural models
    only; say so instead of letting a user believe a baseline or LightGBM was trained with them."""
    from tsforge.models.registry import get_model_spec

    spec = get_model_spec(model)
    unused = [k for k in train_cfg if spec.ignores_training_option(k)]
    if unused:
        flags = {"max_epochs": "--epochs", "lr": "--lr", "batch_size": "--batch-size", "device": "--device"}
        names = ", ".join(flags.get(k, f"--train-option {k}") for k in unused)
        if spec.kind == "ensemble":
            print_note(
                f"an ensemble trains each member with that member's own training options; ignored: {names} "
                """(set them per member: --option 'members=[{"model": "sparsetsf", "train": {"max_epochs": 5}}]')"""
            )
            return
        print_note(
            f"{spec.name} ({spec.kind} model) has no training loop; "
            f"ignored training options: {names} (model options go in --option)"
        )


def _load_predictor(model: str, *, announce: bool = True):
    """A saved model folder, or a registry reference resolved by the one rule of
    :func:`tsforge.tracking.registry.resolve_version` (the service uses the same).

    ``announce``: first say ``loading model NAME …`` on stderr (not with ``--json``). Why:
    importing MLflow and loading a model takes seconds (12 s for a routed ensemble), and
    ``tsforge forecast`` printed nothing at all until then. stderr, so stdout keeps only the
    forecast (or the JSON) a user pipes on."""
    from tsforge.panels.predictor import load_predictor_dir
    from tsforge.tracking import configure_tracking, load_predictor

    if announce:
        print(f"loading model {model} …", file=sys.stderr, flush=True)
    if Path(model).is_dir():
        predictor = load_predictor_dir(model)
    else:
        configure_tracking()
        predictor = load_predictor(model)
    return predictor


@app.command("train")
@reads_data()
def train_cmd(
    data: DataArgument = None,
    dataset: DatasetOption = None,
    model: Annotated[
        str, typer.Option("--model", "-m", help="Registered model name (see `tsforge models`).")
    ] = "dlinear",
    input_len: InputLengthOption = None,
    horizon: HorizonOption = None,
    split: Annotated[
        str | None,
        typer.Option(
            help="holdout (per series: last H values test, H before validate; the default for your own "
            "files and panel collections), or 7:1:2, 6:2:2, ett for long multichannel data "
            "(default: the catalogue's)."
        ),
    ] = None,
    n_jobs: Annotated[
        int,
        typer.Option(
            "--n-jobs",
            help="Processes for local (per-series) models, and for an ensemble's members (trained "
            "side by side, one thread each).",
        ),
    ] = 1,
    engine: EngineOption = None,
    ray_address: RayAddressOption = None,
    epochs: Annotated[int | None, typer.Option(help="Maximum epochs.")] = None,
    lr: Annotated[float | None, typer.Option(help="Learning rate.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Batch size.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2024,
    device: Annotated[
        str | None,
        typer.Option(
            help="Where neural models train: cpu (the default; bit-for-bit reproducible), cuda, "
            "cuda:N, or auto (a CUDA GPU when there is one)."
        ),
    ] = None,
    strategy: Annotated[str | None, typer.Option(help="Loss strategy, e.g. selective.")] = None,
    selective: Annotated[
        bool, typer.Option("--selective", help="Shorthand for --strategy selective.")
    ] = False,
    r_u: Annotated[float | None, typer.Option("--r-u", help="Selective learning: uncertainty ratio.")] = None,
    r_a: Annotated[float | None, typer.Option("--r-a", help="Selective learning: anomaly ratio.")] = None,
    option: Annotated[
        list[str] | None, typer.Option("--option", "-o", help="Model option key=value (repeatable).")
    ] = None,
    train_option: Annotated[
        list[str] | None, typer.Option("--train-option", help="Training option key=value.")
    ] = None,
    register_as: Annotated[
        str | None, typer.Option(help="Registered model name (default: <dataset>-<model>).")
    ] = None,
    no_track: Annotated[bool, typer.Option("--no-track", help="Do not log to MLflow.")] = False,
    *,
    load_kwargs: dict[str, Any],
    method: TrainIntervalMethodOption = None,
    old_intervals: OldTrainIntervalsOption = None,
    drop_short: DropShortOption = False,
) -> None:
    """Train a model under its protocol, log it to MLflow and register it.

    Panels (and your own files, by default) use the per-series holdout protocol; catalogue
    long-benchmark datasets keep their published split.
    """
    from tsforge.data.protocol import HOLDOUT, protocol_for
    from tsforge.pipeline import train

    dataset = data_source(data, dataset, "train")
    check_at_least_one(horizon=horizon, input=input_len, epochs=epochs, batch_size=batch_size)
    eng = engine_from_options(engine, ray_address, n_jobs)  # per-series work and ensemble members run on it
    split = protocol_for(dataset, split)
    strategy_name = "selective" if selective else strategy
    strategy_config = {k: v for k, v in (("r_u", r_u), ("r_a", r_a)) if v is not None}
    if strategy_config and strategy_name != "selective":
        raise ConfigError("--r-u/--r-a need --selective", field="strategy")
    from tsforge.training.fitting import check_strategy

    check_strategy(model, strategy_name)  # a bad pairing is refused before any data is read
    train_cfg = training_options(train_option, max_epochs=epochs, lr=lr, batch_size=batch_size, device=device)
    warn_unused_training_options(model, train_cfg)
    intervals = interval_method(method, old_intervals) == "conformal"
    if not intervals and split != HOLDOUT:
        flag = "--no-intervals" if old_intervals is False else "--interval-method native"
        raise ConfigError(
            f"{flag} applies to the panel protocol: a model on a --split calibrates its "
            "intervals on its validation windows, with no extra fit",
            field="interval_method",
        )
    if drop_short and split != HOLDOUT:
        raise ConfigError(
            "--drop-short applies to the panel protocol: a --split cuts one aligned series by time",
            field="drop_short",
        )
    from tsforge.engine import using

    if split == HOLDOUT:
        from tsforge.pipeline.panel import refuse_loss_strategy

        refuse_loss_strategy(strategy_name)
        with using(eng), leave_out_advice(DROP_SHORT_WAY):
            _train_panel(
                dataset,
                model,
                input_len,
                horizon,
                option,
                train_cfg,
                seed,
                n_jobs,
                no_track,
                register_as,
                too_few_left_out(load_kwargs, drop_short),
                intervals,
                drop_short,
            )
        return
    with using(eng):  # an ensemble's members train side by side on it
        outcome = train(
            dataset,
            model,
            input_len=input_len,
            horizon=horizon,
            split=split,
            model_config=key_value_options(option, "model"),
            train_config=train_cfg,
            strategy=strategy_name,
            strategy_config=strategy_config,
            seed=seed,
            track=not no_track,
            registered_name=register_as,
            load_kwargs=load_kwargs,
        )
    m = outcome.metrics
    row = {
        "model": model,
        "dataset": outcome.task.data.name,
        "L": outcome.task.input_len,
        "H": outcome.task.horizon,
        "val MSE": m["val_mse"],
        "test MSE": m["test_mse"],
        "test MAE": m["test_mae"],
        "test MAE (orig)": m["test_orig_mae"],
        "params": int(m["n_parameters"]),
        "seconds": m["train_seconds"],
    }
    console.print(
        metrics_table([row], "Training result (metrics on the normalised scale unless marked orig)")
    )
    skill_line = baseline_comparison(m, outcome.params.get("baseline"))
    if skill_line:
        console.print(skill_line)
    members = outcome.fit_report.extra.get("members")
    if members:
        console.print(
            "ensemble weights (validation MSE of each member): "
            + ", ".join(
                f"{m['model']} L {m['input_len']}: {m['weight']:.2f} ({m['val_mse']:.4f})" for m in members
            )
        )
    print_interval_scores(
        m,
        "the test windows",
        _validation_windows(outcome.params.get("intervals.windows")),
        "each channel's training seasonal-naive MAE",
    )
    if outcome.run_id:
        console.print(f"MLflow run [bold]{outcome.run_id}[/]")
    print_registration(outcome)
    levels = any(k.startswith("test_coverage_") for k in m)
    print_forecast_next(outcome.registered_name, dataset, load_kwargs, levels=levels)


def _validation_windows(windows: Any) -> str:
    """What a window model's intervals were calibrated on, in words (its validation windows)."""
    if windows == 1:
        return "the one validation window"
    return f"{windows} validation windows" if windows else "the validation windows"


def baseline_comparison(
    metrics: dict[str, float], baseline: str | None, error: str = "mse", baseline_key: str = "baseline_mse"
) -> str | None:
    """``Against seasonal naive (24 steps): test MSE 35.2% lower (0.41 vs 0.64), validation
    30.1% lower``: a training's skill in words (``None`` when it was not measured). ``error`` is
    the score the skill compares (``mse`` for a window model, ``mase`` against a panel's
    Naive2, whose score is ``test_naive2_mase``: ``baseline_key="naive2_mase"``)."""
    from tsforge.evaluation.baseline import compared

    if not baseline or "test_skill" not in metrics:
        return None
    skill, base = metrics["test_skill"], metrics[f"test_{baseline_key}"]
    test = f"{(1 - skill) * base:.4g} vs {base:.4g}"
    parts = [f"test {error.upper()} {compared(skill)} ({test})"]
    if "val_skill" in metrics:
        parts.append(f"validation {compared(metrics['val_skill'])}")
    return f"Against {baseline}: " + ", ".join(parts)


def print_registration(result: Any) -> None:
    """Say what was registered and where the champion alias points (any result with
    ``registered_name``, ``version``, ``champion_version`` and ``promotion``)."""
    if not result.registered_name:
        return
    from rich.markup import escape

    # the URI quoted for the shell as the "next:" line's name is: `models:/good name.v1@champion`
    # pasted into a command passed `models:/good` and a stray `name.v1@champion`
    uri = shell_word(f"models:/{result.registered_name}@champion")
    console.print(
        f"Registered [bold]{escape(result.registered_name)}[/] version {result.version}; "
        f"champion = version {result.champion_version}  →  {escape(uri)}",
        soft_wrap=True,  # the URI is pasted: rich broke it at the console width (80 in a pipe)
    )
    if result.promotion:
        console.print(f"  {result.promotion}")


def _train_panel(
    dataset: str,
    model: str,
    input_len: int | None,
    horizon: int | None,
    option: list[str] | None,
    train_cfg: dict[str, Any],
    seed: int,
    n_jobs: int,
    no_track: bool,
    register_as: str | None,
    load_kwargs: dict[str, Any] | None,
    intervals: bool = True,
    drop_short: bool = False,
) -> None:
    from tsforge.pipeline import TrackingOptions, train_panel

    out = train_panel(
        dataset,
        model,
        horizon=horizon,
        input_len=input_len,
        seed=seed,
        model_config=key_value_options(option, "model"),
        train_config=train_cfg,
        n_jobs=n_jobs,
        tracking=TrackingOptions(track=not no_track, registered_name=register_as),
        load_kwargs=load_kwargs,
        intervals=intervals,
        drop_short=drop_short,
    )
    m = out.metrics
    row = {
        "model": out.spec.model,
        "dataset": out.panel.name,
        "series": len(out.panel),
        "H": out.spec.horizon,
        "val MASE": m.get("val_mase", float("nan")),
        "test MASE": m.get("test_mase", float("nan")),
        "test sMAPE": m.get("test_smape", float("nan")),
        "test OWA": m.get("test_owa", float("nan")),
        "seconds": m["fit_predict_seconds"],
    }
    console.print(metrics_table([row], "Holdout result (per-series scores averaged over series)"))
    skill_line = baseline_comparison(m, out.params.get("baseline"), "mase", "naive2_mase")
    if skill_line:
        console.print(skill_line)
    _note_unscaled_series(m, len(out.panel))
    print_interval_scores(
        m,
        "the test window",
        _calibration_windows(out.params.get("intervals.windows")),
        "each series' seasonal-naive MAE",
    )
    if out.run_id:
        console.print(f"MLflow run [bold]{out.run_id}[/]")
    print_registration(out)
    print_forecast_next(out.registered_name, dataset, load_kwargs or {}, levels=intervals)


#: the reader options ``forecast`` takes: it reads a history as it comes (gaps included), so
#: ``--freq`` and ``--fill-gaps`` do not carry over
_FORECAST_READER_KEYS = ("id_col", "time_col", "target_col", "time_format", "value_cols")


def tsforge_command(default: str = "tsforge") -> str:
    """How a printed command names tsforge so that it runs when pasted: ``tsforge`` where that
    name on PATH is the program running now, else the path this program was started by
    (``.venv/bin/tsforge`` under ``make demo``), and ``default`` where no ``tsforge`` program
    runs (the Python API, a test, ``python -m tsforge``).

    Why: ``make demo`` runs ``.venv/bin/tsforge`` without activating the virtual environment,
    and its ``next: tsforge recommend …`` was "command not found" when pasted in the clone.
    """
    import os
    import shutil

    started = sys.argv[0] if sys.argv else ""
    if Path(started).name not in ("tsforge", "tsforge.exe"):
        return default
    on_path = shutil.which("tsforge")
    try:
        if on_path and os.path.samefile(on_path, started):
            return "tsforge"
    except OSError:  # the path started by is gone (or was never a file): the user's spelling
        pass
    return shell_word(started)


def print_forecast_next(
    name: str | None,
    data: str,
    load_kwargs: dict[str, Any],
    *,
    levels: bool = True,
    placeholder: str | None = None,
) -> None:
    """``next: tsforge forecast --model demand-auto_ets --input demand.csv …`` after a model was
    registered: the file trained on with its column options, or ``placeholder`` (a file the
    user writes) for data that is no file, and nothing without either. ``train`` and
    ``recommend --train`` both end with it.

    Why: ``recommend --train`` ended with the command that forecasts from what it registered,
    while ``train`` on the same file ended at the registry line; the user had to work out that
    ``forecast`` needs ``--input`` and the column flags again (``--id-col store``), or the
    command failed on the file it had just trained on.
    """
    if not name:
        return
    if Path(data).is_file():
        columns = {k: v for k, v in load_kwargs.items() if k in _FORECAST_READER_KEYS}
        source = shell_word(data) + reader_flags(columns)
    elif placeholder:
        source = placeholder
    else:
        return
    from rich.markup import escape

    # the name quoted as the file is: `--model good name.v1` pasted passed `good` and a stray
    # `name.v1`; escaped so that a `[x]` in a name is printed, not read as rich markup
    console.print(
        f"[dim]next: {escape(tsforge_command())} forecast --model {escape(shell_word(name))} --input {escape(source)}"
        + (" --level 80 --level 95" if levels else "")
        + "[/]",
        soft_wrap=True,  # a command to paste: not broken at the console width
    )


def _calibration_windows(windows: Any) -> str:
    """What a panel model's intervals were calibrated on, in words.

    Why: one window is the validation window (a global model's forecasts of it, or a local
    model's on 300+ series), and "calibrated on 1 rolling-origin window(s) before it" read as if
    the model had been cross-validated once more.
    """
    if windows == 1:
        return "the validation window (the values just before the test window)"
    return f"{windows} rolling-origin windows before the test window"


def _note_unscaled_series(metrics: dict[str, float], n_series: int) -> None:
    """Say how many series the test MASE / OWA leave out, and why.

    Why: a series whose history never changes has no in-sample error to scale by, so its MASE
    is undefined; the mean is over the others, and a panel of flat series printed "nan" beside
    a model it then registered, with no word on either. The interval width and MSIS divide by the
    same error, so where intervals were scored the note names them too, and says that coverage
    counts those series: a flat series' misses were in the coverage (all 7 misses of a 12-series
    panel at 95 %) while its MSIS left it out, and nothing said which series each number was
    over. A test window of missing values (a series that stopped reporting: 165 of car parts'
    2,674) has nothing to score; it was called a missing forecast.
    """
    left_out = int(metrics.get("test_n_mase_excluded", 0) or 0)
    unscored = min(left_out, int(metrics.get("test_n_smape_excluded", 0) or 0))
    unobserved = min(unscored, int(metrics.get("test_n_unobserved", 0) or 0))
    unforecast = unscored - unobserved
    flat = left_out - unscored
    if flat:
        which = (
            "every series has"
            if flat == n_series
            else f"{flat} of {n_series} series {'has' if flat == 1 else 'have'}"
        )
        # the interval width and MSIS are scaled by the same in-sample error: where intervals were
        # scored, a coverage over every series beside an MSIS over the others must say so
        intervals = any(k.startswith("test_coverage_") for k in metrics)
        means = "MASE, OWA, interval width and MSIS" if intervals else "MASE and OWA"
        scored = f"so {means} are undefined" if flat == n_series else f"left out of the {means} means"
        also = "sMAPE and coverage score" if intervals else "sMAPE scores"
        print_note(
            f"{which} a flat history (the same value at every step, or one season repeated): "
            f"no in-sample error to scale by, {scored}; {also} them"
        )
    if unobserved:
        print_note(
            f"{unobserved} of {n_series} series {'has' if unobserved == 1 else 'have'} no observed value in the test window (all its "
            "values are missing): nothing to score them on, left out of every mean (MASE, sMAPE, OWA)"
        )
    if unforecast:
        print_note(
            f"{unforecast} of {n_series} series {'has' if unforecast == 1 else 'have'} no forecast (NaN) for an observed test step: "
            "left out of every mean (MASE, sMAPE, OWA)"
        )


def print_interval_scores(metrics: dict[str, float], scored_on: str, calibrated_on: str, unit: str) -> None:
    """The intervals table of a training (coverage, width and MSIS per level) and the line that
    says how they were calibrated; nothing when the run scored no intervals.

    Why one function for panel and window models: ``train`` on a panel printed the table and a
    window model's ``train`` did not, though both calibrate and score the same conformal
    intervals; the user of a wide file could not see whether its 80 % band covered 80 %.
    ``scored_on``: the test window(s) in words; ``unit``: what width and MSIS are scaled by.
    """
    rows = _holdout_interval_rows(metrics)
    if not rows:
        return
    console.print(metrics_table(rows, f"Intervals on {scored_on}"))
    console.print(f"[dim]conformal, calibrated on {calibrated_on}; width and MSIS in {unit}[/]")


def _holdout_interval_rows(metrics: dict[str, float]) -> list[dict[str, Any]]:
    """One row per logged level (``test_coverage_80`` …) of a panel run: coverage in % beside
    its nominal level, so whether the intervals are calibrated is read off the console and not
    only in MLflow."""
    levels = sorted(float(k.rsplit("_", 1)[1]) for k in metrics if k.startswith("test_coverage_"))
    return [
        {
            "level": f"{lv:g} %",
            "coverage": f"{100 * metrics[f'test_coverage_{lv:g}']:.1f} %",
            "width": metrics.get(f"test_width_{lv:g}", float("nan")),
            "MSIS": metrics.get(f"test_msis_{lv:g}", float("nan")),
        }
        for lv in levels
    ]


@app.command("evaluate")
@reads_data()
def evaluate_cmd(
    model: TrainedModelOption,
    data: DataArgument = None,
    dataset: DatasetOption = None,
    split: Annotated[str | None, typer.Option(help="Split convention (default: catalogue).")] = None,
    on: Annotated[str, typer.Option(help="Which split to score: val or test.")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    *,
    load_kwargs: dict[str, Any],
    drop_short: DropShortOption = False,
) -> None:
    """Score a registered (or saved) model on a dataset's validation or test windows (a panel
    model: on every series' holdout test window)."""
    from tsforge.evaluation.baseline import NAIVE2
    from tsforge.inference import Predictor

    dataset = data_source(data, dataset, "evaluate")
    predictor = _load_predictor(model, announce=not as_json)
    # window models (one input length, multichannel splits) are scored on windows; every other
    # predictor — a panel model, the routed ensemble of `recommend --per-series --train` — on
    # each series' holdout
    if not isinstance(predictor, Predictor):
        from tsforge.pipeline.panel import evaluate_panel_model

        if on != "test":
            raise ConfigError(
                "a panel model is scored on the holdout test window only (--on test)", field="on"
            )
        with leave_out_advice(DROP_SHORT_WAY):
            flat, _ = evaluate_panel_model(
                predictor,
                dataset,
                load_kwargs=too_few_left_out(load_kwargs, drop_short),
                drop_short=drop_short,
            )
        baseline = (NAIVE2, "mase", "naive2_mase")
    elif drop_short:
        raise ConfigError("--drop-short applies to a panel model's holdout", field="drop_short")
    else:
        flat, label = _evaluate_windows(predictor, dataset, split, on, load_kwargs)
        baseline = (label, "mse", "baseline_mse")
    if as_json:
        console.print_json(json.dumps(flat))
        return
    _print_scores(flat, f"{predictor.model_name}: {on} scores", on, baseline)


#: the keys of a result's skill over its baseline, said in words under its table
_SKILL_KEYS = ("skill", "baseline_mse", "naive2_mase")


def _print_scores(flat: dict[str, float], title: str, on: str, baseline: tuple[str, str, str]) -> None:
    """``evaluate``'s result as ``train`` prints one: the scores under the names the other tables
    use, the skill over the baseline as the ``Against …`` sentence, and a panel's series left
    out of a mean in a ``note:`` that says why. ``baseline``: its label, the error the skill
    compares and the baseline's score key (:func:`baseline_comparison`'s arguments).

    Why: the table listed ``naive2_mase 2.1815`` and ``skill 0.7434`` as two more scores, and
    ``n_mase_excluded 0`` rows, where ``train`` on the same model says "Against Naive2 …: test MASE
    74.3% lower (0.5597 vs 2.181)"."""
    scores = {k: v for k, v in flat.items() if k.partition("_")[2] not in _SKILL_KEYS}
    console.print(metric_list_table(scores, title))
    label, error, key = baseline
    skill = {
        k.replace(f"{on}_", "test_", 1): v for k, v in flat.items() if k.partition("_")[2] in _SKILL_KEYS
    }
    line = baseline_comparison(skill, label, error, key)
    if line:
        console.print(line.replace("test ", f"{'validation' if on == 'val' else 'test'} ", 1))
    if f"{on}_n_series" in flat:
        _note_unscaled_series(
            {k.replace(f"{on}_", "test_", 1): v for k, v in flat.items()}, int(flat[f"{on}_n_series"])
        )


def _evaluate_windows(
    predictor: Any, dataset: str, split: str | None, on: str, load_kwargs: dict[str, Any]
) -> tuple[dict[str, float], str]:
    from tsforge.data.frequency import check_sampling
    from tsforge.data.load import load
    from tsforge.data.task import prepare_task
    from tsforge.evaluation import evaluate
    from tsforge.evaluation.baseline import baseline_for, skill_scores
    from tsforge.models.base import ModelContext

    loaded = load(dataset, **load_kwargs)
    series, entry = loaded.series, loaded.entry
    # as `forecast` does, refuse data sampled at another rate (daily data for an hourly model)
    if predictor.freq and series.timestamps is not None:
        check_sampling(
            series.timestamps, predictor.freq, sid=series.name, model=predictor.model_name, field="dataset"
        )
    # the split the model was trained under (stored with it since the bundle carries it), then
    # the catalogue's: a model trained on 6:2:2 scored under 7:1:2 reported another test window
    split = split or predictor.meta.get("extra", {}).get("split") or getattr(entry, "split", None) or "7:1:2"
    source = dataset if Path(dataset).is_file() else None  # errors name the user's file
    task = prepare_task(series, predictor.input_len, predictor.max_horizon, split, file=source)
    if tuple(series.channel_ids) != tuple(predictor.known_ids) and predictor.forecaster.needs_known_channels:
        raise ConfigError(
            "this model needs the channels it was trained on; the dataset has different ones", field="dataset"
        )
    scores = evaluate(predictor.forecaster, task, on).flat(on)
    # the skill over a naive baseline, as training reports it (`train` prints it in words)
    label = baseline_for(ModelContext.from_task(task)).label
    return {**scores, **skill_scores(task, {on: scores[f"{on}_mse"]})}, label


#: what ``forecast`` reads its history with: the columns, their time format, a wide file's series
#: columns and the stations' coordinates, declared once with the other commands' (a history is
#: read as it comes, gaps included, so no --freq or --fill-gaps)
_HISTORY_OPTIONS = ("id_col", "time_col", "time_format", "target_col", "value_cols", "coords")


@app.command("forecast")
@reads_data(only=_HISTORY_OPTIONS)
def forecast_cmd(
    model: TrainedModelOption,
    history: Annotated[
        Path | None,
        typer.Argument(
            metavar="HISTORY",
            help="History CSV/Parquet/.tsf: long (unique_id, ds, y) or wide (time column + one column per "
            "series); or give it as --input.",
            show_default=False,
        ),
    ] = None,
    input_path: Annotated[
        Path | None,
        typer.Option("--input", "-i", help="The same as HISTORY, as an option.", show_default=False),
    ] = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", "-H", help="Steps ahead (≤ the trained horizon).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write forecasts here (CSV or Parquet).")
    ] = None,
    *,
    load_kwargs: dict[str, Any],
    level: Annotated[
        list[str] | None,
        typer.Option(
            "--level",
            help="Add a central prediction interval, in %: --level 80,95 (or repeat the option).",
            show_default=False,
        ),
    ] = None,
    quantiles: Annotated[
        list[str] | None,
        typer.Option(
            "--quantiles", help="Add forecast quantiles: --quantiles 0.1,0.5,0.9 (or repeat the option)."
        ),
    ] = None,
    n_jobs: Annotated[
        int, typer.Option("--n-jobs", help="Processes for local (per-series) models, many series.")
    ] = 1,
    engine: EngineOption = None,
    ray_address: RayAddressOption = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Also draw the history and forecast (with the --level intervals) of the file's first "
            "6 series, or of --plot-series, to this PNG.",
        ),
    ] = None,
    plot_series: Annotated[
        list[str] | None,
        typer.Option(
            "--plot-series",
            help="Series to draw with --plot (ids; repeatable or comma-separated, at most 6).",
            show_default=False,
        ),
    ] = None,
    drop_short: Annotated[
        bool,
        typer.Option(
            "--drop-short",
            help="Leave out the series with fewer than two values (nothing to forecast from), with a "
            "note naming them, instead of refusing the history.",
        ),
    ] = False,
) -> None:
    """Forecast from a history file with a registered model (no training data needed).

    ``--level 80`` adds ``y_hat-lo-80`` / ``y_hat-hi-80`` columns and ``--quantiles 0.1,0.9``
    adds ``y_hat-q-0.1`` / ``y_hat-q-0.9`` (conformal, calibrated when the model was trained; a
    panel model trained with ``--interval-method native`` gives its native intervals where it has
    them).
    """
    from tsforge.engine import using

    # `tsforge forecast FILE --model M`, like `tsforge train FILE`: it was refused for want of --input
    input_path = Path(data_source(str(history) if history else None, str(input_path) if input_path else None,
                                  "forecast", option_name="--input", what="history",
                                  hint="a CSV/Parquet/.tsf file of the series' recent values"))  # fmt: skip

    levels = number_items(level, "--level")
    wanted_quantiles = number_items(quantiles, "--quantiles")
    from tsforge.inference.intervals import IntervalRequest

    # a level or quantile out of range is refused before the model loads (seconds), not after
    IntervalRequest.parse(levels, wanted_quantiles)
    drawn = comma_items(plot_series)
    if drawn and plot is None:
        raise ConfigError("--plot-series chooses what --plot draws: add --plot FILE.png", field="plot_series")
    from tsforge.cli.output_paths import check_output_file, check_table_file, write_frame

    check_table_file(output, "--output")
    if plot is not None:
        from tsforge.cli.forecast_plot import check_plot_path

        check_plot_path(plot)
        check_output_file(plot, "--plot")
    eng = engine_from_options(engine, ray_address, n_jobs)
    predictor = _load_predictor(model)
    predictor.progress = True  # a local model fits every series: a bar on stderr while it does
    # the history's long columns (a history without the id column is wide), as train names them
    id_col, target_col = load_kwargs["id_col"], load_kwargs["target_col"]
    time_col = load_kwargs["time_col"] or "ds"
    from tsforge.cli.zoned_times import history_zone, in_history_zone, notes_held
    from tsforge.data.history import note_flag_series
    from tsforge.data.label_forms import in_label_form

    # the reader's notes are held until the forecast's zone is known: whether it said it read the
    # times in UTC is how the zone is known without parsing the time column again
    with notes_held() as held:
        written = _read_history(input_path, id_col, target_col, load_kwargs["time_format"])
        frame = _with_time_format(
            written, id_col, time_col, target_col, load_kwargs["time_format"], input_path
        )
        if "value_cols" in load_kwargs:
            frame = _series_columns(frame, load_kwargs["value_cols"], id_col, time_col, file=str(input_path))
        else:  # a wide file's 0/1 column is said as train says it (the shared reader does not)
            note_flag_series(frame, id_col, time_col, target_col, file=str(input_path))
        if drawn:
            from tsforge.cli.forecast_plot import check_plot_series

            check_plot_series(
                frame, drawn, id_col=id_col, time_col=time_col, target_col=target_col, file=str(input_path)
            )
        with using(eng), leave_out_advice(DROP_SHORT_WAY):
            result = predictor.predict_frame(
                frame,
                horizon,
                id_col=id_col,
                time_col=time_col,
                target_col=target_col,
                file=str(input_path),
                level=levels,
                quantiles=wanted_quantiles,
                coords=load_kwargs.get("coords"),
                drop_too_few=drop_short,
            )
    # the forecast names its columns as the history does, also where the reader guessed them
    id_col, time_col, target_col = _history_roles(frame, id_col, time_col, target_col)
    zone = None
    try:  # the offsets as written: also those of times --time-format parsed, and of a wide file's
        # time column (``time``, the forecast's ``ds``)
        written_time = _written_time_column(written, load_kwargs)
        zone = history_zone(written, written_time, id_col, read_in_utc=held.said_in_utc())
    finally:
        held.release(zone)
    shown = result if zone is None else in_history_zone(result, time_col, id_col, zone)
    shown = in_label_form(shown, (time_col,), _history_form(written, load_kwargs), what="the forecast")
    if output is not None:
        write_frame(shown, output)
        console.print(f"wrote {len(result)} forecast rows for {result[id_col].nunique()} series to {output}")
    else:
        # out, not print: a table's rows must not be broken at the console width (80 in a pipe)
        # nor an id read as rich markup
        console.out(shown.to_string(index=False, max_rows=_SHOWN_ROWS), highlight=False)
        if len(result) > _SHOWN_ROWS:  # `forecast ... > f.txt` kept a table with "..." for most rows
            print_note(
                f"{len(result)} forecast rows, the first and last {_SHOWN_ROWS // 2} shown: "
                "--output FILE.csv (or .parquet) writes them all"
            )
    if plot is not None:
        from tsforge.cli.forecast_plot import write_forecast_plot

        with notes_held() as again:  # the plot reads the history again
            path = write_forecast_plot(
                frame,
                result,
                plot,
                id_col=id_col,
                time_col=time_col,
                target_col=target_col,
                levels=levels,
                file=str(input_path),
                model=model,
                series=drawn or None,
            )
        again.release(zone)
        console.print(f"wrote {path}")


#: the forecast rows printed without --output (half from the start, half from the end)
_SHOWN_ROWS = 60


def _history_roles(frame: Any, id_col: str, time_col: str, target_col: str) -> tuple[str, str, str]:
    """The id, time and target columns the forecast of ``frame`` is named by: the ones given, or
    those the history reader guessed (``Store, Week, Sales``).

    Why: the summary line and ``--plot`` looked up the forecast's series by ``--id-col``
    (``unique_id``), which a forecast named ``Store, Week`` lacks: the command ended in a
    ``KeyError`` traceback after writing its file.
    """
    from tsforge.data.history import guessed_history_roles

    roles = guessed_history_roles(frame, id_col, time_col, target_col)
    return (
        (id_col, time_col, target_col) if roles is None else (roles.id_col, roles.time_col, roles.target_col)
    )


def _history_form(written: Any, load_kwargs: dict[str, Any]) -> TimeForm | None:
    """How the history as written (``written``) writes its periods (``2015-01``, ``2015Q4``), for
    the forecast to be written alike; ``None`` for dates, datetimes, integers and ``.tsf`` files.

    Why: the reader dates a label by the day its period starts, and the forecast of a file of
    ``2015-01`` … ``2015-12`` said ``2016-01-01``, which joins to none of the user's tables.
    """
    import polars as pl

    from tsforge.data.label_forms import label_form

    if not isinstance(written, pl.DataFrame):
        return None  # a .tsf history: dated by its header
    column = _written_time_column(written, load_kwargs)
    return label_form(written[column] if column is not None else None, time_format=load_kwargs["time_format"])


def _written_time_column(written: Any, load_kwargs: dict[str, Any]) -> str | None:
    """The column of the history as written (``written``) that its times are read from: the long
    file's ``--time-col``, the column the reader guessed, or a wide file's time column
    (``time``); ``None`` for a ``.tsf`` history or one without times.

    Why: a wide file's forecast is named ``ds`` while its times are written in another column,
    and looking for its offsets in ``ds`` found none: the forecast of a wide file written at
    ``+02:00`` was dated in UTC without an offset, the same data in long layout at ``+02:00``.
    """
    import polars as pl

    from tsforge.data.history import history_time_column

    if not isinstance(written, pl.DataFrame):
        return None  # a .tsf history: dated by its header
    return history_time_column(
        written,
        load_kwargs["id_col"],
        load_kwargs["time_col"] or "ds",
        load_kwargs["target_col"],
        time_format=load_kwargs["time_format"],
    )


def _series_columns(frame: Any, value_cols: list[str], id_col: str, time_col: str, *, file: str) -> Any:
    """A wide history kept to its time column and ``--value-cols``, as ``train`` reads the file.

    Why: a wide file with a text column (a note, a flag) trains with ``--value-cols``, and
    ``forecast`` refused the same file for that column, advising long-format column names.
    """
    from tsforge.data.history import history_time_column
    from tsforge.data.validation import require_columns

    require_columns(frame.columns, {f"value_cols[{i}]": c for i, c in enumerate(value_cols)}, file=file)
    if id_col in frame.columns:
        raise ConfigError(
            f"--value-cols names a wide file's series, and {file} has the id column {id_col!r} of a long "
            "one: leave --value-cols out (or name the long columns with --id-col/--time-col/--target-col)",
            field="value_cols",
        )
    times = history_time_column(frame.drop(value_cols), id_col, time_col)
    return frame.select([c for c in (times, *value_cols) if c is not None])


def _read_history(path: Path, id_col: str, target_col: str, time_format: str | None) -> Any:
    """The history file of ``forecast --input`` as written: a CSV/Parquet table, or a Monash
    ``.tsf`` file read as the long frame ``unique_id, ds, y`` (``train`` takes ``.tsf`` files, so
    a model trained on one forecasts from the same file). Series ids are kept as written (``001``
    stays ``001``, as ``train`` reads it), so the forecast joins back to the file.
    """
    from tsforge.data.tables import read_table

    if str(path).lower().endswith((".tsf", ".tsf.gz")):
        from tsforge.data.load import load_panel

        if time_format is not None:
            raise ConfigError(
                f"--time-format does not apply to {path}: a .tsf file dates its series by its header",
                field="time_format",
            )
        return load_panel(str(path)).panel.to_long()
    return read_table(path, id_columns=(id_col,))


def _with_time_format(
    frame: Any, id_col: str, time_col: str, target_col: str, time_format: str | None, path: Path
) -> Any:
    """``frame`` with the time column the history reader takes its dates from parsed by
    ``time_format`` (``--time-format``), so the forecast, its file and its ``--plot`` all read
    the dates alike; ``frame`` itself without one. The table as written is kept apart: its text
    holds the UTC offsets the forecast is dated in (:func:`tsforge.cli.zoned_times.history_zone`).
    """
    if time_format is None:
        return frame
    from tsforge.data.history import with_parsed_times

    return with_parsed_times(frame, id_col, time_col, target_col, time_format=time_format, file=str(path))


@app.command("models")
def models_cmd(
    registered: Annotated[
        bool,
        typer.Option(
            "--registered",
            help="List the models registered in the tracking store instead (versions, aliases, scores).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --registered: the listing as JSON.")] = False,
) -> None:
    """List the models tsforge can train (--registered: the ones trained and registered here)."""
    from rich.table import Table

    from tsforge.models.registry import MODELS, model_names

    if registered:
        _print_registered(as_json)
        return
    if as_json:
        raise ConfigError("--json lists registered models: add --registered", field="json")
    table = Table(title="Models")
    table.add_column("name")
    table.add_column("kind")
    table.add_column("tunable")
    table.add_column("summary")
    for name in model_names():
        spec = MODELS[name]
        table.add_row(name, spec.kind, "yes" if spec.search_space else "", spec.summary)
    console.print(table)


def _headline(metrics: dict[str, float]) -> str:
    """A version's test scores in a few words: MASE (panel runs) or MSE/MAE (window runs), its
    skill over its baseline, and the interval coverage where it was scored.

    A window model's MSE and MAE are marked "(normalised)": it logs them on the z-scale (its
    ``test_orig_*`` beside them are in the data's units), so "MSE 0.03704" unmarked read as a
    near-perfect fit in the data's units; a panel's are in the data's units and logs no ``_orig_``.
    """
    normalised = any(k.startswith("test_orig_") for k in metrics)
    parts = [
        f"{k[5:].upper()} {metrics[k]:.4g}" + (" (normalised)" if normalised and k != "test_mase" else "")
        for k in ("test_mase", "test_mse", "test_mae")
        if k in metrics
    ]
    if "test_skill" in metrics:  # versions registered before the skill was logged have none
        parts.append(f"skill {metrics['test_skill']:+.1%}")
    if "test_coverage_80" in metrics and "test_coverage_95" in metrics:
        parts.append(
            f"covers {100 * metrics['test_coverage_80']:.1f} / {100 * metrics['test_coverage_95']:.1f} %"
        )
    return " · ".join(parts)


def _print_registered(as_json: bool) -> None:
    """``tsforge models --registered``: one row per registered model, scored by the version its
    ``champion`` alias names (else its newest), so a user sees what is there without the UI."""
    from datetime import datetime

    from rich.table import Table

    from tsforge.tracking.registry import CHAMPION, list_registered, registry_client

    client, uri = registry_client()
    models = list_registered(client)
    if as_json:
        print(json.dumps({"tracking_uri": uri, "models": models, "count": len(models)}, indent=2))
        return
    if not models:
        console.print(f"no registered models in {uri}; `tsforge train … --register-as NAME` registers one")
        return
    table = Table(title=f"Registered models ({uri})")
    table.add_column("name", no_wrap=True)
    table.add_column("versions", justify="right")
    table.add_column("aliases")
    table.add_column("test scores")
    table.add_column("registered", no_wrap=True)
    for m in models:
        versions = m["versions"]
        champion = m["aliases"].get(CHAMPION)
        shown = next((v for v in versions if v["version"] == champion), versions[0] if versions else None)
        created = shown.get("created_at_ms") if shown else None
        table.add_row(
            m["name"],
            str(len(versions)),
            ", ".join(f"{a} → v{v}" for a, v in m["aliases"].items()),
            f"v{shown['version']}: {_headline(shown['metrics'])}" if shown else "",
            datetime.fromtimestamp(created / 1000).strftime("%Y-%m-%d") if created else "",
        )
    console.print(table)
    console.print(
        "[dim]test scores: of the champion version, else the newest; --json: every version with all "
        "its validation and test metrics[/]"
    )


@app.command("demo")
def demo_cmd(
    dataset: Annotated[str, typer.Option(help="Dataset for the demo (embedded, no download).")] = "synthetic",
    register_as: Annotated[str, typer.Option(help="Registered name of the winning model.")] = "tsforge-demo",
) -> None:
    """The main job end to end on embedded data: profile, recommend, train, compare, register, next steps."""
    from tsforge.cli.demo import run_demo

    run_demo(dataset=dataset, registered_name=register_as, console=console)
