"""Trend, batched: the Mann–Kendall test (label and Kendall τ), as ``pymannkendall.original_test``.

Why batched: the MK score S is a sum of signs over all n(n-1)/2 ordered pairs. Per window that
is a Python-level loop in pymannkendall; here it is one vectorised comparison per chunk of
windows, and the tie correction of Var(S) comes from run lengths of the sorted rows.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

__all__ = ["mann_kendall_batch"]

_CHUNK = 64  # windows per broadcast block: 64 x 336 x 336 bytes ~ 7 MB per boolean array


def _tie_counts(x: np.ndarray) -> np.ndarray:
    """``[B, n]`` sizes of the groups of equal values in each row (zeros pad unused slots)."""
    b, n = x.shape
    xs = np.sort(x, axis=1)
    new_group = np.ones((b, n), dtype=bool)
    new_group[:, 1:] = xs[:, 1:] != xs[:, :-1]
    gid = np.cumsum(new_group, axis=1) - 1 + (np.arange(b) * n)[:, None]
    return np.bincount(gid.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)


def _mk_score(x: np.ndarray, tied_pairs: np.ndarray) -> np.ndarray:
    """S = #{i<j: x_j > x_i} - #{i<j: x_j < x_i} = 2 #{i<j: x_j > x_i} - (pairs - tied pairs)."""
    n = x.shape[1]
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    up = np.empty(x.shape[0])
    for start in range(0, x.shape[0], _CHUNK):
        xc = x[start : start + _CHUNK]
        later_gt = (xc[:, None, :] > xc[:, :, None]) & upper  # [b, i, j]: x_j > x_i for j > i
        up[start : start + _CHUNK] = np.count_nonzero(later_gt, axis=(1, 2))
    return 2 * up - (n * (n - 1) / 2 - tied_pairs)


def mann_kendall_batch(x: np.ndarray, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """Mann–Kendall trend test on every row of ``x [B, n]``.

    Returns:
        dict with ``label`` (1 increasing, -1 decreasing, 0 no trend), ``tau`` (Kendall τ =
        S / (n(n-1)/2)), ``z``, ``pvalue`` and ``s``.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[1]
    counts = _tie_counts(x)
    s = _mk_score(x, np.sum(counts * (counts - 1) / 2, axis=1))
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(counts * (counts - 1) * (2 * counts + 5), axis=1)) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var_s), np.where(s < 0, (s + 1) / np.sqrt(var_s), 0.0))
    pvalue = 2 * (1 - norm.cdf(np.abs(z)))
    h = np.abs(z) > norm.ppf(1 - alpha / 2)
    label = np.where(h & (z > 0), 1, np.where(h & (z < 0), -1, 0)).astype(np.int64)
    tau = s / (0.5 * n * (n - 1))
    return {"label": label, "tau": tau, "z": z, "pvalue": pvalue, "s": s}
