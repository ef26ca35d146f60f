"""Stationarity, batched: four ADF tests and two KPSS tests that must all agree (ARIES §1.2 (1)).

Why batched: ``statsmodels.adfuller`` fits ``maxlag + 1`` OLS models per call to pick the lag by
AIC/BIC, so six tests on one window cost ~80 regressions. Here the lag search for a whole batch
is one QR per window of the largest design (every smaller model is a column prefix, see
:func:`recommender.properties._batch.nested_rss`), and the final regression is solved once per
distinct selected lag. The statistics, lag rules, MacKinnon p-values and the KPSS table
interpolation follow statsmodels exactly, so labels agree with the reference implementation.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm
from statsmodels.tsa.adfvalues import _tau_largeps, _tau_maxs, _tau_mins, _tau_smallps, _tau_stars

from recommender.properties._batch import linear_detrend, nested_rss
from tsforge.quiet import quiet_libraries

__all__ = [
    "ADF_TESTS",
    "KPSS_TESTS",
    "adf_batch",
    "kpss_batch",
    "mackinnon_pvalue",
    "stationarity_batch",
]

#: (series, regression, autolag) of the four ADF tests; series "d" is the first difference.
ADF_TESTS: tuple[tuple[str, str, str], ...] = (
    ("d", "n", "aic"),
    ("d", "c", "bic"),
    ("x", "ct", "aic"),
    ("x", "ctt", "bic"),
)
#: regressions of the two KPSS tests (run on the window itself).
KPSS_TESTS: tuple[str, ...] = ("ct", "c")

_KPSS_CRIT = {"c": [0.347, 0.463, 0.574, 0.739], "ct": [0.119, 0.146, 0.176, 0.216]}
_KPSS_PVALS = [0.10, 0.05, 0.025, 0.01]


def mackinnon_pvalue(stat: np.ndarray, regression: str) -> np.ndarray:
    """Vectorised MacKinnon (1994) approximate p-value for N=1, as ``statsmodels.mackinnonp``."""
    stat = np.asarray(stat, dtype=np.float64)
    small = np.asarray(_tau_smallps[regression][0])
    large = np.asarray(_tau_largeps[regression][0])
    # the polynomials only serve finite statistics (±inf and NaN are decided below); evaluating
    # them at inf would warn "invalid value" once per batch with a flat window in it
    ok = np.isfinite(stat)
    finite = np.where(ok, stat, 0.0)
    p_small = np.where(ok, norm.cdf(np.polynomial.polynomial.polyval(finite, small)), np.nan)
    p_large = np.where(ok, norm.cdf(np.polynomial.polynomial.polyval(finite, large)), np.nan)
    p = np.where(stat <= _tau_stars[regression][0], p_small, p_large)
    p = np.where(stat > _tau_maxs[regression][0], 1.0, p)
    p = np.where(stat < _tau_mins[regression][0], 0.0, p)
    return np.where(np.isnan(stat), np.nan, p)


def _trend_columns(nobs: int, regression: str) -> np.ndarray:
    """Deterministic regressors ``[nobs, ntrend]``; t is rescaled to (0, 1] (fits are invariant)."""
    if regression == "n":
        return np.zeros((nobs, 0))
    t = np.arange(1, nobs + 1, dtype=np.float64) / nobs
    cols = [np.ones(nobs)]
    if "t" in regression:
        cols.append(t)
    if regression == "ctt":
        cols.append(t**2)
    return np.stack(cols, axis=1)


def _adf_design(y: np.ndarray, lags: int, regression: str) -> tuple[np.ndarray, np.ndarray]:
    """ADF regression for ``lags`` lagged differences: design ``[B, nobs, 1+lags+ntrend]``, target.

    Column 0 is the lagged level (its t-value is the ADF statistic), then the lagged differences,
    then the deterministic terms — the row layout of ``statsmodels.adfuller``.
    """
    b, n = y.shape
    xdiff = np.diff(y, axis=1)
    nobs = n - 1 - lags
    # window [b, t, m] = xdiff[b, t + m]; lag j of row t (time lags + t) is xdiff[lags + t - j].
    lagged = (
        np.lib.stride_tricks.sliding_window_view(xdiff[:, : n - 2], lags, axis=1)[:, :, ::-1]
        if lags
        else None
    )
    trend = _trend_columns(nobs, regression)
    parts = [y[:, lags : n - 1, None]]
    if lagged is not None:
        parts.append(lagged)
    if trend.shape[1]:
        parts.append(np.broadcast_to(trend, (b, nobs, trend.shape[1])))
    design = np.concatenate(parts, axis=2)
    return design, xdiff[:, lags:]


#: relative RSS below which an ADF row is treated as a (numerically) perfect fit and handed to
#: statsmodels (see :func:`adf_batch`).
DEGENERATE_FIT = 1e-8


def _adf_statsmodels(y: np.ndarray, regression: str, autolag: str) -> tuple[float, int, bool]:
    """statsmodels' adfuller on one row: (stat, usedlag, ok); ok=False where it raises."""
    from statsmodels.tsa.stattools import adfuller

    try:
        with quiet_libraries(FutureWarning):  # adfuller's FutureWarning names this line
            res = adfuller(y, regression=regression, autolag="AIC" if autolag == "aic" else "BIC")
        return float(res[0]), int(res[2]), True
    except Exception:  # noqa: BLE001 - the reference maps any failure to "not stationary"
        return float("nan"), -1, False


def _level_tstat(design: np.ndarray, target: np.ndarray) -> np.ndarray:
    """t-value of the first column (the lagged level) of OLS ``target ~ design`` per row.

    The level column is moved last so that its t-value is ``last / sigma`` from
    :func:`nested_rss` (the signed root of the RSS drop it causes, over the residual std).
    """
    reordered = np.concatenate([design[:, :, 1:], design[:, :, :1]], axis=2)
    rss, rank, last = nested_rss(reordered, target)
    dof = design.shape[1] - rank[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return last / np.sqrt(rss[:, -1] / dof)


def adf_batch(y: np.ndarray, regression: str = "c", autolag: str = "aic") -> dict[str, np.ndarray]:
    """Augmented Dickey–Fuller test on every row of ``y [B, n]``.

    Reproduces ``adfuller(row, regression=..., autolag=...)``: maxlag = ceil(12 (n/100)^(1/4)),
    capped at n//2 - ntrend - 1; the lag is chosen on a common sample by AIC or BIC (ties go to
    the shorter lag); the statistic is re-estimated on the longest sample for the chosen lag.
    Rows whose lag search finds a numerically perfect fit (:data:`DEGENERATE_FIT`) are computed
    by statsmodels itself.

    Returns:
        dict with ``stat``, ``pvalue``, ``usedlag`` and ``valid`` (False where statsmodels would
        raise, i.e. a constant row); invalid rows have NaN statistic and p-value.
    """
    y = np.asarray(y, dtype=np.float64)
    b, n = y.shape
    ntrend = 0 if regression == "n" else len(regression)
    maxlag = int(np.ceil(12.0 * np.power(n / 100.0, 1 / 4.0)))
    maxlag = min(n // 2 - ntrend - 1, maxlag)
    valid = y.max(axis=1) != y.min(axis=1)
    stat = np.full(b, np.nan)
    usedlag = np.full(b, -1, dtype=np.int64)
    if maxlag < 0 or not valid.any():
        return {"stat": stat, "pvalue": stat.copy(), "usedlag": usedlag, "valid": valid & (maxlag >= 0)}
    idx = np.flatnonzero(valid)
    yv = y[idx]
    # Lag search: trend columns first, then level, then lags (statsmodels' fullRHS order).
    design, target = _adf_design(yv, maxlag, regression)
    design = np.concatenate([design[:, :, 1 + maxlag :], design[:, :, : 1 + maxlag]], axis=2)
    nobs = target.shape[1]
    rss, k, _ = nested_rss(design, target)
    rss, k = rss[:, ntrend:], k[:, ntrend:]  # models with ntrend + 1 + lag columns
    with np.errstate(divide="ignore"):
        llf = -nobs / 2.0 * (np.log(2 * np.pi) + np.log(rss / nobs) + 1.0)
    penalty = 2.0 * k if autolag == "aic" else np.log(nobs) * k
    ic = -2.0 * llf + penalty
    best = np.argmin(ic, axis=1)
    # Near-perfect fits (e.g. a window that is an exact sum of a few sinusoids, or an exactly
    # periodic pattern, satisfies a linear recurrence) have a round-off-level RSS and often
    # collinear lag columns, so the lag choice and the statistic hinge on arithmetic that only
    # statsmodels' own pinv reproduces: its minimum-norm fit gives a huge, decisive t-value,
    # while the batched Cholesky/QR route gives a ratio of two rounding residues whose p-value
    # can land anywhere (period-3 patterns came out p = 0.67 against statsmodels' 0). Every such
    # row is therefore handed to statsmodels itself, below. They are rare in real windows (1 of
    # 1,500 car_parts windows) but common in smooth synthetic draws (a fifth of the synthetic
    # monthly collection); only the windows still alive after the KPSS tests get here.
    degenerate = rss.min(axis=1) <= DEGENERATE_FIT * np.einsum("bn,bn->b", target, target)
    for lag in np.unique(best):
        sel = np.flatnonzero(best == lag)
        d, t = _adf_design(yv[sel], int(lag), regression)
        stat[idx[sel]] = _level_tstat(d, t)
        usedlag[idx[sel]] = lag
    pvalue = mackinnon_pvalue(stat, regression)
    for j in np.flatnonzero(degenerate):
        stat[idx[j]], usedlag[idx[j]], ok = _adf_statsmodels(yv[j], regression, autolag)
        valid[idx[j]] = ok
        pvalue[idx[j]] = mackinnon_pvalue(stat[idx[j]], regression)
    return {"stat": stat, "pvalue": pvalue, "usedlag": usedlag, "valid": valid}


def _lag_products(resid: np.ndarray, max_lag: int) -> np.ndarray:
    """``out[:, i] = sum_t r_t r_{t-i}`` for ``i = 0..max_lag`` (direct sums, like statsmodels)."""
    n = resid.shape[1]
    out = np.empty((resid.shape[0], max_lag + 1))
    out[:, 0] = np.einsum("bn,bn->b", resid, resid)
    for i in range(1, max_lag + 1):
        out[:, i] = np.einsum("bn,bn->b", resid[:, i:], resid[:, : n - i])
    return out


def kpss_batch(x: np.ndarray, regression: str = "c") -> dict[str, np.ndarray]:
    """KPSS test (nlags='auto', Hobijn et al. 1998) on every row of ``x [B, n]``.

    The p-value is interpolated in the KPSS table and therefore clipped to [0.01, 0.1], exactly
    as statsmodels does.
    """
    x = np.asarray(x, dtype=np.float64)
    b, n = x.shape
    resid = linear_detrend(x) if regression == "ct" else x - x.mean(axis=1, keepdims=True)
    covlags = int(np.power(n, 2.0 / 9.0))
    prods = _lag_products(resid, max(covlags, 1))
    s0 = prods[:, 0] / n
    s1 = np.zeros(b)
    for i in range(1, covlags + 1):
        p = prods[:, i] / (n / 2.0)
        s0 = s0 + p
        s1 = s1 + i * p
    with np.errstate(divide="ignore", invalid="ignore"):
        s_hat = s1 / s0
        gamma = 1.1447 * np.power(s_hat * s_hat, 1.0 / 3.0)
        nlags_f = gamma * np.power(n, 1.0 / 3.0)
    nlags = np.minimum(np.where(np.isfinite(nlags_f), nlags_f, 0).astype(np.int64), n - 1)
    max_nl = int(nlags.max()) if b else 0
    if max_nl > covlags:
        prods = _lag_products(resid, max_nl)
    lag_i = np.arange(prods.shape[1])
    weights = np.where(
        (lag_i[None, :] >= 1) & (lag_i[None, :] <= nlags[:, None]),
        2.0 * (1.0 - lag_i[None, :] / (nlags[:, None] + 1.0)),
        0.0,
    )
    weights[:, 0] = 1.0
    s_hat_var = np.einsum("bi,bi->b", prods, weights) / n
    eta = np.sum(np.cumsum(resid, axis=1) ** 2, axis=1) / n**2
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = eta / s_hat_var
    pvalue = np.interp(stat, _KPSS_CRIT[regression], _KPSS_PVALS)
    pvalue = np.where(np.isnan(stat), np.nan, pvalue)
    return {"stat": stat, "pvalue": pvalue, "nlags": nlags}


def stationarity_batch(x: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """1 where all six tests say stationary (ADF p < alpha, KPSS p > alpha), else 0.

    The label is a conjunction, so each test only runs on the windows that passed the previous
    ones: the cheap KPSS tests go first and the ADF tests (and their rare statsmodels fallback
    for numerically perfect fits) only see the survivors. The result is identical to running all
    six tests.

    Args:
        x: ``[B, T]`` z-normalised windows.
    """
    x = np.asarray(x, dtype=np.float64)
    alive = np.ones(x.shape[0], dtype=bool)
    for regression in KPSS_TESTS:
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        alive[idx] = kpss_batch(x[idx], regression)["pvalue"] > alpha
    for series, regression, autolag in ADF_TESTS:
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        y = np.diff(x[idx], axis=1) if series == "d" else x[idx]
        res = adf_batch(y, regression, autolag)
        alive[idx] = res["valid"] & (res["pvalue"] < alpha)
    return alive.astype(np.int64)
