"""Shared batched helpers: window normalisation, linear detrending and nested least squares.

Why a separate module: every fast property works on the same ``[B, T]`` float64 matrix of
z-normalised windows, and three of them (ADF, KPSS 'ct', ARCH-LM) need the same two linear
algebra tools — the residual of a linear trend fit and the residual sum of squares of OLS fits.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_windows",
    "power_of_two_scale",
    "znormalise",
    "linear_detrend",
    "batched_ols_rss",
    "nested_rss",
]


def as_windows(windows: np.ndarray) -> np.ndarray:
    """Return ``windows`` as a C-contiguous ``[B, T]`` float64 array (1-D input = one window)."""
    arr = np.asarray(windows, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"windows must be [n_windows, length], got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def power_of_two_scale(w: np.ndarray) -> np.ndarray:
    """``[B, 1]`` powers of two near each row's largest finite ``|value|`` (1 for an all-zero row).

    Why: dividing by a power of two is exact in floating point, so the z-score of ``w / scale``
    is bit-identical to that of ``w`` wherever the latter is representable, while the variance of
    rows around 1e200 (whose squares overflow to inf) or 1e-200 (whose squares underflow) stays
    finite and accurate.
    """
    finite = np.where(np.isfinite(w), np.abs(w), 0.0)
    _, exponent = np.frexp(finite.max(axis=1, keepdims=True))
    return np.ldexp(1.0, exponent)


def znormalise(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Z-score each window; returns ``(x, constant)``.

    Constant windows are returned as zeros (std replaced by 1, as in the BLAST lineage) and
    flagged so callers can give them the spec's default properties. "Constant" means all values
    are equal (max == min), not ``std == 0``: the computed std of a flat window of 0.1 is
    2.8e-17, because its mean rounds, and that window used to be profiled as rounding noise.
    """
    w = as_windows(windows)
    w = w / power_of_two_scale(w)
    constant = w.max(axis=1) == w.min(axis=1)
    mean = w.mean(axis=1, keepdims=True)
    std = np.where(constant[:, None], 1.0, w.std(axis=1, keepdims=True))
    return np.where(constant[:, None], 0.0, (w - mean) / std), constant


def linear_detrend(x: np.ndarray) -> np.ndarray:
    """Residuals of the OLS fit of each row on ``[1, t]`` (closed form, exact)."""
    n = x.shape[-1]
    t = np.arange(1, n + 1, dtype=np.float64)
    tc = t - t.mean()
    xm = x.mean(axis=-1, keepdims=True)
    slope = ((x - xm) @ tc) / (tc @ tc)
    return x - xm - slope[..., None] * tc


def batched_ols_rss(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Residual sum of squares of OLS of ``y [B, n]`` on ``design [B, n, k]`` (all columns)."""
    return nested_rss(design, y)[0][:, -1]


def _nested_rss_lstsq(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slow exact fallback for one rank-deficient design: pinv-style least squares per prefix."""
    k = design.shape[1]
    rss = np.empty(k)
    rank = np.empty(k, dtype=np.int64)
    for j in range(1, k + 1):
        beta, _, rk, _ = np.linalg.lstsq(design[:, :j], y, rcond=None)
        r = y - design[:, :j] @ beta
        rss[j - 1] = r @ r
        rank[j - 1] = rk
    return rss, rank


#: columns whose squared Cholesky pivot falls below this share of their norm make a row "ill-conditioned".
ILL_CONDITIONED = 1e-6


def nested_rss(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RSS (and rank) of the OLS fits on every column prefix of ``design`` at once.

    Why: an information-criterion lag search fits nested models (the first k columns, for every
    k). One Cholesky factor ``L`` of the Gram matrix gives them all: the Cholesky factor of a
    leading block is the leading block of ``L``, so with ``w = L^{-1} X^T y`` the prefix-k
    residual sum of squares is ``y^T y - sum_{j < k} w_j^2``, and ``w_K`` is the signed square root
    of the RSS drop due to the last column (so ``w_K / sigma`` is that column's t-value). Gram
    matrices come from batched BLAS matmuls, ~20x faster than a batched QR.

    Rows where the Gram route is inaccurate — a column nearly in the span of the previous ones
    (squared pivot < :data:`ILL_CONDITIONED` x its norm, typical of smooth windows whose lagged
    differences are nearly collinear with the level) — are redone with Householder QR (residuals
    formed directly), and truly rank-deficient rows with an SVD least-squares fit that also reports
    the rank, as statsmodels' pinv-based OLS does.

    Returns:
        ``(rss, rank, last)``: ``rss``/``rank`` are ``[B, K]`` (entry ``k - 1`` for the first ``k``
        columns); ``last`` is ``[B]``, the signed root of the RSS drop from the last column.
    """
    b, _, k = design.shape
    xt = design.transpose(0, 2, 1)
    gram = xt @ design
    xty = (xt @ y[..., None])[..., 0]
    yy = np.einsum("bn,bn->b", y, y)
    rank = np.broadcast_to(np.arange(1, k + 1), (b, k)).copy()
    try:
        chol = np.linalg.cholesky(gram)
        failed = np.zeros(b, dtype=bool)
    except np.linalg.LinAlgError:
        chol = np.zeros_like(gram)
        failed = np.zeros(b, dtype=bool)
        for i in range(b):
            try:
                chol[i] = np.linalg.cholesky(gram[i])
            except np.linalg.LinAlgError:
                failed[i] = True
                chol[i] = np.eye(k)
    pivots = np.diagonal(chol, axis1=1, axis2=2) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = pivots / np.diagonal(gram, axis1=1, axis2=2)
    redo = failed | (np.nan_to_num(ratio, nan=0.0).min(axis=1) < ILL_CONDITIONED)
    w = np.linalg.solve(chol, xty[..., None])[..., 0]
    rss = np.maximum(yy[:, None] - np.cumsum(w**2, axis=1), 0.0)
    last = w[:, -1].copy()
    rows = np.flatnonzero(redo)
    if rows.size:
        q, r = np.linalg.qr(design[rows])
        c = np.einsum("bnk,bn->bk", q, y[rows])
        resid = y[rows] - np.einsum("bnk,bk->bn", q, c)
        rss_full = np.einsum("bn,bn->b", resid, resid)
        tail = np.cumsum((c**2)[:, ::-1], axis=1)[:, ::-1]
        tail = np.concatenate([tail[:, 1:], np.zeros((rows.size, 1))], axis=1)
        rss[rows] = rss_full[:, None] + tail
        rdiag = np.abs(np.diagonal(r, axis1=1, axis2=2))
        last[rows] = c[:, -1] * np.sign(r[:, -1, -1])
        deficient = rdiag.min(axis=1) <= 1e-12 * rdiag.max(axis=1)
        for j in np.flatnonzero(deficient):
            rss[rows[j]], rank[rows[j]] = _nested_rss_lstsq(design[rows[j]], y[rows[j]])
    return rss, rank, last
