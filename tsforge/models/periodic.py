"""What the period-folding models (SparseTSF, TimeBase) share: the period, its check, the tuning space.

Why a module of its own: both models fold a window by one period ``w`` and forecast segments
(see :func:`~tsforge.models.layers.fold_periods`); the default ``w``, the refusal of a ``w`` the
input cannot hold and the training-side search space are the same rule for both, so they live
once here rather than in two copies that could drift apart.
"""

from __future__ import annotations

from typing import Any

from tsforge.errors import ConfigError
from tsforge.models.base import ModelContext, NeuralForecaster

__all__ = ["PERIOD_CHOICES", "PeriodForecaster", "default_period", "period_choices", "period_space"]


def default_period(context: ModelContext, requested: int | None) -> int:
    """The period ``w``: the user's value, else the data's season length (at most the input length)."""
    if requested is not None:
        return int(requested)
    return max(1, min(int(context.season_length), int(context.input_len)))


#: Folding periods a tuning run tries: ``None`` (the data's season length) and 4 steps. The
#: authors of both models fold 10- and 15-minute data by 4 steps rather than by the day, and
#: validation agrees on ETTm1 and Weather: a day of 96 or 144 steps leaves 5-7 segments of a
#: 720-step window to learn from, 4 steps leave 180 (``python -m benchmarks.ltsf --periods season,4``).
PERIOD_CHOICES: tuple[int | None, ...] = (None, 4)


def period_choices(context: ModelContext | None) -> list[int | None]:
    """The :data:`PERIOD_CHOICES` that fold ``context``'s input, each period once.

    Why: on quarterly data the default period (the season) is 4 steps, so ``None`` and ``4``
    trained the same network while the study reported them as two choices; a period longer
    than the input is refused by the model, so a trial given it could only fail. Without a
    ``context`` (no data known) every choice is offered.
    """
    if context is None:
        return list(PERIOD_CHOICES)
    seen: dict[int, int | None] = {}
    for choice in PERIOD_CHOICES:
        period = default_period(context, choice)
        if period <= context.input_len:
            seen.setdefault(period, choice)
    return list(seen.values())


def period_space(
    trial: Any, model: dict[str, Any], context: ModelContext | None = None
) -> dict[str, dict[str, Any]]:
    """A period model's search space: its own ``model`` choices, the folding period
    (:func:`period_choices`) and the shared training ranges.

    ``model`` is sampled by the caller before this call, so the model's parameters are suggested
    before the period and the training ones (a seeded sampler's draws depend on that order).
    """
    model = {**model, "period_len": trial.suggest_categorical("period_len", period_choices(context))}
    return {
        "model": model,
        "train": {
            "lr": trial.suggest_float("lr", 1e-3, 5e-2, log=True),
            "batch_size": trial.suggest_categorical("batch_size", [64, 128, 256]),
        },
    }


class PeriodForecaster(NeuralForecaster):
    """A channel-independent model folded by ``config.period_len`` (no calendar input).

    Subclasses add their own checks after ``super().validate()``.
    """

    uses_calendar = False

    def validate(self) -> None:
        """Refuse a period below one step or longer than the input (it could not be folded)."""
        w = self.config.period_len
        if w is not None and int(w) < 1:
            raise ConfigError(f"period_len must be at least 1, got {w}", field="period_len")
        if w is not None and int(w) > self.context.input_len:
            raise ConfigError(
                f"period_len {w} is longer than the input ({self.context.input_len} steps); use at most "
                f"{self.context.input_len} or a longer input",
                field="period_len",
            )

    @property
    def period(self) -> int:
        """The period ``w`` the network is built with (see :func:`default_period`)."""
        return default_period(self.context, self.config.period_len)
