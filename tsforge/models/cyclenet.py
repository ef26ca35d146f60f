"""CycleNet (Lin et al., "CycleNet: Enhancing Time Series Forecasting through Modeling Periodic
Patterns", NeurIPS 2024): residual cycle forecasting (RCF) with a linear or an MLP backbone.

Why this model: most of an LTSF series is one repeating cycle (a day, a week). CycleNet learns
that cycle explicitly — a table ``Q`` of ``W × C`` values, one per phase and channel, shared by
every window — removes it from the input, forecasts only the residual with a small backbone, and
adds the cycle back over the horizon. The linear variant is a few thousand parameters and trains
in seconds on a CPU.

Forward (per window, channel independent backbone)::

    x ← RevIN(x)                                     (per-window mean/std, undone at the end)
    φ  = phase of the first input step within the cycle (from the timestamps, see below)
    r  = x − Q[(φ + 0..L−1) mod W]                    (input residual)
    ŷ  = backbone(r) + Q[(φ + L + 0..H−1) mod W]      (linear L→H, or L→d→ReLU→H)

``Q`` starts at zero, so training starts from the plain backbone.

**Phase from the calendar.** The cycle must be aligned to absolute time; the reference code
passes the row index of the window. tsforge batches carry calendar indices instead (hour, day of
week, ...), which also exist at inference on new data, so the phase is the step of the week:
``dow·(steps per day) + step of day``. For sub-hourly data the step within the hour is read off
where the hour changes inside the window (the first input step of a new hour is minute 0), so
15-minute and 10-minute data are aligned exactly. Daily data use the day of week, monthly data
the month. The cycle length must divide that calendar period (a week of steps, 7 days, or 12
months). Data without timestamps cannot be aligned: ``Q`` then acts as a per-position offset
(a learned bias) and a log line says so.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from tsforge.data.frequency import steps_per_day
from tsforge.errors import ConfigError, DataValidationError
from tsforge.models.base import ModelContext, NeuralForecaster
from tsforge.models.layers import RevIN
from tsforge.models.registry import register_model

__all__ = [
    "CycleNet",
    "CycleNetMLP",
    "CycleNetConfig",
    "CycleNetMLPConfig",
    "CycleNetNet",
    "CalendarClock",
    "calendar_clock",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalendarClock:
    """How to read a window's absolute phase from its calendar indices.

    Attributes:
        kind: ``"subdaily"`` (step of the week), ``"daily"`` (day of week), ``"monthly"`` (month) or
            ``"none"`` (no timestamps / frequency: every window gets phase 0).
        period: steps in one calendar cycle (``7·steps_per_day``, 7, 12; 1 for ``"none"``).
        steps_per_day: sub-daily steps per day (24 hourly, 96 for 15-minute data), else 1.
    """

    kind: str
    period: int
    steps_per_day: int = 1

    def phase(self, x_cal: torch.Tensor | None, batch_size: int) -> torch.Tensor:
        """``[B]`` long step of the first input step within :attr:`period` (zeros for ``"none"``)."""
        if self.kind == "none" or x_cal is None:
            return torch.zeros(batch_size, dtype=torch.long)
        first = x_cal[:, 0].long()  # [B, 4]: hour, dow, dom, month
        if self.kind == "monthly":
            return first[:, 3]
        if self.kind == "daily":
            return first[:, 1]
        spd = self.steps_per_day
        if spd >= 24:
            per_hour = spd // 24
            slot = torch.zeros(batch_size, dtype=torch.long, device=x_cal.device)
            if per_hour > 1 and x_cal.shape[1] > per_hour:
                hours = x_cal[:, : per_hour + 1, 0]
                change = hours[:, 1:] != hours[:, :-1]  # [B, per_hour]
                first_new = change.to(torch.int8).argmax(dim=1) + 1  # first step of a new hour
                slot = torch.where(change.any(dim=1), (per_hour - first_new) % per_hour, 0)
            step_of_day = first[:, 0] * per_hour + slot
        else:  # e.g. 2-hourly: several hours per step
            step_of_day = first[:, 0] * spd // 24
        return first[:, 1] * spd + step_of_day


def calendar_clock(context: ModelContext) -> CalendarClock:
    """The clock the data's frequency and timestamps allow (``"none"`` without timestamps)."""
    if not context.calendar_terms:
        return CalendarClock("none", 1)
    spd = steps_per_day(context.freq)
    if math.isfinite(spd) and spd > 1:
        whole = round(spd)
        if abs(spd - whole) < 1e-9 and (whole % 24 == 0 or 24 % whole == 0):
            return CalendarClock("subdaily", 7 * whole, whole)
        return CalendarClock("none", 1)
    if math.isfinite(spd) and abs(spd - 1.0) < 1e-9:
        return CalendarClock("daily", 7)
    if "month" in context.calendar_terms and "dom" not in context.calendar_terms:
        return CalendarClock("monthly", 12)
    return CalendarClock("none", 1)


@dataclass
class CycleNetConfig:
    """CycleNet options.

    Attributes:
        cycle_len: cycle length ``W`` in steps (``None`` = the data's season length: 24 hourly,
            96 for 15-minute data, 144 for 10-minute data, 7 daily).
        revin: reversible instance normalisation (on, as in the paper).
    """

    cycle_len: int | None = None
    revin: bool = True


@dataclass
class CycleNetMLPConfig(CycleNetConfig):
    """CycleNet/MLP options: those of CycleNet plus the hidden width ``d_model`` (the paper's 512)."""

    d_model: int = 512


class CycleNetNet(nn.Module):
    """``forward(batch) -> [B, H, C]``; ``cycle`` is the learned ``Q`` ``[W, C]``."""

    def __init__(
        self, context: ModelContext, cycle_len: int, clock: CalendarClock, revin: bool, d_model: int | None
    ) -> None:
        super().__init__()
        self.input_len, self.horizon = context.input_len, context.horizon
        self.cycle_len = int(cycle_len)
        self.clock = clock
        self.revin = RevIN() if revin else None
        self.cycle = nn.Parameter(torch.zeros(self.cycle_len, context.n_channels))
        L, H = context.input_len, context.horizon
        if d_model is None:
            self.backbone: nn.Module = nn.Linear(L, H)
        else:
            self.backbone = nn.Sequential(nn.Linear(L, d_model), nn.ReLU(), nn.Linear(d_model, H))

    def cycle_values(self, phase: torch.Tensor, offset: int, length: int, channels: torch.Tensor | None):
        """``Q`` at steps ``phase + offset + 0..length−1`` (mod ``W``) for the batch's channels ``[B, length, C]``."""
        steps = (
            phase[:, None] + offset + torch.arange(length, device=phase.device)
        ) % self.cycle_len  # [B, length]
        q = self.cycle[steps]  # [B, length, C_train]
        if channels is None:
            return q
        return q.gather(2, channels[:, None, :].expand(-1, length, -1))

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        x = batch["x"]  # [B, L, C]
        stats = None
        if self.revin is not None:
            x, stats = self.revin.normalize(x)
        channels = batch.get("channels")
        if channels is not None:
            channels = channels.long()
            if bool((channels < 0).any()):
                col = int((channels < 0).nonzero()[0, 1])
                raise DataValidationError(
                    f"column {col} is a channel CycleNet was not trained on; its learned cycle is per channel",
                    column=col,
                )
        phase = self.clock.phase(batch.get("x_cal"), x.shape[0]).to(x.device)
        resid = x - self.cycle_values(phase, 0, self.input_len, channels)
        y = self.backbone(resid.transpose(1, 2)).transpose(1, 2)  # [B, H, C]
        y = y + self.cycle_values(phase, self.input_len, self.horizon, channels)
        return y if self.revin is None or stats is None else self.revin.denormalize(y, stats)


def _space(trial: Any, lr_range: tuple[float, float] = (1e-3, 2e-2)) -> dict[str, dict[str, Any]]:
    return {
        "model": {"revin": trial.suggest_categorical("revin", [True, False])},
        "train": {
            "lr": trial.suggest_float("lr", *lr_range, log=True),
            "batch_size": trial.suggest_categorical("batch_size", [64, 128, 256]),
            "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-3, log=True),
        },
    }


def _mlp_space(trial: Any) -> dict[str, dict[str, Any]]:
    space = _space(trial, (1e-4, 5e-3))
    space["model"]["d_model"] = trial.suggest_categorical("d_model", [128, 256, 512])
    return space


@register_model(
    "cyclenet",
    kind="neural",
    summary="Learned per-channel cycle removed from the input and added to the forecast; linear backbone "
    "(Lin et al. 2024).",
    search_space=_space,
)
class CycleNet(NeuralForecaster):
    """CycleNet with the linear backbone (see the module docstring)."""

    Config = CycleNetConfig
    needs_known_channels = True  # the cycle table has one column per training channel
    budget_config: ClassVar[dict[str, Any]] = {}
    # The paper's ETT/Weather recipe: Adam lr 0.01 (linear) / 0.005 (MLP), batch 256, 30 epochs,
    # patience 5.
    default_train_config = {
        "lr": 0.01,
        "batch_size": 256,
        "max_epochs": 30,
        "patience": 5,
        "lr_schedule": "cosine",
    }
    hidden: bool = False

    def validate(self) -> None:
        c, ctx = self.config, self.context
        self.clock = calendar_clock(ctx)
        if self.hidden and int(c.d_model) < 1:
            raise ConfigError(f"d_model must be at least 1, got {c.d_model}", field="d_model")
        if c.cycle_len is not None and int(c.cycle_len) < 1:
            raise ConfigError(f"cycle_len must be at least 1, got {c.cycle_len}", field="cycle_len")
        w = self.cycle_len
        if self.clock.kind == "none":
            log.info("cyclenet: the data has no usable timestamps; the cycle cannot be aligned to time")
        elif self.clock.period % w:
            divisors = [d for d in range(2, self.clock.period + 1) if self.clock.period % d == 0]
            raise ConfigError(
                f"cycle_len {w} does not divide the calendar period of this data ({self.clock.period} steps, "
                f"{self.clock.kind}); use one of {divisors[:12]}{' ...' if len(divisors) > 12 else ''}",
                field="cycle_len",
            )

    @property
    def cycle_len(self) -> int:
        if self.config.cycle_len is not None:
            return int(self.config.cycle_len)
        return max(1, int(self.context.season_length))

    def build_module(self) -> nn.Module:
        d_model = int(self.config.d_model) if self.hidden else None
        return CycleNetNet(self.context, self.cycle_len, self.clock, bool(self.config.revin), d_model)


@register_model(
    "cyclenet_mlp",
    kind="neural",
    summary="CycleNet with a two-layer MLP backbone (Lin et al. 2024).",
    search_space=_mlp_space,
)
class CycleNetMLP(CycleNet):
    """CycleNet with the MLP backbone ``L → d_model → ReLU → H``."""

    Config = CycleNetMLPConfig
    budget_config = {"d_model": 128}
    default_train_config = {**CycleNet.default_train_config, "lr": 0.005}
    hidden = True
