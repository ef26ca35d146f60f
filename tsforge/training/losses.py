"""Masked point losses: missing targets (``y_mask == False``) never contribute."""

from __future__ import annotations

import torch

__all__ = ["masked_loss", "masked_mse", "masked_mae"]


def masked_loss(
    pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, kind: str = "mse"
) -> torch.Tensor:
    """Mean of the pointwise error over points where ``mask`` is true (0 if none are)."""
    err = pred - target
    err = err * err if kind == "mse" else err.abs()
    m = mask.to(err.dtype)
    return (err * m).sum() / m.sum().clamp_min(1.0)


def masked_mse(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return masked_loss(pred, target, mask, "mse")


def masked_mae(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return masked_loss(pred, target, mask, "mae")
