"""Shared building blocks of the neural models: position embeddings and instance normalisation.

Why a module of its own: STELLA's *spatial-temporal position embedding* (where a station is +
when a window starts) is reused by HUTFormer's input embedding, so both models build the very
same layers from here instead of keeping two copies that drift apart.

* :class:`SpatialEmbedding` — one ``d``-vector per channel, from its coordinates (a small MLP on
  standardised lat/lon[/alt]), from a learned per-channel table, or nothing (ablation).
* :class:`CalendarEmbedding` — the sum of learned tables for hour of day (24), day of week (7),
  day of month (31) and month (12), indexed by the batch's calendar indices (see
  ``tsforge.data.calendar``: columns hour, dow, dom, month, all 0-based).
* :class:`ResidualMLPBlock` — STELLA's ``H ← H + Dropout(W2·ReLU(W1·H))``.
* :func:`fold_periods` / :func:`unfold_periods` — a window as ``[period, segments]`` (one column
  per period-long segment, left-padded to whole periods), the view SparseTSF and TimeBase forecast
  in: one small map over *segments* shared by every phase of the period.
* :func:`per_channel` — a channel-independent model's batch ``[B, L, C]`` as one row per (window,
  channel) and back, the reshaping SparseTSF, TimeBase and PatchTST share.
* :class:`EncoderBlock` — a post-norm Transformer encoder block (self-attention + GELU
  feed-forward) with batch or layer normalisation, shared by PatchTST (over patches) and
  iTransformer (over variates); :func:`encoder_stack` builds their stack of blocks from the
  options both configs name alike, :func:`check_heads_divide` refuses widths attention cannot split.
* :class:`RevIN` — reversible instance normalisation (Kim et al., ICLR 2022), the one
  implementation behind every model's ``revin`` option (DLinear/NLinear/STPE-MLP/HUTFormer and
  the long-horizon models), so the statistics and the epsilon are the same everywhere.

All three are plain ``nn.Module``s with a stable constructor; their fitted statistics (the
coordinate mean/std and the training channels' coordinates) are *buffers*, so they are saved
and restored with the model's ``state_dict``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from tsforge.data.calendar import CALENDAR_SIZES, CALENDAR_TERMS
from tsforge.errors import ConfigError, DataValidationError

__all__ = [
    "SPATIAL_MODES",
    "SpatialEmbedding",
    "CalendarEmbedding",
    "ResidualMLPBlock",
    "resolve_spatial_mode",
    "RevIN",
    "RevINStats",
    "around_revin",
    "EncoderBlock",
    "encoder_stack",
    "check_heads_divide",
    "fold_periods",
    "unfold_periods",
    "n_segments",
    "per_channel",
]

#: ``coords`` = MLP on coordinates, ``learned`` = per-channel table, ``none`` = no spatial term.
SPATIAL_MODES: tuple[str, ...] = ("coords", "learned", "none")


def resolve_spatial_mode(requested: str, coords: np.ndarray | None) -> str:
    """Turn a user's spatial option (``auto`` or one of :data:`SPATIAL_MODES`) into a concrete mode.

    ``auto`` picks ``coords`` when the data has coordinates and ``learned`` otherwise. Asking for
    ``coords`` on data without coordinates is a :class:`ConfigError` (the user asked for
    something the data cannot give).
    """
    mode = str(requested).strip().lower()
    if mode == "auto":
        return "coords" if coords is not None else "learned"
    if mode not in SPATIAL_MODES:
        raise ConfigError(
            f"spatial must be 'auto', {', '.join(map(repr, SPATIAL_MODES))}; got {requested!r}",
            field="spatial",
        )
    if mode == "coords" and coords is None:
        raise ConfigError(
            "spatial='coords' needs station coordinates, but the data has none; use 'learned' or 'none'",
            field="spatial",
        )
    return mode


class SpatialEmbedding(nn.Module):
    """Per-channel position embedding ``[B, C] → [B, C, d]`` (or ``None`` when switched off).

    Modes:

    * ``"coords"`` (STELLA's absolute position embedding): ``Linear(d→d)(ReLU(Linear(k→d)(z)))``
      where ``z`` are the coordinates standardised with the mean/std of the *training* channels'
      coordinates and ``k`` = 2 (lat, lon) or 3 (lat, lon, alt), following the data. The parameter
      count does not depend on the number of channels, and a channel the model never saw can be
      embedded as long as its coordinates are given — that is STELLA's point.
    * ``"learned"`` (STELLA's ``if_rel`` / STID-style ablation): ``nn.Embedding(n_channels, d)``
      indexed by the channel's row in the training table; only known channels can be embedded.
    * ``"none"``: no spatial term (:meth:`forward` returns ``None``; callers skip the sum).

    Args:
        d_model: embedding width ``d``.
        mode: one of :data:`SPATIAL_MODES` (resolve ``"auto"`` first with :func:`resolve_spatial_mode`).
        n_channels: number of training channels (rows of the channel table).
        coords: ``[n_channels, k]`` raw training coordinates (lat, lon[, alt]); required for
            ``"coords"``, ignored otherwise.

    Forward args:
        channels: ``[B, C]`` long, each column's row in the training table, ``-1`` = unknown.
        coords: optional ``[B, C, k']`` raw coordinates sent with the batch (inference); rows that
            are NaN mean "not given" and fall back to the stored coordinates of a known channel.
            Extra trailing columns (``k' > k``, e.g. an altitude the model was not trained with)
            are ignored; fewer columns than the model needs is an error.

    Raises:
        DataValidationError: (in ``forward``) a channel is unknown (``-1``) and cannot be embedded —
            no coordinates given, or the mode has no coordinate path. The message names the column.
    """

    # Buffers registered in ``__init__`` for the "coords" mode only; declared so the coordinate
    # path reads them as tensors (``nn.Module.__getattr__`` is typed ``Tensor | Module``).
    coord_mean: torch.Tensor
    coord_std: torch.Tensor
    train_coords: torch.Tensor

    def __init__(self, d_model: int, mode: str, n_channels: int, coords: np.ndarray | None = None) -> None:
        super().__init__()
        if mode not in SPATIAL_MODES:
            raise ConfigError(
                f"unknown spatial mode {mode!r}; expected one of {SPATIAL_MODES}", field="spatial"
            )
        self.mode = mode
        self.d_model = int(d_model)
        self.n_channels = int(n_channels)
        self.coord_dim = 0
        if mode == "coords":
            if coords is None:
                raise ConfigError("the coordinate embedding needs training coordinates", field="spatial")
            c = torch.as_tensor(np.asarray(coords, dtype=np.float64), dtype=torch.float32)
            if c.ndim != 2 or c.shape[0] != n_channels or c.shape[1] not in (2, 3):
                raise ConfigError(
                    f"coordinates must be [{n_channels}, 2|3] (lat, lon[, alt]), got {tuple(c.shape)}",
                    field="coords",
                )
            self.coord_dim = int(c.shape[1])
            mean = c.mean(0)
            std = c.std(0, unbiased=False)
            # A single station or identical altitudes: a zero spread would divide by zero; 1 keeps
            # the centred value (0) and is the natural "no information" scale.
            std = torch.where(std > 1e-8, std, torch.ones_like(std))
            self.register_buffer("coord_mean", mean)
            self.register_buffer("coord_std", std)
            self.register_buffer("train_coords", c)
            self.mlp = nn.Sequential(
                nn.Linear(self.coord_dim, self.d_model), nn.ReLU(), nn.Linear(self.d_model, self.d_model)
            )
        elif mode == "learned":
            self.table = nn.Embedding(self.n_channels, self.d_model)

    def forward(self, channels: torch.Tensor, coords: torch.Tensor | None = None) -> torch.Tensor | None:
        if self.mode == "none":
            return None
        channels = channels.long()
        known = channels >= 0
        if self.mode == "learned":
            if not bool(known.all()):
                col = int((~known).nonzero()[0, 1])
                raise DataValidationError(
                    f"column {col} is a channel the model was not trained on; this model embeds channels by "
                    "identity (spatial='learned') and cannot forecast new ones",
                    column=col,
                )
            return self.table(channels)
        # coordinate path: stored coordinates for known channels, sent coordinates override them
        safe = channels.clamp_min(0)
        xyz = self.train_coords[safe]  # [B, C, k]
        given = torch.zeros_like(known)
        if coords is not None:
            coords = torch.as_tensor(coords, dtype=torch.float32, device=xyz.device)
            if coords.ndim != 3 or coords.shape[:2] != channels.shape:
                raise DataValidationError(
                    f"coords must be [B, C, k] matching channels {tuple(channels.shape)}, got {tuple(coords.shape)}",
                    field="coords",
                )
            if coords.shape[-1] < self.coord_dim:
                raise DataValidationError(
                    f"the model was trained on {self.coord_dim} coordinates (lat, lon"
                    f"{', alt' if self.coord_dim == 3 else ''}) but {coords.shape[-1]} were given",
                    field="coords",
                )
            coords = coords[..., : self.coord_dim]
            given = torch.isfinite(coords).all(-1)
            xyz = torch.where(given.unsqueeze(-1), torch.nan_to_num(coords), xyz)
        missing = ~known & ~given
        if bool(missing.any()):
            col = int(missing.nonzero()[0, 1])
            raise DataValidationError(
                f"column {col} is a channel the model was not trained on and has no coordinates; "
                "give its coordinates (lat, lon) to forecast it",
                column=col,
            )
        z = (xyz - self.coord_mean) / self.coord_std
        return self.mlp(z)


class CalendarEmbedding(nn.Module):
    """Sum of learned calendar tables: ``[..., 4]`` calendar indices → ``[..., d]``.

    One ``nn.Embedding`` per term in ``terms`` with the *correct* sizes (hour 24, dow 7, dom 31,
    month 12; STELLA's released code squeezes hour of day into 13 bins — not reproduced here).
    Terms are kept in the fixed order of ``tsforge.data.calendar.CALENDAR_TERMS`` whatever
    order they are given in; unknown term names are a :class:`ConfigError`. Pass the terms the
    data frequency can resolve (``ModelContext.calendar_terms``), so daily data has no hour table.

    With no terms the module has no parameters and :meth:`forward` returns ``None``.

    Args:
        d_model: embedding width ``d``.
        terms: calendar terms to embed, a subset of ``("hour", "dow", "dom", "month")``.

    Forward args:
        cal: ``[..., 4]`` long calendar indices with columns (hour, dow, dom, month), e.g. the first
            input step ``batch["x_cal"][:, 0]`` (``[B, 4]`` → ``[B, d]``, STELLA) or every step
            ``batch["x_cal"]`` (``[B, L, 4]`` → ``[B, L, d]``). ``None`` → ``None`` (no timestamps).
    """

    def __init__(self, d_model: int, terms: Sequence[str]) -> None:
        super().__init__()
        unknown = sorted(set(terms) - set(CALENDAR_TERMS))
        if unknown:
            raise ConfigError(
                f"unknown calendar term(s) {unknown}; valid: {list(CALENDAR_TERMS)}", field="calendar_terms"
            )
        self.d_model = int(d_model)
        self.terms: tuple[str, ...] = tuple(t for t in CALENDAR_TERMS if t in set(terms))
        self.columns: tuple[int, ...] = tuple(CALENDAR_TERMS.index(t) for t in self.terms)
        self.tables = nn.ModuleDict({t: nn.Embedding(CALENDAR_SIZES[t], self.d_model) for t in self.terms})

    @property
    def n_rows(self) -> int:
        """Total number of table rows (e.g. 24 + 7 + 31 + 12 = 74 for hourly data)."""
        return sum(CALENDAR_SIZES[t] for t in self.terms)

    def forward(self, cal: torch.Tensor | None) -> torch.Tensor | None:
        if cal is None or not self.terms:
            return None
        cal = cal.long()
        out = None
        for term, col in zip(self.terms, self.columns, strict=True):
            e = self.tables[term](cal[..., col])
            out = e if out is None else out + e
        return out


class ResidualMLPBlock(nn.Module):
    """STELLA's encoder block: ``H ← H + Dropout(W2·ReLU(W1·H + b1) + b2)`` (no normalisation)."""

    def __init__(self, d_model: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.fc1 = nn.Linear(d_model, d_model)
        self.fc2 = nn.Linear(d_model, d_model)
        self.drop = nn.Dropout(dropout)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.drop(self.fc2(torch.relu(self.fc1(h))))


#: ``(mean, std)`` of each window, ``[B, 1, C]`` each; ``std`` is ``None`` when only centring.
RevINStats = tuple[torch.Tensor, torch.Tensor | None]


class RevIN(nn.Module):
    """Reversible instance normalisation: normalise each input window by its own statistics and
    map the forecast back with the same statistics.

    Why: LTSF series drift (ETT's oil temperature, Weather's seasons), so the level and spread of
    the test windows differ from the training ones; a model that only ever sees per-window
    z-scores learns shapes instead of levels, and the de-normalisation puts the level back. The
    papers of PatchTST, iTransformer, CycleNet and RLinear all rely on it.

    Parameter-free on purpose (the ``affine=False`` setting the papers' scripts use): learned
    per-channel scales would tie the model to its training channels. With ``scale=False`` only
    the mean is removed (SparseTSF's and TimeBase's normalisation).

    ``std = sqrt(var + eps)`` with the population variance over time, exactly as HUTFormer's
    original inline normalisation, so reusing this layer changes none of its numbers.

    Args:
        scale: also divide by the window's standard deviation (else centre only).
        eps: added to the variance (a constant window stays finite).
    """

    def __init__(self, scale: bool = True, eps: float = 1e-5) -> None:
        super().__init__()
        self.scale = bool(scale)
        self.eps = float(eps)

    def normalize(self, x: torch.Tensor) -> tuple[torch.Tensor, RevINStats]:
        """``[B, L, C]`` → (normalised ``[B, L, C]``, statistics for :meth:`denormalize`)."""
        mean = x.mean(1, keepdim=True)
        if not self.scale:
            return x - mean, (mean, None)
        std = torch.sqrt(x.var(1, keepdim=True, unbiased=False) + self.eps)
        return (x - mean) / std, (mean, std)

    def denormalize(self, y: torch.Tensor, stats: RevINStats) -> torch.Tensor:
        """``[B, H, C]`` in the normalised space → the input's scale (inverse of :meth:`normalize`)."""
        mean, std = stats
        return y + mean if std is None else y * std + mean

    def extra_repr(self) -> str:
        return f"scale={self.scale}, eps={self.eps}"


def n_segments(length: int, period: int) -> int:
    """Whole periods needed to hold ``length`` steps (the last one may be padded)."""
    return -(-int(length) // int(period))


def fold_periods(x: torch.Tensor, period: int) -> torch.Tensor:
    """``[N, L]`` → ``[N, period, S]`` with ``S = ⌈L / period⌉``; column ``j`` is segment ``j``.

    When ``period`` does not divide ``L`` the window is padded *at the start* by repeating its
    first value, so the last input step stays the last step of a segment and the forecast's
    segments start on a period boundary (the phase of every output step is that of the input
    steps one or more periods earlier — the alignment these models rely on).
    """
    n, length = x.shape
    pad = n_segments(length, period) * period - length
    if pad:
        x = torch.cat([x[:, :1].expand(n, pad), x], dim=1)
    return x.reshape(n, -1, period).transpose(1, 2)


def unfold_periods(y: torch.Tensor, length: int) -> torch.Tensor:
    """``[N, period, S]`` → ``[N, length]``: segments laid end to end, cropped to ``length`` steps."""
    n = y.shape[0]
    return y.transpose(1, 2).reshape(n, -1)[:, :length]


def per_channel(x: torch.Tensor, forecast: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """Run ``forecast`` (rows ``[N, L]`` → ``[N, H]``) on every channel of every window of ``x``.

    ``x`` ``[B, L, C]`` → ``[B, H, C]``. Why one function: a channel-independent model sees each
    (window, channel) series on its own, so the flatten and the way back must match exactly.
    """
    b, length, c = x.shape
    y = forecast(x.transpose(1, 2).reshape(b * c, length))  # one row per (window, channel)
    return y.reshape(b, c, y.shape[-1]).transpose(1, 2)


def around_revin(
    revin: RevIN | None, x: torch.Tensor, forecast: Callable[[torch.Tensor], torch.Tensor]
) -> torch.Tensor:
    """``forecast(x)`` (``[B, L, C]`` → ``[B, H, C]``) on ``revin``-normalised windows, mapped
    back with the same statistics; without ``revin`` (the option off) plain ``forecast(x)``.

    Why one function: every model with a ``revin`` option wraps its forecast this same way.
    """
    if revin is None:
        return forecast(x)
    z, stats = revin.normalize(x)
    return revin.denormalize(forecast(z), stats)


class _BatchNormTokens(nn.Module):
    """``BatchNorm1d`` over the feature axis of ``[N, T, d]`` tokens (PatchTST's choice)."""

    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm1d(d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.transpose(1, 2)).transpose(1, 2)


class EncoderBlock(nn.Module):
    """Post-norm encoder block: ``x ← N(x + Drop(MHA(x)))``; ``x ← N(x + Drop(FFN(x)))``.

    ``FFN = Linear(d→d_ff) → GELU → Dropout → Linear(d_ff→d)``. ``norm="batch"`` normalises each
    feature over the batch and tokens (PatchTST: robust to the outliers of time-series patches),
    ``norm="layer"`` each token (iTransformer, the standard Transformer).

    Args:
        d_model, n_heads, d_ff: widths (``d_model`` divisible by ``n_heads``).
        dropout: after attention, inside and after the feed-forward.
        norm: ``"batch"`` or ``"layer"``.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float, norm: str = "layer") -> None:
        super().__init__()
        if norm not in ("batch", "layer"):
            raise ConfigError(f"norm must be 'batch' or 'layer', got {norm!r}", field="norm")
        self.attn = nn.MultiheadAttention(d_model, n_heads, dropout=0.0, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.ffn = nn.Sequential(
            nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout), nn.Linear(d_ff, d_model)
        )
        make = _BatchNormTokens if norm == "batch" else nn.LayerNorm
        self.norm1, self.norm2 = make(d_model), make(d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[N, T, d]`` → ``[N, T, d]``."""
        a, _ = self.attn(x, x, x, need_weights=False)
        x = self.norm1(x + self.drop(a))
        return self.norm2(x + self.drop(self.ffn(x)))


def check_heads_divide(config: Any) -> None:
    """Refuse a ``config.d_model`` that ``config.n_heads`` does not divide (attention splits it)."""
    if int(config.d_model) % int(config.n_heads):
        raise ConfigError(
            f"d_model {config.d_model} must be divisible by n_heads {config.n_heads}", field="n_heads"
        )


def encoder_stack(config: Any, norm: str) -> nn.Sequential:
    """``config.e_layers`` :class:`EncoderBlock` s from ``d_model``, ``n_heads``, ``d_ff``, ``dropout``.

    A plain ``nn.Sequential`` so the parameter names (``encoder.0.attn...``) stay those of saved models.
    """
    return nn.Sequential(
        *[
            EncoderBlock(
                int(config.d_model), int(config.n_heads), int(config.d_ff), float(config.dropout), norm=norm
            )
            for _ in range(int(config.e_layers))
        ]
    )
