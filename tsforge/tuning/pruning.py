"""Optuna pruning as a training-loop callback.

Why a callback: the pruner must see the same per-epoch validation loss the one training loop
already computes (never masked by a loss strategy), so tuning adds no second loop and no
second validation pass. The callback only *asks* the loop to stop (``state.should_stop``); the
loop then restores its best checkpoint and returns normally, and the caller raises
:class:`optuna.TrialPruned` afterwards (:meth:`OptunaPruningCallback.raise_if_pruned`). Raising
inside the loop would abort whatever the caller does around ``fit`` (MLflow run bookkeeping)
half way.
"""

from __future__ import annotations

import math
from typing import Any

import optuna

from tsforge.training.callbacks import Callback, TrainState

__all__ = ["OptunaPruningCallback"]


class OptunaPruningCallback(Callback):
    """Report ``state.val_loss`` per epoch to ``trial`` and stop training when the pruner says so.

    Args:
        trial: the running Optuna trial.
        step_offset: added to ``state.global_epoch`` (the report step), for callers that train
            several times within one trial.

    Attributes:
        pruned: True once the pruner asked to stop.
        pruned_at: the step (epoch across stages) at which it did.
        reported: ``(step, value)`` pairs reported so far.
    """

    def __init__(self, trial: optuna.Trial, *, step_offset: int = 0) -> None:
        self.trial = trial
        self.step_offset = int(step_offset)
        self.pruned = False
        self.pruned_at: int | None = None
        self.reported: list[tuple[int, float]] = []

    def on_epoch_end(self, state: TrainState) -> None:
        value = float(state.val_loss)
        step = self.step_offset + int(state.global_epoch)
        if math.isfinite(value):
            self.trial.report(value, step)
            self.reported.append((step, value))
        if self.trial.should_prune():
            self.pruned = True
            self.pruned_at = step
            state.should_stop = True

    def raise_if_pruned(self) -> None:
        """Raise :class:`optuna.TrialPruned` when training was stopped by the pruner."""
        if self.pruned:
            last = self.reported[-1][1] if self.reported else float("nan")
            raise optuna.TrialPruned(f"pruned at epoch {self.pruned_at} (validation loss {last:.5g})")

    def summary(self) -> dict[str, Any]:
        return {"pruned": self.pruned, "pruned_at": self.pruned_at, "n_reports": len(self.reported)}
