"""Per-series panel metrics against hand-computed values on tiny arrays."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.seasonal import seasonal_decompose

from tsforge.data.panel import Panel
from tsforge.evaluation.panel_metrics import (
    insample_scale,
    naive2_forecast,
    panel_scores,
    seasonal_indices,
    seasonality_test,
    summarise,
)


def test_mase_rmsse_smape_mape_by_hand_with_zero_scale_excluded():
    train = [np.array([1.0, 3, 2, 4, 3, 5]), np.array([2.0, 2, 2]), np.array([1.0, 2])]
    y = np.array([[4.0, 6], [2, 2], [3, 0]])
    pred = np.array([[5.0, 5], [2, 2], [1, 0]])
    per = panel_scores(y, {"m": pred}, train, season_length=2, include_naive2=False)
    # series 0: scale = mean |y_t - y_{t-2}| = mean(1, 1, 1, 1) = 1, errors 1, 1
    # series 1: constant history -> zero scale -> NaN
    # series 2: 2 values < m + 1 -> lag 1: scale = |2 - 1| = 1, errors 2, 0
    np.testing.assert_allclose(per["mase"], [1.0, np.nan, 1.0])
    np.testing.assert_allclose(per["rmsse"], [1.0, np.nan, np.sqrt(2.0)])
    np.testing.assert_allclose(per["smape"], [100 * (1 / 9 + 1 / 11), 0.0, 200 * (2 / 4 + 0) / 2])
    np.testing.assert_allclose(per["mape"], [100 * (1 / 4 + 1 / 6) / 2, 0.0, 100 * 2 / 3])
    summary = summarise(per)["m"]
    assert summary["mase"] == pytest.approx(1.0)
    assert summary["n_mase_excluded"] == 1
    assert summary["n_series"] == 3


def test_owa_by_hand_non_seasonal():
    train = [np.array([1.0, 2, 3, 4]), np.array([10.0, 8, 6])]
    y = np.array([[5.0, 6], [4, 2]])
    pred = np.array([[5.0, 5], [5, 3]])
    summary = summarise(panel_scores(y, {"m": pred}, train, season_length=1))
    # Naive2 with m = 1 is naive: [4, 4] and [6, 6]; scales 1 and 2
    mase, mase_n2 = np.mean([0.5, 0.5]), np.mean([1.5, 1.5])
    smape = np.mean([100 * (0 + 1 / 11), 100 * (1 / 9 + 1 / 5)])
    smape_n2 = np.mean([100 * (1 / 9 + 2 / 10), 100 * (2 / 10 + 4 / 8)])
    assert summary["m"]["mase"] == pytest.approx(mase)
    assert summary["naive2"]["mase"] == pytest.approx(mase_n2)
    assert summary["m"]["owa"] == pytest.approx(0.5 * (smape / smape_n2 + mase / mase_n2))
    assert summary["naive2"]["owa"] == pytest.approx(1.0)


def test_naive2_continues_an_exactly_multiplicative_seasonal_series():
    s = np.array([0.5, 1.5, 0.8, 1.2])  # mean 1
    y = 10.0 * np.tile(s, 5)  # 20 values >= 3m
    indptr = np.array([0, y.size])
    assert seasonality_test(y, indptr, 4).all()
    np.testing.assert_allclose(naive2_forecast(y, indptr, 4, 6)[0], 10.0 * np.tile(s, 2)[:6])
    # too short for the test (< 3m values): plain naive
    np.testing.assert_allclose(naive2_forecast(y[:10], np.array([0, 10]), 4, 2)[0], [y[9], y[9]])


def test_seasonal_indices_match_classical_decomposition():
    rng = np.random.default_rng(0)
    a = 50 + np.arange(40) * 0.5 + 5 * np.sin(np.arange(40) * 2 * np.pi / 12) + rng.normal(0, 1, 40)
    b = 20 + 3 * np.cos(np.arange(31) * 2 * np.pi / 12) + rng.normal(0, 0.5, 31)
    values, indptr = np.concatenate([a, b]), np.array([0, 40, 71])
    fig = seasonal_indices(values, indptr, 12)
    for i, y in enumerate((a, b)):
        ref = seasonal_decompose(y, model="multiplicative", period=12).seasonal[:12]
        np.testing.assert_allclose(fig[i], ref, rtol=1e-10)


def test_scale_falls_back_to_lag_one_and_accepts_a_panel():
    panel = Panel.from_arrays([np.array([1.0, 4, 2]), np.array([1.0, 2, 4, 8, 16])], season_length=3)
    # series 0 has 3 < m + 1 values: lag 1 -> mean(3, 2); series 1: lag 3 -> mean(7, 14)
    np.testing.assert_allclose(insample_scale(panel.values, panel.indptr, 3), [2.5, 10.5])
    per = panel_scores(np.array([[2.0], [16.0]]), np.array([[4.0], [26.5]]), panel)
    np.testing.assert_allclose(per.loc[per.model == "model", "mase"], [2.0 / 2.5, 1.0])


def test_an_exactly_seasonal_history_has_no_scale_rather_than_its_rounding():
    """A history that repeats its season exactly differs from itself only by float rounding
    (here ~1e-16 of its level): dividing by that gave a MASE of 1e14 in a score table. Such a
    scale is undefined (NaN, left out of the mean and counted); a real one is kept as it is."""
    t = np.arange(48)
    exact = 10 + 5 * np.sin(2 * np.pi * t / 12)  # y[t + 12] - y[t] is rounding: ~1e-15
    assert 0 < np.abs(exact[12:] - exact[:-12]).max() < 1e-12
    noisy = exact + np.random.default_rng(0).normal(0, 1.0, t.size)
    panel = Panel.from_arrays([exact, noisy], season_length=12)
    scale = insample_scale(panel.values, panel.indptr, 12)
    assert np.isnan(scale[0]) and 0.5 < scale[1] < 3.0
    assert np.isnan(insample_scale(panel.values, panel.indptr, 12, power=2)[0])
    future = exact[:2]
    per = panel_scores(np.array([future + 1, future + 1]), np.array([future, future]), panel)
    summary = summarise(per)["model"]
    assert summary["n_mase_excluded"] == 1 and np.isfinite(summary["mase"]) and summary["mase"] < 3
