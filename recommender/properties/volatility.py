"""Volatility: the coefficient of variation of the min-shifted window, ``cv = std / (mean - min)``.

On a z-normalised window this equals ``1 / |min(x)|``: how many standard deviations the lowest
point sits below the mean (ARIES §1.2 (4)). Rounded to 4 decimals; 0 when the shifted mean is
below 1e-5, as in the BLAST lineage.
"""

from __future__ import annotations

import numpy as np

__all__ = ["volatility_batch"]


def volatility_batch(x: np.ndarray) -> np.ndarray:
    """cv of every row of ``x [B, T]``."""
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.min(axis=1, keepdims=True)
    mu = shifted.mean(axis=1)
    sigma = shifted.std(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mu < 1e-5, 0.0, sigma / mu)
    return np.round(cv, 4)
