"""Shared batched helpers: window normalisation, linear detrending and nested least squares.

Why a separate module: every fast property works on the same ``[B, T]`` float64 matrix of
z-normalised windows, and three of them (ADF, KPSS 'ct', ARCH-LM) need the same two linear
algebra tools — the residual of a linear trend fit and the residual sum of squares of OLS fits.
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_windows", "znormalise", "linear_detrend", "batched_ols_rss", "nested_rss"]


def as_windows(windows: np.ndarray) -> np.ndarray:
    """Return ``windows`` as a C-contiguous ``[B, T]`` float64 array (1-D input = one window)."""
    arr = np.asarray(windows, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"windows must be [n_windows, length], got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def znormalise(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Z-score each window; returns ``(x, constant)``.

    Constant windows (std 0) are returned unchanged apart from centring (std replaced by 1, as in
    the BLAST lineage) and flagged so callers can give them the spec's default properties.
    """
    w = as_windows(windows)
    mean = w.mean(axis=1, keepdims=True)
    std = w.std(axis=1, keepdims=True)
    constant = std[:, 0] == 0
    std = np.where(std == 0, 1.0, std)
    return (w - mean) / std, constant


def linear_detrend(x: np.ndarray) -> np.ndarray:
    """Residuals of the OLS fit of each row on ``[1, t]`` (closed form, exact)."""
    n = x.shape[-1]
    t = np.arange(1, n + 1, dtype=np.float64)
    tc = t - t.mean()
    xm = x.mean(axis=-1, keepdims=True)
    slope = ((x - xm) @ tc) / (tc @ tc)
    return x - xm - slope[..., None] * tc


def batched_ols_rss(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Residual sum of squares of OLS of ``y [B, n]`` on ``design [B, n, k]`` via batched QR."""
    q, _ = np.linalg.qr(design)
    qy = np.einsum("bnk,bn->bk", q, y)
    resid = y - np.einsum("bnk,bk->bn", q, qy)
    return np.einsum("bn,bn->b", resid, resid)


def nested_rss(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    """RSS of the OLS fits on every column prefix of ``design`` at once.

    Why: an information-criterion lag search fits nested models (the first k columns, for every
    k). One QR of the full design gives them all: with ``Q^T y = c``, the prefix-k residual sum of
    squares is ``RSS_full + sum_{j >= k} c_j^2``.

    Returns:
        ``[B, K]`` where entry ``k - 1`` is the RSS of the fit on the first ``k`` columns.
    """
    q, _ = np.linalg.qr(design)
    c = np.einsum("bnk,bn->bk", q, y)
    resid = y - np.einsum("bnk,bk->bn", q, c)
    rss_full = np.einsum("bn,bn->b", resid, resid)
    c2 = c**2
    # tail[:, k] = sum_{j >= k} c_j^2 ; prefix of k columns leaves out columns k..K-1.
    tail = np.cumsum(c2[:, ::-1], axis=1)[:, ::-1]
    tail = np.concatenate([tail[:, 1:], np.zeros((c.shape[0], 1))], axis=1)
    return rss_full[:, None] + tail
