"""Reference property implementation: one window at a time, straight from the spec (ARIES §1).

Why keep a slow path: it is the definition. Each property calls the library the lineage used
(statsmodels ADF/KPSS/STL/MSTL/het_arch, pymannkendall) on one window, the Hurst R/S estimate is
written out literally, and the fast batched path (:mod:`recommender.properties.fast`) is tested
and benchmarked against it. Do not optimise this module.
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import numpy as np

from recommender.properties.anomaly import ANOMALY_THRESHOLD
from recommender.properties.scedasticity import PERFECT_FIT_TOL
from recommender.properties.seasonality import REL_THRESHOLD, TOP_K
from tsforge.quiet import quiet_libraries

__all__ = [
    "PropertyColumns",
    "CONSTANT_DEFAULTS",
    "MIN_LENGTH",
    "check_length",
    "reference_properties",
    "reference_batch",
    "ref_stationarity",
    "ref_trend",
    "ref_seasonality",
    "ref_volatility",
    "ref_hurst",
    "ref_scedasticity",
    "ref_anomaly",
]

#: Shortest window profiled (the first rung of the panel ladders; the fast path uses it too).
#: Why a floor: below 6 values the seasonality test is undefined (STL period T//2 < 2, no FFT
#: bin from index 2), below 5 the ARCH-LM test has no lag (p = NaN); windows this short say
#: nothing about the properties.
MIN_LENGTH = 12


def check_length(n: int) -> None:
    """Refuse windows shorter than :data:`MIN_LENGTH` with a message that says so (the fast and
    the reference path alike)."""
    if n < MIN_LENGTH:
        raise ValueError(
            f"property windows need at least {MIN_LENGTH} values, got {n} (the seasonality and "
            "ARCH tests are undefined below that)"
        )


#: The properties of a batch of ``B`` windows: a ``[B]`` array per property and ``constant``, and
#: ``periods``, the kept seasonal periods of each window (a list of tuples, not an array).
PropertyColumns: TypeAlias = "dict[str, np.ndarray | list[tuple[int, ...]]]"

#: Properties of a constant window (spec §1.1).
CONSTANT_DEFAULTS: dict[str, float] = {
    "stationarity": 1,
    "trend_label": 0,
    "tau": 0.0,
    "season_count": 0,
    "season_strength": 0.0,
    "volatility": 0.0,
    "hurst": 0.0,
    "scedasticity": 1,
    "arch_pvalue": 1.0,
    "anomaly_ratio": 0.0,
}


def ref_stationarity(x: np.ndarray) -> int:
    """1 if ADF(d,'n',AIC), ADF(d,'c',BIC), ADF(x,'ct',AIC), ADF(x,'ctt',BIC) all reject (p<0.05)
    and KPSS(x,'ct'), KPSS(x,'c') both do not (p>0.05); any exception gives 0."""
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import adfuller, kpss

    if np.max(x) == np.min(x):
        return 1
    d = np.diff(x)
    try:
        # both name this function's lines as where they warn (stacklevel 2)
        with quiet_libraries(FutureWarning, InterpolationWarning):
            ok = (
                adfuller(d, regression="n", autolag="AIC")[1] < 0.05
                and adfuller(d, regression="c", autolag="BIC")[1] < 0.05
                and adfuller(x, regression="ct", autolag="AIC")[1] < 0.05
                and adfuller(x, regression="ctt", autolag="BIC")[1] < 0.05
                and kpss(x, regression="ct", nlags="auto")[1] > 0.05
                and kpss(x, regression="c", nlags="auto")[1] > 0.05
            )
    except Exception:  # noqa: BLE001 - the spec maps any failure to "not stationary"
        return 0
    return int(ok)


def ref_trend(x: np.ndarray) -> tuple[int, float]:
    """Mann–Kendall label (1 / -1 / 0) and Kendall τ via ``pymannkendall.original_test``."""
    import pymannkendall as mk

    res = mk.original_test(x, alpha=0.05)
    label = {"increasing": 1, "decreasing": -1}.get(res.trend, 0)
    return label, float(res.Tau)


def _stl_strength(x: np.ndarray, periods: list[int]) -> float:
    from statsmodels.tsa.seasonal import MSTL, STL

    jump = 5 if x.shape[0] > 200 else 1
    if len(periods) == 1:
        res = STL(x, period=periods[0], trend_jump=jump, seasonal_jump=jump).fit()
        seasonal = np.asarray(res.seasonal)
    else:
        res = MSTL(x, periods=periods, stl_kwargs={"trend_jump": jump, "seasonal_jump": jump}).fit()
        seasonal = np.sum(np.asarray(res.seasonal), axis=1)
    resid = np.asarray(res.resid)
    return max(0.0, 1.0 - np.var(resid) / np.var(seasonal + resid))


def ref_seasonality(x: np.ndarray, tau: float | None = None) -> tuple[int, float, tuple[int, ...]]:
    """Season count, strength and kept periods (spec §1.2 (3), clean peak/power pairing)."""
    from statsmodels.tsa.seasonal import STL

    n = x.shape[0]
    if tau is not None and abs(tau) == 1.0:
        return 0, 0.0, ()
    s = np.asarray(STL(x, period=n // 2).fit().seasonal)
    power = np.abs(np.fft.fft(s))
    freqs = np.fft.fftfreq(n)
    pos_f, pos_p = freqs[2 : n // 2], power[2 : n // 2]
    top = np.argsort(pos_p)[-TOP_K:][::-1]
    kept: dict[int, float] = {}
    for i in top:
        p = int(np.round(1.0 / pos_f[i]))
        if p < n // 2 - 1:
            kept[p] = max(kept.get(p, -1.0), float(pos_p[i]))
    if not kept:
        return 0, 0.0, ()
    thr = REL_THRESHOLD * max(kept.values())
    periods = [p for p, a in kept.items() if a >= thr]
    return len(periods), float(_stl_strength(x, periods)), tuple(periods)


def ref_volatility(x: np.ndarray) -> float:
    """cv = std(x - min) / mean(x - min), rounded to 4 decimals (0 if the mean < 1e-5)."""
    shifted = x - np.min(x)
    mu = np.mean(shifted)
    if mu < 1e-5:
        return 0.0
    return round(float(np.std(shifted) / mu), 4)


def _rs(chunk: np.ndarray) -> float:
    if np.max(chunk) == np.min(chunk):  # R = S = 0 exactly; in floats, a ratio of rounding residue
        return 0.0
    incs = chunk
    dev = incs - np.sum(incs) / len(incs)
    z = np.cumsum(dev)
    r = max(z) - min(z)
    s = np.std(incs, ddof=1)
    if r == 0 or s == 0:
        return 0.0
    return r / s


def ref_hurst(x: np.ndarray) -> float:
    """Hurst exponent by R/S analysis, kind 'change' (spec §1.2 (5)); any failure gives 0."""
    series = x + 2e-5
    n = len(series)
    try:
        if n < 100:
            raise ValueError("series too short")
        with np.errstate(all="raise"):
            sizes = [int(10**a) for a in np.arange(math.log10(10), math.log10(n - 1), 0.25)]
            sizes.append(n)
            rs_means = []
            for w in sizes:
                rs = []
                for start in range(0, n, w):
                    if start + w > n:
                        break
                    v = _rs(series[start : start + w])
                    if v != 0:
                        rs.append(v)
                if not rs:  # the package's np.mean([]) under seterr('raise'): no estimate
                    raise FloatingPointError("no chunk with a defined R/S")
                rs_means.append(np.mean(rs))
            a = np.vstack([np.log10(sizes), np.ones(len(rs_means))]).T
            h, _ = np.linalg.lstsq(a, np.log10(rs_means), rcond=-1)[0]
    except (FloatingPointError, ValueError, np.linalg.LinAlgError):
        return 0.0
    return float(h)


def ref_scedasticity(x: np.ndarray) -> tuple[int, float]:
    """ARCH-LM on the linearly detrended window: (1 if p > 0.05 else 0, p); exception → p = 0."""
    import statsmodels.api as sm
    from statsmodels.stats.diagnostic import het_arch

    t = np.arange(len(x), dtype=np.float64)
    resid = np.nan_to_num(sm.OLS(x, sm.add_constant(t)).fit().resid, nan=0.0)
    if np.max(np.abs(resid)) < PERFECT_FIT_TOL:  # documented deviation, see scedasticity.py
        return 1, 1.0
    try:
        p = float(het_arch(resid)[1])
    except Exception:  # noqa: BLE001 - spec: an exception means heteroscedastic
        p = 0.0
    return int(p > 0.05), p


def ref_anomaly(x: np.ndarray) -> float:
    """Share of points with |x - mean| / std > 1.645, rounded to 4 decimals."""
    std = np.std(x)
    if std == 0:
        return 0.0
    return round(float(np.mean(np.abs(x - np.mean(x)) / std > ANOMALY_THRESHOLD)), 4)


def reference_properties(window: np.ndarray) -> dict[str, Any]:
    """All properties of one raw window (z-normalised here first).

    A window with a NaN or ±inf has no properties (all NaN); a window of equal values
    (max == min: the computed std of a flat 0.1 window is 2.8e-17, not 0) gets the spec's
    constant defaults. The window is first divided by a power of two near its largest
    |value| — exact, so the z-score is unchanged, but 1e200 no longer overflows the variance.
    """
    w = np.asarray(window, dtype=np.float64)
    check_length(w.shape[0])
    if not np.all(np.isfinite(w)):
        return {**dict.fromkeys(CONSTANT_DEFAULTS, float("nan")), "constant": False, "periods": ()}
    if np.max(w) == np.min(w):
        return {**CONSTANT_DEFAULTS, "constant": True, "periods": ()}
    w = w / np.ldexp(1.0, np.frexp(np.max(np.abs(w)))[1])
    x = (w - np.mean(w)) / np.std(w)
    with quiet_libraries():
        label, tau = ref_trend(x)
        count, strength, periods = ref_seasonality(x, tau)
        lm_label, lm_p = ref_scedasticity(x)
        return {
            "stationarity": ref_stationarity(x),
            "trend_label": label,
            "tau": tau,
            "season_count": count,
            "season_strength": strength,
            "volatility": ref_volatility(x),
            "hurst": ref_hurst(x),
            "scedasticity": lm_label,
            "arch_pvalue": lm_p,
            "anomaly_ratio": ref_anomaly(x),
            "constant": False,
            "periods": periods,
        }


def reference_batch(windows: np.ndarray) -> PropertyColumns:
    """:func:`reference_properties` over the rows of ``windows [B, T]``, stacked into arrays."""
    rows = [reference_properties(w) for w in np.atleast_2d(np.asarray(windows, dtype=np.float64))]
    keys = list(CONSTANT_DEFAULTS) + ["constant"]
    out: PropertyColumns = {k: np.asarray([r[k] for r in rows]) for k in keys}
    out["periods"] = [r["periods"] for r in rows]
    return out
