"""Masked losses: missing targets (``y_mask == False``) never contribute.

Kinds: ``"mse"``, ``"mae"`` and the pinball (quantile) loss ``"pinball"`` (the median) or
``"pinball:<q>"`` (the ``q`` quantile, ``0 < q < 1``). A model trained with ``pinball:0.9``
forecasts the 0.9 quantile instead of the mean — the native-uncertainty option of every neural
model, in the one training loop (``TrainConfig(loss="pinball:0.9", val_metric="pinball:0.9")``;
the kind is one string so that the loop and every loss strategy pass it on unchanged).
"""

from __future__ import annotations

import torch

from tsforge.errors import ConfigError

__all__ = [
    "check_loss_kind",
    "masked_loss",
    "masked_mse",
    "masked_mae",
    "masked_pinball",
    "pinball_quantile",
    "LOSS_KINDS",
]

LOSS_KINDS = ("mse", "mae", "pinball", "pinball:<q>")


def pinball_quantile(kind: str) -> float | None:
    """The quantile of a ``"pinball[:q]"`` kind (0.5 for plain ``pinball``), None for other kinds.

    Raises a ``ConfigError`` for a malformed or out-of-range quantile.
    """
    if kind == "pinball":
        return 0.5
    if not kind.startswith("pinball:"):
        return None
    try:
        q = float(kind.split(":", 1)[1])
    except ValueError:
        q = float("nan")
    if not 0 < q < 1:
        raise ConfigError(
            f"pinball loss needs a quantile in (0, 1), e.g. pinball:0.9; got {kind!r}", field="loss"
        )
    return q


def check_loss_kind(kind: str) -> None:
    """Refuse a loss kind that is not one of :data:`LOSS_KINDS` (naming the field ``loss``).

    Why: :func:`masked_loss` computed the absolute error for any kind but ``"mse"`` and the
    pinball ones, so a typo or an unsupported kind (``"rmse"``, ``"huber"``) trained MAE silently.
    """
    if kind in ("mse", "mae") or pinball_quantile(kind) is not None:
        return
    raise ConfigError(
        f"loss kind must be 'mse', 'mae', 'pinball' or 'pinball:<q>' (0 < q < 1), got {kind!r}", field="loss"
    )


def masked_pinball(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, q: float) -> torch.Tensor:
    """Mean pinball loss ``max(q e, (q − 1) e)``, ``e = target − pred``, over observed points."""
    err = target - pred
    loss = torch.maximum(q * err, (q - 1.0) * err)
    m = mask.to(loss.dtype)
    return (loss * m).sum() / m.sum().clamp_min(1.0)


def masked_loss(
    pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, kind: str = "mse"
) -> torch.Tensor:
    """Mean of the pointwise error over points where ``mask`` is true (0 if none are)."""
    q = pinball_quantile(kind)
    if q is not None:
        return masked_pinball(pred, target, mask, q)
    if kind not in ("mse", "mae"):
        check_loss_kind(kind)
    err = pred - target
    err = err * err if kind == "mse" else err.abs()
    m = mask.to(err.dtype)
    return (err * m).sum() / m.sum().clamp_min(1.0)


def masked_mse(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """:func:`masked_loss` with squared error (the default training loss)."""
    return masked_loss(pred, target, mask, "mse")


def masked_mae(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """:func:`masked_loss` with absolute error (what panels train global models on)."""
    return masked_loss(pred, target, mask, "mae")
