"""Observers of the training loop: they read :class:`TrainState` and may set ``should_stop``.

Hook names are checked when a subclass is defined, so a typo (``on_train_begin``) fails at
import instead of silently never running.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tsforge.progress import ProgressBar, bar_options, interactive

if TYPE_CHECKING:
    import torch
    from torch import nn

    from tsforge.training.config import TrainConfig

__all__ = ["Callback", "TrainState", "HOOKS", "ProgressCallback"]

HOOKS = (
    "on_fit_start",
    "on_stage_start",
    "on_epoch_start",
    "on_batch_end",
    "on_epoch_end",
    "on_stage_end",
    "on_fit_end",
)


@dataclass
class TrainState:
    """Mutable state shared with callbacks and the loss strategy."""

    model: nn.Module
    config: TrainConfig
    optimizer: torch.optim.Optimizer | None = None
    stage: str = "main"
    stage_index: int = 0
    n_stages: int = 1
    epoch: int = 0  # epoch within the current stage (0-based)
    global_epoch: int = 0  # epochs across all stages (0-based)
    step: int = 0
    batch_loss: float = float("nan")
    train_loss: float = float("nan")
    val_loss: float = float("nan")
    best_val_loss: float = float("inf")
    epoch_metrics: dict[str, float] = field(default_factory=dict)
    history: list[dict[str, float]] = field(default_factory=list)
    n_batches: int = 0
    should_stop: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Callback:
    """Base class with no-op hooks (see :data:`HOOKS`)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for attr in vars(cls):
            if attr.startswith("on_") and attr not in HOOKS:
                raise TypeError(
                    f"{cls.__name__}.{attr} is not a training hook; valid hooks: {', '.join(HOOKS)}"
                )

    def on_fit_start(self, state: TrainState) -> None: ...
    def on_stage_start(self, state: TrainState) -> None: ...
    def on_epoch_start(self, state: TrainState) -> None: ...
    def on_batch_end(self, state: TrainState) -> None: ...
    def on_epoch_end(self, state: TrainState) -> None: ...
    def on_stage_end(self, state: TrainState) -> None: ...
    def on_fit_end(self, state: TrainState) -> None: ...


class ProgressCallback(Callback):
    """A tqdm bar per epoch: epoch, batch, running loss; one summary line per epoch (in a log the
    bar shows only in epochs longer than :data:`~tsforge.progress.LOG_INTERVAL`)."""

    def __init__(
        self,
        desc: str = "train",
        note: Callable[[dict[str, float]], str] | None = None,
        train_metric: str | None = None,
    ) -> None:
        self.desc = desc
        self.note = note  # the loss strategy's words on the epoch (e.g. selective learning's kept share)
        # The loss the strategy trains with (selective learning trains MSE whatever the config
        # says); ``None`` = the config's ``loss``. Named on the epoch line, like the validation
        # metric, because they are a model's own metrics: STPE-MLP trains and early-stops on MAE
        # while result tables report validation MSE, and an unnamed "val 0.41" read as MSE misleads.
        self.train_metric = train_metric
        self._bar: ProgressBar | None = None
        self._live = True

    def on_epoch_start(self, state: TrainState) -> None:
        """Open the epoch's batch bar. In a log (stderr no terminal) it prints nothing for an
        epoch shorter than :data:`~tsforge.progress.LOG_INTERVAL` and a line that often in a
        longer one, and keeps its last line: without it, an epoch over a 1M-row series left the
        log silent for 7 minutes, and a bar redrawn per batch left hundreds of fragments."""
        stage = f"{state.stage} " if state.n_stages > 1 else ""
        live = self._live = interactive()
        self._bar = ProgressBar(
            total=state.n_batches,
            desc=f"{self.desc} {stage}epoch {state.epoch + 1}/{state.extra.get('stage_epochs', '?')}",
            leave=not live,  # a cleared bar in a log is blank bytes before the epoch line
            unit="batch",
            dynamic_ncols=True,
            **bar_options(quiet_start=True),
        )

    def on_batch_end(self, state: TrainState) -> None:
        if self._bar is not None:
            self._bar.update(1)
            if state.step % 10 == 0:
                # a redraw now on a terminal; in a log at the bar's next line (a refresh ignores
                # tqdm's interval and delay: a line every 10 batches)
                self._bar.set_postfix(loss=f"{state.batch_loss:.4f}", refresh=self._live)

    def on_epoch_end(self, state: TrainState) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        from tqdm.auto import tqdm

        note = self.note(state.epoch_metrics) if self.note is not None else ""
        tqdm.write(
            f"{self.desc} {f'{state.stage} ' if state.n_stages > 1 else ''}epoch {state.epoch + 1}: "
            f"train {self.train_metric or state.config.loss} {state.train_loss:.4f}  "
            f"val {state.config.val_metric} {state.val_loss:.4f}  best {state.best_val_loss:.4f}"
            + (f"  {note}" if note else "")
        )
