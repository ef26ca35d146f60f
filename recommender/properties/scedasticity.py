"""Scedasticity: Engle's ARCH-LM test on the linearly detrended window (ARIES §1.2 (6)).

Label 1 (homoscedastic) when the LM p-value exceeds 0.05. The auxiliary regression of the
squared residuals on a constant and their ``min(10, T // 5)`` lags is solved for all windows at
once with a batched QR; ``LM = nobs * R^2`` against chi2(nlags), as ``statsmodels.het_arch``.

Deviation, documented: when the detrended residuals are numerically zero (a perfect straight
line; max |e| < 1e-8 on the z-scale) the test is undefined — statsmodels then runs on
floating-point noise and its verdict is arbitrary. Both our paths return p = 1 (homoscedastic),
which matches the lineage's observation that straight lines fall in the homoscedastic group.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from recommender.properties._batch import batched_ols_rss, linear_detrend

__all__ = ["PERFECT_FIT_TOL", "arch_lm_batch"]

PERFECT_FIT_TOL = 1e-8


def arch_lm_batch(x: np.ndarray, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """ARCH-LM test on every row of ``x [B, T]``.

    Returns:
        dict with ``lm``, ``pvalue`` and ``label`` (1 homoscedastic, 0 heteroscedastic).
    """
    x = np.asarray(x, dtype=np.float64)
    b, n = x.shape
    resid = np.nan_to_num(linear_detrend(x), nan=0.0)
    e2 = resid**2
    nlags = min(10, n // 5)
    y = e2[:, nlags:]
    nobs = y.shape[1]
    cols = [np.ones((b, nobs))] + [e2[:, nlags - j : n - j] for j in range(1, nlags + 1)]
    design = np.stack(cols, axis=2)
    rss = batched_ols_rss(design, y)
    tss = np.sum((y - y.mean(axis=1, keepdims=True)) ** 2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lm = nobs * (1.0 - rss / tss)
    pvalue = chi2.sf(lm, nlags)
    perfect = np.abs(resid).max(axis=1) < PERFECT_FIT_TOL
    pvalue = np.where(perfect, 1.0, pvalue)
    label = (pvalue > alpha).astype(np.int64)
    return {"lm": lm, "pvalue": pvalue, "label": label}
