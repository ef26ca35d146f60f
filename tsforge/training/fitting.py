"""The one fit path: a :class:`~tsforge.training.spec.TrainingSpec` + a task → a fitted model.

Used by the pipeline (``tsforge train``), tuning trials (through the pipeline), the
selective-learning estimator cache and the recommender's knowledge base, so a model is always
built, seeded, configured and trained the same way. Nothing here tracks: callers that want an
MLflow run pass a callback and log the returned report themselves.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from tsforge.errors import ConfigError
from tsforge.models.base import FitReport, Forecaster, ModelContext, NeuralForecaster
from tsforge.models.ensemble import EnsembleForecaster
from tsforge.models.registry import get_model_spec, model_names
from tsforge.training.callbacks import ProgressCallback
from tsforge.training.config import TrainConfig
from tsforge.training.loop import fit as run_loop
from tsforge.training.selective import strategy_from_options
from tsforge.training.spec import TrainingSpec
from tsforge.training.strategy import LossStrategy

if TYPE_CHECKING:
    from tsforge.data.task import ForecastTask
    from tsforge.training.callbacks import Callback

__all__ = [
    "FittedModel",
    "seed_all",
    "build_forecaster",
    "build_loss",
    "check_strategy",
    "train_forecaster",
    "fit_model",
]


@dataclass
class FittedModel:
    """What :func:`fit_model` returns."""

    forecaster: Forecaster
    report: FitReport
    train_config: TrainConfig
    loss: LossStrategy | None
    seconds: float


def seed_all(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU): equal seeds give equal results."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def build_forecaster(spec: TrainingSpec, context: ModelContext) -> Forecaster:
    """Instantiate ``spec.model`` for ``context``, its options adapted by the model's own hook."""
    cls = get_model_spec(spec.model).cls
    return cls(context, cls.prepare_config(dict(spec.model_config), context, seed=spec.seed))


def check_strategy(model: str, strategy: str | None) -> None:
    """Refuse a loss strategy for a model that is not trained by the neural training loop.

    A strategy other than the plain loss changes what that loop minimises; any other model
    (baseline, statistical, LightGBM) would ignore it silently, after selective learning had
    trained its estimator for nothing. Called before anything is loaded or trained.
    """
    if strategy is None or strategy.strip().lower() == "plain":
        return
    spec = get_model_spec(model)
    if not spec.is_neural:
        neural = [n for n in model_names() if get_model_spec(n).is_neural]
        raise ConfigError(
            f"loss strategy {strategy.strip().lower()!r} changes the loss of the neural training loop, "
            f"and {spec.name!r} ({spec.kind} model) is fitted without it: drop the strategy or "
            f"train a neural model ({', '.join(neural[:4])}, ...)",
            field="strategy",
        )


def build_loss(spec: TrainingSpec) -> LossStrategy | None:
    """The spec's loss strategy (``None`` = the loop's plain masked loss); see :func:`check_strategy`."""
    if spec.strategy is None:
        return None
    check_strategy(spec.model, spec.strategy)
    return strategy_from_options(spec.strategy, **dict(spec.strategy_config))


def train_forecaster(
    forecaster: Forecaster,
    task: ForecastTask,
    train_config: TrainConfig | None = None,
    *,
    loss: LossStrategy | None = None,
    callbacks: Sequence[Callback] = (),
) -> FitReport:
    """Fit ``forecaster`` on ``task``: neural models through the one training loop (with the
    model's own stage schedule), the others through their own ``fit``."""
    cfg = train_config or TrainConfig.for_model(forecaster)
    if isinstance(forecaster, EnsembleForecaster):
        return _train_ensemble(forecaster, task, cfg)
    if not isinstance(forecaster, NeuralForecaster):
        return forecaster.fit(task, train_config=cfg, loss=loss, callbacks=callbacks)
    result = run_loop(
        forecaster.module,
        task.dataset("train", stride=cfg.train_stride),
        task.dataset("val", stride=cfg.val_stride),
        cfg,
        loss=loss,
        callbacks=callbacks,
        schedule=forecaster.training_schedule(cfg),
        task=task,
    )
    return FitReport(
        history=result.history,
        best_epoch=result.best_epoch,
        best_val_loss=result.best_val_loss,
        train_seconds=result.seconds,
        extra={"epochs_run": len(result.history), "seconds_per_epoch": result.seconds_per_epoch},
    )


def _train_ensemble(ensemble: EnsembleForecaster, task: ForecastTask, cfg: TrainConfig) -> FitReport:
    """Every member through :func:`train_forecaster` on its own input windows (same targets),
    seeded and built as if trained alone (so it is the model ``fit_model`` gives with the same
    seed and options), then the weights on validation.

    Members train with their own defaults and their ``train`` options; of the ensemble's training
    options only the seed, the progress bar and the thread count carry over (see the model's
    ``training_options``). Per-epoch callbacks are not passed on: the members' epochs would
    overwrite each other's steps in one run; each member's summary is in ``extra["members"]``.
    """
    t0 = time.perf_counter()
    members = []
    for i, spec in enumerate(ensemble.specs):
        seed_all(cfg.seed)
        member = ensemble.members[i] = ensemble.build_member(i)  # as fit_model builds a model alone
        member_cfg = TrainConfig.for_model(
            member, {"seed": cfg.seed, "progress": False, "num_threads": cfg.num_threads, **spec.train}
        )
        # the progress lines say which member is training ("timebase L 720 (2/4) epoch 3: ...")
        label = f"{spec.model} L {member.context.input_len} ({i + 1}/{len(ensemble.members)})"
        bars = [ProgressCallback(desc=label)] if cfg.progress else []
        t = time.perf_counter()
        report = train_forecaster(member, ensemble.member_task(task, i), member_cfg, callbacks=bars)
        members.append(
            {
                "model": spec.model,
                "input_len": member.context.input_len,
                "best_val_loss": report.best_val_loss,
                "epochs_run": len(report.history),
                "seconds": time.perf_counter() - t,
                "n_parameters": member.n_parameters,
            }
        )
    weighting = ensemble.fit_weights(task)
    for m, w, v in zip(members, weighting["weights"], weighting["member_val_mse"], strict=True):
        m.update(weight=w, val_mse=v)
    return FitReport(
        best_val_loss=weighting["ensemble_val_mse"],
        train_seconds=time.perf_counter() - t0,
        extra={"members": members, "weights": ensemble.config.weights},
    )


def fit_model(
    spec: TrainingSpec,
    task: ForecastTask,
    *,
    loss: LossStrategy | None = None,
    callbacks: Sequence[Callback] = (),
    progress: bool = False,
    on_start: Callable[[Forecaster, TrainConfig, LossStrategy | None], None] | None = None,
    context: ModelContext | None = None,
) -> FittedModel:
    """Seed, build and train ``spec.model`` on ``task``.

    Args:
        spec: what to train (the task fixes input length, horizon and split).
        task: the prepared protocol.
        loss: an already built strategy (e.g. selective learning with an injected estimator);
            default: built from ``spec.strategy``.
        callbacks: training-loop observers (MLflow, pruning, ...).
        progress: show the loop's progress bar unless ``spec.train_config`` says otherwise.
        on_start: called with the built model, its training config and loss before training
            (the pipeline logs parameters there, so a failed run still shows what it was).
        context: what the model is built for; default ``ModelContext.from_task(task)`` (a panel
            task, whose series are not channels of one matrix, passes its own).
    """
    seed_all(spec.seed)
    forecaster = build_forecaster(spec, context or ModelContext.from_task(task))
    cfg = TrainConfig.for_model(forecaster, {"seed": spec.seed, "progress": progress, **spec.train_config})
    loss = loss if loss is not None else build_loss(spec)
    if on_start is not None:
        on_start(forecaster, cfg, loss)
    t0 = time.perf_counter()
    report = train_forecaster(forecaster, task, cfg, loss=loss, callbacks=callbacks)
    return FittedModel(forecaster, report, cfg, loss, time.perf_counter() - t0)
