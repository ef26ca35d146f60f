"""``tsforge recommend`` (which model, and why) and ``tsforge recommender build``.

The commands parse options, draw progress bars and render tables; the work is
:func:`recommender.api.recommend` and :func:`recommender.api.build_default_recommender`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from typing import Annotated, Any, TypedDict

import typer

from tsforge.cli.app import CommandGroup, app, console, print_note
from tsforge.cli.core import baseline_comparison, print_forecast_next, print_registration, tsforge_command
from tsforge.cli.data_options import (
    DROP_SHORT_WAY,
    DropShortOption,
    reader_flags,
    reads_data,
    too_few_left_out,
)
from tsforge.data.panel_checks import leave_out_advice

__all__ = ["recommend_cmd", "build_cmd", "recommender_app"]

recommender_app = CommandGroup(help="Build and manage the model recommender.", no_args_is_help=True)
app.add_typer(recommender_app, name="recommender")

#: "next:" lines hold commands to paste: rich must not break them at the console width (a
#: pipe is 80 columns); the terminal wraps them instead, which a paste undoes.
SOFT_WRAP = True
#: the history file a forecast command names for data that is no file (a catalogue dataset)
HISTORY_PLACEHOLDER = "history.csv"


def _tsforge() -> str:
    """tsforge as a pasted ``next:`` command names it (:func:`~tsforge.cli.core.tsforge_command`:
    ``.venv/bin/tsforge`` where ``tsforge`` is not on PATH), escaped for rich markup."""
    from rich.markup import escape

    return escape(tsforge_command())


@contextmanager
def _progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar fed by ``progress(description, done, total)`` callbacks, on stderr: a bar
    per phase that clears itself on a terminal; in a log (stderr no terminal) a line every
    :data:`tsforge.progress.LOG_INTERVAL` seconds for phases that last longer than that, and
    nothing for short ones (no fragment before the summary or a one-line error).

    Why tqdm through :func:`tsforge.progress.callback_bar`: the rich bar drawn here before was
    off in a log, where a ranking of thousands of series then said nothing for many minutes.
    Why ``lazy`` (opened by the first step reported): a phase that reports none, such as loading
    a saved router, left a log an empty "recommender: 0it" line once it outlasted the bar's
    quiet start.
    """
    from tsforge.progress import callback_bar

    with (
        _notes_after_bar(enabled),
        callback_bar("recommender", leave=False, quiet_start=True, enabled=enabled, lazy=True) as bar,
    ):
        if bar is None:
            yield None
            return

        def update(description: str, done: int, total: int) -> None:
            bar(done, total, description)

        yield update


@contextmanager
def _notes_after_bar(enabled: bool = True) -> Iterator[None]:
    """Hold the warnings made inside (tsforge's notes among them) and show them once the bar
    inside has closed, in the order they were made, also when the work inside raised.

    Why: a note printed while a bar is drawn lands on the bar's line, and the bar is drawn again
    below it: ``--per-series --train`` showed "scoring and logging to MLflow: 100%" twice, the
    calibration note between the two. The CLI is one thread, so holding the process-wide warning
    state here takes no other caller's notes (:func:`tsforge.errors.notes_framed` says why the
    library itself must not).
    """
    import warnings

    if not enabled:
        yield
        return
    held: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as held:
            yield
    finally:
        for w in held:  # the handler restored on leaving: the CLI's note printer
            warnings.showwarning(w.message, w.category, w.filename, w.lineno, w.file, w.line)


@app.command("recommend")
@reads_data()
def recommend_cmd(
    data: Annotated[str, typer.Argument(metavar="DATA", help="CSV/Parquet file or catalogue dataset name.")],
    horizon: Annotated[
        int | None, typer.Option("--horizon", "-H", help="Forecast horizon (default: catalogue/season).")
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            "--top", help="How many models to show (default 3; the rankings only).", show_default=False
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    max_series: Annotated[
        int | None,
        typer.Option(
            "--max-series",
            help="A panel's ranking: rank on a seeded random sample of this many series "
            "(default: every series; --train still trains on all of them).",
            show_default=False,
        ),
    ] = None,
    train: Annotated[
        bool, typer.Option("--train", help="Train the top choice (tracked and registered in MLflow).")
    ] = False,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help="Random seed (default: each path's own: 2024 for a panel's ranking and its "
            "training, as recommend_panel and train use; 0 for the per-series and long-data paths).",
            show_default=False,
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(
            help="holdout (panels; the default for your own files) or 7:1:2/6:2:2/ett to rank from the "
            "properties of long multichannel data (default: the catalogue's)."
        ),
    ] = None,
    per_series: Annotated[
        bool,
        typer.Option(
            "--per-series",
            help="Panels: recommend a candidate (and weights) for every series from its properties; "
            "with --train, fit and register one routed ensemble that forecasts each series with its pick.",
        ),
    ] = False,
    register_as: Annotated[
        str | None, typer.Option("--register-as", help="With --train: the registered model name.")
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="--per-series --train: 'weights' (weighted combination) or 'pick'.")
    ] = "weights",
    n_jobs: Annotated[int, typer.Option("--n-jobs", help="Processes for local models and profiling.")] = 1,
    adapt: Annotated[
        bool,
        typer.Option(
            "--adapt",
            help="--per-series --train: also learn the routing from this panel's own history "
            "(cross-validates every candidate on 2 earlier windows first; slower).",
        ),
    ] = False,
    *,
    load_kwargs: dict[str, Any],
    drop_short: DropShortOption = False,
) -> None:
    """Rank the candidate models for a dataset and explain the top choice.

    Long multichannel datasets are ranked from their properties by the recommender; panels (and
    your own files, which follow the holdout protocol) by every candidate's validation MASE, or
    per series from its properties with --per-series.
    """
    started = time.perf_counter()  # before the imports below: seconds of a cold start
    from recommender.api import recommend
    from tsforge.data.protocol import HOLDOUT, protocol_for
    from tsforge.errors import ConfigError

    if register_as is not None and not train:
        raise ConfigError("--register-as names the model --train registers; add --train", field="register_as")
    _refuse_unused_options(per_series, train, adapt, mode, split)
    if per_series and top is not None:  # the per-series view shows series, not a ranking
        raise ConfigError("--top sets how many ranked models to show; --per-series shows picks per series "
                          "(all of them: --json)", field="top")  # fmt: skip
    top = 3 if top is None else top
    split = split.strip().lower() if split else None  # as the next commands print it
    holdout = per_series or protocol_for(data, split) == HOLDOUT
    if max_series is not None and (per_series or not holdout):
        raise ConfigError(
            "--max-series samples the series a panel's ranking fits every candidate on; "
            "--per-series and long multichannel data do not rank that way",
            field="max_series",
        )
    if drop_short and not (holdout and (train or not per_series)):
        raise ConfigError(
            "--drop-short applies where a panel is scored on its holdout: a panel's ranking, or "
            "--per-series --train (a per-series recommendation alone scores nothing)",
            field="drop_short",
        )
    load_kwargs = too_few_left_out(load_kwargs, drop_short)
    if per_series:  # the refusal of a series with fewer than two values names --drop-short where accepted
        with leave_out_advice(DROP_SHORT_WAY) if train else nullcontext():
            _recommend_per_series(
                data,
                horizon,
                as_json,
                train,
                register_as,
                mode,
                seed,
                n_jobs,
                adapt,
                load_kwargs,
                drop_short,
                started,
            )
        return
    if holdout:
        with leave_out_advice(DROP_SHORT_WAY):
            _recommend_panel(
                data,
                horizon,
                top,
                as_json,
                train,
                seed,
                register_as,
                load_kwargs,
                drop_short,
                split=split,
                n_jobs=n_jobs,
                max_series=max_series,
            )
        return

    protocol = _long_split(data, split)
    with _progress_bar(not as_json) as progress:
        rec = recommend(
            data,
            horizon=horizon,
            top=top,
            **_seed(seed),
            progress=progress,
            announce=None if as_json else print_note,
            load_kwargs=load_kwargs,
            split=protocol,
        )
    if not as_json:
        render_recommendation(rec, _data_ref(data, load_kwargs, horizon, split), trained=train)
    outcome = None
    if train:
        from tsforge.pipeline import TrackingOptions
        from tsforge.pipeline import train as train_model

        best = rec.best
        if not as_json:
            console.print(
                f"\ntraining [bold]{best.name}[/] (input {rec.input_len}, horizon {rec.horizon}) ..."
            )
        outcome = train_model(
            data,
            horizon=rec.horizon,
            input_len=rec.input_len,
            split=protocol,
            tracking=TrackingOptions(registered_name=register_as, progress=not as_json),
            load_kwargs=load_kwargs,
            **{**best.train_kwargs, **_seed(seed)},  # a --seed given reaches the training too
        )
    if as_json:
        _print_json(rec, outcome)
    elif outcome is not None:
        m = outcome.metrics
        console.print(
            f"{rec.best.name}: test MSE {m.get('test_mse', float('nan')):.4f}, "
            f"MAE {m.get('test_mae', float('nan')):.4f}"
            + (f"; MLflow run {outcome.run_id}" if outcome.run_id else "")
        )
        if skill := baseline_comparison(m, outcome.params.get("baseline")):
            console.print(skill)
        # where @champion now points, in train's words ("registered version 2" alone said not)
        print_registration(outcome)
        print_forecast_next(outcome.registered_name, data, load_kwargs, placeholder=HISTORY_PLACEHOLDER)


class _SeedOption(TypedDict, total=False):
    """What :func:`_seed` passes on: ``seed`` or nothing (a TypedDict, so ``**`` reaches ``seed`` only)."""

    seed: int


def _seed(seed: int | None) -> _SeedOption:
    """``seed=`` for the function a path calls, or nothing so that function's own default holds.

    Why not one CLI default: ``--seed`` defaulted to 0 while ``recommend_panel`` and ``train``
    use 2024, so ``tsforge recommend my.csv`` ranked with another seed than the Python call the
    README calls its equivalent (DLinear 0.778 against 0.772 on a hospital subset).
    """
    return {} if seed is None else {"seed": seed}


def _refuse_unused_options(per_series: bool, train: bool, adapt: bool, mode: str, split: str | None) -> None:
    """Refuse the options the chosen path would ignore, as ``--register-as`` without ``--train``.

    Why: ignored silently they mislead — ``--per-series --adapt`` printed the recommendation of
    the router that was *not* adapted (under a line advising ``--train --adapt``), ``--mode
    pick`` on a ranking did nothing, and ``--per-series --split 7:1:2`` scored nothing under
    that split (the per-series path reads every file as a panel under the holdout protocol).
    """
    from tsforge.errors import ConfigError

    routed = per_series and train
    if adapt and not routed:
        raise ConfigError(
            "--adapt retrains the router while fitting the routed ensemble; it needs --per-series --train",
            field="adapt",
        )
    if mode != "weights" and not routed:
        raise ConfigError(
            f"--mode {mode} says how the routed ensemble forecasts; it needs --per-series --train",
            field="mode",
        )
    if per_series and split is not None and split.strip().lower() != "holdout":
        raise ConfigError(
            f"--split {split} ranks long multichannel data; --per-series reads the data as a panel "
            "under the holdout protocol (leave out --split, or --per-series)",
            field="split",
        )


def _long_split(data: str, split: str | None) -> str:
    """The split ``--train`` uses on long multichannel data: the one given (checked before the
    ranking, so a typo is not first noticed after it), else the catalogue's.

    Why the training needs it passed: without it ``train`` falls back to the catalogue's split or
    7:1:2, so ``--split 6:2:2 --train`` trained on 7:1:2.
    """
    from tsforge.data.protocol import protocol_for
    from tsforge.data.splits import parse_split

    protocol = protocol_for(data, split)
    parse_split(protocol)
    return protocol


def _data_ref(data: str, load_kwargs: dict[str, Any], horizon: int | None, split: str | None = None) -> str:
    """How a printed ``next:`` command names the data: the argument, its reader flags and the
    ``--horizon`` and ``--split`` the user gave (without the horizon the next command falls back
    to the default; without the split a file is read as a panel under the holdout protocol,
    which ranks and trains otherwise and refuses ``--coords``)."""
    return (
        data
        + reader_flags(load_kwargs)
        + (f" --horizon {horizon}" if horizon is not None else "")
        + (f" --split {split}" if split else "")
    )


def _print_json(
    rec: Any,
    outcome: Any | None,
    training: dict[str, Any] | None = None,
    *,
    notes: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """``--json``: one document, the recommendation, plus with ``--train`` what the training did
    under ``training`` (the run, the registration, the scores; ``training`` replaces the default
    section where a path has more to say) and, where given, the lines the table prints under it
    as ``notes`` (by name) and ``extra``'s fields beside the recommendation's. An undefined number
    is ``null``: ``json.dumps`` writes ``NaN``, which is not JSON (``jq`` and strict parsers
    refuse it)."""
    from recommender.series_recommendation import json_ready

    payload = {**rec.to_dict(), **(extra or {})}
    if notes is not None:
        payload["notes"] = notes
    if outcome is not None:
        payload["training"] = training or {
            "metrics": outcome.metrics,
            "run_id": outcome.run_id,
            "registered_name": outcome.registered_name,
            "version": outcome.version,
        }
    print(json.dumps(json_ready(payload), indent=2, default=str, allow_nan=False))


#: above this many series a panel's ranking (every candidate fitted on every series) takes many
#: minutes (20,000 monthly series had not finished the third of six candidates after ten), and the
#: CLI says so before it starts
LARGE_PANEL_SERIES = 5_000


def _recommend_panel(
    data: str,
    horizon: int | None,
    top: int,
    as_json: bool,
    train: bool,
    seed: int | None,
    register_as: str | None,
    load_kwargs: dict[str, Any],
    drop_short: bool = False,
    split: str | None = None,
    n_jobs: int = 1,
    max_series: int | None = None,
) -> None:
    """A panel ranked by every candidate's validation MASE; ``split`` is the ``--split`` given
    (``holdout``), which the printed next command repeats; ``n_jobs`` (``--n-jobs``) goes to the
    ranking's and the training's local-model fits (it was dropped: the ranking ran in one
    process whatever was asked)."""
    from rich.table import Table

    from recommender.panel import PANEL_CANDIDATES, recommend_panel
    from tsforge.data.protocol import panel_horizon
    from tsforge.errors import ConfigError
    from tsforge.panels.protocol import default_horizon_named, default_horizon_that_fits, drop_short_series
    from tsforge.pipeline.panel import filled_values_said, load_holding_gaps, note_filled_for_candidates

    if top < 1:  # as recommend() refuses it for long data; a slice took 0 as empty, -1 as "all but one"
        raise ConfigError(f"top must be at least 1, got {top}", field="top")
    # the reader's note on the steps --fill-gaps inserted is held for the one note on the data's
    # missing values, said once for every candidate (each candidate's own is silenced)
    panel, entry, held = load_holding_gaps(data, load_kwargs)
    h = panel_horizon(horizon, entry, panel.season_length, panel.horizon)
    # a refusal of series too short for h says so when h was this data's default, not the user's
    with held.released_if_raised(), default_horizon_named(horizon, h):
        h = default_horizon_that_fits(panel, horizon, h, drop_short=drop_short, entry=entry)
        if drop_short:
            held.released_before_drop(panel, h)
            panel, _ = drop_short_series(panel, h)
        if max_series is None and len(panel) > LARGE_PANEL_SERIES:
            print_note(
                f"ranking fits every candidate on each of the {len(panel):,} series (many minutes on a "
                f"laptop); --max-series {LARGE_PANEL_SERIES // 2} ranks on a seeded random sample"
            )
        with _progress_bar(not as_json) as progress, filled_values_said():
            rec = recommend_panel(
                panel, h, n_jobs=n_jobs, progress=progress, max_series=max_series, **_seed(seed)
            )
        # after the ranking, which refuses a panel its holdout cannot split, and before its table
        note_filled_for_candidates(panel, h, PANEL_CANDIDATES, data, held)
    notes, unranked = _panel_notes(panel, h, rec, top)
    if not as_json:
        ranked = f"{rec.n_series:,} of {rec.sampled_from:,}" if rec.sampled_from else f"{rec.n_series}"
        t = Table(title=f"Models for the panel {rec.dataset} ({ranked} series, horizon {rec.horizon})")
        shown = rec.ranking[:top]
        t.add_column("#", justify="right", min_width=1)
        t.add_column("model", no_wrap=True, min_width=max((len(r["model"]) for r in shown), default=5))
        # with a same-phase window the order follows the score (geometric mean of the two MASEs):
        # show all three, so the numbers explain the order
        phase = any(r.get("phase_mase") is not None for r in shown)
        cols = ("score", "validation MASE", "same phase MASE") if phase else ("validation MASE",)
        for col in (*cols, "validation sMAPE"):
            t.add_column(col, justify="right")  # a narrow terminal wraps the header, not the number
        for i, row in enumerate(shown, start=1):
            nums = [row["score"], row["val_mase"], row["phase_mase"]] if phase else [row["val_mase"]]
            cells = [f"{v:.3f}" for v in nums]
            if row.get("val_forms_held"):  # scored as served: train's validation MASE is another
                cells[1 if phase else 0] += SERVED_MARK
            t.add_row(str(i), row["model"], *cells, f"{row['val_smape']:.2f}")
        # what the numbers are: measured here, where --per-series prints the router's expectation
        served = any(row.get("val_forms_held") for row in shown)
        t.caption = ranking_caption(rec.horizon, phase=phase, served=served)
        if len(rec.ranking) > len(shown):  # say where the rest are, or they look never tried
            t.caption += f"; top {len(shown)} of {len(rec.ranking)} candidates (--top N or --json for all)"
        console.print(t)
        if line := notes.get("not_ranked"):
            console.print(f"[dim]{line}[/]")
        console.print(f"[bold]why {rec.best}:[/] {rec.explanation}")
        if note := notes.get("smape_on_zeros"):
            print_note(note)
        if line := notes.get("per_series_disagreement"):
            console.print(line)
        if not train:
            console.print(
                f"[dim]next: {_tsforge()} recommend {_data_ref(data, load_kwargs, horizon, split)}"
                f"{' --drop-short' if drop_short else ''}"
                f"{f' --max-series {max_series}' if max_series is not None else ''} --train[/]",
                soft_wrap=SOFT_WRAP,
            )
    out = None
    if train:
        from tsforge.pipeline import TrackingOptions, train_panel

        with filled_values_said():  # the pick's note is the one said above of every candidate
            out = train_panel(
                panel,
                rec.best,
                horizon=h,
                n_jobs=n_jobs,
                **_seed(seed),
                tracking=TrackingOptions(registered_name=register_as, progress=not as_json),
            )
    if as_json:  # not_ranked: None (null) where no router view could be had, not "none left out"
        _print_json(rec, out, notes=notes, extra={"not_ranked": unranked})
    elif out is not None:
        console.print(
            f"{rec.best}: test MASE {out.metrics['test_mase']:.3f}"
            + (f"; MLflow run {out.run_id}" if out.run_id else "")
        )
        if skill := baseline_comparison(out.metrics, out.params.get("baseline"), "mase", "naive2_mase"):
            console.print(skill)
        print_registration(out)  # where @champion now points, in train's words
        print_forecast_next(out.registered_name, data, load_kwargs, placeholder=HISTORY_PLACEHOLDER)


#: the mark of a validation MASE scored as served (a refit held to the served seasonal form)
SERVED_MARK = "*"


def ranking_caption(horizon: int, *, phase: bool = False, served: bool = False) -> str:
    """The caption that says what a panel ranking's numbers are: measured, and on which values.

    Why: ``--per-series`` prints the router's *expected* MASE, and a reader took dlinear's
    validation MASE 0.422 here and its "0.793" there for one number that had changed. Short, as
    it wraps at the table's width; the "why" under it names the window again with the numbers.
    With a same-phase window (``phase``) the rows are ordered by a score of two MASEs, so it
    says what the second one and the score are. ``served``: a row's validation MASE carries
    :data:`SERVED_MARK`, and the caption says what it means. Why: AutoETS / AutoARIMA are ranked
    as served (a refit on fewer than three seasons keeps the served fit's seasonal form,
    docs/intervals.md), while ``tsforge train`` reports the plain refit's validation MASE: one
    panel showed 0.891 here and 1.984 there, with nothing to say why.
    """
    said = f"validation MASE: measured on each series' last {horizon} values before its test window"
    if phase:
        # the test window's phase a season earlier (recommender.panel.same_phase_panel), not the
        # validation window's: "and one season earlier" read as the latter
        said += (
            f"; same phase MASE: on the {horizon} values a season before its test window; score: their "
            "geometric mean"
        )
    if served:
        said += (
            f"; {SERVED_MARK} as served: its refit keeps the served seasonal form "
            "(train's validation MASE does not)"
        )
    return said


def _panel_notes(
    panel: Any, horizon: int, rec: Any, top: int
) -> tuple[dict[str, str], dict[str, str] | None]:
    """The lines printed under a panel's ranking, by name (``not_ranked``, ``smape_on_zeros``,
    ``per_series_disagreement``; a name is absent where its line is): the table prints them and
    ``--json`` carries them as ``notes``.

    Why one place: computed only for the table, ``--json`` lost them, so a script reading the
    pick never learnt that ``--per-series`` would choose another model, nor why the pick shows a
    higher sMAPE than a model it beat on MASE. Returned with them: the router's candidates the
    ranking did not consider → why (``--json``'s ``not_ranked``): ``{}`` where it considered
    them all, ``None`` (JSON ``null``) where no router view could be had (none ready, or data it
    refuses), so that nothing compared does not read as nothing left out.
    """
    from recommender.panel import not_ranked_line, per_series_disagreement
    from tsforge.cli.tables import smape_on_zeros_note

    shown = {r["model"]: r["val_smape"] for r in rec.ranking[:top]}
    view = _router_view(panel, horizon, rec)
    notes = {
        "not_ranked": not_ranked_line(rec, view[1], view[2]) if view else None,
        "smape_on_zeros": smape_on_zeros_note(panel, rec.best, shown),
        "per_series_disagreement": (
            per_series_disagreement(rec, view[0].collection, view[0].weights) if view else None
        ),
    }
    return {k: v for k, v in notes.items() if v}, (view[1] if view else None)


def _router_view(panel: Any, horizon: int, rec: Any) -> tuple[Any, dict[str, str], list[str]] | None:
    """``(per-series recommendation, not ranked, combinations)`` of ``panel`` by the default
    router: its view before any fit, its candidates the ranking ``rec`` did not consider → why
    (:func:`recommender.panel.not_ranked`) and the names of its combinations; ``None`` with no
    router ready (none saved, or a stale one that would be rebuilt) or data it refuses.

    Why compute it here: a user who ran both saw two answers without a word on which to trust,
    nor that they chose from different candidates. The router's view needs no fit (under a
    second on 40 series).
    """
    from recommender.panel import not_ranked
    from recommender.series_recommendation import default_router, default_router_pending, recommend_series
    from tsforge.errors import TsforgeError

    try:  # a router that would be built from collections missing here is refused too: say nothing
        if default_router_pending():
            return None
        router = default_router(build_if_missing=False)
        series = recommend_series(panel, horizon, router=router, build_if_missing=False)
    except TsforgeError:
        return None
    combinations = dict(router.combinations)
    return series, not_ranked(rec, list(router.candidates), combinations), list(combinations)


def _checked_before_router(
    data: str, horizon: int | None, load_kwargs: dict[str, Any], *, train: bool, drop_short: bool
) -> tuple[Any, int]:
    """``(panel, horizon)`` of ``--per-series``, refused before the default router is resolved
    (:func:`recommender.series_recommendation.checked_panel`); with ``--train``, also the
    holdout's refusal of series too short for it (``--drop-short``: of none long enough), by
    the functions the training applies.

    Why first: without a router on this machine :func:`default_router` builds one (15–25 min),
    and a missing column, a horizon of 0 or series too short were refused only after it.
    """
    import warnings

    from recommender.series_recommendation import checked_panel
    from tsforge.errors import ShortSeriesWarning
    from tsforge.panels.protocol import drop_short_series, holdout_split

    panel, h = checked_panel(data, horizon, load_kwargs=load_kwargs, refuse_untrainable=not train)
    if train and drop_short:
        with warnings.catch_warnings():  # the training warns of the series it leaves out
            warnings.simplefilter("ignore", ShortSeriesWarning)
            drop_short_series(panel, h)
    elif train:
        holdout_split(panel, h)
    return panel, h


def _recommend_per_series(
    data: str,
    horizon: int | None,
    as_json: bool,
    train: bool,
    register_as: str | None,
    mode: str,
    seed: int | None,
    n_jobs: int,
    adapt: bool,
    load_kwargs: dict[str, Any],
    drop_short: bool = False,
    started: float | None = None,
) -> None:
    """``--per-series``: the per-series recommendation, and with ``--train`` the routed ensemble.

    ``started``: ``time.perf_counter()`` when the command started; the printed total counts from
    there (default: now). Why: the total counted from the recommendation's own start left out
    the reading and the imports before it, about half of the wall time ("37.9 s" printed after
    a minute), and the user could not tell what the rest was.
    """
    started = time.perf_counter() if started is None else started
    from recommender.properties.profile import profiling_bar
    from recommender.series_recommendation import (
        MODES,
        default_router,
        default_router_pending,
        recommend_series,
    )
    from tsforge.errors import ConfigError
    from tsforge.pipeline.panel import filled_values_said, gaps_held, note_filled_for_candidates

    if mode not in MODES:
        raise ConfigError(f"--mode must be one of {', '.join(MODES)}, got {mode!r}", field="mode")
    t0 = time.perf_counter()
    with gaps_held() as held:  # --train says the inserted steps in its one note on the members
        panel, h = _checked_before_router(data, horizon, load_kwargs, train=train, drop_short=drop_short)
    if not train:
        held.release()
    read_seconds = time.perf_counter() - t0
    data_ref = _data_ref(data, load_kwargs, horizon)
    if pending := default_router_pending():
        print_note(pending)
    with _progress_bar(not as_json) as progress:
        router = default_router(progress=progress)
    outcome = None
    if not train:
        # the profile can be most of the time (33 s on m1_monthly, cold): a bar of its own, drawn
        # in a log too, as `tsforge profile` draws it (the phase bar waits 30 s there), and after
        # the phase bar is closed (a second bar open at once wrote cursor moves, "[A", to a log)
        with profiling_bar(not as_json) as profiled:
            rec = recommend_series(panel, h, router=router, n_jobs=n_jobs, profile_progress=profiled)
        # the data were read before the router: their reading counts as the answer's
        rec.timings["load_seconds"] += read_seconds
    else:
        with _progress_bar(not as_json) as progress:
            from recommender.routed_training import train_routed
            from tsforge.errors import notes_framed
            from tsforge.pipeline import TrackingOptions

            # its notes (the ensemble's interval calibration, a member's fallbacks) came before the
            # picks table with no word of which model they were about
            named = f" {register_as!r}" if register_as else ""
            if drop_short:  # before the note that leaves series out, if those are all it counts
                held.released_before_drop(panel, h)
            # its members' notes on the missing values they fill, two each (their fit, their
            # validation forecast), are said once for all of them after the training
            with (
                held.released_if_raised(),
                filled_values_said(),
                notes_framed(f"training the routed model{named}"),
            ):
                # the panel read above (the file once), its source said for the MLflow dataset
                outcome = train_routed(
                    panel,
                    h,
                    source=data,
                    router=router,
                    mode=mode,
                    **_seed(seed),
                    n_jobs=n_jobs,
                    adapt=adapt,
                    tracking=TrackingOptions(registered_name=register_as, progress=False),
                    progress=progress,
                    drop_short=drop_short,
                    on_recommendation=None if as_json else partial(_picks_known, data_ref=data_ref),
                )
            rec = outcome.recommendation
            members = list(outcome.member_metrics)
            note_filled_for_candidates(outcome.panel, h, members, data, held, noun="members")
    rec.timings["total_seconds"] = time.perf_counter() - started
    if as_json:
        training = None
        if outcome is not None:
            training = {
                "mode": mode,
                "metrics": outcome.metrics,
                # the test window's best candidate: not the recommendation's expected best_single
                "hindsight_best_single": outcome.hindsight_best_single,
                "members": outcome.member_metrics,
                "run_id": outcome.run_id,
                "registered_name": outcome.registered_name,
                "version": outcome.version,
                "promotion": outcome.promotion,
                "prior": outcome.prior,
                "seconds": outcome.seconds,
            }
        _print_json(rec, outcome, training)
        return
    if outcome is None:
        render_series_recommendation(rec, data_ref)
    else:  # the picks were printed when the routing made them (_picks_known); the time it all took
        _print_series_timings(rec, data_ref, trained=True)
        m = outcome.metrics
        console.print(
            f"\n[bold]routed ({mode})[/]: test MASE {m['test_mase']:.3f} (pick {m['test_mase_pick']:.3f}, "
            # both references are chosen on the test window itself: say so beside the test MASE
            f"weights {m['test_mase_weights']:.3f}); best single candidate in hindsight "
            f"{outcome.hindsight_best_single} "
            f"{m['test_mase_best_single']:.3f}, per-series oracle (hindsight) {m['test_mase_oracle']:.3f}; "
            f"{outcome.seconds.get('total', 0):.0f} s"
            + (f"\nprior: {outcome.prior}" if outcome.prior else "")
            + (f"\nMLflow run {outcome.run_id}" if outcome.run_id else "")
            + (f", registered {outcome.registered_name} version {outcome.version}" if outcome.version else "")
        )
        from tsforge.evaluation.baseline import NAIVE2

        skill = baseline_comparison(m, NAIVE2, "mase", "naive2_mase")
        if skill:
            console.print(skill)
        if outcome.promotion:
            console.print(f"[dim]{outcome.promotion}[/]")
        print_forecast_next(outcome.registered_name, data, load_kwargs, placeholder=HISTORY_PLACEHOLDER)


def _picks_known(rec: Any, *, data_ref: str) -> None:
    """Print the per-series picks of ``--per-series --train`` as soon as the routing has made
    them (:func:`recommender.routed_training.train_routed`'s ``on_recommendation``), above the
    progress bar, which goes on below them.

    Why: the picks are known after the members' fits and the routing, but were printed after the
    calibration, the scoring and the MLflow logging too: minutes later on a panel of many series
    (13 min in all on cif_2016's 72 on a busy machine), with nothing said about them meanwhile.
    """
    from tsforge.progress import ProgressBar, interactive

    if not interactive():
        # in a log the bar writes its own lines now and then; a redraw here left one unended, and
        # the next note was printed on it, after the bar's text
        render_series_recommendation(rec, data_ref, trained=True, timings=False)
        return
    with ProgressBar.external_write_mode():  # the bar is cleared, then drawn again under the picks
        render_series_recommendation(rec, data_ref, trained=True, timings=False)
        console.file.flush()


def expected_mase_caveat(scale: float, *, trained: bool = False, measured: bool = False) -> str:
    """What the printed expected MASE is worth, for the router that printed it.

    Why a sentence at all: measured in ``benchmarks.recommender_eval``, the models' own estimate
    (exp of a mean log error) ran below the test MASE on most held-out collections (median 1.45×);
    a router built with ``expected_scale`` is scaled to what held-out collections showed, which
    centres it, but single collections still miss by several times (held-out ILI 4–9×). It must
    not read as a promise.
    """
    if trained:
        # with --train the relative part is this panel's own validation errors (the prior the
        # routed ensemble pooled towards), not the properties; the holdout MASE is measured below
        # two lines at 80 columns: it was five, saying "not measured" three ways ("an estimate",
        # "not a ranking's validation MASE", "the routed test MASE below is measured"); kept: the
        # one a reader mistook it for. The scale (×1.46: to what held-out collections showed) is
        # docs/per-series.md's to explain
        return (
            "expected MASE: the router's estimate from other collections"
            + (f" (×{scale:.2f})" if scale != 1.0 else "")
            # "(the prior --train pooled towards)" went: the "prior: validation window" line says it
            + ", ordered by this panel's validation-window errors; not a ranking's validation MASE"
        )
    # ``measured``: --train ran without pooling fully (--adapt), so the holdout MASE the advice
    # points to is printed below; "plan with the holdout MASE of --train" asked for what just ran
    plan = (
        "; the routed test MASE below is measured" if measured else " — plan with the holdout MASE of --train"
    )
    # unlike a ranking's validation MASE, no measurement: said first, so that "scaled" reads as
    # the estimate's (a parenthesis before it read as if the scaling were of the parenthesis);
    # that no candidate was fitted is said once, by the candidates line (candidates_words)
    if scale == 1.0:
        return (
            "expected MASE: not a measurement but the router's estimate from the series' properties; "
            "this router was built without the held-out scale and its estimate has run below the test "
            "MASE on most held-out collections (rebuild it: `tsforge recommender build --per-series`)" + plan
        )
    return (
        "expected MASE: not a measurement but the router's estimate from the series' properties, "
        f"scaled (×{scale:.2f}) to what held-out collections showed; a rough level that ranks "
        "candidates, off by more than 1.5× on some of them (README, Per-series recommendation)" + plan
    )


def candidates_words(rec: Any, *, trained: bool = False) -> str:
    """Which candidates a per-series answer chose among, and whether any was fitted here;
    ``""`` where none is known.

    Why: ``--per-series`` (the router's 9 candidates, none fitted), ``--per-series --train`` (the
    members it fitted, lightgbm among them, and the combinations of their forecasts) and the
    panel ranking (6 fitted on the validation window) answered one panel with three picks, and
    none said that their candidates differed. Models and combinations are counted apart: a
    combination is made of its members' forecasts, never fitted ("the 9 the routed ensemble
    fitted" counted two that were not). After a fully pooled ``--train`` the caveat above says
    what the candidates were set apart by; where it does not (``--adapt``: pooled part-way) this
    line does (the recommendation's ``prior_label``).
    """
    # the collection's expected MASE is keyed by the candidates chosen among, as ``considered``
    considered = list(getattr(rec, "considered", None) or rec.collection.get("expected_mase", {}))
    if not considered:
        return ""
    combos = [c for c in considered if c in (getattr(rec, "combinations", None) or {})]
    models = [c for c in considered if c not in combos]
    combined = _count(len(combos), "combination") if combos else ""
    names = ", ".join(models) + (f"; {', '.join(combos)}" if combos else "")
    if trained:
        fitted = f"{_count(len(models), 'model')} the routed ensemble fitted"
        said = f"candidates: the {fitted}{f' and its {combined}' if combos else ''} ({names})"
        shrink = float(rec.router.get("shrink", 0.0))
        towards = getattr(rec, "prior_label", None)
        return said + (f", set apart in part by {towards}" if towards and 0.0 < shrink < 1.0 else "")
    # what --train would do is the caveat's and the footer's to say ("plan with the holdout MASE
    # of --train", "next: … --train"): a third mention here cost a line
    return (
        f"candidates: the router's {_count(len(models), 'model')}{f' and {combined}' if combos else ''} "
        f"({names}), none fitted on these data"
    )


def _count(n: int, noun: str) -> str:
    """ "7 models", "1 combination"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def best_single_words(collection: dict[str, Any], temperature: float) -> str:
    """The line on one candidate for every series: ``X is best`` only where its expected MASE
    leads the next candidate's by the margin a clear pick needs; else that none stands out.

    Why: on a fully pooled router the line under "a clear pick for none of them: their weights
    are near-even (nlinear 0.20, lightgbm 0.20, …)" read "nlinear is best", a coin toss
    presented as a decision. The margin is the clear-pick rule's (a weight at least
    :data:`~recommender.per_series.CLEAR_PICK_RATIO` times the next one's) in expected MASE: the
    weights are a softmax of the log scores at ``temperature``, so a weight ratio of 2 is an
    expected-MASE ratio of ``2 ** temperature``. Only the words change, not what is picked.
    """
    from recommender.per_series import CLEAR_PICK_RATIO, clear_lead

    best, mase = collection["best_single"], float(collection["expected_mase_best_single"])
    by_candidate = {**collection.get("expected_mase", {})}
    by_candidate.setdefault(best, mase)
    said = f"one candidate for every series: {best} is best (expected MASE {mase:.3f})"
    stands_out, runner = clear_lead(by_candidate, best, temperature)
    if runner is None:
        return said
    next_mase = float(by_candidate[runner])
    margin = CLEAR_PICK_RATIO**temperature
    if stands_out:
        return f"{said}, next {runner} {next_mase:.3f}"
    return (
        f"one candidate for every series: none stands out ({best} {mase:.3f}, {runner} "
        f"{next_mase:.3f} expected MASE, closer than the {margin:.2f}× a clear lead needs); the "
        "weights blend them"
    )


def render_series_recommendation(
    rec: Any, data_ref: str, n_rows: int = 10, *, trained: bool = False, timings: bool = True
) -> None:
    """The collection view (picks, expected errors, why) and the series with the largest gain;
    ``data_ref`` is how the printed next command names the data (with its column flags); after
    ``--train`` (``trained``) the next step is a forecast, printed by the caller instead.
    ``timings``: end with the time it took and the next command (:func:`_print_series_timings`);
    ``--train`` prints the picks before its training ends, and that line after it."""
    from rich.table import Table

    c = rec.collection
    t = Table(title=f"Per-series picks for {rec.dataset} ({rec.n_series} series, horizon {rec.horizon})")
    # names and numbers are never cut ("auto_ets+auto_theta+dli…"): only "why" wraps
    t.add_column("pick", no_wrap=True, min_width=max(map(len, c["pick_distribution"]), default=4))
    t.add_column("series", justify="right", no_wrap=True)
    t.add_column("expected MASE", justify="right", no_wrap=True, min_width=5)
    pick_width = max(map(len, c["pick_distribution"]), default=4)
    # pick, "100% (0% clear)", "expected MASE" and the borders leave the rest of the line to "why"
    why_inline = _why_fits(pick_width + 15 + 13 + 3 * 4)
    if why_inline:
        t.add_column("why", overflow="fold")
    # a pick's row: its expected MASE over the series it is picked for (not over every series)
    picked = c.get("expected_mase_picked", c["expected_mase"])
    # where a pick does not clearly dominate a series' weights, the row says on how many it does
    # ("100%" read as a decisive choice for weights of 0.22/0.20/0.20/0.19/0.19)
    clear = c.get("clear_pick_share", c["pick_distribution"])
    for cand, share in c["pick_distribution"].items():
        firm = clear.get(cand, share)
        t.add_row(
            cand,
            f"{share:.0%}" + (f" ({firm:.0%} clear)" if firm < share else ""),
            f"{picked.get(cand, float('nan')):.3f}",
            *([c["explanations"].get(cand, "")] if why_inline else []),
        )
    if any(clear.get(k, v) < v for k, v in c["pick_distribution"].items()):
        t.caption = "series: where the pick has the highest weight; clear: at least twice the next one's"
    console.print(t)
    if not why_inline:
        _print_whys((cand, c["explanations"].get(cand, "")) for cand in c["pick_distribution"])
    # "best single candidate auto_ets+auto_theta+dlinear" called a combination of three "single":
    # what it is, is one candidate for every series, against a pick per series
    from recommender.series_recommendation import pooling_words

    # said where every series has the collection's weights; the command in bold, as flags are
    pooling = pooling_words(rec.router, command="[bold]tsforge recommend --per-series --train --adapt[/]")
    pools = pooling is not None
    best_single = best_single_words(c, float(rec.router.get("temperature", 1.0)))
    # pooled fully, the picks are the collection's: "(0.0% better)" held by construction
    console.print(
        best_single
        if pools
        else f"{best_single}; per-series picks: expected MASE {c['expected_mase_pick']:.3f} "
        f"({c['expected_gain']:.1%} better)"
    )
    scale = float(rec.router.get("expected_scale", 1.0))
    # fully pooled after --train: the scores are the prior's, i.e. this panel's validation errors
    console.print(f"[dim]{expected_mase_caveat(scale, trained=trained and pools, measured=trained)}[/]")
    if candidates := candidates_words(rec, trained=trained):
        console.print(f"[dim]{candidates}[/]")
    if pools:
        # full pooling: every series has the collection's weights, so a per-series table would
        # repeat one row n times; say why instead
        console.print(pooling)
        _print_terms(c["explanations"].values())
        _print_series_footer(rec, data_ref, trained, timings=timings)
        return
    top = rec.per_series.sort_values("gain", ascending=False).head(n_rows)
    s = Table(title=f"Series with the largest expected gain (of {rec.n_series})")
    s.add_column("series", no_wrap=True, min_width=max((len(str(u)) for u in top["unique_id"]), default=6))
    s.add_column("pick", no_wrap=True, min_width=max((len(str(p)) for p in top["pick"]), default=4))
    s.add_column("expected MASE", justify="right", no_wrap=True, min_width=5)
    s.add_column("gain", justify="right", no_wrap=True)
    id_width = max((len(str(u)) for u in top["unique_id"]), default=6)
    pick_width = max((len(str(p)) for p in top["pick"]), default=4)
    # series, pick, expected MASE, gain, a weights column of ~30 and the borders
    why_inline = _why_fits(id_width + pick_width + 13 + 4 + 30 + 3 * 6)
    s.add_column("weights", overflow="fold")
    if why_inline:
        s.add_column("why", overflow="fold")
    for row in top.itertuples():
        s.add_row(
            str(row.unique_id),
            row.pick,
            f"{row.expected_mase:.3f}",
            f"{row.gain:.0%}",
            row.top_weights,
            *([row.explanation] if why_inline else []),
        )
    console.print(s)
    if not why_inline:
        _print_whys((str(row.unique_id), row.explanation) for row in top.itertuples())
    _print_terms([*c["explanations"].values(), *top["explanation"]])
    _print_series_footer(rec, data_ref, trained, timings=timings)


def _print_bullets(items: Iterable[str]) -> None:
    """``  • item`` lines whose wrapped continuation lines stay under the item's first word: a
    reason wrapped to the left margin read as a new paragraph on an 80-column terminal."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=3, justify="right")
    grid.add_column()
    for item in items:
        grid.add_row("•", item)
    if grid.row_count:
        console.print(grid)


#: the narrowest "why" column worth printing inside a table: below it a sentence of 60 words
#: becomes a column of single, broken words (80-column terminals, hospital's picks)
MIN_WHY_WIDTH = 40


def _why_fits(other_columns: int) -> bool:
    """Whether the terminal leaves :data:`MIN_WHY_WIDTH` characters for a table's "why" column
    after ``other_columns`` characters of the other columns and borders."""
    return console.width - other_columns >= MIN_WHY_WIDTH


def _print_whys(whys: Iterable[tuple[str, str]]) -> None:
    """The "why" of each table row below the table, as ``name: sentence`` paragraphs that use
    the terminal's whole width, when the table left too little room for it."""
    for name, why in whys:
        if why:  # a pick's sentence already starts with its name; a series' does not
            console.print(why if why.startswith(name) else f"[bold]{name}[/]: {why}")


def _print_series_footer(rec: Any, data_ref: str, trained: bool, *, timings: bool = True) -> None:
    """The caveats of some series' picks, then (``timings``) :func:`_print_series_timings`."""
    n = rec.n_series
    for kind, ids in rec.collection.get("caveats", {}).items():
        if ids:
            shown = ", ".join(map(repr, ids[:3])) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
            console.print(
                f"{len(ids)} of {n} series: {kind} ({shown}); their picks mean less than the others' "
                "(each series' 'caveat' in --json says why)"
            )
    if timings:
        _print_series_timings(rec, data_ref, trained)


def _print_series_timings(rec: Any, data_ref: str, trained: bool) -> None:
    """Timings and the next command: ``--per-series --train``, with ``--drop-short`` where some
    series are too short for the holdout it scores on (without it the pasted command refused
    the panel). Where none is long enough there is no recommendation to print:
    :func:`~recommender.series_recommendation.recommend_series` refuses the horizon."""
    # after --train the recommendation is of the histories before the test window: nothing to say
    short = 0 if trained else len(getattr(rec, "short_for_holdout", []))
    n = rec.n_series
    need = getattr(rec, "holdout_length", 0)
    next_cmd = f"; next: {_tsforge()} recommend {data_ref} --per-series --train"
    if short:
        console.print(
            f"{short} of {n} series {'has' if short == 1 else 'have'} fewer than the {need} values --train needs (training values, "
            f"then validation and test windows of {rec.horizon}); --drop-short leaves them out of the training"
        )
        next_cmd = f"; next: {_tsforge()} recommend {data_ref} --per-series --drop-short --train"
    console.print(
        f"[dim]{rec.timings['total_seconds']:.1f} s (profile {rec.timings['profile_seconds']:.1f} s); "
        "all series: --json" + ("" if trained else next_cmd) + "[/]",
        soft_wrap=SOFT_WRAP,
    )


#: What the statistics the reasons quote mean, for a reader who has not met them: ``(pattern in
#: the printed reasons, what it means)``; a pattern found prints its line once under "terms:".
TERMS: tuple[tuple[str, str], ...] = (
    (
        r"\btau\b",
        "tau: Kendall's trend statistic, from -1 (always falling) through 0 (no trend) to +1 (always rising)",
    ),
    (
        r"seasonality \((strength )?\d",
        "seasonality strength: the share of the variation the seasonal pattern explains, 0 to 1",
    ),
    (
        r"\(cv \d|\bvolatility \(\d",
        "volatility (cv): the spread of the values ÷ their mean height above the lowest",
    ),
    (
        r"memorability|\bHurst\b",
        "memorability (Hurst exponent): above 0.5 rises and falls tend to persist, below 0.5 they tend to reverse",
    ),
    (
        r"(hetero|homo)scedastic",
        # what the ARCH test on the detrended window shows, not what causes it: a strong daily
        # cycle in i.i.d. noise fires it, so "its size changes over time" claimed too much
        "heteroscedastic: the squared detrended values are autocorrelated (ARCH test), as changing noise "
        "or a strong season makes them; homoscedastic: they are not",
    ),
    (
        r"\bstationar",
        "stationary: varies around a steady level with a steady spread (ADF and KPSS tests agree)",
    ),
    (
        r"anomalies \(",
        "anomaly ratio: the share of values more than 1.645 standard deviations from the mean (about 0.10 "
        "for plain noise)",
    ),
)


def _print_terms(texts: Iterable[str]) -> None:
    """ "terms:" and a bullet per statistic the printed reasons name (:data:`TERMS`), if any.

    Why: the reasons quote them as measured ("weak trend (|tau| 0.18)", "mostly
    heteroscedastic windows", "memorability (Hurst 0.91)"), which a forecaster who has not read
    ARIES cannot weigh; the JSON keeps the numbers, the table says once what they are.
    """
    import re

    joined = " ".join(texts)
    said = [gloss for pattern, gloss in TERMS if re.search(pattern, joined)]
    if said:
        console.print("[dim]terms:[/]")
        _print_bullets(f"[dim]{gloss}[/]" for gloss in said)


def _error_effect(contribution: float) -> str:
    """A reason's share of the score in words: ``"expected error -3.7%"`` for a contribution
    of -0.038 (``""`` where it shows as 0.0%).

    Why not the number itself: it is a log error ratio, printed as "(-0.038 log-error)", a unit
    no forecaster reads; ``exp`` of it is the factor that property alone puts on the expected
    error (the contributions add up in log space, so their factors multiply).
    """
    import math

    text = f"{100 * math.expm1(contribution):+.1f}"
    return "" if text in ("+0.0", "-0.0") else f"expected error {text}%"


def _learnt_words(recommender: dict[str, Any]) -> str:
    """``", learnt at horizon 24 only"``: the quick line's word on the horizons the recommender
    learnt from ("" when unknown).

    Why: within a doubling of them no note is printed (:func:`recommender.api.horizon_note`);
    the quick tier learnt at one horizon, and a reader at horizon 48 should still see which.
    """
    from recommender.ranker import LearntHorizons

    learnt = recommender.get("horizons")
    return f", learnt at {LearntHorizons.from_dict(learnt).words()}" if learnt else ""


def render_recommendation(rec: Any, data_ref: str, *, trained: bool = False) -> None:
    from rich.table import Table

    from recommender.explain import verb_for

    t = Table(title=f"Recommended models for {rec.dataset} (input {rec.input_len}, horizon {rec.horizon})")
    t.add_column("#", justify="right")
    t.add_column("model", no_wrap=True, min_width=max((len(m.name) for m in rec.top), default=5))
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
    # "vs best" read as "vs the first row", which then showed 1.01× against itself
    t.caption = "expected error ÷ the error of whichever candidate does best on these data"
    console.print(t)
    if rec.rule:
        console.print(f"[bold]rule:[/] {rec.rule}")
    # the explanation opens with the rule; it was printed just above
    why = rec.explanation.removeprefix(f"{rec.rule}; ") if rec.rule else rec.explanation
    console.print(f"[bold]why {rec.best.name}:[/] {why}")
    bullets = [
        f"{r.description} {verb_for([r.description], r.effect)} it ({effect})"
        for r in rec.reasons
        if (effect := _error_effect(r.contribution))  # "": a reason with no visible effect
    ]
    _print_bullets(bullets)
    if rec.avoid:
        console.print("[bold]avoid:[/]")
        _print_bullets(f"{a.name}: {a.reason}" for a in rec.avoid)
    _print_terms([why, *bullets, *(a.reason for a in rec.avoid)])  # what was printed, only
    for note in getattr(rec, "notes", {}).values():  # a horizon outside the knowledge base's
        print_note(note)
    if rec.recommender.get("tier") == "quick":
        console.print(
            f"[yellow]answered by the quick recommender ({len(rec.recommender['candidates'])} fast "
            f"candidates{_learnt_words(rec.recommender)}); `tsforge recommender build` trains the full "
            "one (LightGBM, STPE-MLP, PatchTST, ...; about an hour on 2 cores)[/]"
        )
    console.print(
        f"[dim]{rec.properties['n_windows_profiled']} windows profiled; "
        f"{rec.timings['total_seconds']:.1f} s"
        + (
            ""
            if trained
            else f"; next: {_tsforge()} recommend {data_ref} --train, or {_tsforge()} train {data_ref} --model {rec.best.model}"
            + (f" --strategy {rec.best.strategy}" if rec.best.strategy else "")
        )
        + "[/]",
        soft_wrap=SOFT_WRAP,
    )


@recommender_app.command("build")
def build_cmd(
    corpus_size: Annotated[
        int, typer.Option("--corpus-size", help="Synthetic series in the knowledge base.")
    ] = 300,
    length: Annotated[int, typer.Option("--length", help="Steps per synthetic series.")] = 1024,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the synthetic corpus (not used with --per-series).")
    ] = 0,
    real: Annotated[
        bool, typer.Option("--real/--no-real", help="Also benchmark real catalogue datasets (slow).")
    ] = False,
    track: Annotated[
        bool, typer.Option("--track/--no-track", help="Log to MLflow and register tsforge-recommender.")
    ] = True,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Retrain the pool on the corpus instead of using the cache.")
    ] = False,
    per_series: Annotated[
        bool,
        typer.Option(
            "--per-series",
            help="Build the per-series recommender instead: rolling-origin CV of every candidate on the "
            "development panel collections (cached; tens of minutes the first time on 2 cores).",
        ),
    ] = False,
    n_jobs: Annotated[int, typer.Option("--n-jobs", help="Processes for the cross-validation.")] = 2,
) -> None:
    """Build the knowledge base (cached) and train the default recommender."""
    from recommender.api import build_default_recommender

    if per_series:
        from recommender.series_recommendation import build_default_router

        with _progress_bar() as progress:
            router = build_default_router(n_jobs=n_jobs, track=track, progress=progress)
        sel = router.meta.get("selection", {}).get("selected", {})
        console.print(
            f"per-series recommender saved to {router.path}: {len(router.candidates)} candidates "
            f"({', '.join(router.candidates)}), {router.meta.get('n_rows')} knowledge-base rows from "
            f"{', '.join(router.meta.get('collections', {}))}; weighting temperature {router.config.temperature}, "
            f"top {router.config.top_k}, pooling {router.config.shrink}, expected-MASE scale "
            f"×{router.config.expected_scale:.2f}" + (" (chosen leaving one collection out)" if sel else "")
        )
        from pathlib import Path

        from recommender.shipped_router import ROUTER_ENV, chosen_router_folder

        chosen = chosen_router_folder()
        console.print(
            f"[dim]note: ${ROUTER_ENV} names {chosen}, which is used instead of this one while it is set[/]"
            if chosen is not None and chosen.resolve() != Path(str(router.path)).resolve()
            else "[dim]`tsforge recommend --per-series` and the service use it from now on, instead of the "
            "router shipped with tsforge[/]"
        )
        return
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
