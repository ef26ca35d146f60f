"""Honest baselines: naive (last value), seasonal naive, and the window mean.

They need no training, so they are the yardstick every learned model must beat; seasonal
naive takes its season from the data frequency (a day for sub-daily data, a week for daily).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from tsforge.errors import ShortInputWarning
from tsforge.models.base import FitReport, Forecaster
from tsforge.models.registry import register_model

__all__ = ["Naive", "SeasonalNaive", "WindowMean"]


class _Stateless(Forecaster):
    """Shared plumbing of the training-free baselines."""

    uses_calendar = False

    def fit(self, task, *, train_config=None, loss=None, callbacks: Sequence = ()) -> FitReport:  # noqa: D102
        return FitReport()

    def get_state(self) -> dict[str, Any]:
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        return None


@register_model("naive", kind="baseline", summary="Repeat the last observed value.")
class Naive(_Stateless):
    """Every step of the horizon repeats the window's last value (the random-walk forecast).

    The yardstick for data without a season, and the hardest one to beat on random-walk-like data.
    """

    def predict(self, batch) -> torch.Tensor:
        x = batch["x"]
        return x[:, -1:, :].expand(-1, self.context.horizon, -1).clone()


@dataclass
class SeasonalNaiveConfig:
    """Options of ``seasonal_naive``: only the season length, which the data usually supply."""

    season_length: int | None = None  # None → from the data frequency


@register_model("seasonal_naive", kind="baseline", summary="Repeat the last full season.")
class SeasonalNaive(_Stateless):
    """Each horizon step repeats the value one season earlier, read from the input window.

    The season is ``config.season_length`` or the data frequency's (``context.season_length``),
    capped at ``input_len`` because the model sees only the window; :meth:`validate` warns when
    that cap bites.
    """

    Config = SeasonalNaiveConfig

    @property
    def season(self) -> int:
        return max(1, min(self._season_asked, self.context.input_len))

    @property
    def _season_asked(self) -> int:
        return int(self.config.season_length or self.context.season_length or 1)

    def validate(self) -> None:
        """Say when the input window is shorter than the season: the model then repeats the
        last ``input_len`` steps, a "season" the data do not have (hourly data with
        ``--input 12``: a 12-hour cycle, worse than naive), and the user should hear it."""
        if self._season_asked > self.context.input_len:
            warnings.warn(
                f"seasonal_naive: the input window ({self.context.input_len} steps) is shorter than "
                f"the season ({self._season_asked}), so it repeats the last {self.context.input_len} "
                f"steps; give an input of at least {self._season_asked} (--input, input_len=)",
                ShortInputWarning,
                stacklevel=3,
            )

    def predict(self, batch) -> torch.Tensor:
        x = batch["x"]  # [B, L, C]
        L, H, m = x.shape[1], self.context.horizon, self.season
        steps = torch.arange(H)
        src = L - m + (steps % m)  # the same phase in the last season
        return x[:, src, :]


@register_model("mean", kind="baseline", summary="The mean of the observed input window.")
class WindowMean(_Stateless):
    """Every step forecasts the mean of the window's observed values (missing ones skipped).

    A window with no observed value forecasts 0 on the normalised scale, i.e. the scaler's mean.
    """

    def predict(self, batch) -> torch.Tensor:
        x, m = batch["x"], batch["x_mask"].to(batch["x"].dtype)
        mean = (x * m).sum(1, keepdim=True) / m.sum(1, keepdim=True).clamp_min(1.0)
        return mean.expand(-1, self.context.horizon, -1).clone()
