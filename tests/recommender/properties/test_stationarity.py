"""Batched ADF/KPSS against statsmodels, and the stationarity label on known series."""

import warnings

import numpy as np
import pytest
from statsmodels.tsa.adfvalues import mackinnonp
from statsmodels.tsa.stattools import adfuller, kpss

from recommender.properties._batch import znormalise
from recommender.properties.stationarity import (
    ADF_TESTS,
    adf_batch,
    kpss_batch,
    mackinnon_pvalue,
    stationarity_batch,
)


def _mixed(n=12, length=336, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    rows = [
        rng.standard_normal(length),
        np.cumsum(rng.standard_normal(length)),
        np.sin(2 * np.pi * t / 24) + 0.2 * rng.standard_normal(length),
        0.01 * t + rng.standard_normal(length),
        np.cumsum(np.cumsum(rng.standard_normal(length))),  # smooth: ill-conditioned ADF designs
        np.round(np.cumsum(rng.standard_normal(length)), 0),  # many ties
    ]
    while len(rows) < n:
        rows.append(np.cumsum(rng.standard_normal(length)) * 0.2 + rng.standard_normal(length))
    return znormalise(np.stack(rows))[0]


@pytest.mark.parametrize("series,regression,autolag", ADF_TESTS)
def test_adf_matches_statsmodels(series, regression, autolag):
    x = _mixed()
    y = np.diff(x, axis=1) if series == "d" else x
    fast = adf_batch(y, regression, autolag)
    for i, row in enumerate(y):
        stat, p, lag = adfuller(row, regression=regression, autolag=autolag.upper())[:3]
        assert fast["usedlag"][i] == lag
        assert fast["stat"][i] == pytest.approx(stat, rel=1e-6, abs=1e-8)
        assert fast["pvalue"][i] == pytest.approx(p, rel=1e-5, abs=1e-10)


@pytest.mark.parametrize("regression", ["c", "ct"])
def test_kpss_matches_statsmodels(regression):
    x = _mixed()
    fast = kpss_batch(x, regression)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, row in enumerate(x):
            stat, p, lags, _ = kpss(row, regression=regression, nlags="auto")
            assert fast["nlags"][i] == lags
            assert fast["stat"][i] == pytest.approx(stat, rel=1e-9)
            assert fast["pvalue"][i] == pytest.approx(p, rel=1e-9)


@pytest.mark.parametrize("regression", ["n", "c", "ct", "ctt"])
def test_mackinnon_pvalue_vectorised(regression):
    stats = np.linspace(-30, 5, 71)
    expected = [mackinnonp(s, regression=regression, N=1) for s in stats]
    np.testing.assert_allclose(mackinnon_pvalue(stats, regression), expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("regression", ["n", "c", "ct", "ctt"])
def test_mackinnon_pvalue_of_infinite_and_missing_statistics_without_warnings(regression):
    """A flat window gives an infinite statistic: the p-values are statsmodels' (1 or NaN for
    +inf, 0 for -inf), NaN stays NaN, and nothing warns (a batch with one flat window used to
    print numpy's "invalid value")."""
    stats = np.array([np.inf, -np.inf, np.nan, -2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = mackinnon_pvalue(stats, regression)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = [mackinnonp(s, regression=regression, N=1) for s in stats]
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    assert p[1] == 0.0 and np.isnan(p[2])


def test_constant_row_is_invalid_like_statsmodels():
    y = np.vstack([np.ones(100), np.random.default_rng(0).standard_normal(100)])
    res = adf_batch(y, "c", "aic")
    assert res["valid"].tolist() == [False, True]
    assert np.isnan(res["pvalue"][0])


def test_white_noise_is_stationary_and_random_walk_is_not():
    rng = np.random.default_rng(3)
    noise = znormalise(rng.standard_normal((10, 336)))[0]
    walks = znormalise(np.cumsum(rng.standard_normal((10, 336)), axis=1))[0]
    assert stationarity_batch(noise).sum() >= 8  # each KPSS has a 5 % false-alarm rate
    assert stationarity_batch(walks).sum() <= 1
