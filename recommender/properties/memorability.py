"""Memorability: the Hurst exponent by rescaled-range (R/S) analysis, kind 'change' (ARIES §1.2 (5)).

The window is treated as increments. For each chunk size w (int(10^a) for a = 1, 1.25, ... below
log10(T - 1), plus T) the window is cut into non-overlapping full chunks; each chunk gives
R/S with R the range of the cumulative mean-removed sum and S the sample std (ddof=1); zero
ratios are dropped, and so are chunks of equal values (exactly R = S = 0; computed, both are
rounding residue and their ratio is noise that changed with the data's scale); H is the
least-squares slope of log10(mean R/S) on log10(w). As in the lineage (which runs under
``numpy.seterr('raise')``), a chunk size with no usable chunk makes the whole estimate fail and
H = 0.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["HURST_OFFSET", "HURST_MIN_LENGTH", "hurst_window_sizes", "hurst_batch"]

#: constant the lineage adds before the analysis (irrelevant for 'change', kept for fidelity).
HURST_OFFSET = 2e-5
#: shortest window with a Hurst estimate (the lineage's package refuses shorter series; H = 0).
HURST_MIN_LENGTH = 100


def hurst_window_sizes(n: int, min_window: int = 10) -> list[int]:
    """Chunk sizes used for a series of length ``n``: 10, 17, 31, 56, 100, 177, 316, 336 for n=336."""
    sizes = [int(10**a) for a in np.arange(math.log10(min_window), math.log10(n - 1), 0.25)]
    sizes.append(n)
    return sizes


def hurst_batch(x: np.ndarray) -> np.ndarray:
    """Hurst exponent of every row of ``x [B, T]`` (T >= 100, else 0 like the lineage's error path)."""
    x = np.asarray(x, dtype=np.float64) + HURST_OFFSET
    b, n = x.shape
    if n < HURST_MIN_LENGTH:
        return np.zeros(b)
    sizes = hurst_window_sizes(n)
    log_rs = np.empty((b, len(sizes)))
    failed = np.zeros(b, dtype=bool)
    for k, w in enumerate(sizes):
        m = n // w
        chunks = x[:, : m * w].reshape(b, m, w)
        dev = chunks - (np.sum(chunks, axis=2, keepdims=True) / w)
        z = np.cumsum(dev, axis=2)
        r = z.max(axis=2) - z.min(axis=2)
        s = np.std(chunks, axis=2, ddof=1)
        # a chunk of equal values has R = S = 0 exactly; in floats both are rounding residue
        # (~1e-17) whose ratio (~ w) would enter the mean and make H depend on the data's scale
        flat = chunks.max(axis=2) == chunks.min(axis=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            rs = np.where(flat | (r == 0) | (s == 0), 0.0, r / s)
        used = rs != 0
        count = used.sum(axis=1)
        failed |= count == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            log_rs[:, k] = np.log10(np.where(count > 0, rs.sum(axis=1) / np.maximum(count, 1), 1.0))
    lw = np.log10(np.asarray(sizes, dtype=np.float64))
    lwc = lw - lw.mean()
    slope = (log_rs - log_rs.mean(axis=1, keepdims=True)) @ lwc / (lwc @ lwc)
    return np.where(failed | ~np.isfinite(slope), 0.0, slope)
