"""The one training loop, used by every PyTorch model.

Adam + optional LR schedule + gradient clipping + early stopping on the (never masked)
validation metric with best-checkpoint restore, seeded shuffling, a pluggable
:class:`~tsforge.training.strategy.LossStrategy` for the training loss, a schedule of
:class:`~tsforge.models.schedule.TrainStage` for multi-stage training, and
:class:`~tsforge.training.callbacks.Callback` observers (progress bar, MLflow logging, pruning).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
from torch import nn

from tsforge.errors import ConfigError
from tsforge.models.device import batch_to, module_device, resolve_device
from tsforge.models.schedule import TrainStage
from tsforge.training.callbacks import Callback, ProgressCallback, TrainState
from tsforge.training.config import TrainConfig
from tsforge.training.losses import masked_loss
from tsforge.training.strategy import LossStrategy

if TYPE_CHECKING:
    from tsforge.data.windows import BatchedWindows
    from tsforge.models.base import WindowTask

__all__ = ["fit", "TrainResult", "evaluate_loss", "seed_everything"]


@dataclass
class TrainResult:
    """What :func:`fit` reports: one ``history`` row per epoch (losses, learning rate, epoch
    time) over every stage, the epoch whose weights were kept (``best_epoch``, counted over all
    stages), its validation loss, and the wall time."""

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None
    best_val_loss: float | None = None
    seconds: float = 0.0

    @property
    def seconds_per_epoch(self) -> float:
        return self.seconds / max(1, len(self.history))


def seed_everything(seed: int) -> torch.Generator:
    """Seed torch (CPU) and return a generator for shuffling; equal seeds → equal results."""
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


@torch.no_grad()
def evaluate_loss(module: nn.Module, data: BatchedWindows, kind: str = "mse", batch_size: int = 256) -> float:
    """Plain masked loss over all windows of ``data`` (weighted by observed points), on the
    module's device."""
    was_training = module.training
    module.eval()
    device = module_device(module)
    total, count = 0.0, 0.0
    for batch in data.batches(batch_size):
        batch = batch_to(batch, device)
        pred = module(batch)
        m = batch["y_mask"]
        n = float(m.sum())
        if n:
            total += float(masked_loss(pred, batch["y"], m, kind)) * n
            count += n
    module.train(was_training)
    return total / count if count else float("nan")


def _scheduler(opt: torch.optim.Optimizer, cfg: TrainConfig, epochs: int):
    if cfg.lr_schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, epochs))
    if cfg.lr_schedule == "step":
        return torch.optim.lr_scheduler.MultiStepLR(opt, milestones=list(cfg.lr_milestones), gamma=0.5)
    if cfg.lr_schedule == "halving":
        return torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    return None


def _trainable(module: nn.Module, stage: TrainStage) -> list[nn.Parameter]:
    if stage.trainable is None:
        params = list(module.parameters())
    else:
        params = list(stage.trainable(module))
    chosen = {id(p) for p in params}
    for p in module.parameters():
        p.requires_grad_(id(p) in chosen)
    if not params:
        raise ConfigError(f"training stage {stage.name!r} has no trainable parameters", field="schedule")
    return params


def fit(
    module: nn.Module,
    train_data: BatchedWindows,
    val_data: BatchedWindows,
    config: TrainConfig,
    *,
    loss: LossStrategy | None = None,
    callbacks: Sequence[Callback] = (),
    schedule: Sequence[TrainStage] | None = None,
    task: WindowTask | None = None,
) -> TrainResult:
    """Train ``module`` in place and restore its best checkpoint (per stage).

    Args:
        module: ``forward(batch) -> [B, H, C]``.
        train_data, val_data: window datasets (see the batch contract in ``tsforge.data.windows``).
        config: optimiser / early stopping / batching settings.
        loss: training-loss strategy (default: plain masked ``config.loss``).
        callbacks: observers; a progress bar is added when ``config.progress``.
        schedule: training stages (default: one stage over all parameters).
        task: passed to the strategy's ``on_fit_start`` (e.g. to train or fetch an estimator).

    On ``config.device`` other than the CPU the module moves there and stays (evaluation in this
    process runs there too, see ``NeuralForecaster.predict``); batches are built on the CPU and
    moved one at a time, so the data never has to fit in GPU memory.

    Raises:
        ConfigError: a non-finite training loss (divergence), or no finite validation loss before
            any checkpoint (e.g. a validation split without observed targets): there is no
            trained model worth returning then. On any exception, Ctrl-C included, the module
            holds the best validated weights so far (if any) before the exception propagates.
    """
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    device = resolve_device(config.device)
    module.to(device)
    gen = seed_everything(config.seed)
    strategy = loss or LossStrategy(config.loss)
    stages = list(schedule or [TrainStage()])
    cbs = list(callbacks)
    if config.progress:
        cbs.append(ProgressCallback(note=strategy.progress_note, train_metric=strategy.kind))
    if len(train_data) == 0 or len(val_data) == 0:
        raise ConfigError("no training or validation windows: the series is too short for input + horizon")

    state = TrainState(model=module, config=config, n_stages=len(stages))
    n_batches = train_data.n_batches(config.batch_size)
    if config.max_batches_per_epoch:
        n_batches = min(n_batches, config.max_batches_per_epoch)
    state.n_batches = n_batches
    result = TrainResult()
    # global epoch whose weights the module holds at the end: it survives a later stage that
    # never beats the earlier ones (whose weights are then kept); None until one validates
    best_global: int | None = None
    t_fit = time.perf_counter()
    strategy.on_fit_start(state, train_data, task)
    for cb in cbs:
        cb.on_fit_start(state)

    for s_idx, stage in enumerate(stages):
        if stage.on_start is not None:
            stage.on_start(module)
        params = _trainable(module, stage)
        opt = torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
        epochs = stage.max_epochs or config.max_epochs
        sched = _scheduler(opt, config, epochs)
        state.optimizer, state.stage, state.stage_index = opt, stage.name, s_idx
        state.extra["stage_epochs"] = epochs
        state.best_val_loss = float("inf")
        state.should_stop = False
        best_state = copy.deepcopy(module.state_dict())
        bad_epochs = 0
        if s_idx > 0:
            # a later stage must beat what the earlier stages reached, or its weights are discarded
            state.best_val_loss = evaluate_loss(module, val_data, config.val_metric)
        for cb in cbs:
            cb.on_stage_start(state)

        try:
            for epoch in range(epochs):
                state.epoch = epoch
                t0 = time.perf_counter()
                module.train()
                strategy.on_epoch_start(state)
                for cb in cbs:
                    cb.on_epoch_start(state)
                # the rate every batch of this epoch steps with: read before the scheduler moves it
                # on at the epoch's end, or the history (and the run's ``lr`` curve) is an epoch ahead
                lr = float(opt.param_groups[0]["lr"])
                total, count = 0.0, 0
                batches = train_data.batches(config.batch_size, shuffle=True, generator=gen)
                for b_idx, batch in enumerate(batches):
                    if b_idx >= n_batches:
                        break
                    batch = batch_to(batch, device)
                    pred = module(batch)
                    loss_value = strategy(pred, batch, state)
                    if not torch.isfinite(loss_value):
                        # detached: float() of a graph tensor warns, and nothing flows back from here
                        raise _diverged(f"loss {float(loss_value.detach())}", state, b_idx, config)
                    opt.zero_grad(set_to_none=True)
                    loss_value.backward()
                    if config.grad_clip:
                        nn.utils.clip_grad_norm_(params, config.grad_clip)
                    try:
                        opt.step()
                    except RuntimeError as exc:  # a step past float32's range (lr=1e38 in Adam)
                        if "overflow" not in str(exc):
                            raise
                        raise _diverged("an update too large for float32", state, b_idx, config) from None
                    state.step += 1
                    state.batch_loss = float(loss_value.detach())
                    total += state.batch_loss
                    count += 1
                    for cb in cbs:
                        cb.on_batch_end(state)
                state.train_loss = total / max(1, count)
                state.epoch_metrics = dict(strategy.on_epoch_end(state) or {})
                state.val_loss = evaluate_loss(module, val_data, config.val_metric)
                if sched is not None:
                    sched.step()
                improved = state.val_loss < state.best_val_loss - config.min_delta
                if improved:
                    state.best_val_loss = state.val_loss
                    best_state = copy.deepcopy(module.state_dict())
                    best_global, bad_epochs = state.global_epoch, 0
                else:
                    bad_epochs += 1
                row = {
                    "epoch": float(state.global_epoch),
                    "stage": float(s_idx),
                    "train_loss": state.train_loss,
                    "val_loss": state.val_loss,
                    "lr": lr,
                    "epoch_seconds": time.perf_counter() - t0,
                    **state.epoch_metrics,
                }
                state.history.append(row)
                result.history.append(row)
                for cb in cbs:
                    cb.on_epoch_end(state)
                state.global_epoch += 1
                if not math.isfinite(state.val_loss):
                    if best_global is None:
                        # nothing validated yet: restoring "the best" would hand back untrained weights
                        raise _invalid_validation(val_data, state, config)
                    break
                if bad_epochs >= config.patience or state.should_stop:
                    break
        except BaseException:
            # Ctrl-C (a notebook's interrupt) or a divergence error leaves the best validated
            # weights in the module, not a half-done epoch's or non-finite ones; the exception
            # still propagates (the CLI exits 130 or 2, the MLflow run ends KILLED or FAILED)
            if best_global is not None:
                module.load_state_dict(best_state)
            raise

        module.load_state_dict(best_state)
        result.best_epoch = best_global
        result.best_val_loss = state.best_val_loss
        for cb in cbs:
            cb.on_stage_end(state)

    result.seconds = time.perf_counter() - t_fit
    for cb in cbs:
        cb.on_fit_end(state)
    return result


def _invalid_validation(val_data: BatchedWindows, state: TrainState, config: TrainConfig) -> ConfigError:
    """Why the first validation loss is not finite, in words a user can act on.

    Early stopping compares validation losses; without a finite one there is no checkpoint to
    keep, so training must not end quietly with the initial weights. The two causes (no observed
    target in the validation windows, or a model whose outputs overflowed) need different fixes.
    """
    observed = any(bool(b["y_mask"].any()) for b in val_data.batches(256))
    if not observed:
        return ConfigError(
            "the validation split has no observed target value, so early stopping has nothing to "
            "compare: use a split whose validation part has data, or fill the gap",
            field="split",
        )
    return ConfigError(
        f"validation loss is {state.val_loss} after epoch {state.global_epoch}: training diverged; "
        f"lower the learning rate (lr={config.lr})",
        field="lr",
    )


def _diverged(what: str, state: TrainState, batch: int, config: TrainConfig) -> ConfigError:
    """The error of a training batch that left the numbers behind (a non-finite loss, or an update
    too large for float32), naming where and the learning rate to lower.

    Why one place: Adam's overflow at an absurd rate (``lr=1e38``) reached the CLI as torch's bare
    ``RuntimeError`` and a traceback, where a non-finite loss already said what to do.
    """
    return ConfigError(
        f"training diverged ({what}) in epoch {state.global_epoch + 1}, batch {batch + 1}; lower the "
        f"learning rate (lr={config.lr}) or look for extreme values in the data",
        field="lr",
    )
