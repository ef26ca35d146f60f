"""DLinear and NLinear (Zeng et al., "Are Transformers Effective for Time Series Forecasting?").

Both map the input window to the horizon with one linear layer over time, shared by all
channels (``individual=False``): DLinear splits the window into a moving-average trend and a
remainder and maps each separately; NLinear subtracts the last value first and adds it back,
which handles level shifts between train and test.

``revin=True`` (off by default, so published numbers stay as they were) wraps either network in
reversible instance normalisation (:class:`~tsforge.models.layers.RevIN`); NLinear with RevIN is
the RLinear baseline of Li et al. 2023 ("Revisiting Long-term Time Series Forecasting").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from tsforge.errors import ConfigError
from tsforge.models.base import NeuralForecaster
from tsforge.models.layers import RevIN, around_revin
from tsforge.models.registry import register_model

__all__ = ["DLinear", "NLinear", "DLinearConfig", "NLinearConfig", "moving_average"]


def moving_average(x: torch.Tensor, kernel: int) -> torch.Tensor:
    """Centred moving average over time of ``[B, L, C]`` with edge replication (same length)."""
    if kernel <= 1:
        return x
    left = (kernel - 1) // 2
    right = kernel - 1 - left
    xt = x.transpose(1, 2)  # [B, C, L]
    padded = torch.cat([xt[..., :1].expand(-1, -1, left), xt, xt[..., -1:].expand(-1, -1, right)], dim=-1)
    return F.avg_pool1d(padded, kernel_size=kernel, stride=1).transpose(1, 2)


#: The DLinear paper's recipe (lr 5e-3, batch 32, 10 epochs, patience 3, lr halved every epoch),
#: shared by both linear models.
LINEAR_TRAIN_DEFAULTS: dict[str, Any] = {
    "lr": 5e-3,
    "batch_size": 32,
    "max_epochs": 10,
    "patience": 3,
    "lr_schedule": "halving",
}


@dataclass
class DLinearConfig:
    """Options of ``dlinear``: the moving-average kernel that splits trend from remainder."""

    kernel_size: int = 25
    revin: bool = False  # reversible instance normalisation around the network


class _DLinearNet(nn.Module):
    def __init__(self, input_len: int, horizon: int, kernel: int, revin: bool = False) -> None:
        super().__init__()
        self.kernel = kernel
        self.revin = RevIN() if revin else None
        self.seasonal = nn.Linear(input_len, horizon)
        self.trend = nn.Linear(input_len, horizon)
        # The reference initialisation: each output starts as the window mean.
        for layer in (self.seasonal, self.trend):
            nn.init.constant_(layer.weight, 1.0 / input_len)
            nn.init.zeros_(layer.bias)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return around_revin(self.revin, batch["x"], self._forecast)

    def _forecast(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, L, C]`` → ``[B, H, C]``: seasonal and trend parts, one linear map each."""
        trend = moving_average(x, self.kernel)
        seasonal = x - trend
        out = self.seasonal(seasonal.transpose(1, 2)) + self.trend(trend.transpose(1, 2))  # [B, C, H]
        return out.transpose(1, 2)


def _linear_space(trial: Any) -> dict[str, dict[str, Any]]:
    return {
        "model": {},
        "train": {
            "lr": trial.suggest_float("lr", 1e-4, 1e-2, log=True),
            "batch_size": trial.suggest_categorical("batch_size", [16, 32, 64]),
            "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-3, log=True),
        },
    }


def _dlinear_space(trial: Any) -> dict[str, dict[str, Any]]:
    space = _linear_space(trial)
    space["model"]["kernel_size"] = trial.suggest_categorical("kernel_size", [13, 25, 49])
    return space


@register_model(
    "dlinear",
    kind="neural",
    summary="Trend/remainder decomposition + one linear map per part (Zeng et al. 2023).",
    search_space=_dlinear_space,
)
class DLinear(NeuralForecaster):
    """DLinear: a linear map of the window's moving-average trend plus one of its remainder.

    Trains with the paper's recipe (:data:`LINEAR_TRAIN_DEFAULTS`) unless the run overrides it,
    and ignores calendar features (the network reads only ``x``).
    """

    Config = DLinearConfig
    uses_calendar = False
    default_train_config = LINEAR_TRAIN_DEFAULTS

    def validate(self) -> None:
        if self.config.kernel_size < 1:
            raise ConfigError("kernel_size must be at least 1", field="kernel_size")

    def build_module(self) -> nn.Module:
        return _DLinearNet(
            self.context.input_len, self.context.horizon, self.config.kernel_size, bool(self.config.revin)
        )


@dataclass
class NLinearConfig:
    """Options of ``nlinear``: only RevIN, off by default (``True`` gives RLinear)."""

    revin: bool = False  # reversible instance normalisation around the network (= RLinear)


class _NLinearNet(nn.Module):
    def __init__(self, input_len: int, horizon: int, revin: bool = False) -> None:
        super().__init__()
        self.revin = RevIN() if revin else None
        self.linear = nn.Linear(input_len, horizon)
        nn.init.constant_(self.linear.weight, 1.0 / input_len)
        nn.init.zeros_(self.linear.bias)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return around_revin(self.revin, batch["x"], self._forecast)

    def _forecast(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, L, C]`` → ``[B, H, C]``: one linear map of the window relative to its last value."""
        last = x[:, -1:, :]
        return self.linear((x - last).transpose(1, 2)).transpose(1, 2) + last


@register_model(
    "nlinear",
    kind="neural",
    summary="Last-value normalisation + one linear map (Zeng et al. 2023).",
    search_space=_linear_space,
)
class NLinear(NeuralForecaster):
    """NLinear: one linear map of the window minus its last value, which is added back.

    Subtracting the last value makes a level shift between training and test harmless; same
    training recipe and no calendar features, as :class:`DLinear`.
    """

    Config = NLinearConfig
    uses_calendar = False
    default_train_config = LINEAR_TRAIN_DEFAULTS

    def build_module(self) -> nn.Module:
        return _NLinearNet(self.context.input_len, self.context.horizon, bool(self.config.revin))
