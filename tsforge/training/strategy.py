"""Plug-ins of the training loop that change *what* is optimised.

* :class:`LossStrategy` owns the training loss and **returns** it. It sees the sample indices
  (``batch["idx"]``), the model output and the epoch events, which is all selective learning
  needs (uncertainty buffer keyed by sample index, masks rebuilt at epoch end). Validation
  never goes through the strategy: it always uses the plain masked metric.
* :class:`TrainStage` describes one stage of a training *schedule* (which parameters train,
  what to switch on the module first). HUTFormer's two-stage training is a two-element
  schedule run by the same loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from tsforge.training.losses import masked_loss

if TYPE_CHECKING:
    from tsforge.data.task import ForecastTask
    from tsforge.data.windows import Batch, WindowDataset
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
        self.kind = kind

    def on_fit_start(self, state: TrainState, train_data: WindowDataset, task: ForecastTask | None) -> None:
        """Called once before the first epoch."""

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


@dataclass
class TrainStage:
    """One stage of a training schedule.

    Attributes:
        name: shown in logs and metric names (``<stage>/val_loss`` when there are several).
        max_epochs: epochs for this stage (``None`` → ``TrainConfig.max_epochs``).
        trainable: returns the parameters to optimise (``None`` → all parameters); the others
            are frozen (``requires_grad=False``) for the stage.
        on_start: called with the module before the stage (e.g. switch the forward mode).
    """

    name: str = "main"
    max_epochs: int | None = None
    trainable: Callable[[nn.Module], Iterable[nn.Parameter]] | None = None
    on_start: Callable[[nn.Module], None] | None = None
