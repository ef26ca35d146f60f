"""The one fit path: a :class:`~tsforge.training.spec.TrainingSpec` + a task → a fitted model.

Used by the pipeline (``tsforge train``), tuning trials (through the pipeline), the
selective-learning estimator cache and the recommender's knowledge base, so a model is always
built, seeded, configured and trained the same way. Nothing here tracks: callers that want an
MLflow run pass a callback and log the returned report themselves.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from tsforge.data.task import ForecastTask
from tsforge.engine.local import fresh_workers
from tsforge.errors import ConfigError
from tsforge.models.base import FitReport, Forecaster, ModelContext, NeuralForecaster, WindowTask
from tsforge.models.ensemble import EnsembleForecaster
from tsforge.models.registry import get_model_spec, model_names
from tsforge.progress import ProgressBar, bar_options
from tsforge.training.callbacks import ProgressCallback
from tsforge.training.config import TrainConfig
from tsforge.training.loop import fit as run_loop
from tsforge.training.selective import strategy_from_options
from tsforge.training.spec import TrainingSpec
from tsforge.training.strategy import LossStrategy

if TYPE_CHECKING:
    from tsforge.training.callbacks import Callback

__all__ = [
    "FittedModel",
    "seed_all",
    "build_forecaster",
    "build_loss",
    "check_model_config",
    "check_strategy",
    "train_forecaster",
    "fit_model",
    "fit_member",
    "MemberJob",
    "progress_label",
    "iterations_run",
    "epoch_seconds",
]

#: What the training's progress lines are named inside :func:`progress_label` (``None``: the
#: training loop's own ``train``).
_PROGRESS_LABEL: ContextVar[str | None] = ContextVar("tsforge_progress_label", default=None)


@contextmanager
def progress_label(label: str) -> Iterator[None]:
    """Name the progress lines of every :func:`fit_model` inside the block: ``"trial #3"`` makes
    them ``trial #3 · epoch 5: train mse …`` (the loop's own read ``train epoch 5: …``).

    Why a context and not an argument: a tuning trial trains through ``pipeline.train`` or, on a
    panel, ``train_panel`` → ``fit_global``, which pass ``progress`` on as a flag; inside
    ``tsforge tune`` the epoch lines of twenty trials followed one another in the log and none
    said which trial it belonged to. The label reaches the one fit path whichever pipeline runs.
    """
    token = _PROGRESS_LABEL.set(label)
    try:
        yield
    finally:
        _PROGRESS_LABEL.reset(token)


def _labelled_progress(
    cfg: TrainConfig, loss: LossStrategy | None, callbacks: Sequence[Callback]
) -> tuple[TrainConfig, list[Callback]]:
    """The loop's config and callbacks with its progress lines named by :func:`progress_label`:
    the loop's own bar off and a named one, with the strategy's words and loss, in its place.
    Unchanged outside a label, or when ``cfg`` shows no progress."""
    label = _PROGRESS_LABEL.get()
    if label is None or not cfg.progress:
        return cfg, list(callbacks)
    bar = ProgressCallback(
        desc=f"{label} ·",
        note=None if loss is None else loss.progress_note,
        train_metric=None if loss is None else loss.kind,
    )
    return dataclasses.replace(cfg, progress=False), [*callbacks, bar]


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


def check_model_config(spec: TrainingSpec, context: ModelContext) -> None:
    """Build ``spec.model`` for ``context`` and let it go: unknown options, values of the wrong
    type and the model's own rules (``validate``, the shape checks of its network) fail here.

    Why: the pipelines call it before they open an MLflow run, so ``--option kernel_size=-3`` is
    a one-line error and no FAILED run in the store. The build draws a network's first weights
    from torch's global generator, so it runs on a forked copy of it: the fit that follows (which
    seeds and builds again) and any other draw see the generator as they would without the check.
    """
    with torch.random.fork_rng(devices=[]):
        build_forecaster(spec, context)


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
    task: WindowTask,
    train_config: TrainConfig | None = None,
    *,
    loss: LossStrategy | None = None,
    callbacks: Sequence[Callback] = (),
) -> FitReport:
    """Fit ``forecaster`` on ``task``: neural models through the one training loop (with the
    model's own stage schedule), the others through their own ``fit``."""
    cfg = train_config or TrainConfig.for_model(forecaster)
    if isinstance(forecaster, EnsembleForecaster):
        return _train_ensemble(forecaster, _multichannel(task, "an ensemble trains"), cfg)
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


@dataclass(frozen=True)
class MemberJob:
    """One ensemble member to train: the untrained ensemble (it builds the member), the member's
    index, the ensemble's task and the member's training options (seed included)."""

    ensemble: EnsembleForecaster
    index: int
    task: ForecastTask
    options: dict[str, Any]
    label: str
    progress: bool = False


@fresh_workers  # torch work: a forked worker hung in the member's weight initialisation
def fit_member(job: MemberJob) -> tuple[Forecaster, dict[str, Any]]:
    """Seed, build and train one member, exactly as :func:`fit_model` would train the model
    alone; return it with a summary. A pure function of the job, so the engine's workers (a
    local process pool, Ray) and this process give the same member for the same thread count.

    The job's thread count applies from the build on, not from the training on: a fresh worker
    starts with one torch thread per core, and each of ``n_jobs`` workers initialising its
    weights on every core at once would oversubscribe the CPUs the engine fills."""
    threads = job.options.get("num_threads")
    if isinstance(threads, int) and threads > 0:  # anything else is TrainConfig's to refuse
        torch.set_num_threads(threads)
    seed_all(int(job.options["seed"]))
    ensemble, i = job.ensemble, job.index
    member = ensemble.build_member(i)
    cfg = TrainConfig.for_model(member, job.options)
    bars = [ProgressCallback(desc=job.label)] if job.progress else []
    t = time.perf_counter()
    report = train_forecaster(member, ensemble.member_task(job.task, i), cfg, callbacks=bars)
    return member, {
        "model": ensemble.specs[i].model,
        "input_len": member.context.input_len,
        "best_val_loss": report.best_val_loss,
        "epochs_run": len(report.history),
        "seconds": time.perf_counter() - t,
        "n_parameters": member.n_parameters,
    }


def _boosted(model: str) -> bool:
    """Whether ``model`` trains in boosting rounds (the ``ml`` kind: LightGBM), not epochs."""
    return get_model_spec(model).kind == "ml"


def iterations_run(model: str, report: FitReport, *, best: bool = False) -> dict[str, float]:
    """How long ``model`` trained, as metrics named for what its ``report.history`` counts: a
    network's ``epochs_run`` (``best_epoch``: the epoch whose weights were kept, counted from 1
    as the training's progress lines and the run's per-epoch curves count them), a booster's
    ``boosting_rounds`` (``best_round``: the rounds the booster keeps, LightGBM's
    ``best_iteration``). ``best``: add the kept one, when the report has it (its
    ``best_epoch`` counts from 0, as the training loop does).

    Why: LightGBM's history holds one validation score per boosting round, and its runs logged
    the count as ``epochs_run`` (40 "epochs" of a booster that has none) beside the networks'.
    Why from 1: the terminal said "epoch 1 … epoch 2" and the run ``best_epoch 0`` beside
    ``epochs_run 2``, read as a model that never trained.
    """
    n = float(len(report.history))
    kept = report.best_epoch if best else None
    if _boosted(model):
        return {"boosting_rounds": n, **({"best_round": float(kept + 1)} if kept is not None else {})}
    return {"epochs_run": n, **({"best_epoch": float(kept + 1)} if kept is not None else {})}


def epoch_seconds(model: str, report: FitReport, seconds: float) -> dict[str, float]:
    """``seconds_per_epoch`` (``seconds`` over the epochs ``report.history`` counts, the fit's
    set-up included: each epoch's own time is the run's ``epoch_seconds`` curve) for a model
    trained in epochs (a network); nothing for the others.

    Why: every multichannel run logged it, so a LightGBM run (and each LightGBM tuning trial)
    carried a "seconds per epoch" of a booster that has none, its seconds over its boosting
    rounds, and a baseline or an ensemble its whole training time as one "epoch".
    """
    if not get_model_spec(model).is_neural:
        return {}
    return {"seconds_per_epoch": seconds / max(1, len(report.history))}


def _multichannel(task: WindowTask, why: str) -> ForecastTask:
    """``task`` as the multichannel task it must be where ``why`` (a panel's task has no channel
    matrix: a panel model passes its own context, and an ensemble is refused for panels)."""
    if not isinstance(task, ForecastTask):
        raise TypeError(f"{why} on a multichannel ForecastTask, got {type(task).__name__}")
    return task


def _train_ensemble(ensemble: EnsembleForecaster, task: ForecastTask, cfg: TrainConfig) -> FitReport:
    """Every member through :func:`train_forecaster` on its own input windows (same targets),
    seeded and built as if trained alone (so it is the model ``fit_model`` gives with the same
    seed and options), then the weights on validation.

    Members train with their own defaults and their ``train`` options; of the ensemble's training
    options only the seed, the progress bar, the thread count and the device carry over (see the model's
    ``training_options``). Per-epoch callbacks are not passed on: the members' epochs would
    overwrite each other's steps in one run; each member's summary is in ``extra["members"]``.

    **At once on the current engine** (:func:`tsforge.engine.get_engine`: ``tsforge train
    --n-jobs 4`` or ``--engine ray``): members are independent, so each is one engine task
    (:func:`fit_member`) and they train side by side, one torch thread each (more would
    oversubscribe the CPUs the engine already fills). A member is then the model trained alone
    with the same seed and one thread; in this process it uses the ensemble's thread count.
    """
    from tsforge.engine import get_engine

    t0 = time.perf_counter()
    n = len(ensemble.specs)
    engine = get_engine()
    side_by_side = n > 1 and (engine.name != "local" or engine.workers > 1)
    threads = 1 if side_by_side else cfg.num_threads
    jobs = [
        MemberJob(
            ensemble,
            i,
            task,
            {"seed": cfg.seed, "progress": False, "num_threads": threads, "device": cfg.device, **spec.train},
            # the progress lines say which member is training ("timebase L 720 (2/4) epoch 3: ...")
            label=f"{spec.model} L {ensemble.member_input_len(spec)} ({i + 1}/{n})",
            progress=cfg.progress and not side_by_side,
        )
        for i, spec in enumerate(ensemble.specs)
    ]
    if side_by_side:
        bar = ProgressBar(total=n, desc=f"ensemble members ({engine.describe()})", unit="member",
                   disable=not cfg.progress, **bar_options())  # fmt: skip
        try:
            fitted = engine.map(fit_member, jobs, on_result=lambda i, _: bar.update(1))
        finally:
            bar.close()
    else:
        fitted = [fit_member(job) for job in jobs]
    ensemble.members = [member for member, _ in fitted]
    members = [summary for _, summary in fitted]
    weighting = ensemble.fit_weights(task)
    for m, w, v in zip(members, weighting["weights"], weighting["member_val_mse"], strict=True):
        m.update(weight=w, val_mse=v)
    return FitReport(
        best_val_loss=weighting["ensemble_val_mse"],
        train_seconds=time.perf_counter() - t0,
        extra={
            "members": members,
            "weights": ensemble.config.weights,
            "engine": engine.describe() if side_by_side else "in process",
        },
    )


def fit_model(
    spec: TrainingSpec,
    task: WindowTask,
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
        progress: show the loop's progress bar unless ``spec.train_config`` says otherwise
            (named by an enclosing :func:`progress_label`).
        on_start: called with the built model, its training config and loss before training
            (the pipeline logs parameters there, so a failed run still shows what it was).
        context: what the model is built for; default ``ModelContext.from_task(task)`` (a panel
            task, whose series are not channels of one matrix, passes its own).
    """
    seed_all(spec.seed)
    if context is None:
        context = ModelContext.from_task(_multichannel(task, "the model context is read from the task"))
    forecaster = build_forecaster(spec, context)
    cfg = TrainConfig.for_model(forecaster, {"seed": spec.seed, "progress": progress, **spec.train_config})
    loss = loss if loss is not None else build_loss(spec)
    if on_start is not None:
        on_start(forecaster, cfg, loss)
    t0 = time.perf_counter()
    loop_cfg, cbs = _labelled_progress(cfg, loss, callbacks)  # the run keeps cfg: progress was shown
    report = train_forecaster(forecaster, task, loop_cfg, loss=loss, callbacks=cbs)
    return FittedModel(forecaster, report, cfg, loss, time.perf_counter() - t0)
