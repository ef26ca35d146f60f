"""``train_panel``: the holdout protocol on a panel — load → split → fit → forecast → score → track.

Per series, the last ``H`` values are the test window and the ``H`` before them the validation
window. A **local** model (``auto_ets``, ``auto_theta``, ...; statsforecast) is fitted per
series on the history before each window; a **global** model (``dlinear``, ``lightgbm``, ...)
is trained once on windows of every series before the test window (its last ``H`` values
validate) and forecasts every series from the same history. Scores are per series (MASE with
each series' own seasonal scale, RMSSE, sMAPE, MAPE, OWA), averaged over series.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tsforge.arguments import model_name, whole_number
from tsforge.data.history import SeriesInput
from tsforge.data.load_options import PANEL_LOAD_OPTIONS, PanelLoadOptions, merged_load_kwargs
from tsforge.data.panel import Panel
from tsforge.data.panel_checks import (
    FilledGapsWarning,
    FilledValuesWarning,
    InsertedSteps,
    filled_value_words,
    inserted_steps_said,
    note_filled_values,
    note_unread_gaps,
)
from tsforge.data.protocol import HOLDOUT, panel_horizon
from tsforge.errors import ConfigError, FallbackWarning, WordedWarning
from tsforge.evaluation.baseline import NAIVE2, naive2_skill_scores
from tsforge.evaluation.panel_metrics import panel_scores, summarise
from tsforge.inference.intervals import SeriesForecast
from tsforge.inference.notes import scored_trailing_gap_note
from tsforge.inference.predictor import TrimmedHistoryWarning, trailing_gap
from tsforge.models.statistical import LocalOptions, local_options
from tsforge.panels.calibrate import (
    LOG_LEVELS,
    calibrate_forecasts,
    calibrate_panel,
    calibration_cv,
    calibration_windows,
    global_calibration_windows,
    holdout_interval_metrics,
    refuse_uncalibrated,
    served_points,
    warn_simpler_validation_fit,
)
from tsforge.panels.conformal import nonnegative_floor
from tsforge.panels.global_models import RefitGlobalModel, check_global_config, check_global_model, fit_global
from tsforge.panels.local import LOCAL_MODELS, ConfiguredLocalModel, forecast_local, warn_fallbacks
from tsforge.panels.predictor import PanelPredictor
from tsforge.panels.protocol import (
    MIN_TRAIN,
    HoldoutSplit,
    default_horizon_named,
    default_horizon_that_fits,
    drop_short_series,
    holdout_split,
    short_for_holdout,
    shorter_horizon_advice,
    too_short_refusal,
)
from tsforge.pipeline.multichannel import TrackingOptions, check_tracking, lags_read, record_logged
from tsforge.tracking.callback import MlflowCallback
from tsforge.tracking.references import default_registry_name
from tsforge.training.callbacks import Callback, TrainState
from tsforge.training.fitting import iterations_run
from tsforge.training.spec import DEFAULT_SEED, TrainingSpec

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "PanelOutcome",
    "log_panel_dataset",
    "panel_digest",
    "train_panel",
    "is_local_model",
    "evaluate_panel_model",
    "refuse_loss_strategy",
    "load_holding_gaps",
    "note_filled_for_candidates",
    "filled_values_said",
    "gaps_held",
    "at_steps_sent",
]


def refuse_loss_strategy(strategy: str | None) -> None:
    """Refuse a loss strategy (``selective``, ...) under the holdout protocol, by name.

    Why refuse rather than ignore: a strategy reweights the targets of windowed training on long
    multichannel data (its estimator and residual buffer are built per training window); the
    per-series holdout protocol has neither, so the option would be dropped without a word.
    ``tsforge train`` and ``tsforge tune`` both call this before anything is loaded.

    Raises:
        ConfigError: ``strategy`` is set to anything but ``plain``.
    """
    if strategy is None or strategy.strip().lower() == "plain":
        return
    raise ConfigError(
        f"loss strategy {strategy.strip().lower()!r} applies to windowed training on long multichannel "
        "data, not to the per-series holdout protocol of panels: use it on long data with --split 7:1:2",
        field="strategy",
    )


@dataclass
class PanelOutcome:
    """What :func:`train_panel` returns: the servable predictor, scores and forecasts."""

    predictor: PanelPredictor
    spec: TrainingSpec
    metrics: dict[str, float]
    per_series: pd.DataFrame
    forecasts: pd.DataFrame
    panel: Panel
    params: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None
    model_uri: str | None = None
    registered_name: str | None = None
    version: str | None = None
    champion_version: str | None = None
    promotion: str | None = None  # why @champion moved or stayed (printed by the CLI)
    #: a local AutoETS / AutoARIMA: the seasonal form its final fit chose on each series (series id
    #: → form; seasonal ones only), so that what calibrates or ranks it as served need not fit it
    #: again (:func:`~tsforge.panels.calibrate.calibration_forms`' ``final``); empty otherwise
    forms: dict[str, str] = field(default_factory=dict)
    #: ``[n, H]`` the validation window's forecasts as fitted (before any floor), each step that of
    #: the validation step of its own time (a history ending in missing values is filled, not cut
    #: short): what a routed ensemble weighs its members by (``None``: not kept)
    val_forecasts: np.ndarray | None = None


def is_local_model(name: str) -> bool:
    """Whether a panel trains ``name`` per series (statsforecast, ``LOCAL_MODELS``) or globally.

    Names in both registries (``naive``, ``seasonal_naive``) count as local: on a panel they
    are fitted on each series' own history rather than on a shared input window.
    """
    return name.strip().lower() in LOCAL_MODELS


def train_panel(
    data: Any,
    model: str = "auto_ets",
    *,
    horizon: int | None = None,
    input_len: int | None = None,
    seed: int = DEFAULT_SEED,
    model_config: Mapping[str, Any] | None = None,
    train_config: Mapping[str, Any] | None = None,
    n_jobs: int = 1,
    tracking: TrackingOptions | None = None,
    load_kwargs: Mapping[str, Any] | None = None,
    intervals: bool = True,
    n_calibration_windows: int | None = None,
    drop_short: bool = False,
    floor_scores: bool = False,
    **load_options: Unpack[PanelLoadOptions],
) -> PanelOutcome:
    """Train and score ``model`` on ``data`` under the per-series holdout protocol.

    Args:
        data: a panel catalogue name (``"m1_monthly"``), a long CSV/Parquet/.tsf file, a frame,
            a TimeSeriesData or a :class:`Panel`.
        model: a local model (``tsforge.panels.local.LOCAL_MODELS``) or a registered global model.
        horizon: test (and validation) window length; default: the catalogue's / the file's /
            the frequency's M4 horizon.
        input_len: a global model's window (default: :func:`~tsforge.panels.global_models.default_input_len`).
        seed: a global model's training seed.
        model_config: the model's options: a local model's :class:`~tsforge.models.statistical.LocalOptions`
            (``season_length``, ``max_history``) or a global model's config; checked before any
            data is read (local) or any run opens (global).
        train_config: training-loop options of a global model.
        n_jobs: processes for local models (results do not depend on it).
        tracking: how to record the run (default: tracked and registered).
        load_kwargs: options of :func:`tsforge.data.load.load_panel` (a file's column names, ...).
        intervals: calibrate conformal intervals (stored with the model) on rolling-origin
            windows of the history before the test window, and score them on it (coverage,
            width, MSIS at 80/95 %, WQL, scaled CRPS). Local models: the validation forecasts
            are the last calibration window, so this costs ``windows − 1`` extra fits per
            series (none on 100+ series); global models: their forecasts of the validation
            window (no extra fit), and on fewer than ``MIN_RESOLVED`` (39) series, where that
            window resolves no 95 % interval, a refit per calibration window (cheap on so few
            series; see :mod:`tsforge.panels.conformal`).
        n_calibration_windows: calibration windows (default:
            :func:`~tsforge.panels.calibrate.calibration_windows`).
        drop_short: leave out the series shorter than the protocol needs (``1 + 2·H`` values)
            with a :class:`~tsforge.errors.ShortSeriesWarning` naming how many, instead of
            refusing the panel; the run logs ``n_series_dropped``. The trained model still
            forecasts any series later (a local model's short-series fallbacks, a global
            model's padding).
        floor_scores: without ``intervals``, keep the returned predictor (and its forecasts)
            raw and floor the scores alone, as a model trained with intervals serves its points:
            those of a non-negative series stopped at 0 where every training value is ``>= 0``
            (:func:`~tsforge.panels.calibrate.served_points`). For callers that rank or tune
            candidates without calibrating them (``recommend``'s ranking, ``tune``'s trials, a
            routed ensemble's members, whose raw forecasts the ensemble combines). Without it
            (and without ``intervals``: native intervals) the predictor stores that floor and
            serves, and is scored on, floored points, as a calibrated model is. With
            ``intervals`` the calibration's own floor is used either way.
        **load_options: the reader's options as keywords (``fill_gaps=True``, ``freq="MS"``,
            ``time_col="month"``, ...: those its messages advise), merged into ``load_kwargs``.
    """
    load_kwargs = merged_load_kwargs(
        load_kwargs, load_options, accepted=PANEL_LOAD_OPTIONS, caller="train_panel", drop_short=drop_short
    )
    tracking = check_tracking(tracking)
    name = model_name(model)
    if n_calibration_windows is not None and whole_number(n_calibration_windows, "n_calibration_windows") < 1:
        raise ConfigError(
            f"n_calibration_windows must be at least 1 (or None for the default), got {n_calibration_windows}",
            field="n_calibration_windows",
        )
    local = is_local_model(name)
    options: LocalOptions | None = None  # a local model's season length / history cap
    if local:  # unknown options fail before any data is read, as unknown model names do
        options = local_options(name, model_config) if model_config else None
    else:  # unknown names and models with no panel version fail before any data is read or run opened
        check_global_model(name)
    panel, entry, held = load_holding_gaps(data, load_kwargs)
    H = panel_horizon(horizon, entry, panel.season_length, panel.horizon)
    dropped = 0
    # a refusal of series too short for H says so when H was this data's default, not the user's
    with held.released_if_raised(), default_horizon_named(horizon, H):
        H = default_horizon_that_fits(panel, horizon, H, drop_short=drop_short, entry=entry)
        if drop_short:
            held.released_before_drop(panel, H)
            panel, dropped = drop_short_series(panel, H)
        split = holdout_split(panel, H)
    _note_filled_history(split, name, local, _data_label(data, panel), held)
    spec = TrainingSpec(
        name,
        data=_data_label(data, panel),
        model_config=model_config or {},
        input_len=input_len,
        horizon=H,
        split=HOLDOUT,
        seed=seed,
        train_config=train_config or {},
    )
    if not local:  # bad --option values (kernel_size=-3) fail here in one line, not as a FAILED run
        check_global_config(
            split.history,
            name,
            H,
            input_len=input_len,
            seed=seed,
            model_config=model_config,
            train_config=train_config,
        )
    if intervals:  # before any fit: no window to calibrate on stopped the run after fitting
        refuse_uncalibrated(split.history, H)
    W = int(n_calibration_windows or calibration_windows(split.history, H))
    with _run(spec, panel, tracking, local) as (run, data_digest):
        params = _run_params(spec, panel, local, n_jobs, options)
        if drop_short:
            params["n_series_dropped"] = dropped
        if local:  # a global model's train.* come from its training loop (_TrainConfigLog)
            how = _LocalTraining(intervals, W if intervals else None, drop_short, dict(load_kwargs or {}))
            params.update(_local_train_params(spec, panel.season_length, options, how))
        if run is not None:  # before any fit: a run that fails still shows what it was
            run.log_params(params)
        fit_metrics: dict[str, float] = {}
        t0 = time.perf_counter()
        calibration = None
        forms: dict[str, str] = {}
        notes: list[str] = []  # the terminal's notes on what was scored, for the run's description
        if local:
            # the final fits first: what calibrates or ranks the model as served keeps the seasonal
            # forms they chose, read off them instead of fitted again (a third of the run on 200
            # monthly series of 48 values); a model with options chooses its forms by them
            test_frame = _local_frame(split.history, name, H, n_jobs, tracking.progress, options)
            forms = dict(test_frame.attrs["forms"].get(name, {})) if options is None else {}
        if local and intervals:
            # with options the model goes through the window loop as an object (its series still
            # run in chunks on the engine), by name it runs every window's chunks in one map
            member = name if options is None else ConfiguredLocalModel(name, options, n_jobs)
            final = {name: forms} if options is None else None
            cv = calibration_cv(
                split.history, [member], H, W, n_jobs=n_jobs, progress=tracking.progress, final=final
            )
            calibration = calibrate_panel(split.history, member, H, W, frame=cv)[name]
            val_pred = _last_window(cv, name, len(panel), H)
            # the validation scores are those of the model refit as it is served, choosing its own
            # form: where the calibration held short refits to the final fit's form (a form chosen
            # with the validation window in view), those series' last window is refit without it
            kept = cv.attrs["forms"].get(name, {})
            if kept:
                chosen = _refit_kept(split.train, name, H, n_jobs, tracking.progress, kept, val_pred)
                # that refit may choose no season where the final fit did: say which model is scored
                simpler = warn_simpler_validation_fit(split.train, name, kept, n_jobs=n_jobs, chosen=chosen)
                notes.append(_simpler_fit_note(name, simpler, len(split.train)))
            test_pred = _local_values(test_frame, split.history, name, H, options, warn=True)
            notes.append(_fallback_note(test_frame, name, len(split.history)))
            predictor = PanelPredictor(
                name,
                H,
                freq=panel.freq,
                season_length=panel.season_length,
                calibration=calibration,
                local_options=options,
            )
        elif local:
            val_pred = _local(split.train, name, H, n_jobs, tracking.progress, options)
            test_pred = _local_values(test_frame, split.history, name, H, options, warn=True)
            notes.append(_fallback_note(test_frame, name, len(split.history)))
            predictor = PanelPredictor(
                name, H, freq=panel.freq, season_length=panel.season_length, local_options=options
            )
        else:
            resolved = _TrainConfigLog(run)
            fitted, report = fit_global(
                split.history,
                name,
                H,
                input_len=input_len,
                seed=seed,
                model_config=model_config,
                train_config=train_config,
                progress=tracking.progress,
                callbacks=(
                    resolved,
                    *_epoch_loggers(run),
                ),  # this fit only: the refits below are not its curves
            )
            fit_metrics.update(iterations_run(name, report))  # epochs, or a booster's rounds
            params.update(_train_params(resolved, spec))
            val_pred = _global(fitted, split.train, H)
            test_pred = _global(fitted, split.history, H)
            W = global_calibration_windows(split.history, H, W) if intervals else 1
            if intervals and W > 1:
                refit = RefitGlobalModel(name, input_len, seed, model_config, train_config)
                cv = calibration_cv(split.history, [refit], H, W, progress=tracking.progress)
                source = "rolling-origin CV of the training history, refit per window"
                calibration = calibrate_panel(split.history, refit, H, W, frame=cv, source=source)[name]
            elif intervals:  # the validation window: early-stopped on, never fitted to
                calibration = calibrate_forecasts(
                    split.train, split.val, val_pred, info={"model": name, "source": "validation window"}
                )
            predictor = PanelPredictor(
                name,
                H,
                freq=panel.freq,
                season_length=panel.season_length,
                global_model=fitted,
                calibration=calibration,
            )
        seconds = time.perf_counter() - t0
        # the scores are of the forecasts the registered model serves: it stops the point of a
        # non-negative series at its calibration's floor (the bounds are floored around the raw
        # point, as served: holdout_interval_metrics below takes ``raw_test``), or, without a
        # calibration, at the floor stored with it by the same rule (_store_floor)
        raw_test, raw_val = test_pred, val_pred
        floor = calibration.floor if calibration is not None else nonnegative_floor(split.history.values)
        floored = calibration is not None or _store_floor(predictor, floor, floor_scores)
        test_pred, val_pred = (
            served_points(test_pred, split.history, floor),
            served_points(val_pred, split.train, floor),
        )
        scores = panel_scores(split.test, {name: test_pred}, split.history, panel.season_length)
        val_scores = panel_scores(split.val, {name: val_pred}, split.train, panel.season_length)
        metrics = {
            **{f"test_{k}": float(v) for k, v in summarise(scores)[name].items()},
            **{f"val_{k}": float(v) for k, v in summarise(val_scores)[name].items()},
            **naive2_skill_scores(val_scores, name, "val"),
            **naive2_skill_scores(scores, name, "test"),
            "fit_predict_seconds": seconds,
            **fit_metrics,
        }
        per_series = scores[scores["model"] == name].drop(columns="model").reset_index(drop=True)
        params.update(_fitted_params(predictor))
        params["baseline"] = NAIVE2  # what val_skill / test_skill are read against
        # the forecasts of this predictor as it serves them: floored unless floor_scores kept it
        # raw (it floors the scores alone; a routed ensemble combines the raw forecasts)
        served = test_pred if floored else raw_test
        frame = split.test_frame().assign(**{name: served.ravel()})
        if calibration is not None:
            interval_metrics, bounds = holdout_interval_metrics(
                calibration, raw_test, split.history, split.test
            )
            metrics.update({f"test_{k}": v for k, v in interval_metrics.items()})
            frame = frame.assign(**{f"{name}-{k}": v.ravel() for k, v in bounds.items()})
            params.update({"intervals.method": "conformal", "intervals.windows": calibration.info["windows"]})
            params["intervals.cases"] = calibration.info["cases"]
            # the widest central level its scores resolve: a logged test_coverage_95 above it is
            # the coverage of clamped bounds (the CLI says so in a note when it trains)
            # rounded down, as the CLI's note says it: 90.48 resolved is not "90.5"
            params["intervals.resolved_level"] = math.floor(calibration.resolved_level(H) * 10) / 10
        outcome = PanelOutcome(
            predictor, spec, metrics, per_series, frame, panel, params, forms=forms, val_forecasts=raw_val
        )
        if tracking.log_model:  # a kept model, not a tuning trial
            _warn_without_skill(name, metrics)
        if run is not None:
            run.log_params(params)
            _log(run, outcome, split, tracking, data_digest, [n for n in notes if n])
        return outcome


def _store_floor(predictor: PanelPredictor, floor: float | None, floor_scores: bool) -> bool:
    """Give a predictor trained without a calibration the non-negative ``floor`` to serve its
    points at, unless ``floor_scores`` asks for a raw one; whether it serves them floored.

    Why: the floor of non-negative data lived in the calibration alone, so a model trained with
    native intervals forecast a falling sales series below 0 where its conformal version stopped
    at 0, and the champion rule compared the two versions' scores of different points. The
    members of a routed ensemble (``floor_scores``) stay raw: the ensemble combines their raw
    forecasts and floors the combination."""
    if floor_scores:
        return False
    predictor.floor = floor
    return True


def _warn_without_skill(name: str, metrics: dict[str, float]) -> None:
    """Say when the model does not beat Naive2 on the validation window: M4's benchmark, which
    every panel score is already read against (OWA)."""
    from tsforge.evaluation.baseline import compared, warn_without_skill

    skill = metrics.get("val_skill")
    if skill is None or skill > 0:
        return
    naive2 = metrics["val_naive2_mase"]
    warn_without_skill(
        name,
        NAIVE2,
        f"MASE {(1 - skill) * naive2:.4g} vs {naive2:.4g} over the same series, {compared(skill)}",
        "try another model (`tsforge recommend` picks one for the panel or for each series)",
    )


def evaluate_panel_model(
    predictor: PanelPredictor,
    data: Any,
    *,
    load_kwargs: Mapping[str, Any] | None = None,
    drop_short: bool = False,
    **load_options: Unpack[PanelLoadOptions],
) -> tuple[dict[str, float], pd.DataFrame]:
    """Score a saved panel model on ``data``'s holdout: every series' last ``H`` values are
    forecast from the values before them (``H`` = the model's horizon). Returns the mean
    scores (``test_mase``, ``test_smape``, ``test_owa``, ...) and the per-series table.

    A history that ends in missing values (empty cells, steps ``fill_gaps`` inserted) is
    forecast from its last observed value, so its forecast starts that many steps before the
    test window: each forecast step is scored against the test step of its own time
    (:func:`_aligned_to_test`). A local model is forecast far enough to reach the whole test
    window (it refits on each history, so any horizon is its own forecast); a model of fixed
    horizon leaves the test steps its forecast does not reach unscored, and a note says so.
    ``load_options``: the reader's options as keywords (``fill_gaps=True``, ...), merged into
    ``load_kwargs``.
    """
    load_kwargs = merged_load_kwargs(
        load_kwargs,
        load_options,
        accepted=PANEL_LOAD_OPTIONS,
        caller="evaluate_panel_model",
        drop_short=drop_short,
    )
    panel, _, held = load_holding_gaps(data, load_kwargs)
    h = predictor.max_horizon
    where = _data_label(data, panel)
    # a forecast needs two values of history (a one-value series is no panel series), and no
    # validation window is scored here: 2 + H values
    with held.released_if_raised():
        if drop_short:
            held.released_before_drop(panel, h, 0, 2)
            panel, _ = drop_short_series(panel, h, val_h=0, min_train=2, model_horizon=True)
        split = holdout_split(panel, h, val_h=0, min_train=2, model_horizon=True)  # H is the model's
        _check_histories_before_test(panel, h)
        history = split.history
        inputs = _series_inputs(history)
        ends = np.array([trailing_gap(s.values) for s in inputs], dtype=np.int64)
        forecaster, steps = _reaching(predictor, h, int(ends.max(initial=0)))
        inserted = [held.inserted_at(sid) for sid in history.ids]  # the forecast's note takes the held notes
        with _inserted_steps_said(split, held, where), _trailing_gaps_said_by_caller():
            forecasts = forecaster.predict_series(inputs, steps)
    pred, unreached = _aligned_to_test(forecasts, h)
    if unreached.all():  # every forecast ends before its test window: nothing would be scored
        raise ConfigError(
            f"{where}: every series' history ends in {h} or more missing values before its test window, "
            f"and the model forecasts {h} steps (its horizon) from the last observed value, so no "
            "forecast step reaches the test window: nothing can be scored (give the missing values, "
            "or evaluate a model trained with a longer horizon)",
            field="horizon",
        )
    _note_scored_trailing_gaps(forecasts, history, inserted, h, reached=not unreached.any(), where=where)
    name = predictor.model_name
    test = np.where(unreached, np.nan, split.test)  # Naive2 is scored on the same steps
    scores = panel_scores(test, {name: pred}, history, panel.season_length)
    metrics = {f"test_{k}": float(v) for k, v in summarise(scores)[name].items()}
    metrics.update(naive2_skill_scores(scores, name, "test"))  # as training logged it
    return metrics, scores[scores["model"] == name].drop(columns="model").reset_index(drop=True)


def _check_histories_before_test(panel: Panel, h: int) -> None:
    """Refuse ``panel`` where a series holds fewer than two values (first through last observed)
    before the model's ``h``-step test window, saying that this is the history it counted.

    Why: the holdout counts cells, so a series of 8 cells whose second is empty passed a 6-step
    window, and the forecast then refused its history as "first 'A' (1 value)" on a file of 7
    values per series, a count the user could not find in the file. The rule is the one
    ``--drop-short`` leaves series out by (:func:`~tsforge.panels.protocol.short_for_holdout`),
    so the advice to pass it is advice that works.
    """
    short = np.flatnonzero(short_for_holdout(panel, h, 0, 2))
    if not short.size:
        return
    sid = str(panel.ids[short[0]])
    said = (
        f"series too short: {short.size} of {len(panel)} series {'has' if short.size == 1 else 'have'} "
        f"fewer than 2 values before the model's {h}-step test window (a forecast needs two); "
        f"first: {sid!r} ({_history_words(panel, int(short[0]), h)} before it)"
    )
    advice = shorter_horizon_advice(True, "")
    if short.size == len(panel):
        fix = cli_fix = advice[:1].upper() + advice[1:]
    else:
        fix, cli_fix = (f"Leave them out ({way}) or {advice}" for way in ("drop_short=True", "--drop-short"))
    raise too_short_refusal(f"{said}. {fix}", f"{said}. {cli_fix}", series=sid)


def _history_words(panel: Panel, i: int, h: int) -> str:
    """``1 value``: series ``i``'s span of observed values before its last ``h`` (the history a
    forecast of its test window is given; 0 where none is observed)."""
    values = panel.series(i)[: max(int(panel.lengths[i]) - h, 0)]
    observed = np.flatnonzero(~np.isnan(values))
    span = int(observed[-1] - observed[0] + 1) if observed.size else 0
    return f"{span} value{'' if span == 1 else 's'}"


def _series_inputs(history: Panel) -> list[SeriesInput]:
    """Every series of ``history`` as a predictor's input, dated where the panel is."""
    inputs = []
    for i in range(len(history)):
        ts = None
        if history.is_datetime:
            ts = history.times_at(np.full(int(history.lengths[i]), i), np.arange(history.lengths[i]))
        inputs.append(SeriesInput(str(history.ids[i]), history.series(i), ts))
    return inputs


def _reaching(predictor: Any, h: int, ends: int) -> tuple[Any, int]:
    """``(predictor, steps)`` that forecast a history ending in ``ends`` missing values through the
    ``h`` steps after it: ``h + ends`` steps where the model can forecast them, else ``h``.

    A local panel model refits on every history it is given, so its forecast of ``h + ends``
    steps is the same fit forecast further: a copy of it with that horizon reaches the whole test
    window (its calibration only floors the points here; no bounds are asked for). A model of
    fixed horizon (a global model's output, a routed ensemble of such members) forecasts ``h``
    steps at most."""
    steps = h + ends
    if steps <= predictor.max_horizon:
        return predictor, steps
    if isinstance(predictor, PanelPredictor) and predictor.global_model is None:
        further = copy.copy(predictor)
        further.horizon = steps
        return further, steps
    return predictor, h


def _aligned_to_test(forecasts: Sequence[SeriesForecast], h: int) -> tuple[np.ndarray, np.ndarray]:
    """``([n, h] forecasts, [n, h] unreached)``: each forecast's values at the ``h`` test steps
    after its history as sent (:func:`at_steps_sent`), and where it does not reach one (NaN there)."""
    pred = (
        np.vstack([at_steps_sent(f.values, f.trimmed, h) for f in forecasts])
        if forecasts
        else np.empty((0, h))
    )
    reach = np.array([max(0, min(h, np.asarray(f.values).size - int(f.trimmed or 0))) for f in forecasts])
    return pred, np.arange(h)[None, :] >= reach.reshape(-1, 1)


def at_steps_sent(values: Any, trimmed: int | None, h: int) -> np.ndarray:
    """``[h]``: a forecast's ``values`` at the ``h`` steps after the end of the history sent,
    NaN at those it does not reach; ``trimmed``: the history's last steps the forecast does not
    follow (:attr:`SeriesForecast.trimmed`), which its first values are of.

    Why: a forecast starts after the history's last observed value, ``trimmed`` steps before the
    end of the history sent; compared (or drawn) position by position with the window after
    that end, a history ending in two missing months was scored two months off."""
    start = int(trimmed or 0)
    out = np.full(h, np.nan)
    reached = np.asarray(values, dtype=np.float64)[start : start + h]
    out[: reached.size] = reached
    return out


@contextlib.contextmanager
def _trailing_gaps_said_by_caller() -> Iterator[None]:
    """Inside, a forecast does not say that histories ending in missing values were forecast from
    their last observed value (:class:`TrimmedHistoryWarning`): the evaluation says it, with what
    it scored (:func:`_note_scored_trailing_gaps`).

    Why: the forecast's words ("leave the trailing nulls out, or give their values") speak to a
    caller who sent the history; here the holdout cut it, and its last values are empty cells or
    steps ``--fill-gaps`` inserted in the middle of the user's series."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=TrimmedHistoryWarning)
        yield


class TrimmedScoringWarning(TrimmedHistoryWarning, WordedWarning):
    """A holdout score's histories end in missing values before their test window: forecast from
    their last observed value, each forecast step scored against the test step of its time."""


def _note_scored_trailing_gaps(
    forecasts: Sequence[SeriesForecast],
    history: Panel,
    inserted_at: Sequence[np.ndarray],
    h: int,
    *,
    reached: bool,
    where: str,
) -> None:
    """Say which histories ended in missing values before their test window, how many of those
    were steps ``fill_gaps`` inserted (``inserted_at``: per series of ``history``, where; the
    reader's note on them is held back, so they are said here once), and how their forecasts
    were scored (:func:`~tsforge.inference.notes.scored_trailing_gap_note`)."""
    ends = {f.id: int(f.trimmed or 0) for f in forecasts if f.trimmed}
    if not ends:
        return
    inserted = 0
    for i, sid in enumerate(history.ids):
        n, k = int(history.lengths[i]), ends.get(str(sid), 0)
        inserted += int(((inserted_at[i] >= n - k) & (inserted_at[i] < n)).sum()) if k else 0
    said, cli = scored_trailing_gap_note(ends, inserted, len(history), h, reached=reached, where=where)
    warnings.warn(TrimmedScoringWarning(said, cli), stacklevel=3)


@contextlib.contextmanager
def _inserted_steps_said(split: HoldoutSplit, held: _HeldGaps, where: str) -> Iterator[None]:
    """Inside, the forecast of ``split``'s histories says the steps ``fill_gaps`` inserted (the
    reader's notes ``held``) in its one note on the missing values it fills
    (:class:`~tsforge.data.panel_checks.InsertedSteps`), with the test window's missing values,
    which are scored without them; the reader's notes are then not said. Without inserted steps
    in the series scored, the reader's notes (if any) are said and the forecast's note is as
    ever.

    Why: ``evaluate --fill-gaps`` said the inserted steps twice, in the reader's note and again
    as missing values the model fills; ``train`` says them once, in its note (:func:`_note_filled_history`).
    """
    history = split.history
    if not held.inserted_in(history.ids):
        held.release()
        yield
        return
    at: dict[str, np.ndarray] = {}
    scored: dict[str, tuple[int, int]] = {}
    trailing = np.zeros(len(history), dtype=np.int64)
    for i, sid in enumerate(history.ids):
        steps, n = held.inserted_at(sid), int(history.lengths[i])
        at[str(sid)] = steps[steps < n]
        scored[str(sid)] = (int(np.isnan(split.test[i]).sum()), int((steps >= n).sum()))
        # after the history's last observed value: trimmed, and said so (TrimmedHistoryWarning)
        trailing[i] = int((at[str(sid)] > _last_observed(history.series(i))).sum())
    said = InsertedSteps(where, at, scored)
    with inserted_steps_said(said):
        yield
    held.notes.clear()  # said by the forecast's note, but for those the model does not read:
    in_history = np.array([at[str(sid)].size for sid in history.ids], dtype=np.int64)
    counted = np.array([said.said.get(str(sid), 0) for sid in history.ids], dtype=np.int64)
    note_unread_gaps(history.ids, np.maximum(in_history - trailing - counted, 0), where)


def _last_observed(values: np.ndarray) -> int:
    """Position of the last observed value of ``values`` (-1 where none is)."""
    seen = np.flatnonzero(~np.isnan(values))
    return int(seen[-1]) if seen.size else -1


@dataclass
class _HeldGaps:
    """The reader's notes on the steps ``fill_gaps`` inserted (:class:`FilledGapsWarning`), held
    back by :func:`load_holding_gaps` for the one note on the history's missing values."""

    notes: list[warnings.WarningMessage] = field(default_factory=list)

    def inserted_in(self, ids: Any) -> int:
        """Steps inserted into the series ``ids`` (those left in the panel)."""
        per_id: dict[str, int] = {}
        for w in self.notes:
            for sid, n in getattr(w.message, "inserted", {}).items():
                per_id[sid] = per_id.get(sid, 0) + int(n)
        return sum(per_id.get(str(i), 0) for i in ids)

    def inserted_at(self, sid: Any) -> np.ndarray:
        """Where steps were inserted into series ``sid``: positions from its first value."""
        found = [getattr(w.message, "inserted_at", {}).get(str(sid)) for w in self.notes]
        return np.unique(np.concatenate([np.empty(0, dtype=np.int64), *(a for a in found if a is not None)]))

    def release(self) -> None:
        """Issue the held notes as they came (nothing else says their steps), once."""
        notes, self.notes = self.notes, []
        for w in notes:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    def released_before_drop(
        self, panel: Panel, h: int, val_h: int | None = None, min_train: int = MIN_TRAIN
    ) -> None:
        """Issue the held notes now when every series they count is one ``--drop-short`` is
        about to leave out (:func:`~tsforge.panels.protocol.drop_short_series` with the same
        arguments): no note on the history will say them.

        Why before the drop: released after it, the note on inserted steps came after the note
        that left those series out, and named series the user had just been told were gone.
        Why the drop's own rule (:func:`~tsforge.panels.protocol.short_for_holdout`): counted by
        length, a series of enough cells whose training window ends in missing ones was taken to
        stay, and its note came after the one that left it out."""
        kept = ~short_for_holdout(panel, h, val_h, min_train)
        if self.notes and not self.inserted_in(panel.ids[kept]):
            self.release()

    @contextlib.contextmanager
    def released_if_raised(self) -> Iterator[None]:
        """Inside, a refusal (series too short for the horizon) issues the held notes first: the
        note on filled values that would have said their steps never comes."""
        try:
            yield
        except BaseException:
            self.release()
            raise


def load_holding_gaps(data: Any, load_kwargs: Mapping[str, Any] | None) -> tuple[Panel, Any, _HeldGaps]:
    """:func:`_load`, holding back the reader's note on the steps ``fill_gaps`` inserted for the
    one note on the history's missing values (:func:`_note_filled_history`, or for a caller that
    trains several models on one read, ``recommend``: :func:`note_filled_for_candidates`); every
    other warning of the read is issued as it came.

    Why: ``train --fill-gaps`` said the same inserted steps twice, once as inserted and once as
    filled; the second note is the one that says what the model makes of them."""
    with gaps_held() as held:
        panel, entry = _load(data, load_kwargs)
    return panel, entry, held


@contextlib.contextmanager
def gaps_held() -> Iterator[_HeldGaps]:
    """Inside, the reader's notes on the steps ``fill_gaps`` inserted (:class:`FilledGapsWarning`)
    are held in the :class:`_HeldGaps` yielded, for the one note on the history's missing values;
    every other warning is issued when the block ends, in order. A refusal inside issues them all.

    Why a context: ``recommend --per-series`` reads its data through its own checks
    (:func:`~recommender.series_recommendation.checked_panel`), not :func:`_load`."""
    held = _HeldGaps()
    caught: list[warnings.WarningMessage] = []
    done = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FilledGapsWarning)
            yield held
        done = True
    finally:
        for w in caught:
            if issubclass(w.category, FilledGapsWarning):
                held.notes.append(w)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if not done:  # refused: no note on the history will say the inserted steps
            held.release()


def _load(data: Any, load_kwargs: Mapping[str, Any] | None) -> tuple[Panel, Any]:
    if isinstance(data, Panel):
        return data, None
    from tsforge.data.load import load_panel

    loaded = load_panel(data, **dict(load_kwargs or {}))
    return loaded.panel, loaded.entry


def _local(
    history: Panel,
    model: str,
    h: int,
    n_jobs: int,
    progress: bool,
    options: LocalOptions | None = None,
    *,
    warn: bool = False,
) -> np.ndarray:
    frame = _local_frame(history, model, h, n_jobs, progress, options)
    return _local_values(frame, history, model, h, options, warn=warn)


def _local_frame(
    history: Panel, model: str, h: int, n_jobs: int, progress: bool, options: LocalOptions | None = None
) -> pd.DataFrame:
    """:func:`forecast_local` of one model (its ``attrs``: fallbacks, the forms its fits chose)."""
    opts = {model: options} if options is not None else None
    return forecast_local(history, [model], h, n_jobs=n_jobs, progress=progress, options=opts)


def _local_values(
    frame: pd.DataFrame,
    history: Panel,
    model: str,
    h: int,
    options: LocalOptions | None = None,
    *,
    warn: bool = False,
) -> np.ndarray:
    """``[n, h]`` forecasts of ``frame`` (:func:`_local_frame` of ``history``); ``warn``: the
    test window's forecasts, the ones the user reads as the model's, say their fallbacks."""
    if warn:
        warn_fallbacks(
            frame, model, len(history), season=(options or LocalOptions()).season(history.season_length)
        )
    return frame[model].to_numpy(dtype=np.float64).reshape(len(history), h)


def _refit_kept(
    train: Panel,
    model: str,
    h: int,
    n_jobs: int,
    progress: bool,
    kept: Mapping[str, str],
    val_pred: np.ndarray,
) -> dict[str, str]:
    """Refit on ``train`` the series whose calibration refits were held to a form (``kept``),
    writing their forecasts into ``val_pred`` (``[n, h]``, the calibration's last window, rows in
    ``train``'s order); returns the seasonal forms those refits chose.

    Why only those: every other series' last calibration window is already the model refit on
    ``train`` choosing its own form, the same fit on the same values; refitting the whole panel
    repeated it."""
    rows = np.flatnonzero([str(sid) in kept for sid in train.ids])
    sub = train.take(rows)
    frame = _local_frame(sub, model, h, n_jobs, progress)
    val_pred[rows] = _local_values(frame, sub, model, h)
    return dict(frame.attrs["forms"].get(model, {}))


def _last_window(cv: pd.DataFrame, model: str, n_series: int, h: int) -> np.ndarray:
    """``[n, h]`` forecasts of every series' last rolling-origin window (rows: series, cutoff, ds)."""
    sid = pd.factorize(cv["unique_id"])[0]
    last = np.r_[np.flatnonzero(np.diff(sid) != 0), sid.size - 1]  # each series' last row
    rows = last[:, None] - np.arange(h - 1, -1, -1)[None, :]
    if last.size != n_series:
        raise RuntimeError(f"calibration windows cover {last.size} of {n_series} series")
    return cv[model].to_numpy(dtype=np.float64)[rows]


def _note_filled_history(
    split: HoldoutSplit, model: str, local: bool, where: str, held: _HeldGaps | None = None
) -> None:
    """Say how many missing values the fitted history holds, in which series, and what ``model``
    makes of them (:func:`~tsforge.data.panel_checks.note_filled_values`); with the steps
    ``fill_gaps`` inserted (``held`` back from the reader's own note by
    :func:`load_holding_gaps`), say those in the same note: every missing value of the series,
    how many of them were inserted, and how many lie in the test window.

    Why: a local model fits on its series with each gap interpolated
    (:func:`~tsforge.data.ragged.fill_missing_ragged`) and a global model's input windows carry
    the last value over it (:mod:`tsforge.panels.windows`); either way an empty ``y`` cell was
    trained on as a value the user never wrote, without a word. With ``--fill-gaps`` the reader's
    note and this one counted the same inserted steps twice. The test window's missing values
    are not filled (they are left unscored).
    """
    how = filled_value_words(model, local, training=True, trailing=_ends_missing(split.history))
    _note_filled(split, how, where, held)


def note_filled_for_candidates(
    panel: Panel,
    horizon: int,
    models: Sequence[str],
    where: str,
    held: _HeldGaps | None = None,
    *,
    noun: str = "candidates",
) -> None:
    """:func:`_note_filled_history` of ``panel``'s holdout, once for all the candidate ``models``
    a ranking trains on it (each in :func:`train_panel`, whose own notes the caller silences
    with :func:`filled_values_said`); ``noun``: what the note calls them (a routed ensemble's
    ``members``).

    Why: ``recommend --fill-gaps`` said the reader's inserted steps, then "4 missing values …
    <model> is fitted …" once per candidate: six notes on one file's four missing values."""
    split = holdout_split(panel, horizon)
    how = _candidates_filled_words(models, _ends_missing(split.history), noun)
    _note_filled(split, how, where, held)


def _candidates_filled_words(models: Sequence[str], trailing: bool, noun: str) -> tuple[str, str]:
    """How the candidates ``models`` read a missing value of their training history, for one
    value and for several: the local ones by interpolation, the global ones' windows by
    carrying the last value (:func:`~tsforge.data.panel_checks.filled_value_words`, said of a
    group)."""
    local = [m for m in models if is_local_model(m)]
    global_ = [m for m in models if not is_local_model(m)]
    parts = []
    if local:
        who = f"the {noun} are" if not global_ else f"the local {noun} ({', '.join(local)}) are"
        part = (
            f"{who} fitted with {{0}} filled by linear interpolation between the observed values around {{0}}"
        )
        parts.append(
            part + (" (those after a history's last observed value take that value)" if trailing else "")
        )
    if global_:
        who = f"the {noun}'" if not local else f"the global ones' ({', '.join(global_)})"
        parts.append(
            f"{who} input windows carry the last observed value over {{0}}, and their loss leaves {{0}} out as targets"
        )
    how = "; ".join(parts)
    return how.format("it"), how.format("them")


def _note_filled(split: HoldoutSplit, how: tuple[str, str], where: str, held: _HeldGaps | None) -> None:
    """The note of :func:`_note_filled_history`, in the words ``how`` (for one value, for several)."""
    history = split.history
    in_history = _missing_per_series(history)
    held = held or _HeldGaps()
    kept = held.inserted_in(history.ids)
    if not kept:  # none inserted, or only into series left out (--drop-short): the reader's note stands
        held.release()
        note_filled_values(history.ids, in_history, where, how)
        return
    in_test = np.isnan(split.test).sum(axis=1).astype(np.int64)
    note_filled_values(
        history.ids, in_history + in_test, where, how, inserted=kept, unscored=int(in_test.sum())
    )
    held.notes.clear()  # said here


def _ends_missing(history: Panel) -> bool:
    """Whether some series of ``history`` ends with a missing value (a test window after a gap)."""
    return bool(np.isnan(history.values[history.indptr[1:] - 1]).any()) if len(history) else False


@contextlib.contextmanager
def filled_values_said() -> Iterator[None]:
    """Inside, the notes on the missing values a model fills (:class:`FilledValuesWarning`) are
    not said: the caller said them once for the data (:func:`note_filled_for_candidates`)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FilledValuesWarning)
        yield


def _missing_per_series(panel: Panel) -> np.ndarray:
    """``[n]`` missing values of each series of ``panel``."""
    missing = np.isnan(panel.values)
    return np.diff(np.searchsorted(np.flatnonzero(missing), panel.indptr)).astype(np.int64)


def _global(fitted: Any, history: Panel, h: int) -> np.ndarray:
    return fitted.predict_next(history, h)


def _data_label(data: Any, panel: Panel) -> str:
    """What ``spec.data`` names: the file or catalogue name the panel was read from, as given
    (:func:`~tsforge.tracking.datasets.source_label` makes a file's path the run's dataset
    source), or the panel's name for data handed over in memory."""
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    return panel.name


def _run_params(
    spec: TrainingSpec, panel: Panel, local: bool, n_jobs: int, options: LocalOptions | None
) -> dict[str, Any]:
    """The params known before anything is fitted, logged when the run starts: a run whose
    training fails (a diverged loss, a crash) still says what was trained on what."""
    lengths = panel.lengths
    out: dict[str, Any] = {
        "model": spec.model,
        "model_kind": "local" if local else "global",
        "dataset": panel.name,
        "protocol": HOLDOUT,
        "horizon": spec.horizon,
        "freq": panel.freq,
        "season_length": panel.season_length,
        "n_series": len(panel),
        "length_min": int(lengths.min()),
        "length_median": int(np.median(lengths)),
        "length_max": int(lengths.max()),
        # values the file left out (read with --fill-gaps) or gave as empty: a reviewer should see them
        "missing_values": int(np.isnan(panel.values).sum()),
        "n_jobs": n_jobs,
    }
    if not local:  # a local model's fit is deterministic: a seed there is a default posing as a choice
        out["seed"] = spec.seed
    if local and options is not None:
        out.update({f"model.{k}": v for k, v in options.as_dict().items()})
    return out


def _fitted_params(predictor: PanelPredictor) -> dict[str, Any]:
    """The params only the trained model knows: its window and a global model's full config.

    A local model's ``input_len`` is what it reads of each series, in words ("whole history",
    "last 1000 values at most"): its serving contract's input length is 1 (any history serves),
    and the run logged that 1 beside a version description saying "each series' whole history".
    """
    if predictor.global_model is None:
        return {"input_len": _local_history_words(predictor)}
    config = predictor.global_model.forecaster.config_dict()
    out: dict[str, Any] = {"input_len": predictor.input_len}
    out.update({f"model.{k}": v for k, v in config.items()})
    out.update(lags_read(config, predictor.input_len))
    return out


def _local_history_cap(predictor: PanelPredictor) -> int | None:
    """The most recent values a local model is fitted on per series (``None``: all of them):
    the user's ``max_history`` (``0``: all), else the model's own cap at its season length."""
    return _history_cap(predictor.model, predictor.local_options, predictor.season_length)


def _history_cap(model: str, options: LocalOptions | None, data_season: int) -> int | None:
    """:func:`_local_history_cap` from the model's name, options and the data's season length
    (the run logs it as ``train.max_history`` before the predictor exists)."""
    options = options or LocalOptions()
    if options.max_history is not None:
        return int(options.max_history) or None
    spec = LOCAL_MODELS.get(model)
    return None if spec is None else spec.max_history(options.season(data_season))


def _local_history_words(predictor: PanelPredictor) -> str:
    """What a local model reads of each series, as a run's ``input_len`` shows it."""
    cap = _local_history_cap(predictor)
    return "whole history" if cap is None else f"last {cap} values at most"


@dataclass(frozen=True)
class _LocalTraining:
    """How a local model's run was trained beyond its spec: what :func:`_local_train_params` logs.

    ``windows``: the calibration windows (None without intervals); ``load_kwargs``: the reader's
    options (``fill_gaps``, ``freq``, ...) as the caller gave them."""

    intervals: bool
    windows: int | None
    drop_short: bool
    load_kwargs: dict[str, Any]


def _local_train_params(
    spec: TrainingSpec, data_season: int, options: LocalOptions | None, how: _LocalTraining
) -> dict[str, Any]:
    """A local model's ``train.*`` params: what it was trained with — model, horizon, the season
    and history cap its fits used, its interval calibration (windows, the levels scored) and the
    reading options that changed the data (``drop_short``, ``fill_gaps``, a given ``freq``).

    Why: the README says every training run logs its full training config as ``train.*``; a
    global model's comes from its training loop, and a local model's run (``tsforge train my.csv
    -m auto_ets -H 12``) had none, so two runs could not be compared on how they were trained.
    """
    cap = _history_cap(spec.model, options, data_season)
    out: dict[str, Any] = {
        "train.model": spec.model,
        "train.horizon": spec.horizon,
        "train.season_length": (options or LocalOptions()).season(data_season),
        "train.max_history": "whole history" if cap is None else cap,
        "train.interval_method": "conformal" if how.intervals else "native",  # as --interval-method
        "train.drop_short": how.drop_short,
        "train.fill_gaps": bool(how.load_kwargs.get("fill_gaps", False)),
    }
    if how.intervals:
        out["train.n_calibration_windows"] = how.windows
        out["train.scored_levels"] = ",".join(f"{level:g}" for level in LOG_LEVELS)
    if how.load_kwargs.get("freq"):
        out["train.freq"] = str(how.load_kwargs["freq"])
    return out


def _train_params(resolved: _TrainConfigLog, spec: TrainingSpec) -> dict[str, Any]:
    """A global model's ``train.*`` params: the full config the training loop ran with, or, for a
    model the loop does not train (LightGBM fits itself), the options the caller set."""
    return resolved.params or {f"train.{k}": v for k, v in spec.train_config.items()}


class _TrainConfigLog(Callback):
    """Logs the training config a global model's fit resolved as ``train.*`` params, when it starts.

    Why from inside the loop: :func:`~tsforge.panels.global_models.fit_global` merges the panel
    defaults, the model's own and the caller's options and returns only the fit report, so the
    loop's ``state.config`` is where the full config is seen; logging it before the first epoch
    keeps it on a run whose training then diverges.
    """

    def __init__(self, run: Any) -> None:
        self.run = run
        self.params: dict[str, Any] = {}

    def on_fit_start(self, state: TrainState) -> None:
        self.params = {f"train.{k}": v for k, v in state.config.to_dict().items()}
        if self.run is not None:
            self.run.log_params(self.params)


def _epoch_loggers(run: Any) -> list[Callback]:
    """The window pipeline's per-epoch MLflow logger (``train_loss``, ``val_loss``, ``lr``, ...)
    for a tracked run; none untracked."""
    return [MlflowCallback(run.run_id)] if run is not None else []


@contextlib.contextmanager
def _run(
    spec: TrainingSpec, panel: Panel, tracking: TrackingOptions, local: bool
) -> Iterator[tuple[Any, str | None]]:
    """The tracked MLflow run of this training (with its dataset input) and the panel's digest,
    which the registered version's data tag repeats (hashing a large panel once, not twice), or
    ``(None, None)`` untracked."""
    if not tracking.track:
        yield None, None
        return
    from tsforge.tracking.runs import tracked_run

    with tracked_run(
        run_name=tracking.run_name or f"{spec.model}-H{spec.horizon}-holdout",
        nested=tracking.nested,
        tags={
            "tsforge.model": spec.model,
            "tsforge.dataset": panel.name,
            "tsforge.data_kind": "panel",
            "tsforge.protocol": HOLDOUT,
            "tsforge.horizon": spec.horizon,
            "tsforge.model_kind": "local" if local else "global",
            "tsforge.spec_hash": spec.digest(),
            **dict(tracking.tags),
        },
        description=_run_description(spec, panel, local, tracking.log_model),
        **panel_experiment(panel, tracking.experiment),
    ) as run:
        yield run, log_panel_dataset(run, panel, spec.data)


def _run_description(spec: TrainingSpec, panel: Panel, local: bool, log_model: bool) -> str:
    """What the run page says above the scores: which window each score is of, what they are
    averaged over, what the skill is against, and where the plots and per-series scores are.

    Why: it said "per-series holdout of the last 12 values; scores are per-series averages",
    so a reviewer had to guess which window ``val_mase`` was of (auto_ets: 1.48 beside a
    ``test_mase`` of 0.33) and that each series' scores were in an artifact.
    """
    h = spec.horizon
    text = (
        f"{spec.model} ({'local' if local else 'global'}) on the panel {panel.name} ({len(panel)} series), "
        f"per-series holdout: test_* scores each series' last {h} values, val_* the {h} before them; "
        "MASE, sMAPE and OWA are averages over the series, *_skill is 1 − MASE ÷ Naive2's. "
        "metrics/per_series.csv has each series' test scores"
    )
    text += "; plots/ a few series' test windows in original units." if log_model else "."
    return text + _epochs_note(spec.model, local)


def _epochs_note(model: str, local: bool) -> str:
    """`` <what the per-epoch curves are>`` for a global model trained in epochs (a network)."""
    from tsforge.models.registry import get_model_spec
    from tsforge.tracking.callback import EPOCH_CURVES_NOTE

    return "" if local or not get_model_spec(model).is_neural else f" {EPOCH_CURVES_NOTE}"


def _interval_note(predictor: PanelPredictor, h: int) -> str | None:
    """A sentence for the run's description when the calibration cannot resolve the 80 or 95 %
    interval the run scores, or one series' error alone sets a bound of it (``None`` when
    neither, or the model has no intervals).

    Why: ``test_coverage_95`` 0.925 headlined a run whose 20 calibration scores resolve only
    90.4 %: its "95 %" bounds are the most extreme scores seen. The CLI said so in a note; the
    run, read later in the UI, did not.
    """
    if predictor.calibration is None:
        return None
    short = predictor.calibration.shortfall((0.025, 0.1, 0.9, 0.975), h)  # the 80 and 95 % bounds
    return None if short is None else f"Intervals (conformal): {short}."


def panel_experiment(panel: Panel, experiment: str | None = None) -> dict[str, Any]:
    """:func:`~tsforge.tracking.runs.tracked_run`'s experiment arguments for runs on ``panel``
    (its trainings and its cross-validations share one experiment, described once)."""
    return {
        "experiment": experiment or panel.name,
        "experiment_description": (
            f"Trainings on the panel {panel.name}: {len(panel)} series of {_lengths_words(panel)}"
            f"{f' at frequency {panel.freq}' if panel.freq else ''}, "
            "per-series holdout. Compare val_mase/test_mase (and test_owa) across runs."
        ),
        "experiment_tags": {
            "tsforge.dataset": panel.name,
            "tsforge.kind": "panel",
            "tsforge.freq": panel.freq or "",
            "tsforge.n_series": len(panel),
        },
        "experiment_view": ("val_mase", "test_mase", "test_smape", "test_owa"),
        "experiment_view_params": ("model", "model_kind", "horizon", "input_len"),
    }


def _lengths_words(panel: Panel) -> str:
    """``48 values each`` or ``36–120 values``: a panel of equal lengths read "48–48 values"."""
    shortest, longest = int(panel.lengths.min()), int(panel.lengths.max())
    return f"{shortest} values each" if shortest == longest else f"{shortest}–{longest} values"


def _fallback_note(frame: pd.DataFrame, model: str, n_series: int) -> str:
    """The sentence of the run's description on the series ``model``'s fallback forecast in the
    test window (``frame``: :func:`_local_frame`'s), in the terminal's words; ``""`` when none.

    Why: ``train`` said it on the terminal only, and the run, read later, scored them as ``model``.
    """
    from tsforge.panels.local import fallback_words

    words = fallback_words(frame, model, n_series)
    return f"In the test window, {words}." if words else ""


def _simpler_fit_note(model: str, simpler: int, n_series: int) -> str:
    """The sentence of the run's description on the series whose fit before the validation
    window chose no seasonal form (``simpler``: the count the terminal's note gives,
    :func:`~tsforge.panels.calibrate.warn_simpler_validation_fit`); ``""`` when none.

    Why: a reviewer read ``val_mase`` beside ``test_mase`` as the same model's, as the terminal
    said they were not."""
    if not simpler:
        return ""
    return (
        f"On {simpler} of {n_series} series {model}'s fit before the validation window chose no seasonal "
        "form where its final fit chose one: their val_* scores are of that simpler model."
    )


def _log(
    run: Any,
    outcome: PanelOutcome,
    split: Any,
    tracking: TrackingOptions,
    data_digest: str | None,
    notes: Sequence[str] = (),
) -> None:
    """Log the trained model into ``run``; ``notes``: sentences on what was scored (a fallback's
    series, a simpler validation fit) that the run's description and the version's add, as the
    interval note."""
    from tsforge.tracking.plots import plot_series_forecasts
    from tsforge.tracking.trained_model import log_trained_model

    panel, name, predictor = outcome.panel, outcome.spec.model, outcome.predictor

    def make_plots(folder: Path) -> list[Path]:
        return [
            plot_series_forecasts(
                _plot_items(split, outcome),
                folder / "forecast_vs_actual.png",
                title=f"{name} on {panel.name}: test window of a few series (original units)",
                unit_label=panel.meta.get("value_col", "value"),
            )
        ]

    note = " ".join(n for n in (_interval_note(predictor, predictor.horizon), *notes) if n) or None
    if note:
        local = outcome.params.get("model_kind") == "local"
        run.set_description(f"{_run_description(outcome.spec, panel, local, tracking.log_model)} {note}")
    register = tracking.register and tracking.log_model
    with _quiet_input_example():
        logged = log_trained_model(
            run,
            predictor=predictor,
            write_bundle=predictor.save,
            input_example=_example(split.history),
            metrics=outcome.metrics,
            tables={"metrics/per_series.csv": outcome.per_series},
            make_plots=make_plots,
            log_model=tracking.log_model,
            registered_name=(tracking.registered_name or default_registry_name(panel.name, name))
            if register
            else None,
            champion_metric="val_mase",
            dataset=panel.name,
            protocol=HOLDOUT,
            data_digest=data_digest,
            summary=f"{name} ({outcome.params.get('model_kind', 'panel')}) on the panel {panel.name}",
            reads=_reads(predictor),
            note=note,  # the registry page lists test_coverage_95 too
        )
    record_logged(outcome, run.run_id, logged)


def _reads(predictor: PanelPredictor) -> str | None:
    """What a local model reads of each series, for its registered version's description
    (``None`` for a global model: its input length says it)."""
    if predictor.global_model is not None:
        return None
    cap = _local_history_cap(predictor)
    return (
        "each series' whole history"
        if cap is None
        else f"each series' last {cap} values (all of a shorter one)"
    )


@contextlib.contextmanager
def _quiet_input_example() -> Iterator[None]:
    """Silence :class:`~tsforge.errors.FallbackWarning` while the model is logged.

    Why: MLflow's signature is inferred from a forecast of the input example (:func:`_example`:
    two series' last 48 values), and a local model falls back there whenever 48 values are too
    few for it (a weekly season of 52): "2 of 2 series were too short for auto_ets" was printed
    after the note on the user's own series, about two series the user never sent. The test
    window's fallbacks are said before this (``warn_fallbacks``), and nothing else is forecast here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        yield


def panel_digest(panel: Panel) -> str:
    """The digest of a panel's ids, values and start times (a registered version's data tag)."""
    from tsforge.tracking.datasets import array_digest

    return array_digest(panel.ids, panel.indptr, panel.values, panel.starts)


def log_panel_dataset(run: Any, panel: Panel, data_label: str | None, *, context: str = "training") -> str:
    """The panel a run used, as an MLflow dataset input (the runs table's Dataset column), its
    source the file or catalogue name ``data_label`` where it came from one; returns its digest.
    Every run trained on a panel logs it so (a panel model's, the routed ensemble's)."""
    from tsforge.tracking.datasets import source_label

    digest = panel_digest(panel)
    run.log_dataset(
        panel.to_long() if panel.n_values <= 2_000_000 else None,
        name=panel.name,
        source=source_label(data_label, panel.name),
        digest=digest,
        context=context,
    )
    return digest


def _plot_items(split: Any, outcome: PanelOutcome, n: int = 4) -> list[dict[str, Any]]:
    """A few series' history tail, test window, forecast, intervals and Naive2's forecast (the
    skill's baseline, drawn beside the forecast)."""
    from tsforge.evaluation.panel_metrics import naive2_forecast

    history, h = split.history, split.h
    picks = np.linspace(0, len(history) - 1, num=min(n, len(history))).astype(int)
    name = outcome.spec.model
    pred = outcome.forecasts[name].to_numpy().reshape(len(history), h)
    shown = history.take(picks)  # Naive2 of the plotted series only (each reads its own history)
    naive2 = naive2_forecast(shown.values.astype(np.float64), shown.indptr, history.season_length, h)
    bands = _bands(outcome.forecasts, name, len(history), h)
    items = []
    for k, i in enumerate(picks):
        length = int(history.lengths[i])
        show = min(length, 3 * h)
        steps = np.arange(length - show, length)
        future = np.arange(length, length + h)
        items.append(
            {
                "id": str(history.ids[i]),
                "history_t": history.times_at(np.full(show, i), steps),
                "history": history.series(i)[-show:],
                "future_t": history.times_at(np.full(h, i), future),
                "actual": split.test[i],
                "forecast": pred[i],
                "baseline": naive2[k],
                "baseline_label": "Naive2",
                "bands": {lv: (lo[i], hi[i]) for lv, (lo, hi) in bands.items()},
            }
        )
    return items


def _bands(frame: pd.DataFrame, name: str, n: int, h: int) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """``{level: ([n, h] lower, [n, h] upper)}`` from the ``<name>-lo-<l>`` / ``-hi-<l>`` columns."""
    out = {}
    for col in frame.columns:
        if col.startswith(f"{name}-lo-") and f"{name}-hi-{col[len(name) + 4 :]}" in frame:
            tag = col[len(name) + 4 :]
            lo = frame[col].to_numpy(dtype=np.float64).reshape(n, h)
            out[float(tag)] = (lo, frame[f"{name}-hi-{tag}"].to_numpy(dtype=np.float64).reshape(n, h))
    return out


def _example(history: Panel, n_series: int = 2, max_len: int = 48) -> pd.DataFrame:
    """A small long history frame (the registered model's input example)."""
    frames = []
    for i in range(min(n_series, len(history))):
        values = history.series(i)[-max_len:]
        length = int(history.lengths[i])
        steps = np.arange(length - values.size, length)
        frame = {"unique_id": str(history.ids[i]), "y": values.astype(float)}
        if history.is_datetime:
            frame["ds"] = pd.DatetimeIndex(history.times_at(np.full(values.size, i), steps))
        frames.append(pd.DataFrame(frame))
    out = pd.concat(frames, ignore_index=True)
    out = out[["unique_id", "ds", "y"]] if "ds" in out else out[["unique_id", "y"]]
    return out.fillna({"y": float(out["y"].mean())})  # an example must be complete for the signature
