"""PatchTST (Nie et al., "A Time Series is Worth 64 Words: Long-term Forecasting with
Transformers", ICLR 2023).

Why this model: the strongest Transformer of the LTSF benchmarks at a modest size; tokens are
patches of one channel's window (not single steps), so attention runs over ``~L/8`` tokens, and
every channel is forecast independently with shared weights.

Architecture (channel independent)::

    x ← RevIN(x)                                   (per-window mean/std, undone at the end)
    pad the end with ``stride`` copies of the last value, cut patches of ``patch_len`` every
    ``stride`` steps → N = (L − patch_len)/stride + 2 patches
    tokens = Linear(patch_len → d)(patches) + learned position embedding → Dropout
    tokens ← EncoderBlock(norm="batch") × e_layers
    ŷ = Linear(N·d → H)(Dropout_head(flatten(tokens)))

Parameters for ``L``, ``H``, ``P``, ``d``, ``d_ff``, ``e`` layers and ``N`` patches::

    (P·d + d) + N·d + e·(4d² + 4d  +  2·d·d_ff + d_ff + d  +  4d) + (N·d·H + H)

(attention in/out projections, feed-forward, two batch norms of ``2d`` weights each).

Differences from the paper, on purpose: no "residual attention" (the reference passes each
layer's attention scores to the next, a RealFormer detail the paper does not describe); the
default size is the paper's ETTh setting (``d = 16``, 4 heads, ``d_ff = 128``, 3 layers,
dropout 0.3) because it is cheap on a CPU; the training recipe (Adam, lr 1e-3 with a cosine
schedule, 20 epochs, patience 5) replaces the paper's 100 epochs with one-cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from tsforge.errors import ConfigError
from tsforge.models.base import ModelContext, NeuralForecaster, check_at_least_one, check_fractions
from tsforge.models.layers import RevIN, around_revin, check_heads_divide, encoder_stack, per_channel
from tsforge.models.registry import register_model

__all__ = ["PatchTST", "PatchTSTConfig", "PatchTSTNet", "n_patches"]


def n_patches(input_len: int, patch_len: int, stride: int) -> int:
    """Patches of a window padded at the end by ``stride`` steps: ``(L − P)/S + 2`` (floored)."""
    return (int(input_len) - int(patch_len)) // int(stride) + 2


@dataclass
class PatchTSTConfig:
    """PatchTST options (defaults = the paper's ETTh1/ETTh2 setting)."""

    patch_len: int = 16
    stride: int = 8
    d_model: int = 16
    n_heads: int = 4
    d_ff: int = 128
    e_layers: int = 3
    dropout: float = 0.3
    head_dropout: float = 0.0
    revin: bool = True


class PatchTSTNet(nn.Module):
    """``forward(batch) -> [B, H, C]``."""

    def __init__(self, context: ModelContext, cfg: PatchTSTConfig) -> None:
        super().__init__()
        self.patch_len, self.stride = int(cfg.patch_len), int(cfg.stride)
        self.horizon = context.horizon
        n = n_patches(context.input_len, self.patch_len, self.stride)
        d = int(cfg.d_model)
        self.revin = RevIN() if cfg.revin else None
        self.embed = nn.Linear(self.patch_len, d)
        self.position = nn.Parameter(torch.empty(n, d).uniform_(-0.02, 0.02))
        self.drop = nn.Dropout(cfg.dropout)
        self.encoder = encoder_stack(cfg, norm="batch")
        self.head_drop = nn.Dropout(cfg.head_dropout)
        self.head = nn.Linear(n * d, context.horizon)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return around_revin(self.revin, batch["x"], lambda x: per_channel(x, self.forecast_rows))

    def forecast_rows(self, rows: torch.Tensor) -> torch.Tensor:
        """One series per row, ``[N, L]`` → ``[N, H]``: patch, encode, flatten head."""
        series = F.pad(rows.unsqueeze(1), (0, self.stride), mode="replicate").squeeze(1)
        patches = series.unfold(-1, self.patch_len, self.stride)  # [N, patches, P]
        tokens = self.drop(self.embed(patches) + self.position)
        tokens = self.encoder(tokens)  # [N, patches, d]
        return self.head(self.head_drop(tokens.flatten(1)))  # [N, H]


#: Patch lengths a tuning run tries (those the input window holds: see :func:`_space`).
PATCH_CHOICES = (8, 16, 24)


def _space(trial: Any, context: ModelContext | None = None) -> dict[str, dict[str, Any]]:
    """Tuning space. ``patch_len`` offers the patches the input window holds (the model refuses a
    longer one, so a trial given it could only fail; a window shorter than every choice is one
    patch of itself); without a ``context`` (no data known) every choice is offered."""
    patches = list(PATCH_CHOICES)
    if context is not None:
        patches = [p for p in PATCH_CHOICES if p <= context.input_len] or [int(context.input_len)]
    # every width below is divisible by every head count: all sampled pairs are valid
    return {
        "model": {
            "d_model": trial.suggest_categorical("d_model", [16, 32, 64, 128]),
            "n_heads": trial.suggest_categorical("n_heads", [2, 4, 8]),
            "d_ff": trial.suggest_categorical("d_ff", [64, 128, 256]),
            "e_layers": trial.suggest_int("e_layers", 1, 3),
            "dropout": trial.suggest_float("dropout", 0.0, 0.4),
            "patch_len": trial.suggest_categorical("patch_len", patches),
        },
        "train": {"lr": trial.suggest_float("lr", 1e-4, 3e-3, log=True)},
    }


@register_model(
    "patchtst",
    kind="neural",
    summary="Transformer over patches of each channel's window, channel independent (Nie et al. 2023).",
    search_space=_space,
)
class PatchTST(NeuralForecaster):
    """PatchTST behind the one model interface (see the module docstring)."""

    Config = PatchTSTConfig
    uses_calendar = False
    budget_config = {"d_model": 16, "e_layers": 1, "d_ff": 64}
    default_train_config = {
        "lr": 1e-3,
        "batch_size": 128,
        "max_epochs": 20,
        "patience": 5,
        "lr_schedule": "cosine",
    }

    def validate(self) -> None:
        c, L = self.config, self.context.input_len
        check_at_least_one(c, ("patch_len", "stride", "d_model", "n_heads", "d_ff", "e_layers"))
        if int(c.patch_len) > L:
            # say both ways out: a panel's default input (two horizons) is often shorter than
            # the paper's 16-step patch, and the user never chose either number
            raise ConfigError(
                f"patch_len {c.patch_len} is longer than the input ({L} steps): use a shorter patch "
                f"(--option patch_len={L}; model_config={{'patch_len': {L}}} in Python) or a longer "
                f"input (--input {c.patch_len}; input_len={c.patch_len} in Python)",
                field="patch_len",
            )
        check_heads_divide(c)
        check_fractions(c, ("dropout", "head_dropout"))

    def build_module(self) -> nn.Module:
        return PatchTSTNet(self.context, self.config)
