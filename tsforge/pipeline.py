"""``train``: the Python API behind ``tsforge train`` — data → task → model → fit → evaluate → MLflow.

One call applies the standard protocol (catalogue defaults for input length, horizon and
split), trains any registered model with any loss strategy, scores validation and test on the
normalised and original scale, and — when tracking is on — logs parameters, per-epoch
metrics, final metrics, a forecast plot and the model as a pyfunc, registers it and moves the
``champion`` alias to the best version by validation MSE.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.frequency import season_length
from tsforge.data.task import ForecastTask, prepare_task
from tsforge.errors import ConfigError
from tsforge.evaluation.evaluate import EvaluationResult, evaluate, predict_windows
from tsforge.inference import Predictor
from tsforge.models.base import FitReport, Forecaster, ModelContext
from tsforge.models.registry import get_model_spec
from tsforge.training.callbacks import Callback
from tsforge.training.config import TrainConfig
from tsforge.training.strategy import STRATEGIES, LossStrategy

__all__ = ["TrainOutcome", "train", "resolve_data", "default_lengths", "build_strategy"]

log = logging.getLogger(__name__)


@dataclass
class TrainOutcome:
    forecaster: Forecaster
    predictor: Predictor
    task: ForecastTask
    fit_report: FitReport
    metrics: dict[str, float]
    val: EvaluationResult
    test: EvaluationResult
    run_id: str | None = None
    model_uri: str | None = None
    registered_name: str | None = None
    version: str | None = None
    champion_version: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def resolve_data(data: Any, **load_kwargs: Any) -> tuple[TimeSeriesData, Any]:
    """A catalogue name, file path, DataFrame or TimeSeriesData → (data, catalogue entry or None)."""
    if isinstance(data, TimeSeriesData):
        return data, None
    entry = None
    if isinstance(data, str):
        try:
            from tsforge.data.catalog import get_entry

            entry = get_entry(data)
        except Exception:
            entry = None
    from tsforge.data.io import load_data

    return load_data(data, **load_kwargs), entry


def default_lengths(
    data: TimeSeriesData, entry: Any, input_len: int | None, horizon: int | None
) -> tuple[int, int]:
    """Catalogue defaults, else horizon = one season (≥ 1, ≤ 48) and input = 4 × horizon (≥ 2 seasons)."""
    m = season_length(data.freq)
    if horizon is None:
        horizons = getattr(entry, "horizons", None)
        horizon = int(horizons[0]) if horizons else int(min(max(m, 12), 48))
    if input_len is None:
        input_len = getattr(entry, "input_len", None) or int(max(4 * horizon, 2 * m))
        # keep enough rows for a 7:1:2 split
        input_len = int(min(input_len, max(8, int(0.7 * data.n_steps) - horizon - 1)))
    return int(input_len), int(horizon)


def build_strategy(
    strategy: str | LossStrategy | None, config: dict[str, Any] | None = None
) -> LossStrategy | None:
    """Strategy name (``plain``, ``selective``, ...) + options → a strategy object."""
    if strategy is None or isinstance(strategy, LossStrategy):
        return strategy
    import tsforge.training  # noqa: F401  (registers strategies)

    if strategy not in STRATEGIES:
        raise ConfigError(f"unknown strategy {strategy!r}; available: {sorted(STRATEGIES)}", field="strategy")
    return STRATEGIES[strategy](**(config or {}))


def _drop_channels_unobserved_in_train(
    series: TimeSeriesData, split: str
) -> tuple[TimeSeriesData, list[str]]:
    """Catalogue datasets only: drop channels with no observation in the training split (e.g. a
    pm10 station that starts reporting later). A user's own file gets a clear error instead."""
    from tsforge.data.frequency import steps_per_hour
    from tsforge.data.splits import split_borders

    a, b = split_borders(series.n_steps, split, steps_per_hour=steps_per_hour(series.freq)).train
    seen = series.mask[a:b].any(axis=0)
    if seen.all():
        return series, []
    dropped = [c for c, ok in zip(series.channel_ids, seen, strict=True) if not ok]
    log.warning("dropping %d channel(s) with no observation in the training split: %s", len(dropped), dropped)
    return series.select_channels([c for c, ok in zip(series.channel_ids, seen, strict=True) if ok]), dropped


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def _flatten(prefix: str, d: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}.{k}": v for k, v in d.items()}


def train(
    data: Any,
    model: str = "dlinear",
    *,
    input_len: int | None = None,
    horizon: int | None = None,
    split: str | None = None,
    model_config: dict[str, Any] | None = None,
    train_config: dict[str, Any] | TrainConfig | None = None,
    strategy: str | LossStrategy | None = None,
    strategy_config: dict[str, Any] | None = None,
    seed: int = 2024,
    track: bool = True,
    register: bool = True,
    log_model: bool = True,
    registered_name: str | None = None,
    experiment: str | None = None,
    run_name: str | None = None,
    nested: bool = False,
    tags: dict[str, str] | None = None,
    callbacks: Sequence[Callback] = (),
    progress: bool = True,
    eval_stride: int = 1,
    load_kwargs: dict[str, Any] | None = None,
) -> TrainOutcome:
    """Train ``model`` on ``data`` under the standard protocol and (optionally) track it in MLflow.

    Args:
        data: catalogue name (``"etth1"``), CSV/Parquet path, pandas/polars frame or TimeSeriesData.
        model: a registered model name (``tsforge.models.model_names()``).
        input_len, horizon, split: default to the catalogue entry's protocol (else sensible values).
        model_config: options of the model's ``Config``; train_config: ``TrainConfig`` options.
        strategy: training-loss strategy (``"selective"``, ...); strategy_config: its options.
        track: log to MLflow; register: also register the model and move ``@champion``.
        log_model: log the model as a pyfunc (and a forecast plot); tuning trials switch it off
            because only the retrained best model is kept.
        eval_stride: stride of the evaluated val/test windows (1 = all, the standard protocol).
    """
    spec = get_model_spec(model)  # an unknown model name fails before any data is read
    series, entry = resolve_data(data, **(load_kwargs or {}))
    input_len, horizon = default_lengths(series, entry, input_len, horizon)
    split = split or getattr(entry, "split", None) or "7:1:2"
    dropped: list[str] = []
    if entry is not None:
        series, dropped = _drop_channels_unobserved_in_train(series, split)
    task = prepare_task(series, input_len, horizon, split)
    _seed(seed)
    forecaster = spec.cls(ModelContext.from_task(task), model_config)
    if isinstance(train_config, TrainConfig):
        cfg = train_config
    else:
        overrides = dict(train_config or {})
        overrides.setdefault("seed", seed)
        overrides.setdefault("progress", progress)
        cfg = TrainConfig.for_model(forecaster, overrides)
    loss = build_strategy(strategy, strategy_config)
    params: dict[str, Any] = {
        "model": spec.name,
        "dataset": series.name,
        "input_len": input_len,
        "horizon": horizon,
        "split": split,
        "seed": seed,
        "n_channels": series.n_channels,
        "freq": series.freq,
        **_flatten("model", forecaster.config_dict()),
        **(_flatten("train", cfg.to_dict()) if spec.is_neural else {}),
        **(_flatten("strategy", loss.params()) if loss is not None else {}),
        **({"dropped_channels": ",".join(dropped)} if dropped else {}),
    }

    run = None
    cbs = list(callbacks)
    if track:
        import mlflow

        from tsforge.tracking.callback import MlflowCallback
        from tsforge.tracking.store import configure_tracking, get_experiment_id

        configure_tracking()
        exp_id = get_experiment_id(experiment or series.name)
        run = mlflow.start_run(
            experiment_id=None if nested else exp_id,
            run_name=run_name or f"{spec.name}-L{input_len}-H{horizon}",
            nested=nested,
            tags={"tsforge.model": spec.name, "tsforge.dataset": series.name, **(tags or {})},
        )
        cbs.append(MlflowCallback(run.info.run_id))
    try:
        mlflow_params = {k: (str(v)[:500] if v is not None else "None") for k, v in params.items()}
        if run is not None:
            import mlflow

            mlflow.log_params(mlflow_params)
        t0 = time.perf_counter()
        report = forecaster.fit(task, train_config=cfg, loss=loss, callbacks=cbs)
        fit_seconds = time.perf_counter() - t0
        val = evaluate(forecaster, task, "val", stride=eval_stride)
        test = evaluate(forecaster, task, "test", stride=eval_stride)
        metrics = {
            **val.flat("val"),
            **test.flat("test"),
            "train_seconds": fit_seconds,
            "seconds_per_epoch": fit_seconds / max(1, len(report.history)) if report.history else fit_seconds,
            "n_parameters": float(forecaster.n_parameters),
            "epochs_run": float(len(report.history)),
        }
        predictor = Predictor(forecaster, task.scaler, {"dataset": series.name})
        outcome = TrainOutcome(forecaster, predictor, task, report, metrics, val, test, params=params)
        if run is not None:
            _log_run_artifacts(outcome, series, register and log_model, registered_name, log_model)
        return outcome
    except BaseException:
        if run is not None:
            import mlflow

            mlflow.end_run(status="KILLED" if _interrupted() else "FAILED")
            run = None
        raise
    finally:
        if run is not None:
            import mlflow

            mlflow.end_run()


def _interrupted() -> bool:
    import sys

    exc = sys.exc_info()[1]
    return isinstance(exc, KeyboardInterrupt)


def _log_run_artifacts(
    outcome: TrainOutcome,
    series: TimeSeriesData,
    register: bool,
    registered_name: str | None,
    log_model: bool = True,
) -> None:
    import mlflow

    from tsforge.models.persistence import save_model
    from tsforge.tracking.plots import plot_forecasts
    from tsforge.tracking.pyfunc import example_history, log_predictor_model
    from tsforge.tracking.registry import promote_champion, register_model_version

    run = mlflow.active_run()
    outcome.run_id = run.info.run_id
    finite = {k: float(v) for k, v in outcome.metrics.items() if v is not None and np.isfinite(v)}
    mlflow.log_metrics(finite)
    for k, values in outcome.test.per_step.items():
        mlflow.log_dict({"metric": k, "per_step": values}, f"metrics/test_{k}_per_step.json")
    if not log_model:
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        task = outcome.task
        n_test = len(task.dataset("test"))
        idx = np.linspace(0, n_test - 1, num=min(3, n_test)).astype(int)
        windows = predict_windows(outcome.forecaster, task, "test", idx)
        plot = plot_forecasts(
            windows,
            tmp / "forecast_vs_actual.png",
            channel_names=series.channel_ids,
            title=f"{outcome.forecaster.name} on {series.name}: test windows (normalised scale)",
        )
        mlflow.log_artifact(str(plot), "plots")
        bundle = save_model(outcome.forecaster, task.scaler, tmp / "bundle", extra={"dataset": series.name})
        info = log_predictor_model(bundle, outcome.predictor, example_history(outcome.predictor, series))
    outcome.model_uri = info.model_uri
    if register:
        name = registered_name or f"{series.name}-{outcome.forecaster.name}"
        outcome.registered_name = name
        outcome.version = register_model_version(info.model_uri, name, run_id=outcome.run_id)
        outcome.champion_version = promote_champion(name, "val_mse")
