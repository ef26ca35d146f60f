"""STPE-MLP: STELLA's spatial-temporal position-embedding MLP (Fu et al., NeurIPS 2025).

Why this model: for station networks (weather, air quality, sensors) STELLA shows that a
~10k-parameter MLP whose tokens carry *where* (station coordinates) and *when* (calendar of the
window) matches attention models at a fraction of the cost — it trains in seconds on a CPU.

Architecture (one token per channel; channels only interact through shared weights and the
position embeddings — no attention, no graph)::

    X  [B, L, C] ─transpose→ [B, C, L] ─Linear(L→d)→ E_x  [B, C, d]
    S  = SpatialEmbedding(channels, coords)          [B, C, d]   (coords MLP | learned table | off)
    T  = CalendarEmbedding(x_cal[:, 0])              [B, 1, d]   (first input step; skipped without timestamps)
    H0 = E_x + S + T
    H  ← H + Dropout(W2·ReLU(W1·H))   × n_blocks
    Ŷ  = Linear(d→H)(H) ─transpose→ [B, H, C]

Differences from the released code, on purpose (see ``specs/models.md`` §1.5): calendar tables
have the correct sizes (hour 24, dow 7, dom 31, month 12) and are indexed by the true term, and
only the terms the data frequency resolves are built (daily data: no hour table); the learned
per-channel embedding uses integer indices; coordinates are optional.

Parameter count for ``d``, ``n_blocks = Lb``, input ``L``, horizon ``H``, ``k`` coordinates and
``R`` calendar-table rows::

    P = (L·d + d) + (k·d + d + d² + d) + R·d + Lb·2(d² + d) + (d·H + H)

For the paper's 48→24, d=32, Lb=2, k=3: R=74 (hourly, all four terms) → 10,136; R=67 (the paper's
three terms hour/dom/month at correct sizes) → 9,912; the paper's own 69 buggy rows → 9,976.
Daily station data (60→30, k=2 lat/lon, dow+dom+month = 50 rows) → 9,918.

Differences from the paper's training recipe: the loss is MAE (as in the paper) but on the
per-channel z-scored values rather than de-normalised ones, and training stops early on
validation MAE instead of running 100 epochs. ``instance_norm`` (off by default) is an extra,
not in the paper; so is ``revin`` (off by default: full reversible instance normalisation, mean
and spread, with the shared :class:`~tsforge.models.layers.RevIN`; it supersedes
``instance_norm``, which only removes the mean).

Missing values: the task (``tsforge.data.task``) fills missing inputs causally (last observation
carried forward; leading gaps = the training mean), so no future value leaks into a window, and
the training loss and the metrics ignore missing targets through ``y_mask``.

Unknown channels at inference: with the coordinate embedding a station the model never saw can
be forecast when its coordinates are sent (``batch["coords"]``); without coordinates (or with the
learned table) the module raises :class:`~tsforge.errors.DataValidationError`, and the predictor
checks this up front by channel id (``needs_known_channels``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from tsforge.errors import ConfigError
from tsforge.models.base import NeuralForecaster
from tsforge.models.layers import (
    CalendarEmbedding,
    ResidualMLPBlock,
    RevIN,
    SpatialEmbedding,
    resolve_spatial_mode,
)
from tsforge.models.registry import register_model

__all__ = ["STPEMLP", "STPEMLPConfig", "STPEMLPNet"]


@dataclass
class STPEMLPConfig:
    """STPE-MLP options (defaults = the STELLA paper's "10k" setting).

    Attributes:
        d_model: token width ``d``.
        n_blocks: number of residual MLP blocks.
        dropout: dropout after the second linear of each block.
        spatial: ``"auto"`` (coordinates when the data has them, else a learned per-channel
            table), ``"coords"``, ``"learned"`` or ``"none"`` (ablation: no spatial term).
        calendar: add the calendar embedding of the first input step (when timestamps exist).
        calendar_terms: restrict the calendar to these terms (e.g. ``["hour", "dom", "month"]``,
            the paper's three, or ``"hour,dom,month"`` as ``-o`` gives it on the command line);
            ``None`` or ``"all"`` = every term the data frequency resolves.
        instance_norm: subtract each input window's mean before the input embedding and add it
            back to the forecast (not in the paper; off by default). Helps when a window's level
            says more than the channel's long-run level (drifting or bursty series).
        revin: reversible instance normalisation (mean and spread of each window; off by default).
    """

    d_model: int = 32
    n_blocks: int = 2
    dropout: float = 0.2
    spatial: str = "auto"
    calendar: bool = True
    calendar_terms: list[str] | str | None = None
    instance_norm: bool = False
    revin: bool = False

    def __post_init__(self) -> None:
        # Why a string too: ``-o calendar_terms=dow,month`` (HUTFormer's spelling of the same
        # option) was refused as "must be list[str] | None", and only a JSON list got through.
        if isinstance(self.calendar_terms, str):
            text = self.calendar_terms.strip()
            self.calendar_terms = None if text == "all" else [t.strip() for t in text.split(",") if t.strip()]


class STPEMLPNet(nn.Module):
    """The network: ``forward(batch) -> [B, H, C]`` (normalised values)."""

    def __init__(
        self,
        input_len: int,
        horizon: int,
        n_channels: int,
        d_model: int,
        n_blocks: int,
        dropout: float,
        spatial_mode: str,
        coords: Any,
        calendar_terms: tuple[str, ...],
        instance_norm: bool = False,
        revin: bool = False,
    ) -> None:
        super().__init__()
        self.n_channels = int(n_channels)
        self.instance_norm = bool(instance_norm)
        self.revin = RevIN() if revin else None
        self.input_embed = nn.Linear(input_len, d_model)
        self.spatial = SpatialEmbedding(
            d_model, spatial_mode, n_channels, coords if spatial_mode == "coords" else None
        )
        self.calendar = CalendarEmbedding(d_model, calendar_terms)
        self.blocks = nn.Sequential(*[ResidualMLPBlock(d_model, dropout) for _ in range(n_blocks)])
        self.head = nn.Linear(d_model, horizon)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        x = batch["x"]  # [B, L, C]
        stats = None
        if self.revin is not None:
            x, stats = self.revin.normalize(x)
        level = x.mean(1, keepdim=True) if self.instance_norm else None  # [B, 1, C]
        h = self.input_embed((x if level is None else x - level).transpose(1, 2))  # [B, C, d]
        channels = batch.get("channels")
        if channels is None:
            if x.shape[2] != self.n_channels:
                raise ConfigError(
                    f"the batch has {x.shape[2]} channels but no 'channels' index; the model was trained on "
                    f"{self.n_channels}"
                )
            channels = torch.arange(self.n_channels, device=x.device).expand(x.shape[0], -1)
        s = self.spatial(channels, batch.get("coords"))
        if s is not None:
            h = h + s
        x_cal = batch.get("x_cal")
        t = self.calendar(None if x_cal is None else x_cal[:, 0])  # [B, d]
        if t is not None:
            h = h + t.unsqueeze(1)
        h = self.blocks(h)
        out = self.head(h).transpose(1, 2)  # [B, H, C]
        out = out if level is None else out + level
        return out if self.revin is None or stats is None else self.revin.denormalize(out, stats)


def _stpe_space(trial: Any) -> dict[str, dict[str, Any]]:
    return {
        "model": {
            "d_model": trial.suggest_categorical("d_model", [16, 32, 64, 128]),
            "n_blocks": trial.suggest_int("n_blocks", 1, 4),
            "dropout": trial.suggest_float("dropout", 0.0, 0.4),
        },
        "train": {
            "lr": trial.suggest_float("lr", 1e-4, 5e-3, log=True),
            "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-3, log=True),
        },
    }


@register_model(
    "stpe_mlp",
    kind="neural",
    summary="STELLA: MLP over per-series tokens + coordinate and calendar position embeddings (Fu et al. 2025).",
    search_space=_stpe_space,
)
class STPEMLP(NeuralForecaster):
    """STELLA's STPE-MLP behind the one model interface (see the module docstring)."""

    Config = STPEMLPConfig
    needs_known_channels = True
    budget_config = {"d_model": 32}
    # The paper: Adam lr 5e-4, weight decay 5e-4, batch 32, grad clip 5, MAE loss (100 epochs
    # with a halving at epoch 50 on a GPU); here fewer epochs with early stopping, for CPUs.
    default_train_config = {
        "lr": 5e-4,
        "weight_decay": 5e-4,
        "batch_size": 32,
        "max_epochs": 40,
        "patience": 6,
        "grad_clip": 5.0,
        "loss": "mae",
        "val_metric": "mae",
    }

    def validate(self) -> None:
        c = self.config
        if int(c.d_model) < 1:
            raise ConfigError("d_model must be at least 1", field="d_model")
        if int(c.n_blocks) < 0:
            raise ConfigError("n_blocks must be 0 or more", field="n_blocks")
        if not 0.0 <= float(c.dropout) < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {c.dropout}", field="dropout")
        self.spatial_mode = resolve_spatial_mode(c.spatial, self.context.coords)
        if c.calendar_terms is not None:
            from tsforge.data.calendar import CALENDAR_TERMS

            bad = sorted(set(c.calendar_terms) - set(CALENDAR_TERMS))
            if bad:
                raise ConfigError(
                    f"unknown calendar term(s) {bad}; valid: {list(CALENDAR_TERMS)}", field="calendar_terms"
                )

    @property
    def calendar_terms(self) -> tuple[str, ...]:
        """Calendar terms actually embedded: resolvable by the data ∩ the configured ones."""
        if not self.config.calendar:
            return ()
        terms = tuple(self.context.calendar_terms)
        if self.config.calendar_terms is not None:
            wanted = set(self.config.calendar_terms)
            terms = tuple(t for t in terms if t in wanted)
        return terms

    def build_module(self) -> nn.Module:
        c, ctx = self.config, self.context
        return STPEMLPNet(
            input_len=ctx.input_len,
            horizon=ctx.horizon,
            n_channels=ctx.n_channels,
            d_model=int(c.d_model),
            n_blocks=int(c.n_blocks),
            dropout=float(c.dropout),
            spatial_mode=self.spatial_mode,
            coords=ctx.coords,
            calendar_terms=self.calendar_terms,
            instance_norm=bool(c.instance_norm),
            revin=bool(c.revin),
        )
