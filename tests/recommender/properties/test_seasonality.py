"""Exact STL/MSTL operators and the seasonality property on known series."""

import numpy as np
import pytest
from statsmodels.tsa.seasonal import MSTL, STL

from recommender.properties._stl_operators import mstl_batch, stl_batch
from recommender.properties.seasonality import seasonality_batch, select_periods
from recommender.properties.trend import mann_kendall_batch


def test_stl_operator_equals_statsmodels():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 120))
    seas, trend = stl_batch(x, 12, 7, 5)
    for i in range(3):
        res = STL(x[i], period=12, trend_jump=5, seasonal_jump=5).fit()
        np.testing.assert_allclose(seas[i], res.seasonal, atol=1e-10)
        np.testing.assert_allclose(trend[i], res.trend, atol=1e-10)


def test_mstl_replay_equals_statsmodels():
    rng = np.random.default_rng(1)
    t = np.arange(120)
    x = np.sin(2 * np.pi * t / 12) + 0.5 * np.sin(2 * np.pi * t / 5) + 0.3 * rng.standard_normal((2, 120))
    seas, resid = mstl_batch(x, (12, 5), jump=5)
    for i in range(2):
        res = MSTL(x[i], periods=[12, 5], stl_kwargs={"trend_jump": 5, "seasonal_jump": 5}).fit()
        np.testing.assert_allclose(seas[i], np.asarray(res.seasonal).sum(axis=1), atol=1e-10)
        np.testing.assert_allclose(resid[i], res.resid, atol=1e-10)


def test_clean_pairing_merges_duplicate_periods():
    periods = np.array([[24, 24, 12], [200, 30, 7]])
    amps = np.array([[10.0, 9.0, 1.0], [50.0, 10.0, 1.0]])
    chosen = select_periods(periods, amps, 336)
    assert chosen[0] == (24,)  # 12 has amplitude 1 < 0.2 * 10
    assert chosen[1] == (30,)  # 200 >= 336 // 2 - 1 is dropped before the threshold


def test_pure_sine_has_one_strong_period():
    t = np.arange(336)
    x = np.sin(2 * np.pi * t / 24)[None]
    x = (x - x.mean()) / x.std()
    res = seasonality_batch(x, mann_kendall_batch(x)["tau"])
    assert res["count"][0] == 1
    assert res["periods"][0] == (24,)
    assert res["strength"][0] > 0.95


def test_monotone_line_has_no_seasonality():
    x = np.linspace(-1.7, 1.7, 336)[None]
    res = seasonality_batch(x, np.array([1.0]))
    assert res["count"][0] == 0 and res["strength"][0] == pytest.approx(0.0)
