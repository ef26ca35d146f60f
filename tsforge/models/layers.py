"""Shared building blocks for the position-embedding models (STPE-MLP, HUTFormer).

Why a module of its own: STELLA's *spatial-temporal position embedding* (where a station is +
when a window starts) is reused by HUTFormer's input embedding, so both models build the very
same layers from here instead of keeping two copies that drift apart.

* :class:`SpatialEmbedding` — one ``d``-vector per channel, from its coordinates (a small MLP on
  standardised lat/lon[/alt]), from a learned per-channel table, or nothing (ablation).
* :class:`CalendarEmbedding` — the sum of learned tables for hour of day (24), day of week (7),
  day of month (31) and month (12), indexed by the batch's calendar indices (see
  ``tsforge.data.calendar``: columns hour, dow, dom, month, all 0-based).
* :class:`ResidualMLPBlock` — STELLA's ``H ← H + Dropout(W2·ReLU(W1·H))``.

All three are plain ``nn.Module``s with a stable constructor; their fitted statistics (the
coordinate mean/std and the training channels' coordinates) are *buffers*, so they are saved
and restored with the model's ``state_dict``.
"""

from __future__ import annotations

from collections.abc import Sequence

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

    @property
    def accepts_unknown_channels(self) -> bool:
        """True when an unknown channel can be embedded (coordinates given, or no spatial term)."""
        return self.mode in ("coords", "none")

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
