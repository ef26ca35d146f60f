"""SparseTSF (Lin et al., "SparseTSF: Modeling Long-term Time Series Forecasting with 1k
Parameters", ICML 2024).

Why this model: it forecasts a long horizon with well under a thousand parameters — it trains
in seconds on a CPU and still sits near the best published long-horizon numbers, which is the
trade tsforge promises.

The idea: a periodic series sampled once per period ``w`` is a slowly varying series. Fold the
window into ``w`` sub-series (one per phase of the period, each ``S = L/w`` segments long),
forecast every sub-series with the *same* linear map ``S → m`` (``m = H/w``), and lay the
results back out. Before folding, a 1-D convolution over time ("sliding aggregation", kernel
``2⌊w/2⌋+1``, no bias, added back residually) lets each sampled point carry its neighbourhood,
so the sparse view does not drop information. Each window is centred by its own mean first and
the mean is added back (the paper's normalisation). Channel independent, no bias anywhere.

Parameters: ``(2⌊w/2⌋ + 1) + S·m``. ETTh1 with ``L = 720``, ``w = 24``: ``H = 96`` → 25 + 30·4 =
145; ``H = 720`` → 25 + 30·30 = 925 (the paper's "< 1k").

Differences from the paper, on purpose:

* ``period_len`` defaults to the data's season length (24 hourly, 96 for 15-minute data, 144 for
  10-minute data) instead of a per-dataset script value;
* when ``w`` does not divide ``L`` or ``H`` the window is left-padded and the forecast cropped
  (:func:`~tsforge.models.layers.fold_periods`) instead of being refused;
* ``revin=True`` also divides by each window's spread (full RevIN); off by default (centring only,
  as in the paper).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from tsforge.models.base import ModelContext
from tsforge.models.layers import RevIN, fold_periods, n_segments, per_channel, unfold_periods
from tsforge.models.periodic import PeriodForecaster, default_period, period_space
from tsforge.models.registry import register_model

__all__ = ["SparseTSF", "SparseTSFConfig", "SparseTSFNet", "default_period"]


@dataclass
class SparseTSFConfig:
    """SparseTSF options.

    Attributes:
        period_len: the period ``w`` in steps (``None`` = the data's season length).
        revin: full reversible instance normalisation (mean and spread) instead of centring only.
    """

    period_len: int | None = None
    revin: bool = False


class SparseTSFNet(nn.Module):
    """``forward(batch) -> [B, H, C]``: aggregation conv, fold by period, one shared segment map."""

    def __init__(self, input_len: int, horizon: int, period: int, revin: bool = False) -> None:
        super().__init__()
        self.input_len, self.horizon, self.period = int(input_len), int(horizon), int(period)
        self.norm = RevIN(scale=revin)
        half = self.period // 2
        self.aggregate = nn.Conv1d(1, 1, kernel_size=2 * half + 1, padding=half, bias=False)
        self.segments_in = n_segments(self.input_len, self.period)
        self.segments_out = n_segments(self.horizon, self.period)
        self.linear = nn.Linear(self.segments_in, self.segments_out, bias=False)

    def forward_steps(self, flat: torch.Tensor) -> torch.Tensor:
        """The paper's computation on centred rows ``[N, L]`` → ``[N, H]``, step by step."""
        flat = self.aggregate(flat.unsqueeze(1)).squeeze(1) + flat
        return unfold_periods(self.linear(fold_periods(flat, self.period)), self.horizon)

    def effective_map(self) -> torch.Tensor:
        """The whole (linear) network as one ``[L, H]`` matrix: row ``i`` = response to step ``i``.

        Why: aggregation, folding and the segment map are all linear, so ``forward_steps(x) =
        x @ effective_map()``. Building the map costs one ``L × L`` banded matrix and one pass
        of the small segment map; a batch then costs one matrix product, several times faster on
        a CPU than a 1-channel convolution over every row of the batch (gradients reach the same
        two weights).
        """
        length = self.input_len
        half = self.period // 2  # the aggregation conv's padding (see __init__)
        steps = torch.arange(length, device=self.linear.weight.device)
        offset = steps[:, None] - steps[None, :] + half  # conv output j reads input i with tap i − j + half
        valid = (offset >= 0) & (offset < self.aggregate.kernel_size[0])
        taps = self.aggregate.weight.view(-1)[offset.clamp(0, self.aggregate.kernel_size[0] - 1)]
        rows = torch.where(valid, taps, 0.0) + torch.eye(length, device=taps.device)  # [L, L]
        return unfold_periods(self.linear(fold_periods(rows, self.period)), self.horizon)  # [L, H]

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        x, stats = self.norm.normalize(batch["x"])  # [B, L, C]
        effective = self.effective_map()
        return self.norm.denormalize(per_channel(x, lambda rows: rows @ effective), stats)


def _space(trial: Any, context: ModelContext | None = None) -> dict[str, dict[str, Any]]:
    return period_space(trial, {"revin": trial.suggest_categorical("revin", [False, True])}, context)


@register_model(
    "sparsetsf",
    kind="neural",
    summary="Period-folded sub-series + one shared segment-to-segment linear map, < 1k parameters "
    "(Lin et al. 2024).",
    search_space=_space,
)
class SparseTSF(PeriodForecaster):
    """SparseTSF behind the one model interface (see the module docstring)."""

    Config = SparseTSFConfig
    budget_config: ClassVar[dict[str, Any]] = {}
    # The paper's recipe: Adam lr 0.02, batch 256, 30 epochs, patience 5.
    default_train_config = {
        "lr": 0.02,
        "batch_size": 256,
        "max_epochs": 30,
        "patience": 5,
        "lr_schedule": "cosine",
    }

    def build_module(self) -> nn.Module:
        return SparseTSFNet(
            self.context.input_len, self.context.horizon, self.period, bool(self.config.revin)
        )
