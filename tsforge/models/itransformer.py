"""iTransformer (Liu et al., "iTransformer: Inverted Transformers Are Effective for Time Series
Forecasting", ICLR 2024).

Why this model: it inverts the Transformer's roles — each *variate* (channel) is one token made
from its whole window, attention mixes channels and the feed-forward network models time. It is
the strong multivariate Transformer of the LTSF tables and cheap when channels are few (7 for
ETT, 21 for Weather: attention over 7-21 tokens).

Architecture::

    x ← RevIN(x)                                  (the paper's per-window normalisation)
    tokens = Dropout(Linear(L → d)(xᵀ))           [B, C, d]   one token per variate
    tokens ← EncoderBlock(norm="layer") × e_layers, then LayerNorm
    ŷ = Linear(d → H)(tokens)ᵀ                    [B, H, C]

Parameters: ``(L·d + d) + e·(4d² + 4d + 2·d·d_ff + d_ff + d + 4d) + 2d + (d·H + H)``.

Not channel independent: a channel's forecast depends on the other channels of the window.
Training and evaluation (``tsforge.evaluation``) always see every channel of a window, and the
``Predictor`` (CLI, pyfunc, service) forecasts the series of one request together as the
channels of one window: send every trained channel, ending at the same time, to get exactly the
evaluated forecast (a subset gives a forecast conditioned on that subset only).

Differences from the paper, on purpose: the calendar covariates are not added as extra tokens
(the paper's ``x_mark`` tokens; tsforge's calendar is integer indices, and the paper's ablation
gives them a small effect); the default size (``d = 128``, ``d_ff = 128``, 2 layers) is smaller
than the paper's ETT setting (256) for CPU training.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from tsforge.models.base import ModelContext, NeuralForecaster, check_at_least_one, check_fractions
from tsforge.models.layers import RevIN, around_revin, check_heads_divide, encoder_stack
from tsforge.models.registry import register_model

__all__ = ["ITransformer", "ITransformerConfig", "ITransformerNet"]


@dataclass
class ITransformerConfig:
    """iTransformer options."""

    d_model: int = 128
    n_heads: int = 8
    d_ff: int = 128
    e_layers: int = 2
    dropout: float = 0.1
    revin: bool = True


class ITransformerNet(nn.Module):
    """``forward(batch) -> [B, H, C]``."""

    def __init__(self, context: ModelContext, cfg: ITransformerConfig) -> None:
        super().__init__()
        d = int(cfg.d_model)
        self.revin = RevIN() if cfg.revin else None
        self.embed = nn.Linear(context.input_len, d)
        self.drop = nn.Dropout(cfg.dropout)
        self.encoder = encoder_stack(cfg, norm="layer")
        self.norm = nn.LayerNorm(d)
        self.project = nn.Linear(d, context.horizon)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return around_revin(self.revin, batch["x"], self._forecast)

    def _forecast(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, L, C]`` → ``[B, H, C]``: one token per variate, encoded together."""
        tokens = self.drop(self.embed(x.transpose(1, 2)))  # [B, C, d]
        tokens = self.norm(self.encoder(tokens))
        return self.project(tokens).transpose(1, 2)  # [B, H, C]


def _space(trial: Any) -> dict[str, dict[str, Any]]:
    # every width below is divisible by every head count: all sampled pairs are valid
    return {
        "model": {
            "d_model": trial.suggest_categorical("d_model", [64, 128, 256]),
            "n_heads": trial.suggest_categorical("n_heads", [4, 8]),
            "d_ff": trial.suggest_categorical("d_ff", [64, 128, 256]),
            "e_layers": trial.suggest_int("e_layers", 1, 3),
            "dropout": trial.suggest_float("dropout", 0.0, 0.3),
        },
        "train": {"lr": trial.suggest_float("lr", 5e-5, 2e-3, log=True)},
    }


@register_model(
    "itransformer",
    kind="neural",
    summary="Inverted Transformer: one token per variate, attention across channels (Liu et al. 2024).",
    search_space=_space,
)
class ITransformer(NeuralForecaster):
    """iTransformer behind the one model interface (see the module docstring)."""

    Config = ITransformerConfig
    channel_independent = False
    needs_known_channels = True
    uses_calendar = False
    budget_config = {"d_model": 32, "d_ff": 32, "e_layers": 1, "n_heads": 4}
    default_train_config = {
        "lr": 5e-4,
        "batch_size": 32,
        "max_epochs": 10,
        "patience": 3,
        "lr_schedule": "cosine",
    }

    def validate(self) -> None:
        c = self.config
        check_at_least_one(c, ("d_model", "n_heads", "d_ff", "e_layers"))
        check_heads_divide(c)
        check_fractions(c, ("dropout",))

    def build_module(self) -> nn.Module:
        return ITransformerNet(self.context, self.config)
