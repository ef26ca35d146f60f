"""Training stages: how a model asks to be trained (e.g. HUTFormer's encoder-then-decoder).

Why here and not in ``tsforge.training``: the schedule is knowledge of the model (which
parameters to train when), so it lives with the models; the one training loop reads it. Keeping
it below the training package lets models stay free of any training import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from torch import nn

__all__ = ["TrainStage"]


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
