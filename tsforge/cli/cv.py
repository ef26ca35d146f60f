"""``tsforge cv``: rolling-origin cross-validation of local and global models on a panel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tsforge.cli.app import app, console, print_note
from tsforge.cli.data_options import (
    DataArgument,
    DatasetOption,
    comma_items,
    data_source,
    key_value_options,
    number_items,
    reads_data,
    too_few_left_out,
)
from tsforge.cli.engine_options import EngineOption, RayAddressOption, engine_from_options
from tsforge.cli.interval_options import CvIntervalMethodOption, OldCvIntervalsOption, interval_method
from tsforge.cli.model_options import check_at_least_one
from tsforge.cli.tables import metrics_table
from tsforge.errors import ConfigError

if TYPE_CHECKING:  # the CLI imports the data modules lazily, when a command runs
    from tsforge.data.long_roles import LongRoles
    from tsforge.models.statistical import LocalOptions

__all__ = ["cv_cmd"]


@app.command("cv")
@reads_data(coords=False)
def cv_cmd(
    model: Annotated[
        list[str],
        typer.Option(
            "--model",
            "-m",
            help="Local (auto_ets, seasonal_naive, ...) or global model; repeatable or comma-separated.",
        ),
    ],
    data: DataArgument = None,
    dataset: DatasetOption = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", "-H", help="Steps per window (default: catalogue/M4).")
    ] = None,
    n_windows: Annotated[int, typer.Option("--n-windows", help="Rolling-origin windows per series.")] = 3,
    step_size: Annotated[
        int | None, typer.Option("--step-size", help="Steps between cutoffs (default: H).")
    ] = None,
    n_jobs: Annotated[int, typer.Option("--n-jobs", help="Processes for local models.")] = 1,
    engine: EngineOption = None,
    ray_address: RayAddressOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the frame (CSV or Parquet).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of global models.")] = 2024,
    no_track: Annotated[bool, typer.Option("--no-track", help="Do not log to MLflow.")] = False,
    *,
    load_kwargs: dict[str, Any],
    level: Annotated[
        list[str] | None,
        typer.Option(
            "--level",
            help="Prediction interval in %: --level 80,95 (or repeat the option: --level 80 --level 95).",
            show_default=False,
        ),
    ] = None,
    method: CvIntervalMethodOption = None,
    old_intervals: OldCvIntervalsOption = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            help="Local models' option key=value (season_length, max_history; repeatable), "
            "set on every local model of the run.",
        ),
    ] = None,
) -> None:
    """Forecast the last windows of every series from the values before each cutoff.

    Prints mean MASE per model and writes one long frame ``unique_id, ds, cutoff, y, <model>...``;
    with ``--level``, also ``<model>-lo-<l>`` / ``-hi-<l>`` and their coverage, width and MSIS.
    Logs one MLflow run with a nested run per model (``--no-track``: none).
    """
    from tsforge.cli.output_paths import check_table_file, write_frame
    from tsforge.cli.zoned_times import notes_held, zone_of
    from tsforge.data.load import load_panel
    from tsforge.data.protocol import panel_horizon
    from tsforge.evaluation.panel_metrics import cv_scores
    from tsforge.inference.intervals import IntervalRequest
    from tsforge.models.registry import get_model_spec
    from tsforge.models.statistical import local_options
    from tsforge.panels.cv import cross_validation
    from tsforge.panels.global_models import RefitGlobalModel
    from tsforge.panels.local import LOCAL_MODELS
    from tsforge.panels.protocol import default_horizon_named

    dataset = data_source(data, dataset, "cv")
    levels = number_items(level, "--level")
    # a level out of range is refused before any window is fitted, as forecast refuses it
    # before its model loads: cv said it after fitting every window (13 s on a small panel)
    IntervalRequest.parse(levels)
    intervals = interval_method(method, old_intervals)
    if not levels and (method is not None or old_intervals is not None):
        print_note("--interval-method chooses how --level intervals are made: without --level there are none")
    check_at_least_one(horizon=horizon, n_windows=n_windows, step_size=step_size)
    check_table_file(output, "--output")
    eng = engine_from_options(engine, ray_address, n_jobs)  # a bad choice fails before any loading
    wanted = [name.lower() for name in comma_items(model)]
    for name in wanted:  # an unknown name fails before any loading or fitting
        if name not in LOCAL_MODELS:
            get_model_spec(name)
    local_names = [name for name in wanted if name in LOCAL_MODELS]
    options = key_value_options(option, "model")
    if options and not local_names:
        raise ConfigError(
            "--option sets local models' season_length / max_history, and none of "
            f"{', '.join(wanted)} is a local model",
            field="option",
        )
    per_model = {name: local_options(name, options) for name in local_names} if options else None
    others = [name for name in wanted if name not in LOCAL_MODELS]
    if options and others:
        keep = "keeps its" if len(others) == 1 else "keep their"
        print_note(f"--option sets local models only: {', '.join(others)} {keep} defaults")
    with notes_held(output is not None) as held:  # the reader's notes, until the output's zone is known
        # a series with fewer than two values is left out with a note, as one too short for
        # every window is: one new product must not stop the other series being scored
        loaded = load_panel(dataset, **too_few_left_out(load_kwargs))
    columns = _output_columns(load_kwargs, loaded.roles)
    # the offsets the file's times were written in, kept by the loader: --output is dated in them
    zone = zone_of(loaded.time_offsets, read_in_utc=held.said_in_utc()) if output is not None else None
    held.release(zone)
    panel = loaded.panel
    h = panel_horizon(horizon, loaded.entry, panel.season_length, panel.horizon)
    models = [m if m in LOCAL_MODELS else RefitGlobalModel(m, seed=seed) for m in wanted]
    native = levels if levels and intervals == "native" else None
    with default_horizon_named(horizon, h):  # a refused default horizon says it was the default
        frame = cross_validation(
            panel,
            models,
            h,
            n_windows=n_windows,
            step_size=step_size,
            engine=eng,
            level=native,
            options=per_model,
        )
    names = [m if isinstance(m, str) else m.name for m in models]
    # the series too short for some windows: cross_validation's ShortSeriesWarning, a note: line
    _note_fallbacks(frame, panel, local_names, per_model)
    if levels and intervals == "conformal":
        from tsforge.panels.calibrate import conformal_cv

        frame = conformal_cv(frame, panel, names, h, level=levels)
    from tsforge.panels.calibrate import served_cv_points

    # scored and written as a model trained at each cutoff serves them, as train scores its own
    frame = served_cv_points(frame, panel, names, h)
    if output is not None:
        from tsforge.cli.zoned_times import in_file_zone
        from tsforge.data.label_forms import in_label_form

        zoned = in_file_zone(frame, ("ds", "cutoff"), "unique_id", zone)  # as `forecast` dates its rows
        # times as the input wrote its periods (2016Q1, 2016-01), as `forecast` writes them
        labelled = in_label_form(zoned, ("ds", "cutoff"), loaded.time_form, what="the cross-validation frame")
        write_frame(labelled.rename(columns=columns), output)
        console.print(f"wrote {len(frame)} rows ({_cutoff_words(frame)}) to {output}")
    scores = cv_scores(frame, panel, season_length=panel.season_length)
    bounds = None
    if levels:
        from tsforge.evaluation.intervals import cv_interval_scores

        bounds = cv_interval_scores(frame, panel, names, levels)
    if not no_track:  # before the tables: a run that cannot be logged fails before they are printed
        from tsforge.pipeline.cv_run import log_cv_run

        run_id = log_cv_run(
            panel,
            frame,
            names,
            h,
            n_windows=n_windows,
            step_size=step_size,
            data_label=dataset,
            level=levels or (),
            intervals=intervals if levels else None,
            seed=seed if others else None,
            options=options or None,
            scores=scores,
            interval_scores=bounds,
        )
        console.print(f"MLflow run [bold]{run_id}[/]")
    best = str(scores.sort_values("mase")["model"].iloc[0]) if len(scores) > 1 else None
    title = _score_title(frame, h, n_windows)
    console.print(metrics_table(_score_rows(scores), title, highlight=best))
    _note_left_out(scores, intervals=bounds is not None)
    if bounds is not None:
        rows = _interval_rows(bounds)
        console.print(
            metrics_table(rows, f"{intervals} intervals (width, MSIS: in each series' seasonal-naive MAE)")
        )
        _note_uncalibrated(rows, intervals)
        _note_window_range(rows)
        unscored = sorted({r["model"] for r in rows if r["cases"] == 0})
        if unscored and intervals == "conformal":  # the table's "nan %" needs its reason
            why = (
                "ask for --n-windows 2 or more"
                if n_windows == 1
                else "only the first window has series long enough; a shorter --horizon gives the later ones"
            )
            print_note(
                f"{', '.join(unscored)}: no interval was scored (each window is calibrated on the windows "
                f"before it): {why}"
            )


def _output_columns(load_kwargs: dict[str, Any], roles: LongRoles | None) -> dict[str, str]:
    """The cv frame's ``unique_id, ds, y`` renamed as the input names them: the id/time/target
    columns given, or ``roles``, those the loader guessed for a long table under other names
    (``Store, Week, Sales``: :attr:`~tsforge.data.load.LoadedPanel.roles`).

    Why the guess too: such a table is read as long without flags, and ``tsforge forecast``
    names its answer ``Store, Week``; the cv file said ``unique_id, ds``, so the two outputs of
    one input could not be joined on the same columns. The loader hands back the roles it read
    by, so the file is read once (it was read a second time here to guess them again).
    """
    if roles is not None:
        return {"unique_id": roles.id_col, "ds": roles.time_col, "y": roles.target_col}
    return {
        "unique_id": load_kwargs["id_col"],
        "ds": load_kwargs["time_col"] or "ds",
        "y": load_kwargs["target_col"],
    }


def _windows(n_windows: int) -> str:
    """``1 rolling-origin window`` / ``3 rolling-origin windows`` (the title said "1 ... windows")."""
    return f"{n_windows} rolling-origin window{'' if n_windows == 1 else 's'}"


def _score_title(frame: Any, h: int, n_windows: int) -> str:
    """The score table's title, its windows as the series got them: ``3 rolling-origin windows``
    where every series fit all, ``up to 3 ...`` where some fit fewer, ``1 rolling-origin window
    ... (3 asked; no series fits more; ...)`` where none fit as many as asked.

    Why: ``cv -H 40 --n-windows 3`` on series of 41–78 values scored one window per series
    (``cases 20`` for 20 series) under the title "3 rolling-origin windows of 40 steps": the
    table a user copies into a report said three.
    """
    per_series = frame.groupby(frame["unique_id"].astype(str))["cutoff"].nunique()
    most = int(per_series.max()) if len(per_series) else n_windows
    least = int(per_series.min()) if len(per_series) else n_windows
    shown = min(most, n_windows)
    up_to = "up to " if least < shown else ""
    asked = f"{n_windows} asked; no series fits more; " if most < n_windows else ""
    return f"{up_to}{_windows(shown)} of {h} steps ({asked}per-series scores averaged over series)"


def _cutoff_words(frame: Any) -> str:
    """``3 cutoffs`` where every series was cut at the same dates; ``3 windows per series, 46
    distinct cutoff dates`` where they were not (a ragged panel: each series' windows end at its
    own last value); ``up to 3 windows per series`` where short series fit fewer.

    Why: a ragged panel's ``--n-windows 3`` printed "wrote 432 rows (46 cutoffs)", the distinct
    dates over all series, read as 46 windows.
    """
    cutoffs = int(frame["cutoff"].nunique())
    per_series = frame.groupby("unique_id")["cutoff"].nunique()
    most = int(per_series.max()) if len(per_series) else 0
    if cutoffs == most:
        return f"{cutoffs} cutoff{'' if cutoffs == 1 else 's'}"
    up_to = "" if int(per_series.min()) == most else "up to "
    return f"{up_to}{most} window{'' if most == 1 else 's'} per series, {cutoffs} distinct cutoff dates"


def _note_fallbacks(
    frame: Any, panel: Any, local_names: list[str], per_model: dict[str, LocalOptions] | None
) -> None:
    """Say, per local model, how many series a fallback forecast in some window, and which: the
    note ``train`` and ``forecast`` give (:func:`~tsforge.panels.local.warn_fallbacks`), from the
    counts :func:`~tsforge.panels.cv.cross_validation` keeps in ``frame.attrs``.

    Why: ``cv -m seasonal_naive`` on a panel with a series shorter than a season scored naive's
    forecasts of it under seasonal_naive's name without a word, while ``train`` named the series.
    """
    from tsforge.models.statistical import LocalOptions
    from tsforge.panels.local import warn_fallbacks

    for name in local_names:
        options = (per_model or {}).get(name, LocalOptions())
        warn_fallbacks(frame, name, len(panel), season=options.season(panel.season_length))


def _score_rows(scores: Any) -> list[dict[str, Any]]:
    """The printed view of ``cv_scores``: metric names as people write them; the counts of
    series a scale-free metric had to leave out appear only when there are any."""
    rows = []
    for r in scores.to_dict("records"):
        row = {"model": r["model"], "MASE": r["mase"], "RMSSE": r["rmsse"], "sMAPE": r["smape"]}
        row.update({"MAPE": r["mape"], "OWA": r["owa"], "cases": r["n_cases"]})
        rows.append(row)
    for key, label in (("n_mase_excluded", "MASE left out"), ("n_mape_excluded", "MAPE left out")):
        if (scores[key] > 0).any():
            for row, n in zip(rows, scores[key], strict=True):
                row[label] = int(n)
    return rows


def _note_left_out(scores: Any, intervals: bool = False) -> None:
    """Say what the score table's "MASE left out" / "MAPE left out" columns count.

    Why: the columns appear only when a case was left out, and then with no word on what was left
    out or why; a first window of a short series (one value before its cutoff: no in-sample error
    to scale by) showed as "MASE left out 1" beside a mean the user could not trace. With an
    interval table (``intervals``) it says that its width and MSIS leave the unscaled cases out
    too while its coverage counts them: a flat series' misses were in a coverage whose MSIS did
    not hold them, and nothing said so.
    """
    if (scores["n_mase_excluded"] > 0).any():
        print_note(
            "MASE left out: cases (a series at one cutoff) with no in-sample error to scale by — one "
            "value before the cutoff, or a history that never changes (or repeats one season) — or "
            "with nothing observed or forecast in the window; they are not in the MASE, RMSSE and OWA "
            "means"
            + (
                "; the intervals' width and MSIS leave out those without a scale too, coverage counts them"
                if intervals
                else ""
            )
        )
    if (scores["n_mape_excluded"] > 0).any():
        print_note(
            "MAPE left out: cases whose observed values in the window are all 0 (MAPE divides by "
            "them), or with nothing observed or forecast there; they are not in the MAPE mean (sMAPE "
            "scores the zeros)"
        )


def _note_uncalibrated(rows: list[dict[str, Any]], intervals: str) -> None:
    """Say what the interval table's "no interval" column counts, where some forecasts have
    bounds and some do not.

    Why: ``--n-windows 2 --level 80`` printed "cases 40, no interval 40" with no word on why half
    the forecasts had no interval, nor that coverage is over the other half only. (Where no
    forecast has one, the note after the table says so and what to change.)
    """
    if intervals != "conformal" or not any(r["cases"] > 0 and r["no interval"] > 0 for r in rows):
        return
    console.print(
        "[dim]no interval: forecasts with no earlier window to calibrate on (each window is "
        "calibrated on the windows before it, so the first has none); coverage, width and MSIS are "
        "over the others (cases)[/]"
    )


def _note_window_range(rows: list[dict[str, Any]]) -> None:
    """Say what the "by window" column is, where the table has one.

    Why: a holdout scores one window, and users read its coverage against the nominal level; on
    the development collections one window's 80 % coverage moved from window to window with a
    standard deviation of 3–19 points (median 7) under the same calibration
    (``benchmarks/coverage_spread.py``), so the range of their own windows is what a single
    window's miss should be read against.
    """
    if any(r.get("by window", "") for r in rows):
        console.print(
            "[dim]by window: the lowest and highest coverage (%) of a single window; a holdout's "
            "one test window can land anywhere in such a range[/]"
        )


def _window_range(r: dict[str, Any]) -> str:
    """``74.1–86.3`` (%, as the coverage column), or blank with fewer than two scored windows."""
    lo, hi = r.get("coverage_min", float("nan")), r.get("coverage_max", float("nan"))
    return "" if r.get("n_windows_scored", 0) < 2 else f"{100 * lo:.1f}–{100 * hi:.1f}"


def _interval_rows(table: Any) -> list[dict[str, Any]]:
    """The printed view of ``cv_interval_scores``: coverage in %, its range over single windows,
    and how many forecasts had no interval (a conformal first window has nothing before it to
    calibrate on)."""
    return [
        {
            "model": r["model"],
            "level": f"{r['level']:g} %",
            "coverage": f"{100 * r['coverage']:.1f} %",
            "by window": _window_range(r),
            "width": r["width"],
            "MSIS": r["msis"],
            "cases": r["n_cases"],
            "no interval": r["n_cases_without_bounds"],
        }
        for r in table.to_dict("records")
    ]
