"""TimeBase (Huang et al., "TimeBase: The Power of Minimalism in Efficient Long-term Time Series
Forecasting", ICML 2025).

Why this model: a few hundred parameters (0.39k for ETTh1 720→720) and segment-level forecasting;
long-horizon series are close to low rank once folded by their period, so a handful of basis
patterns explain the window and predict the horizon.

Architecture (channel independent)::

    x [L] ─fold by period P→ X [P, S]                 (S = L/P segments, one column each)
    X ← X − mean over segments (per phase)             ("period normalisation", added back at the end)
    B = Linear(S → R)(X)          [P, R]               (basis extraction: R basis components)
    Y = Linear(R → m)(B)          [P, m]               (m = H/P output segments)
    ŷ = unfold(Y + period mean)   [H]

The **orthogonality regulariser** pushes the ``R`` extracted components (columns of ``B``) apart:
``λ · ‖BᵀB − diag(BᵀB)‖_F`` averaged over windows and channels. tsforge's one training loop
has no hook for a model's auxiliary loss, so the term enters through autograd instead: an
identity on ``B`` whose backward adds ``λ · ∂penalty/∂B`` to the incoming gradient
(:class:`_OrthogonalPenalty`). Gradients are exactly those of ``loss + λ · penalty``; only the
logged training loss leaves the penalty out. It is active in training mode only.

Parameters: ``(S·R + R) + (R·m + m)``. ETTh1 ``L = 720``, ``P = 24``, ``R = 6``: ``H = 96`` → 186 +
28 = 214; ``H = 720`` → 186 + 210 = 396 (the paper's 0.39k).

Differences from the paper, on purpose: ``period_len`` defaults to the data's season length;
when ``P`` does not divide ``L`` the window is left-padded (the reference pads at the end with
an earlier segment; left padding keeps the forecast's segments aligned with the input's phase);
``revin=True`` adds full RevIN around the model (off by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from tsforge.errors import ConfigError
from tsforge.models.base import ModelContext
from tsforge.models.layers import RevIN, around_revin, fold_periods, n_segments, per_channel, unfold_periods
from tsforge.models.periodic import PeriodForecaster, period_space
from tsforge.models.registry import register_model

__all__ = ["TimeBase", "TimeBaseConfig", "TimeBaseNet", "orthogonality_penalty"]


def orthogonality_penalty(basis: torch.Tensor) -> torch.Tensor:
    """Mean over rows of ``‖BᵀB − diag(BᵀB)‖_F`` for ``basis`` ``[N, P, R]`` (0 when ``R = 1``).

    A small epsilon inside the square root keeps the gradient finite when the off-diagonal part
    is exactly zero.
    """
    gram = basis.transpose(-2, -1) @ basis  # [N, R, R]
    off = gram - torch.diag_embed(torch.diagonal(gram, dim1=-2, dim2=-1))
    return torch.sqrt((off * off).sum(dim=(-2, -1)) + 1e-12).mean()


class _OrthogonalPenalty(torch.autograd.Function):
    """Identity on the basis whose backward adds ``weight · ∂orthogonality_penalty/∂basis``."""

    @staticmethod
    def forward(ctx: Any, basis: torch.Tensor, weight: float) -> torch.Tensor:
        ctx.save_for_backward(basis)
        ctx.weight = weight
        return basis.view_as(basis)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        (basis,) = ctx.saved_tensors
        with torch.enable_grad():
            b = basis.detach().requires_grad_(True)
            (extra,) = torch.autograd.grad(orthogonality_penalty(b), b)
        return grad + ctx.weight * extra, None


@dataclass
class TimeBaseConfig:
    """TimeBase options (defaults = the paper's ETTh1 setting).

    Attributes:
        period_len: the period ``P`` in steps (``None`` = the data's season length).
        basis_num: number of basis components ``R``.
        period_norm: subtract each phase's mean over the window's segments (else the window mean).
        orthogonal_weight: weight ``λ`` of the orthogonality regulariser (0 = off).
        revin: full reversible instance normalisation around the model.
    """

    period_len: int | None = None
    basis_num: int = 6
    period_norm: bool = True
    orthogonal_weight: float = 0.16
    revin: bool = False


class TimeBaseNet(nn.Module):
    """``forward(batch) -> [B, H, C]``: fold by period, extract basis, map to output segments."""

    def __init__(self, input_len: int, horizon: int, cfg: TimeBaseConfig, period: int) -> None:
        super().__init__()
        self.horizon, self.period = int(horizon), int(period)
        self.period_norm = bool(cfg.period_norm)
        self.orthogonal_weight = float(cfg.orthogonal_weight)
        self.revin = RevIN() if cfg.revin else None
        self.to_basis = nn.Linear(n_segments(input_len, period), int(cfg.basis_num))
        self.to_segments = nn.Linear(int(cfg.basis_num), n_segments(horizon, period))

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return around_revin(self.revin, batch["x"], lambda x: per_channel(x, self.forecast_rows))

    def forecast_rows(self, rows: torch.Tensor) -> torch.Tensor:
        """One series per row, ``[N, L]`` → ``[N, H]`` (the architecture in the module docstring)."""
        folded = fold_periods(rows, self.period)  # [N, P, S]
        # per phase (period norm) or one level for the whole window
        level = folded.mean(dim=2, keepdim=True)  # [N, P, 1]
        if not self.period_norm:
            level = level.mean(dim=1, keepdim=True)
        basis = self.to_basis(folded - level)  # [N, P, R]
        if self.training and self.orthogonal_weight > 0 and basis.requires_grad:
            basis = _OrthogonalPenalty.apply(basis, self.orthogonal_weight)
        return unfold_periods(self.to_segments(basis) + level, self.horizon)  # [N, H]


def _space(trial: Any, context: ModelContext | None = None) -> dict[str, dict[str, Any]]:
    model = {
        "basis_num": trial.suggest_int("basis_num", 2, 12),
        "orthogonal_weight": trial.suggest_float("orthogonal_weight", 0.0, 0.5),
        "period_norm": trial.suggest_categorical("period_norm", [True, False]),
    }
    return period_space(trial, model, context)


@register_model(
    "timebase",
    kind="neural",
    summary="Period segments → a few basis components → output segments, ~0.2-0.4k parameters "
    "(Huang et al. 2025).",
    search_space=_space,
)
class TimeBase(PeriodForecaster):
    """TimeBase behind the one model interface (see the module docstring)."""

    Config = TimeBaseConfig
    budget_config: ClassVar[dict[str, Any]] = {}
    # The paper: Adam, batch 64, 30 epochs, patience 5, lr 0.1 with a decay; the lr here is the
    # one chosen on ETTh1 validation MSE (benchmarks/ltsf.py records what was run).
    default_train_config = {
        "lr": 0.02,
        "batch_size": 64,
        "max_epochs": 30,
        "patience": 5,
        "lr_schedule": "cosine",
    }

    def validate(self) -> None:
        super().validate()
        c = self.config
        if int(c.basis_num) < 1:
            raise ConfigError(f"basis_num must be at least 1, got {c.basis_num}", field="basis_num")
        if float(c.orthogonal_weight) < 0:
            raise ConfigError(
                f"orthogonal_weight must be 0 or more, got {c.orthogonal_weight}", field="orthogonal_weight"
            )

    def build_module(self) -> nn.Module:
        return TimeBaseNet(self.context.input_len, self.context.horizon, self.config, self.period)
