"""``train``: the Python API behind ``tsforge train`` — load → task → fit → evaluate → track.

One call applies the standard protocol (catalogue defaults for input length, horizon and
split), trains any registered model with any loss strategy through the one fit path
(:func:`tsforge.training.fitting.fit_model`), scores validation and test on the normalised and
original scale, and — when tracking is on — records everything in one tracked MLflow run,
registers the model and moves the ``champion`` alias to the best version by validation MSE.

What to train is a :class:`~tsforge.training.spec.TrainingSpec`; how to track it is a
:class:`TrackingOptions`. ``train(data, "dlinear", horizon=24, track=False)`` builds both from
keyword options (unknown ones are refused with the valid names).
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tsforge.data.frame import TimeSeriesData
from tsforge.data.load import load
from tsforge.data.load_options import LOAD_OPTIONS, merged_load_kwargs
from tsforge.data.protocol import (
    default_input_note,
    default_lengths,
    default_split,
    drop_channels_unobserved_in_train,
)
from tsforge.data.task import ForecastTask, prepare_task
from tsforge.errors import ConfigError
from tsforge.evaluation.evaluate import EvaluationResult, evaluate, predict_windows
from tsforge.inference import Predictor
from tsforge.models.base import FitReport, Forecaster, ModelContext
from tsforge.models.registry import get_model_spec
from tsforge.tracking.references import check_registry_name, default_registry_name
from tsforge.training.callbacks import Callback
from tsforge.training.config import TrainConfig, train_option_meant
from tsforge.training.estimator_cache import get_or_train_estimator
from tsforge.training.fitting import (
    FittedModel,
    build_loss,
    check_model_config,
    epoch_seconds,
    fit_model,
    iterations_run,
)
from tsforge.training.selective import SelectiveLearning
from tsforge.training.spec import TrainingSpec
from tsforge.training.strategy import LossStrategy

__all__ = ["TrainOutcome", "TrackingOptions", "register_outcome", "train"]


@dataclass(frozen=True)
class TrackingOptions:
    """How a training is recorded.

    Attributes:
        track: log to MLflow; register: also register the model and move ``@champion``.
        log_model: log the model as a pyfunc and a forecast plot (tuning trials switch it off:
            only the retrained best model is kept).
        registered_name: registry name (default ``<dataset>-<model>``).
        experiment: MLflow experiment (default: the dataset's name).
        run_name, nested, tags: the run's name, nesting under the active run, extra tags.
        progress: progress bars.
    """

    track: bool = True
    register: bool = True
    log_model: bool = True
    registered_name: str | None = None
    experiment: str | None = None
    run_name: str | None = None
    nested: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    progress: bool = True

    def __post_init__(self) -> None:
        if self.registered_name is not None:
            check_registry_name(self.registered_name)


@dataclass
class TrainOutcome:
    """Everything :func:`train` produced, so callers (CLI, tuning, tests) need no MLflow lookup.

    ``metrics`` holds the flat ``val_*``/``test_*`` scores (and the interval metrics when
    calibrated) that were logged; ``val``/``test`` keep the per-channel results behind them.
    The tracking fields (``run_id`` … ``promotion``) stay ``None`` for an untracked run or one
    not registered (see :func:`register_outcome`); ``promotion`` says why ``@champion`` moved or
    stayed. ``params`` are the run's logged parameters.
    """

    forecaster: Forecaster
    predictor: Predictor
    task: ForecastTask
    fit_report: FitReport
    metrics: dict[str, float]
    val: EvaluationResult
    test: EvaluationResult
    spec: TrainingSpec
    run_id: str | None = None
    model_uri: str | None = None
    registered_name: str | None = None
    version: str | None = None
    champion_version: str | None = None
    promotion: str | None = None  # why @champion moved or stayed (printed by the CLI)
    params: dict[str, Any] = field(default_factory=dict)


def train(
    data: Any,
    model: str | TrainingSpec = "dlinear",
    *,
    tracking: TrackingOptions | None = None,
    callbacks: Sequence[Callback] = (),
    load_kwargs: Mapping[str, Any] | None = None,
    **options: Any,
) -> TrainOutcome:
    """Train ``model`` on ``data`` under the standard protocol and (optionally) track it.

    Args:
        data: catalogue name (``"etth1"``), CSV/Parquet path, pandas/polars frame or TimeSeriesData.
        model: a registered model name, or a full :class:`TrainingSpec`.
        tracking: how to record the run (default: tracked, registered, with the model).
        callbacks: extra training-loop observers (e.g. tuning's pruning callback).
        load_kwargs: options of :func:`tsforge.data.load.load` (column names, ...).
        **options: :class:`TrainingSpec` fields (``input_len``, ``horizon``, ``split``,
            ``model_config``, ``strategy``, ``strategy_config``, ``seed``, ``train_config``,
            ``eval_stride``), :class:`TrackingOptions` fields (``track``, ``register``, ...) and
            the reader's options (``fill_gaps=True``, ``freq="h"``, ...: those its messages
            advise), merged into ``load_kwargs``.
    """
    read = {key: options.pop(key) for key in LOAD_OPTIONS & set(options)}
    load_kwargs = merged_load_kwargs(load_kwargs, read, accepted=LOAD_OPTIONS, caller="train")
    spec, tracking = _resolve_options(data, model, tracking, options)
    get_model_spec(spec.model)  # an unknown model name fails before any data is read
    loaded = load(data, **dict(load_kwargs or {}))
    series, entry = loaded.series, loaded.entry
    spec_input_len = spec.input_len  # None: the default, which a refusal must call so
    input_len, horizon = default_lengths(series, entry, spec.input_len, spec.horizon)
    split = default_split(entry, spec.split)
    spec = spec.replace(input_len=input_len, horizon=horizon, split=split)
    dropped: list[str] = []
    if entry is not None:
        series, dropped = drop_channels_unobserved_in_train(series, split)
    else:
        _refuse_channels_unobserved_in_train(series, split, data)
    task = prepare_task(
        series, input_len, horizon, split, input_note=default_input_note(entry, spec_input_len, horizon)
    )
    check_model_config(spec, ModelContext.from_task(task))  # bad --option values: no run opened
    if tracking.log_model:  # a kept model's run says it once, not each tuning trial
        _note_missing_values(task, spec.model, _data_label(data))
    loss = build_loss(spec)
    if isinstance(loss, SelectiveLearning):  # refused before its estimator trains, not after
        cfg = TrainConfig.for_model(get_model_spec(spec.model).cls, dict(spec.train_config))
        loss.check_windows(task.horizon, cfg.train_stride, cfg.loss)
    with _run(spec, series, tracking) as run:
        _inject_estimator(loss, task, spec, tracking, run)
        cbs = [*callbacks, *([_epoch_logger(run)] if run is not None else [])]

        def log_params(forecaster: Forecaster, cfg: TrainConfig, strategy: LossStrategy | None) -> None:
            params.update(_params(spec, series, forecaster, cfg, strategy, dropped))
            if run is not None:
                run.log_params(params)

        params: dict[str, Any] = {}
        fitted = fit_model(
            spec, task, loss=loss, callbacks=cbs, progress=tracking.progress, on_start=log_params
        )
        # intervals are part of a kept model; tuning trials (log_model=False) skip the calibration
        outcome = _score(spec, task, fitted, params, intervals=tracking.log_model)
        if tracking.log_model:  # a kept model, not a tuning trial: one warning, not one per trial
            _warn_without_skill(outcome)
            if entry is None:  # a catalogue dataset's own coordinates were not the user's to give
                _note_unread_coords(outcome)
        if run is not None:
            _log(run, outcome, series, tracking)
        return outcome


# ------------------------------------------------------------------------------------ helpers
def _resolve_options(
    data: Any, model: str | TrainingSpec, tracking: TrackingOptions | None, options: dict[str, Any]
) -> tuple[TrainingSpec, TrackingOptions]:
    """Split keyword options into the spec's and the tracking options' fields; refuse the rest."""
    spec_fields = TrainingSpec.field_names() - {"model"}
    track_fields = {f.name for f in dataclasses.fields(TrackingOptions)}
    unknown = sorted(set(options) - spec_fields - track_fields)
    if unknown:
        # ``train(..., epochs=1)``: a training-loop option belongs in train_config; a typo of an
        # argument (``horizn``) gets its likely name
        valid = sorted(spec_fields | track_fields | LOAD_OPTIONS)  # train() takes those too
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, valid, n=1)
            if close:
                hints.append(f"did you mean {close[0]!r} for {name!r}?")
            elif meant := train_option_meant(name):
                hints.append(f"{name!r} is a training-loop option: pass train_config={{{meant!r}: ...}}")
        raise ConfigError(
            f"unknown training option(s) {unknown}"
            + (f" ({'; '.join(hints)})" if hints else "")
            + f"; valid: {valid}",
            field=unknown[0],
        )
    spec_kw = {k: v for k, v in options.items() if k in spec_fields}
    if isinstance(spec_kw.get("train_config"), TrainConfig):
        spec_kw["train_config"] = spec_kw["train_config"].to_dict()
    if isinstance(model, TrainingSpec):
        spec = model.replace(**spec_kw)
    else:
        spec_kw.setdefault("data", _data_label(data))
        spec = TrainingSpec(model, **spec_kw)
    tracking = dataclasses.replace(
        check_tracking(tracking), **{k: v for k, v in options.items() if k in track_fields}
    )
    return spec, tracking


def check_tracking(tracking: Any) -> TrackingOptions:
    """``tracking`` (default: tracked and registered) when it is a :class:`TrackingOptions`;
    a dict or anything else is refused saying what to pass (it failed inside ``dataclasses``)."""
    if tracking is None:
        return TrackingOptions()
    if not isinstance(tracking, TrackingOptions):
        raise ConfigError(
            f"tracking must be a TrackingOptions, got {type(tracking).__name__}: pass "
            "tracking=TrackingOptions(track=False, ...) (tsforge.pipeline.TrackingOptions)",
            field="tracking",
        )
    return tracking


def _refuse_channels_unobserved_in_train(series: TimeSeriesData, split: str, data: Any) -> None:
    """A user's channels with no value in the training rows: refused naming all of them, the
    file, the training rows and how to leave them out (a catalogue dataset drops them instead).

    Why before :func:`~tsforge.data.task.prepare_task` (which refuses them the same way): a split
    that cannot be applied is reported there, by its own message, so only a valid split is
    checked here; the file is known here and not there.
    """
    from tsforge.data.frequency import steps_per_hour
    from tsforge.data.splits import split_borders
    from tsforge.data.task import refuse_channels_unobserved
    from tsforge.errors import DataValidationError

    try:
        train_rows = split_borders(series.n_steps, split, steps_per_hour=steps_per_hour(series.freq)).train
    except (ConfigError, DataValidationError):
        return  # prepare_task reports the split itself
    file = str(data) if isinstance(data, (str, Path)) else None
    refuse_channels_unobserved(series, train_rows, split, file=file)


def _data_label(data: Any) -> str:
    if isinstance(data, str):
        return data
    return str(getattr(data, "name", None) or type(data).__name__)


@contextlib.contextmanager
def _run(spec: TrainingSpec, series: TimeSeriesData, tracking: TrackingOptions) -> Iterator[Any]:
    """The tracked MLflow run of this training, or ``None`` when tracking is off."""
    if not tracking.track:
        yield None
        return
    from tsforge.tracking.runs import tracked_run

    tags = {
        "tsforge.model": spec.model,
        "tsforge.dataset": series.name,
        # what a reviewer filters the runs table by, beside the model and dataset (the params
        # hold them too, but MLflow's search and the run page's header show tags)
        "tsforge.data_kind": "multichannel",
        "tsforge.protocol": spec.split,
        "tsforge.input_len": spec.input_len,
        "tsforge.horizon": spec.horizon,
        "tsforge.spec_hash": spec.digest(),
        **dict(tracking.tags),
    }
    with tracked_run(
        experiment=tracking.experiment or series.name,
        run_name=tracking.run_name or f"{spec.model}-L{spec.input_len}-H{spec.horizon}",
        nested=tracking.nested,
        tags=tags,
        description=(
            f"{spec.model} on {series.name}: the last {spec.input_len} steps → the next {spec.horizon}, "
            f"split {spec.split}. Scores: `val_*`/`test_*` on the normalised scale, `*_orig_*` in the "
            "data's units (every score in the metrics/scores.json table, with what it is measured in); "
            f"plots/ shows test windows in original units.{_epochs_note(spec.model)}"
        ),
        experiment_description=(
            f"Trainings on {series.name}: {series.n_channels} series × {series.n_steps} steps"
            f"{f' at frequency {series.freq}' if series.freq else ''}. One run per `tsforge train` "
            "(tuning trials are nested under their study's run); compare val_mse/test_mse across runs."
        ),
        experiment_tags={
            "tsforge.dataset": series.name,
            "tsforge.kind": "multichannel",
            "tsforge.freq": series.freq or "",
            "tsforge.n_series": series.n_channels,
            "tsforge.n_steps": series.n_steps,
        },
        experiment_view=("val_mse", "test_mse", "test_mae", "test_mase", "test_orig_mae"),
        experiment_view_params=("model", "input_len", "horizon", "split"),
    ) as run:
        _log_dataset(run, spec, series)
        yield run


def _epochs_note(model: str) -> str:
    """`` <what the per-epoch curves and cost metrics are>`` for a model trained in epochs (a
    network), else ``""``."""
    from tsforge.tracking.callback import EPOCH_CURVES_NOTE

    if not get_model_spec(model).is_neural:
        return ""
    return (
        f" {EPOCH_CURVES_NOTE} best_epoch is the epoch whose weights were kept (from 1 too); "
        "seconds_per_epoch is train_seconds ÷ epochs_run, its set-up included."
    )


def _data_digest(series: TimeSeriesData) -> str:
    from tsforge.tracking.datasets import array_digest

    return array_digest(series.values, series.timestamps, np.asarray(series.channel_ids))


def _log_dataset(run: Any, spec: TrainingSpec, series: TimeSeriesData) -> None:
    """The data this run trained on, as an MLflow dataset input (the runs table's Dataset column)."""
    log_series_dataset(run, series, spec.data)


def log_series_dataset(
    run: Any, series: TimeSeriesData, data_label: str | None, *, context: str = "training"
) -> str:
    """``series`` as an MLflow dataset input of ``run`` (its source the file or catalogue name
    ``data_label``), with the digest a registered version's data tag repeats; returns the digest.

    Public for runs that are not a training of their own but cover one (a tuning study's
    parent run), so their row in the runs table names the data too.
    """
    import pandas as pd

    from tsforge.tracking.datasets import source_label

    frame = pd.DataFrame(series.values, columns=[str(c) for c in series.channel_ids])
    if series.timestamps is not None:
        frame.insert(0, "ds", pd.DatetimeIndex(series.timestamps))
    digest = _data_digest(series)
    run.log_dataset(
        frame,
        name=series.name,
        source=source_label(data_label, series.name),
        digest=digest,
        context=context,
    )
    return digest


def _inject_estimator(
    loss: LossStrategy | None, task: ForecastTask, spec: TrainingSpec, tracking: TrackingOptions, run: Any
) -> None:
    """Selective learning's frozen estimator: fetched from the cache or trained (as its own,
    nested MLflow run when tracking) before the main fit, then injected into the strategy."""
    if not isinstance(loss, SelectiveLearning) or loss.r_a <= 0:
        return
    trainer = None
    if run is not None:

        def trainer(task, estimator, seed, model_config, train_config):  # noqa: ANN001
            inner = train(
                task.data,
                TrainingSpec(
                    estimator,
                    data=task.data.name,
                    model_config=model_config,
                    seed=seed,
                    input_len=task.input_len,
                    horizon=task.horizon,
                    split=task.split,
                    train_config={"progress": False, **train_config, "seed": seed},
                ),  # fmt: skip
                tracking=TrackingOptions(
                    register=False,
                    nested=True,
                    run_name=f"estimator-{estimator}-L{task.input_len}-H{task.horizon}",
                    tags={"tsforge.role": "selective-estimator"},
                    progress=False,
                ),
            )
            return inner.forecaster, inner.run_id

    cached = get_or_train_estimator(task, **loss.estimator_request(spec.seed), trainer=trainer)
    loss.use_estimator(cached.forecaster, run_id=cached.run_id, hit=cached.hit, path=cached.path)
    if run is not None and cached.run_id:
        run.set_tags({"tsforge.selective.estimator_run_id": cached.run_id})


def _epoch_logger(run: Any) -> Callback:
    from tsforge.tracking.callback import MlflowCallback

    return MlflowCallback(run.run_id)


def _params(
    spec: TrainingSpec,
    series: TimeSeriesData,
    forecaster: Forecaster,
    train_config: TrainConfig,
    loss: LossStrategy | None,
    dropped: list[str],
) -> dict[str, Any]:
    is_neural = get_model_spec(spec.model).is_neural
    params: dict[str, Any] = {
        "model": spec.model,
        "dataset": series.name,
        "input_len": spec.input_len,
        "horizon": spec.horizon,
        "split": spec.split,
        # the stride of the scored val/test windows: scores of runs with different strides are
        # over different windows, so a reviewer comparing them must see it
        "eval_stride": spec.eval_stride,
        "seed": spec.seed,
        "n_channels": series.n_channels,
        "freq": series.freq,
        "missing_share": round(series.missing_share, 6),
        **{f"model.{k}": v for k, v in forecaster.config_dict().items()},
        **lags_read(forecaster.config_dict(), spec.input_len),
        **({f"train.{k}": v for k, v in train_config.to_dict().items()} if is_neural else {}),
        **({f"strategy.{k}": v for k, v in loss.params().items()} if loss is not None else {}),
    }
    if dropped:
        params["dropped_channels"] = ",".join(dropped)
    return params


def lags_read(config: Mapping[str, Any], input_len: int | None) -> dict[str, int]:
    """``{"lags_read": n}`` for a model with an ``n_lags`` option (LightGBM): the lags it reads,
    at most its input window (:func:`~tsforge.models.lgbm.lags_used`); empty for other models.

    Why: a panel's LightGBM run logged ``model.n_lags`` 48 beside ``input_len`` 24 (a panel's
    default window is twice the horizon), and read 24: the run said it used lags it never saw.
    """
    if "n_lags" not in config or not input_len:
        return {}
    from tsforge.models.lgbm import lags_used

    return {"lags_read": lags_used(int(config["n_lags"]), int(input_len))}


def _score(
    spec: TrainingSpec,
    task: ForecastTask,
    fitted: FittedModel,
    params: dict[str, Any],
    *,
    intervals: bool = True,
) -> TrainOutcome:
    forecaster, report = fitted.forecaster, fitted.report
    val = evaluate(forecaster, task, "val", stride=spec.eval_stride)
    test = evaluate(forecaster, task, "test", stride=spec.eval_stride)
    metrics = {
        **val.flat("val"),
        **test.flat("test"),
        "train_seconds": fitted.seconds,
        **epoch_seconds(spec.model, report, fitted.seconds),  # a network's only
        "n_parameters": float(forecaster.n_parameters),
        # epochs (a booster's rounds) run and the one kept by early stopping: beside the count, how
        # far past the best one training went; the kept one absent for models without epochs
        **iterations_run(spec.model, report, best=True),
    }
    metrics.update(_skill(spec, task, val, test, params))
    predictor = Predictor(forecaster, task.scaler, {"dataset": task.data.name})
    if intervals:
        predictor.calibration = _calibrate(forecaster, task, metrics, params)
    return TrainOutcome(forecaster, predictor, task, report, metrics, val, test, spec, params=params)


def _skill(
    spec: TrainingSpec,
    task: ForecastTask,
    val: EvaluationResult,
    test: EvaluationResult,
    params: dict[str, Any],
) -> dict[str, float]:
    """The baseline's MSE on the same windows and the model's skill over it (``val_skill``,
    ``test_skill``: 1 - MSE / baseline MSE; see :mod:`tsforge.evaluation.baseline`)."""
    from tsforge.evaluation.baseline import baseline_for, skill_scores

    params["baseline"] = baseline_for(ModelContext.from_task(task)).label
    mse = {"val": val.normalized["mse"], "test": test.normalized["mse"]}
    return skill_scores(task, mse, stride=spec.eval_stride)


def _note_missing_values(task: ForecastTask, model: str, where: str) -> None:
    """One note of the missing values in the rows the run trains, validates and tests on: how
    many, in which channels, and what ``model`` makes of them, in the words a forecast says of
    its history's (:func:`~tsforge.data.panel_checks.filled_value_words`,
    :func:`~tsforge.data.panel_checks.note_filled_values`), those in the test rows counted as
    scored without them.

    Why: a window model's input windows carry the last observed value over a gap and its loss
    leaves the missing targets out (:mod:`tsforge.data.task`), so 151 missing values of one
    channel were trained around without a word, where a panel's ``train`` and every
    ``forecast`` say so.
    """
    from tsforge.data.panel_checks import filled_value_words, note_filled_values

    a, b = task.borders.train[0], task.borders.test[1]
    c = task.borders.test[0]
    missing = ~np.asarray(task.data.mask[a:b], dtype=bool)  # [T, N], True where missing
    in_test = int(missing[c - a :].sum())
    how = filled_value_words(model, local=False, training=True)
    note_filled_values(list(task.data.channel_ids), missing.sum(axis=0), where, how, unscored=in_test)


def _note_unread_coords(outcome: TrainOutcome) -> None:
    """The note a forecast gives (:class:`~tsforge.errors.UnusedCoordinatesWarning`) when the
    trained model has no coordinate embedding, so the station coordinates given with the data
    were not used (DLinear, NLinear, a GRU trained with ``--coords``).

    Why: ``train --coords`` with such a model trained and registered it without a word, and only
    its first forecast said the coordinates were never read."""
    import warnings

    from tsforge.errors import UnusedCoordinatesWarning

    data, predictor = outcome.task.data, outcome.predictor
    if data.coords is None or predictor.reads_coords:
        return
    ids = [str(c) for c in data.channel_ids]
    warnings.warn(UnusedCoordinatesWarning(predictor.unread_coords_words(ids, len(ids))), stacklevel=3)


def _warn_without_skill(outcome: TrainOutcome) -> None:
    """Say when the trained model does not beat its baseline on the validation windows."""
    from tsforge.evaluation.baseline import compared, warn_without_skill

    skill = outcome.metrics.get("val_skill")
    if skill is None or skill > 0:
        return
    mse, base = outcome.metrics["val_mse"], outcome.metrics["val_baseline_mse"]
    warn_without_skill(
        outcome.spec.model,
        outcome.params.get("baseline", "naive"),
        f"MSE {mse:.4g} vs {base:.4g}, {compared(skill)}",
        "try a longer input (--input), more epochs (--epochs) or a lower learning rate (--lr)",
    )


def _calibrate(
    forecaster: Forecaster, task: ForecastTask, metrics: dict[str, float], params: dict[str, Any]
) -> Any:
    """Conformal calibration on the validation windows (per channel; see
    :mod:`tsforge.panels.conformal`), scored on the test windows (``test_coverage_80``, ...)."""
    from tsforge.panels.calibrate import calibrate_task, task_interval_metrics

    calibration = calibrate_task(forecaster, task, "val")
    metrics.update({f"test_{k}": v for k, v in task_interval_metrics(calibration, forecaster, task).items()})
    params.update({"intervals.method": "conformal", "intervals.windows": calibration.info["windows"]})
    return calibration


def _bands(
    outcome: TrainOutcome, history: np.ndarray, point: np.ndarray, channel: str
) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """The 80 / 95 % conformal intervals of one forecast, for the plot (empty when uncalibrated)."""
    from tsforge.inference import IntervalRequest

    calibration = outcome.predictor.calibration
    if calibration is None:
        return {}
    request = IntervalRequest((80.0, 95.0))
    q = calibration.quantiles(point[None, :], [history], [str(channel)], request.probs)[0]
    b = request.bounds(q)
    return {lv: (b[f"lo-{lv:g}"], b[f"hi-{lv:g}"]) for lv in request.levels}


def _save_bundle(outcome: TrainOutcome, path: Path, dataset: str) -> Path:
    """The model bundle: weights + scaler (:func:`~tsforge.models.persistence.save_model`) and
    the interval calibration, so a registered model returns intervals in a fresh process."""
    from tsforge.models.persistence import save_model

    # the split travels with the model: `tsforge evaluate` scores it under the same protocol
    extra = {"dataset": dataset, "split": outcome.task.split}
    out = save_model(outcome.forecaster, outcome.task.scaler, path, extra=extra)
    if outcome.predictor.calibration is not None:
        outcome.predictor.calibration.save(out)
    return out


def _log(run: Any, outcome: TrainOutcome, series: TimeSeriesData, tracking: TrackingOptions) -> None:
    from tsforge.tracking.plots import plot_series_forecasts
    from tsforge.tracking.pyfunc import example_history
    from tsforge.tracking.trained_model import log_trained_model

    forecaster = outcome.forecaster
    if "baseline" in outcome.params:  # known once scored, after the run's first parameters
        run.log_params({"baseline": outcome.params["baseline"]})

    def make_plots(folder: Path) -> list[Path]:
        return [
            plot_series_forecasts(
                _plot_items(outcome),
                folder / "forecast_vs_actual.png",
                title=f"{forecaster.name} on {series.name}: test windows (original units){_skill_title(outcome)}",
            )
        ]

    members = outcome.fit_report.extra.get("members")
    if members:  # an ensemble: who it averages, with what weight, and each member's own score
        import pandas as pd

        run.log_table(pd.DataFrame(members), "ensemble_members.json")
        run.log_metrics({f"weight_{i}_{m['model']}": m["weight"] for i, m in enumerate(members)})
        run.log_params({"ensemble.members_trained_on": outcome.fit_report.extra.get("engine", "in process")})
    register = tracking.register and tracking.log_model
    logged = log_trained_model(
        run,
        predictor=outcome.predictor,
        write_bundle=lambda path: _save_bundle(outcome, path, series.name),
        input_example=example_history(outcome.predictor, series) if tracking.log_model else None,
        metrics=outcome.metrics,
        per_step=outcome.test.per_step,
        make_plots=make_plots,
        log_model=tracking.log_model,
        registered_name=(tracking.registered_name or default_registry_name(series.name, forecaster.name))
        if register
        else None,
        dataset=series.name,
        protocol=outcome.spec.split,
        data_digest=_data_digest(series),
        summary=f"{forecaster.name} on {series.name}",
    )
    record_logged(outcome, run.run_id, logged)


def register_outcome(outcome: TrainOutcome, registered_name: str) -> TrainOutcome:
    """Register a model trained with ``register=False`` (its run logged the model), described and
    tagged as :func:`train` registers one; returns ``outcome`` with the version recorded."""
    from tsforge.tracking.trained_model import register_logged_model

    if not (outcome.run_id and outcome.model_uri):
        raise ConfigError("only a tracked training that logged its model can be registered", field="track")
    series = outcome.task.data
    logged = register_logged_model(
        outcome.run_id,
        outcome.model_uri,
        predictor=outcome.predictor,
        name=check_registry_name(registered_name),
        metrics=outcome.metrics,
        dataset=series.name,
        protocol=outcome.spec.split,
        data_digest=_data_digest(series),
        summary=f"{outcome.forecaster.name} on {series.name}",
    )
    record_logged(outcome, outcome.run_id, logged)
    return outcome


def record_logged(outcome: Any, run_id: str, logged: Any) -> None:
    """Copy where a logged model went (run, URI, registry version, promotion) onto an outcome
    (:class:`TrainOutcome` or the panel pipeline's ``PanelOutcome``)."""
    outcome.run_id = run_id
    outcome.model_uri = logged.model_uri
    outcome.registered_name, outcome.version = logged.registered_name, logged.version
    outcome.champion_version = logged.champion_version
    outcome.promotion = logged.promotion_reason


def _skill_title(outcome: TrainOutcome) -> str:
    """``; test MSE 35.2% lower than seasonal naive (24 steps)``: the plot's title says what the
    dotted line beside the forecast is for (empty where the skill is undefined)."""
    from tsforge.evaluation.baseline import compared

    skill, baseline = outcome.metrics.get("test_skill"), outcome.params.get("baseline")
    if skill is None or not baseline:
        return ""
    return f"; test MSE {compared(skill)} than {baseline}"


def _plot_items(outcome: TrainOutcome, n_windows: int = 3, max_panels: int = 4) -> list[dict[str, Any]]:
    """A few test windows in the data's units with their dates: the input tail, the actual future,
    the forecast and the baseline's (inverse-scaled with the task's scaler) of one channel each."""
    from tsforge.evaluation.baseline import task_baseline

    task = outcome.task
    data = task.data
    test = task.dataset("test")
    idx = np.linspace(0, len(test) - 1, min(n_windows, len(test))).astype(int)
    windows = predict_windows(outcome.forecaster, task, "test", idx)
    pred = task.scaler.inverse(windows["pred"])  # [B, H, C] in original units
    baseline, baseline_model = task_baseline(task)  # the skill's yardstick, drawn beside it
    base = task.scaler.inverse(predict_windows(baseline_model, task, "test", idx)["pred"])
    starts = test.starts.numpy()[idx]  # first input row of each window
    L, H, C = task.input_len, task.horizon, data.n_channels
    pairs = [(b, c) for b in range(len(idx)) for c in range(C)]
    pairs = pairs[:: max(1, len(pairs) // max_panels)][:max_panels]
    show = min(L, 3 * H)
    items = []
    for b, c in pairs:
        s = int(starts[b])
        hist = np.arange(s + L - show, s + L)
        fut = np.arange(s + L, s + L + H)
        t = data.timestamps if data.timestamps is not None else np.arange(data.n_steps)
        items.append(
            {
                "id": f"{data.channel_ids[c]} (test window {int(idx[b])})",
                "title": f"channel {data.channel_ids[c]}, test window {int(idx[b])}",
                "unit": str(data.channel_ids[c]),  # a column name carries its unit: "p (mbar)"
                "history_t": t[hist],
                "history": data.values[hist, c],
                "future_t": t[fut],
                "actual": data.values[fut, c],
                "forecast": pred[b, :, c],
                "baseline": base[b, :, c],
                "baseline_label": baseline.label,
                "bands": _bands(outcome, data.values[s : s + L, c], pred[b, :, c], data.channel_ids[c]),
            }
        )
    return items
