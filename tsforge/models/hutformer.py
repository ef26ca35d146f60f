"""HUTFormer: a hierarchical U-Net Transformer for long-horizon forecasting.

Shao et al., "HUTFormer: Hierarchical U-Net Transformer for Long-Term Traffic Forecasting"
(arXiv 2307.14596). No public code exists, so this is a reconstruction from the paper's
description (spec: ``models.md`` §2). Long horizons need multi-scale representations: the
encoder builds them cheaply (window attention + segment merging), the decoder reads them back
coarse-to-fine (cross-scale attention), and two-stage training keeps the two jobs apart.

Architecture (shapes for one batch; ``N = B·C`` because attention runs per channel with
shared weights — the channel identity enters through the spatial embedding):

1. **Segment embedding** — each channel's window ``[L]`` is cut into ``S = L/P`` segments and
   embedded with ``Linear(P→d)`` → ``[B, C, S, d]``.
2. **Spatial-temporal positional encoding** — added to every token: the channel's spatial
   embedding (:class:`~tsforge.models.layers.SpatialEmbedding`: coordinates when the data has
   them, else a learned per-channel table; shared with STPE-MLP), a learned segment-position
   embedding ``[S, d]`` and the calendar embedding
   (:class:`~tsforge.models.layers.CalendarEmbedding`) of each segment's *first* step —
   by default hour of day and day of week only, as in the spec (STID-style): with one or two
   years of training data, day-of-month and month tables let the model memorise dates
   (``calendar_terms="all"`` turns them on; the ETTm1 quick benchmark overfit with them).
3. **Hierarchical encoder** — ``K`` stages; stage ``k`` has ``M`` pre-LN Transformer layers with
   window self-attention over non-overlapping windows of ``W`` tokens, then (except after the
   last stage) segment merging: neighbour pairs concatenated → LayerNorm → ``Linear(2d→d)``,
   halving the length. Token counts ``S, S/2, …, S/2^(K−1)``; each stage's (layer-normed)
   output ``H^k`` is kept for the decoder.
4. **Intermediate head** — ``Linear(S_K·d → H)`` on the flattened top stage (or on all stages
   concatenated, ``head_input="all"``) → ``Ŷ_enc``.
5. **Decoder with cross-scale attention** — ``Ŷ_enc`` is segment-embedded again; for
   ``k = K…1`` (coarse to fine, the U-Net skips) ``decoder_layers`` blocks do self-attention over
   the decoder tokens, cross-attention (queries = decoder tokens, keys/values = ``H^k``) and an
   FFN; then ``Linear(d→P)`` per segment, added to ``Ŷ_enc`` (``residual=True``).
6. **Two-stage training** — :meth:`HUTFormer.training_schedule` returns two
   :class:`~tsforge.models.schedule.TrainStage`\\ s for the one training loop: stage ``encoder``
   trains embedding + encoder + intermediate head with the module in ``"encoder"`` mode
   (``forward`` returns ``Ŷ_enc``); stage ``decoder`` trains only the decoder's parameters
   with the module in ``"full"`` mode and the encoder frozen.

Choices made where the paper/spec is silent (all configurable):

* **Window padding.** ``W`` need not divide a stage's length: the last window is padded and the
  padded keys are masked out. ``W`` larger than the shortest stage, or an input length that
  ``segment_len·2^(stages−1)`` does not divide, cannot be built: :meth:`HUTFormer.prepare_config`
  replaces such a tiling by the nearest one that fits (with a warning when it changes an option
  the user named), and :meth:`HUTFormer.validate` refuses one that reaches it unreplaced.
* **Horizon padding.** ``H`` need not be a multiple of ``P``: ``Ŷ_enc`` is padded by repeating
  its last value to ``⌈H/P⌉·P`` for the decoder, and the output is cropped back to ``H``.
* **Decoder embedding.** The decoder has its *own* segment embedding and horizon-position
  embedding (they embed a prediction, not an observed window, and must train in stage 2) but
  reuses the frozen spatial and calendar embeddings (calendar of each horizon segment's first
  step, from ``y_cal``).
* **Decoder self-attention** is full (the horizon has only ``⌈H/P⌉`` tokens); cross-attention to
  ``H^k`` is full as well, which stays linear in ``L``.
* **Instance normalisation** (``revin=True``): each window is centred/scaled by its own mean
  and std before embedding and the forecast is mapped back. Not in the paper (its traffic data
  has little drift) but the LTSF benchmarks (ETT, Weather) drift strongly between train and
  test; PatchTST/DLinear-style models all normalise per window.
* **Frozen encoder in stage 2** is also kept in ``eval`` mode (no dropout) and run without
  autograd: the decoder refines a fixed, deterministic intermediate prediction.
* **Decoder output init.** With ``residual=True`` the final ``Linear(d→P)`` starts at zero, so
  stage 2 starts exactly from the stage-1 forecast.

Ablations: ``stages=1`` (no hierarchy), ``cross_scale=False`` (decoder without skips: self-
attention + FFN only), ``two_stage=False`` (one end-to-end stage on the final output).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import torch
import torch.nn.functional as F
from torch import nn

from tsforge.data.calendar import CALENDAR_TERMS
from tsforge.errors import ConfigError, TsforgeWarning
from tsforge.models.base import ModelContext, NeuralForecaster, check_at_least_one, check_model_options
from tsforge.models.layers import CalendarEmbedding, RevIN, SpatialEmbedding, resolve_spatial_mode
from tsforge.models.registry import register_model
from tsforge.models.schedule import TrainStage

if TYPE_CHECKING:
    from tsforge.training.config import TrainConfig

log = logging.getLogger(__name__)

__all__ = [
    "HUTFormer",
    "HUTFormerConfig",
    "HUTFormerNet",
    "TilingReplacedWarning",
    "WindowSelfAttention",
    "SegmentMerging",
    "stage_lengths",
]


@dataclass
class HUTFormerConfig:
    """HUTFormer hyper-parameters (defaults sized for CPU training)."""

    segment_len: int = 12  # P: steps per token
    d_model: int = 64  # d
    n_heads: int = 4
    stages: int = 3  # K (1 = no hierarchy)
    layers_per_stage: int = 1  # M
    window: int = 4  # W: tokens per attention window
    decoder_layers: int = 1  # decoder blocks per scale
    ffn_mult: int = 4
    dropout: float = 0.1
    head_input: str = "top"  # "top" (flatten H^K) | "all" (flatten every H^k, concatenated)
    cross_scale: bool = True  # False: decoder without cross-scale attention (ablation)
    residual: bool = True  # decoder output added to the intermediate prediction
    two_stage: bool = True  # False: one end-to-end stage (ablation)
    stage1_epochs: int | None = None  # None → TrainConfig.max_epochs
    stage2_epochs: int | None = None
    revin: bool = True  # per-window instance normalisation (the shared layers.RevIN)
    spatial: str = "auto"  # "auto" | "coords" | "learned" | "none"
    calendar_terms: str = "hour,dow"  # comma-separated subset of hour,dow,dom,month; "all"; "" = none


def calendar_terms(option: str, resolvable: tuple[str, ...]) -> tuple[str, ...]:
    """The calendar terms to embed: the requested ones the data frequency can resolve."""
    wanted = (
        CALENDAR_TERMS
        if option.strip() == "all"
        else tuple(t.strip() for t in option.split(",") if t.strip())
    )
    return tuple(t for t in wanted if t in resolvable)


def stage_lengths(input_len: int, segment_len: int, stages: int) -> list[int]:
    """Token count of every encoder stage (``S, S/2, …``), assuming a valid configuration."""
    s = input_len // segment_len
    return [s // 2**k for k in range(stages)]


# --------------------------------------------------------------------------- building blocks


class _Attention(nn.Module):
    """Multi-head attention projections around ``F.scaled_dot_product_attention``."""

    def __init__(self, d_model: int, n_heads: int, dropout: float) -> None:
        super().__init__()
        self.h = n_heads
        self.dh = d_model // n_heads
        self.q = nn.Linear(d_model, d_model)
        self.kv = nn.Linear(d_model, 2 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.p = dropout

    def forward(
        self, q_in: torch.Tensor, kv_in: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        # q_in [G, Lq, d], kv_in [G, Lk, d], mask broadcastable to [G, h, Lq, Lk] (True = attend)
        g, lq, _ = q_in.shape
        lk = kv_in.shape[1]
        q = self.q(q_in).view(g, lq, self.h, self.dh).transpose(1, 2)  # [G, h, Lq, dh]
        k, v = self.kv(kv_in).view(g, lk, 2, self.h, self.dh).permute(2, 0, 3, 1, 4)  # 2 × [G, h, Lk, dh]
        o = F.scaled_dot_product_attention(
            q, k, v, attn_mask=mask, dropout_p=self.p if self.training else 0.0
        )
        return self.out(o.transpose(1, 2).reshape(g, lq, self.h * self.dh))  # [G, Lq, d]


class WindowSelfAttention(nn.Module):
    """Self-attention restricted to non-overlapping windows of ``window`` tokens.

    Tokens are reshaped so every window is its own attention batch row; a token therefore cannot
    see anything outside its window (tested). A last, partial window is padded and its padded
    keys are masked.
    """

    def __init__(self, d_model: int, n_heads: int, window: int, dropout: float) -> None:
        super().__init__()
        self.window = window
        self.attn = _Attention(d_model, n_heads, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, s, d = x.shape  # [N, S, d]
        w = self.window
        n_win = math.ceil(s / w)
        pad = n_win * w - s
        mask = None
        if pad:
            x = F.pad(x, (0, 0, 0, pad))  # [N, nW·W, d]
            valid = torch.arange(n_win * w, device=x.device) < s  # [nW·W]
            # [N·nW, 1, 1, W]: each window row may only attend to its real tokens
            mask = valid.view(1, n_win, 1, 1, w).expand(n, -1, -1, -1, -1).reshape(n * n_win, 1, 1, w)
        xw = x.reshape(n * n_win, w, d)  # [N·nW, W, d]
        out = self.attn(xw, xw, mask)  # [N·nW, W, d]
        return out.reshape(n, n_win * w, d)[:, :s]  # [N, S, d]


class _FFN(nn.Sequential):
    def __init__(self, d_model: int, mult: int, dropout: float) -> None:
        super().__init__(
            nn.Linear(d_model, mult * d_model),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(mult * d_model, d_model),
        )


class _EncoderLayer(nn.Module):
    """Pre-LN Transformer layer with window self-attention."""

    def __init__(self, cfg: HUTFormerConfig) -> None:
        super().__init__()
        d = cfg.d_model
        self.norm1 = nn.LayerNorm(d)
        self.attn = WindowSelfAttention(d, cfg.n_heads, cfg.window, cfg.dropout)
        self.norm2 = nn.LayerNorm(d)
        self.ffn = _FFN(d, cfg.ffn_mult, cfg.dropout)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [N, S_k, d] → same
        x = x + self.drop(self.attn(self.norm1(x)))
        return x + self.drop(self.ffn(self.norm2(x)))


class SegmentMerging(nn.Module):
    """Concatenate neighbouring token pairs → LayerNorm(2d) → ``Linear(2d→d)``: halves the length."""

    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(2 * d_model)
        self.proj = nn.Linear(2 * d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, s, d = x.shape  # [N, S, d], S even (validated)
        pairs = x.reshape(n, s // 2, 2 * d)  # token 2i and 2i+1 side by side: [N, S/2, 2d]
        return self.proj(self.norm(pairs))  # [N, S/2, d]


class _DecoderLayer(nn.Module):
    """Pre-LN: self-attention over decoder tokens, cross-attention to one encoder scale, FFN."""

    def __init__(self, cfg: HUTFormerConfig) -> None:
        super().__init__()
        d = cfg.d_model
        self.norm1 = nn.LayerNorm(d)
        self.self_attn = _Attention(d, cfg.n_heads, cfg.dropout)
        self.cross = cfg.cross_scale
        if self.cross:
            self.norm2 = nn.LayerNorm(d)
            self.cross_attn = _Attention(d, cfg.n_heads, cfg.dropout)
        self.norm3 = nn.LayerNorm(d)
        self.ffn = _FFN(d, cfg.ffn_mult, cfg.dropout)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        # x [N, S_dec, d] decoder tokens; memory [N, S_k, d] encoder stage k (already normalised)
        h = self.norm1(x)
        x = x + self.drop(self.self_attn(h, h))
        if self.cross:
            x = x + self.drop(self.cross_attn(self.norm2(x), memory))
        return x + self.drop(self.ffn(self.norm3(x)))


# --------------------------------------------------------------------------- the network


class HUTFormerNet(nn.Module):
    """The network; ``forward(batch) -> [B, H, C]``.

    ``mode`` is ``"encoder"`` (return the intermediate prediction) or ``"full"``;
    ``encoder_frozen`` keeps the embedding/encoder/head in eval mode and out of autograd.
    """

    def __init__(self, context: ModelContext, cfg: HUTFormerConfig, spatial_mode: str) -> None:
        super().__init__()
        d, p = cfg.d_model, cfg.segment_len
        self.cfg = cfg
        self.input_len, self.horizon, self.p = context.input_len, context.horizon, p
        self.lengths = stage_lengths(context.input_len, p, cfg.stages)
        self.dec_len = math.ceil(context.horizon / p)
        self.mode = "full"
        self.encoder_frozen = False
        self.revin = RevIN() if cfg.revin else None

        # ---- embedding (stage 1)
        self.value_emb = nn.Linear(p, d)
        self.pos_emb = nn.Parameter(torch.randn(self.lengths[0], d) * 0.02)
        self.spatial = SpatialEmbedding(d, spatial_mode, context.n_channels, context.coords)
        self.calendar = CalendarEmbedding(d, calendar_terms(cfg.calendar_terms, context.calendar_terms))
        self.emb_drop = nn.Dropout(cfg.dropout)
        # ---- hierarchical encoder (stage 1)
        self.stages = nn.ModuleList(
            nn.ModuleList(_EncoderLayer(cfg) for _ in range(cfg.layers_per_stage)) for _ in range(cfg.stages)
        )
        self.stage_norms = nn.ModuleList(nn.LayerNorm(d) for _ in range(cfg.stages))
        self.merges = nn.ModuleList(SegmentMerging(d) for _ in range(cfg.stages - 1))
        # ---- intermediate head (stage 1)
        head_tokens = self.lengths[-1] if cfg.head_input == "top" else sum(self.lengths)
        self.head_drop = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(head_tokens * d, context.horizon)
        # ---- decoder (stage 2)
        self.dec_value_emb = nn.Linear(p, d)
        self.dec_pos_emb = nn.Parameter(torch.randn(self.dec_len, d) * 0.02)
        self.dec_emb_drop = nn.Dropout(cfg.dropout)
        self.dec_layers = nn.ModuleList(
            nn.ModuleList(_DecoderLayer(cfg) for _ in range(cfg.decoder_layers)) for _ in range(cfg.stages)
        )
        self.dec_norm = nn.LayerNorm(d)
        self.dec_out = nn.Linear(d, p)
        if cfg.residual:
            nn.init.zeros_(self.dec_out.weight)
            nn.init.zeros_(self.dec_out.bias)

    # ---- parameter groups (the two training stages)

    def _encoder_modules(self) -> list[nn.Module]:
        return [
            self.value_emb,
            self.spatial,
            self.calendar,
            self.stages,
            self.stage_norms,
            self.merges,
            self.head,
        ]

    def encoder_parameters(self) -> Iterator[nn.Parameter]:
        """Embedding + encoder + intermediate head: what stage 1 trains."""
        yield self.pos_emb
        for m in self._encoder_modules():
            yield from m.parameters()

    def decoder_parameters(self) -> Iterator[nn.Parameter]:
        """Decoder embedding, blocks and output projection: what stage 2 trains."""
        yield self.dec_pos_emb
        for m in (self.dec_value_emb, self.dec_layers, self.dec_norm, self.dec_out):
            yield from m.parameters()

    def set_phase(self, phase: str) -> None:
        """``encoder`` (stage 1), ``decoder`` (stage 2: full output, encoder frozen) or ``joint``."""
        if phase not in ("encoder", "decoder", "joint"):
            raise ValueError(f"unknown phase {phase!r}")
        self.mode = "encoder" if phase == "encoder" else "full"
        self.encoder_frozen = phase == "decoder"
        self.train(self.training)

    def train(self, mode: bool = True) -> HUTFormerNet:
        super().train(mode)
        if self.encoder_frozen:
            for m in self._encoder_modules() + [self.emb_drop, self.head_drop]:
                m.train(False)
        return self

    # ---- forward pieces

    def _embed(
        self,
        segs: torch.Tensor,
        value_emb: nn.Linear,
        pos: torch.Tensor,
        drop: nn.Dropout,
        cal: torch.Tensor | None,
        batch: dict,
    ) -> torch.Tensor:
        # segs [B, C, S, P] → tokens [B·C, S, d]
        b, c, s, _ = segs.shape
        h = value_emb(segs) + pos  # [B, C, S, d]
        sp = self.spatial(batch["channels"], batch.get("coords"))  # [B, C, d] | None
        if sp is not None:
            h = h + sp.unsqueeze(2)
        ce = self.calendar(cal)  # [B, S, d] | None
        if ce is not None:
            h = h + ce.unsqueeze(1)
        return drop(h).reshape(b * c, s, -1)

    def encode(self, batch: dict, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Normalised input ``x [B, L, C]`` → (``Ŷ_enc [B, C, H]``, stage outputs ``[B·C, S_k, d]``)."""
        b, L, c = x.shape
        segs = x.transpose(1, 2).reshape(b, c, self.lengths[0], self.p)  # [B, C, S, P]
        cal = batch.get("x_cal")
        cal = None if cal is None else cal[:, :: self.p]  # first step of each segment: [B, S, 4]
        h = self._embed(segs, self.value_emb, self.pos_emb, self.emb_drop, cal, batch)  # [B·C, S, d]
        outs: list[torch.Tensor] = []
        for k, layers in enumerate(self.stages):
            for layer in cast(nn.ModuleList, layers):  # a ModuleList of ModuleLists (see __init__)
                h = layer(h)  # [B·C, S_k, d]
            outs.append(self.stage_norms[k](h))
            if k < len(self.merges):
                h = self.merges[k](h)  # [B·C, S_k/2, d]
        flat = outs[-1] if self.cfg.head_input == "top" else torch.cat(outs, dim=1)
        pred = self.head(self.head_drop(flat.flatten(1)))  # [B·C, H]
        return pred.view(b, c, self.horizon), outs

    def decode(self, batch: dict, y_enc: torch.Tensor, outs: list[torch.Tensor]) -> torch.Tensor:
        """Refine ``Ŷ_enc [B, C, H]`` with cross-scale attention (coarse → fine) → ``[B, C, H]``."""
        b, c, H = y_enc.shape
        pad = self.dec_len * self.p - H
        y_in = F.pad(y_enc, (0, pad), mode="replicate") if pad else y_enc  # [B, C, S_dec·P]
        segs = y_in.reshape(b, c, self.dec_len, self.p)  # [B, C, S_dec, P]
        cal = batch.get("y_cal")
        cal = None if cal is None else cal[:, :: self.p]  # [B, S_dec, 4]
        h = self._embed(
            segs, self.dec_value_emb, self.dec_pos_emb, self.dec_emb_drop, cal, batch
        )  # [B·C, S_dec, d]
        for k in reversed(range(len(outs))):  # U-Net order: coarse to fine
            for layer in cast(nn.ModuleList, self.dec_layers[k]):
                h = layer(h, outs[k])
        out = self.dec_out(self.dec_norm(h)).reshape(b, c, self.dec_len * self.p)[..., :H]  # [B, C, H]
        return y_enc + out if self.cfg.residual else out

    def forward(self, batch: dict) -> torch.Tensor:
        x = batch["x"]  # [B, L, C]
        stats = None
        if self.revin is not None:
            x, stats = self.revin.normalize(x)
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.encoder_frozen):
            y_enc, outs = self.encode(batch, x)  # [B, C, H]
        y = y_enc if self.mode == "encoder" else self.decode(batch, y_enc, outs)
        y = y.transpose(1, 2)  # [B, H, C]
        if self.revin is not None and stats is not None:
            y = self.revin.denormalize(y, stats)
        return y


# --------------------------------------------------------------------------- the forecaster


def _net(module: nn.Module) -> HUTFormerNet:
    """The stage callbacks' module: the training loop passes the one ``build_module`` made."""
    assert isinstance(module, HUTFormerNet), f"expected HUTFormerNet, got {type(module).__name__}"
    return module


def _set_phase(phase: str) -> Callable[[nn.Module], None]:
    def on_start(module: nn.Module) -> None:
        _net(module).set_phase(phase)

    return on_start


def _encoder_params(module: nn.Module) -> Iterator[nn.Parameter]:
    return _net(module).encoder_parameters()


def _decoder_params(module: nn.Module) -> Iterator[nn.Parameter]:
    return _net(module).decoder_parameters()


def _suggestions(L: int, P: int, K: int, W: int) -> str:
    """Nearby valid (segment_len, stages) choices for a refused configuration."""

    def ok(p: int, k: int) -> bool:
        return p >= 1 and L % (p * 2 ** (k - 1)) == 0 and L // (p * 2 ** (k - 1)) >= W

    seg = sorted((p for p in range(2, min(L, 96) + 1) if ok(p, K)), key=lambda p: (abs(p - P), p))[:2]
    stg = [k for k in range(1, 8) if ok(P, k)]
    parts = []
    if seg:
        parts.append("segment_len " + " or ".join(map(str, sorted(seg))))
    if stg:
        parts.append(f"{max(stg)} stage{'s' if max(stg) > 1 else ''}")
    return (
        ("; use " + " or ".join(parts))
        if parts
        else f"; choose an input_len that is a multiple of {P * 2 ** (K - 1)}"
    )


def _tiling_fits(input_len: int, segment_len: int, stages: int, window: int) -> bool:
    unit = segment_len * 2 ** (max(1, stages) - 1)
    return input_len % unit == 0 and input_len // unit >= window


def fit_tiling(
    input_len: int, stages: int, window: int = 4, segment_len: int | None = None
) -> dict[str, int]:
    """A tiling that fits ``input_len`` (see :meth:`HUTFormer.prepare_config`): the same stages
    and window where some segment length allows (then fewer stages, then a smaller window), with
    the segment length nearest the one asked for (``segment_len``; the larger of two as near), or,
    where none was asked, the largest of 12, 8, 6, 4, 3, 2, 1.

    Why nearest: ``-o segment_len=10`` on a 168-step input was replaced by 6 although 7 tiles it,
    while the warning and the README speak of the nearest tiling."""
    if segment_len is None:
        segments: tuple[int, ...] = (12, 8, 6, 4, 3, 2, 1)
    else:
        asked = max(1, int(segment_len))
        segments = tuple(sorted(range(1, max(12, asked) + 1), key=lambda p: (abs(p - asked), -p)))
    for w in range(max(1, window), 0, -1):
        for k in range(max(1, stages), 0, -1):
            for seg in segments:
                if _tiling_fits(input_len, seg, k, w):
                    return {"segment_len": seg, "stages": k, "window": w}
    return {"segment_len": 1, "stages": 1, "window": 1}


class TilingReplacedWarning(TsforgeWarning):
    """Tiling options the user named do not tile the input length: the nearest tiling that fits
    trains instead (:meth:`HUTFormer.prepare_config`)."""


def _say_tiling_replaced(
    asked: dict[str, int], fitted: dict[str, int], input_len: int, *, named: Collection[str]
) -> None:
    """Say that the tiling ``asked`` was replaced by ``fitted``: a :class:`TilingReplacedWarning`
    where it changes options the user ``named``, else an info line (the defaults adapted to a new
    input length, which the user did not choose).

    Why a warning and not a log line: one ``tsforge train`` builds the model twice (the check
    before its MLflow run opens, then the fit), and the log line was printed by each build; the
    command line prints a tsforge warning's text once however often it is made, and a Python
    caller gets one per place and text as from any warning. Where only one build happens (a
    forecaster built alone, a tuning trial) that one still says it.
    """
    changed = [k for k in asked if fitted[k] != asked[k]]
    text = (
        "segment_len={segment_len}, stages={stages}, window={window} do not tile input_len {L} (a multiple of "
        "segment_len·2^(stages−1) leaving at least window tokens in the last stage is needed); using "
    ).format(**asked, L=input_len) + ", ".join(
        f"{k}={fitted[k]}" + (f" (asked {asked[k]})" if k in named else "") for k in changed
    )
    if any(k in named for k in changed):
        warnings.warn(TilingReplacedWarning(text), stacklevel=3)
    else:
        log.info(text)


#: Segment lengths, attention windows and stage counts a tuning run tries (those the input window
#: can tile: see :func:`tiling_choices`).
SEGMENT_CHOICES = (6, 12)
WINDOW_CHOICES = (2, 3, 4)
MAX_STAGES = 3


def max_stages(input_len: int, segment_len: int, window: int, cap: int = MAX_STAGES) -> int:
    """The most stages (at most ``cap``, at least 1) whose tiling of ``input_len`` fits.

    A tiling that fits with ``k`` stages fits with fewer (its unit divides the larger one and
    leaves more tokens), so the stages that fit are ``1 … max_stages``.
    """
    fits = [k for k in range(1, max(1, cap) + 1) if _tiling_fits(input_len, segment_len, k, window)]
    return max(fits, default=1)


def _tilings(input_len: int, segments: tuple[int, ...], windows: tuple[int, ...]) -> int:
    """How many (segment, stages, window) tilings of ``input_len`` a search over these offers."""
    return sum(
        max_stages(input_len, p, w) for p in segments for w in windows if _tiling_fits(input_len, p, 1, w)
    )


def tiling_choices(input_len: int | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The segment lengths and windows a search offers for an ``input_len``-step window.

    Why: Optuna draws the three tiling options one by one and cannot change a categorical
    parameter's choices within a study, so the search offers segments and windows of which
    *every* pair tiles the window with one stage, and draws the stages last, up to
    :func:`max_stages` of the pair drawn; of the sets that qualify, the one giving the most
    distinct tilings is offered. A tiling the window could not hold was replaced by
    :meth:`HUTFormer.prepare_config` before training, so on 24-step windows 13 of 18 drawn
    tilings trained another one under the recorded params. A window no searched segment tiles
    is offered the segment :func:`fit_tiling` picks. ``None`` (no data known): every choice.
    """
    if input_len is None:
        return SEGMENT_CHOICES, WINDOW_CHOICES
    best: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
    for top in SEGMENT_CHOICES:
        segments = tuple(p for p in SEGMENT_CHOICES if p <= top and input_len % p == 0)
        windows = tuple(w for w in WINDOW_CHOICES if all(_tiling_fits(input_len, p, 1, w) for p in segments))
        if segments and windows and _tilings(input_len, segments, windows) > _tilings(input_len, *best):
            best = (segments, windows)
    if best[0]:
        return best
    fitted = fit_tiling(input_len, 1, min(WINDOW_CHOICES))
    segment = fitted["segment_len"]
    windows = tuple(w for w in WINDOW_CHOICES if _tiling_fits(input_len, segment, 1, w))
    return (segment,), windows or (fitted["window"],)


def _search_space(trial: Any, context: ModelContext | None = None) -> dict[str, dict[str, Any]]:
    """Tuning space: only tilings ``context``'s input window holds (:func:`tiling_choices`), the
    stages drawn after the segment and window they must fit (an integer range may change between
    trials, a categorical's choices may not). Without a ``context`` every choice is offered."""
    segments, windows = tiling_choices(None if context is None else context.input_len)
    d_model = trial.suggest_categorical("d_model", [32, 64, 128])
    layers = trial.suggest_int("layers_per_stage", 1, 2)
    window = trial.suggest_categorical("window", list(windows))
    segment = trial.suggest_categorical("segment_len", list(segments))
    top = MAX_STAGES if context is None else max_stages(context.input_len, int(segment), int(window))
    return {
        "model": {
            "d_model": d_model,
            "stages": trial.suggest_int("stages", 1, top),
            "layers_per_stage": layers,
            "window": window,
            "segment_len": segment,
            "dropout": trial.suggest_float("dropout", 0.0, 0.3),
        },
        "train": {"lr": trial.suggest_float("lr", 1e-4, 3e-3, log=True)},
    }


@register_model(
    "hutformer",
    kind="neural",
    summary="Hierarchical U-Net Transformer: window attention + segment merging, cross-scale decoder, "
    "two-stage training (Shao et al. 2023).",
    search_space=_search_space,
)
class HUTFormer(NeuralForecaster):
    """HUTFormer forecaster (see the module docstring for the architecture and the choices made)."""

    Config = HUTFormerConfig
    needs_known_channels = True  # with spatial="coords", unknown channels work when coordinates are sent
    default_train_config = {
        "lr": 1e-3,
        "batch_size": 32,
        "max_epochs": 10,
        "patience": 3,
        "lr_schedule": "cosine",
    }
    budget_config = {"d_model": 32, "stages": 2}

    @classmethod
    def prepare_config(cls, options: dict[str, Any], context: ModelContext, *, seed: int) -> dict[str, Any]:
        """Pick a tiling that fits ``input_len`` when the requested one does not.

        The input must split into ``segment_len * 2**(stages-1)``-step units with at least
        ``window`` tokens in the shortest stage. When it does not, the nearest tiling that fits
        (the segment length nearest the one asked for, else the largest of the usual ones ≤ 12;
        then fewer stages, then a smaller window; :func:`fit_tiling`) replaces the three
        options, with a log line saying so: a run with a new input length (the recommender's,
        a user's ``--input``) trains instead of stopping on a shape rule. When it changes one the
        caller named (``-o segment_len=7``), the replacement is a :class:`TilingReplacedWarning`,
        which the command line prints (once, though a run builds the model twice): it was an info
        line, so the options asked for were dropped without a word.
        """
        # the build's own refusal of an unknown key or a value of the wrong type comes first:
        # int() below read segment_len=2.7 as 2 (and 3.5 stages as 3) where they did not tile
        check_model_options(cls.Config, options, cls.name)
        out = dict(options)
        defaults = HUTFormerConfig()
        seg = int(out.get("segment_len", defaults.segment_len))
        stages = int(out.get("stages", defaults.stages))
        window = int(out.get("window", defaults.window))
        # refused before the tiling reads them: segment_len=0 divided by zero there, and -5 was
        # "replaced" by 1 as if it were a length that does not tile
        tiling = SimpleNamespace(segment_len=seg, stages=stages, window=window)
        check_at_least_one(tiling, ("segment_len", "stages", "window"))
        if not _tiling_fits(context.input_len, seg, stages, window):
            # the segment length asked for is kept as near as the input allows; the default one
            # is replaced as before (the largest of the usual lengths that tiles)
            fitted = fit_tiling(context.input_len, stages, window, seg if "segment_len" in options else None)
            asked = {"segment_len": seg, "stages": stages, "window": window}
            _say_tiling_replaced(asked, fitted, context.input_len, named=options.keys())
            out.update(fitted)
        return out

    def validate(self) -> None:
        c, L = self.config, self.context.input_len
        check_at_least_one(
            c,
            (
                "segment_len",
                "d_model",
                "n_heads",
                "stages",
                "layers_per_stage",
                "window",
                "decoder_layers",
                "ffn_mult",
            ),
        )
        if c.d_model % c.n_heads:
            raise ConfigError(
                f"d_model {c.d_model} must be divisible by n_heads {c.n_heads}; "
                f"use n_heads {max(h for h in range(1, c.n_heads + 1) if c.d_model % h == 0)}",
                field="n_heads",
            )
        if not 0.0 <= c.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {c.dropout}", field="dropout")
        if c.head_input not in ("top", "all"):
            raise ConfigError(f"head_input must be 'top' or 'all', got {c.head_input!r}", field="head_input")
        for name in ("stage1_epochs", "stage2_epochs"):
            v = getattr(c, name)
            if v is not None and int(v) < 1:
                raise ConfigError(f"{name} must be at least 1 (or None), got {v}", field=name)
        if c.calendar_terms.strip() != "all":
            bad = sorted({t.strip() for t in c.calendar_terms.split(",") if t.strip()} - set(CALENDAR_TERMS))
            if bad:
                raise ConfigError(
                    f"unknown calendar term(s) {bad}; use a comma-separated subset of {','.join(CALENDAR_TERMS)}, "
                    "'all' or ''",
                    field="calendar_terms",
                )
        P, K, W = c.segment_len, c.stages, c.window
        unit = P * 2 ** (K - 1)
        if L % unit:
            raise ConfigError(
                f"input_len {L} must be divisible by segment_len·2^(stages−1) = {P}·{2 ** (K - 1)} = {unit}"
                + _suggestions(L, P, K, W),
                field="segment_len",
            )
        shortest = L // unit
        if W > shortest:
            raise ConfigError(
                f"window {W} is larger than the shortest stage ({shortest} tokens = input_len {L} / "
                f"segment_len {P} / 2^{K - 1}); use window ≤ {shortest}"
                + _suggestions(L, P, K, W).replace("; use", " or"),
                field="window",
            )
        self._spatial_mode = resolve_spatial_mode(c.spatial, self.context.coords)

    def build_module(self) -> nn.Module:
        self.needs_known_channels = self._spatial_mode == "learned"
        return HUTFormerNet(self.context, self.config, self._spatial_mode)

    def training_schedule(self, train_config: TrainConfig) -> list[TrainStage]:
        """Two stages (encoder, then decoder with the encoder frozen), or one joint stage."""
        c = self.config
        if not c.two_stage:
            return [TrainStage(name="joint", max_epochs=c.stage1_epochs, on_start=_set_phase("joint"))]
        return [
            TrainStage(
                name="encoder",
                max_epochs=c.stage1_epochs,
                trainable=_encoder_params,
                on_start=_set_phase("encoder"),
            ),
            TrainStage(
                name="decoder",
                max_epochs=c.stage2_epochs,
                trainable=_decoder_params,
                on_start=_set_phase("decoder"),
            ),
        ]
