"""Plug-ins of the training loop that change *what* is optimised.

* :class:`LossStrategy` owns the training loss and **returns** it. It sees the sample indices
  (``batch["idx"]``), the model output and the epoch events, which is all selective learning
  needs (uncertainty buffer keyed by sample index, masks rebuilt at epoch end). Validation
  never goes through the strategy: it always uses the plain masked metric.
* :class:`~tsforge.models.schedule.TrainStage` (re-exported here) describes one stage of a
  training *schedule*; it lives with the models, which declare their own schedules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from tsforge.models.schedule import TrainStage
from tsforge.training.losses import check_loss_kind, masked_loss

if TYPE_CHECKING:
    from tsforge.data.windows import Batch, BatchedWindows
    from tsforge.models.base import WindowTask
    from tsforge.training.callbacks import TrainState

__all__ = ["LossStrategy", "PlainLoss", "TrainStage", "STRATEGIES", "register_strategy"]


class LossStrategy:
    """Base strategy: the plain masked loss. Override the hooks you need.

    Hook order: ``on_fit_start`` (once, with the training windows and the task) →
    per epoch ``on_epoch_start`` → ``__call__`` per batch → ``on_epoch_end`` (returns per-epoch
    statistics that the loop records and the MLflow callback logs).
    """

    name = "plain"

    def __init__(self, kind: str = "mse") -> None:
        check_loss_kind(kind)  # refused when the strategy is built, not at its first batch
        self.kind = kind

    def on_fit_start(self, state: TrainState, train_data: BatchedWindows, task: WindowTask | None) -> None:
        """Called once before the first epoch (with a panel's windows too: see :class:`WindowTask`)."""

    def on_epoch_start(self, state: TrainState) -> None:
        """Called before each training epoch."""

    def __call__(self, pred: torch.Tensor, batch: Batch, state: TrainState) -> torch.Tensor:
        return masked_loss(pred, batch["y"], batch["y_mask"], self.kind)

    def on_epoch_end(self, state: TrainState) -> dict[str, float]:
        """Called after each training epoch; returns statistics to record (e.g. fraction kept)."""
        return {}

    def params(self) -> dict[str, Any]:
        """Parameters to log with the run."""
        return {"strategy": self.name, "loss": self.kind}

    def progress_note(self, stats: dict[str, float]) -> str:
        """A few words for the epoch's progress line from its ``on_epoch_end`` statistics."""
        return ""


class PlainLoss(LossStrategy):
    """Alias of the base behaviour, for explicitness in configs."""


STRATEGIES: dict[str, Callable[..., LossStrategy]] = {"plain": PlainLoss}


def register_strategy(name: str) -> Callable[[type[LossStrategy]], type[LossStrategy]]:
    """Register a loss strategy under ``name`` (``tsforge train --strategy NAME``)."""

    def deco(cls: type[LossStrategy]) -> type[LossStrategy]:
        cls.name = name
        STRATEGIES[name] = cls
        return cls

    return deco
