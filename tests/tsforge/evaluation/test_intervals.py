"""Interval metrics against hand-computed values and their defining properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.evaluation.intervals import (
    GIFT_QUANTILES,
    coverage,
    cv_interval_scores,
    interval_metrics,
    msis,
    pinball,
    scaled_width,
    score_quantile_forecast,
    seasonal_naive_forecast,
    weighted_quantile_loss,
)


def test_msis_by_hand():
    # one series, three steps, 80 % interval (a = 0.2, penalty 2/a = 10), scale 2
    y = np.array([[5.0, 1.0, 12.0]])
    lo = np.array([[4.0, 4.0, 4.0]])
    hi = np.array([[10.0, 10.0, 10.0]])
    # widths 6 each; step 2 below by 3 → +30; step 3 above by 2 → +20
    expected = ((6 + 6 + 30 + 6 + 20) / 3) / 2.0
    assert msis(y, lo, hi, 80, np.array([2.0])) == pytest.approx(expected)
    assert coverage(y, lo, hi) == pytest.approx(1 / 3)
    assert scaled_width(y, lo, hi, np.array([2.0])) == pytest.approx(3.0)


def test_missing_targets_do_not_count_and_undefined_scales_are_left_out():
    y = np.array([[1.0, np.nan], [0.0, 0.0]])
    lo, hi = np.zeros((2, 2)), np.full((2, 2), 2.0)
    assert coverage(y, lo, hi) == 1.0
    # series 1 has a zero (undefined) scale: only series 0 counts
    assert msis(y, lo, hi, 95, np.array([1.0, np.nan])) == pytest.approx(2.0)


def test_pinball_and_wql_of_a_point_forecast_is_its_wape():
    rng = np.random.default_rng(0)
    y = rng.uniform(1, 10, size=(4, 6))
    point = y + rng.normal(size=y.shape)
    assert pinball(np.array(3.0), np.array(1.0), 0.9) == pytest.approx(1.8)
    assert pinball(np.array(1.0), np.array(3.0), 0.9) == pytest.approx(0.2)
    degenerate = np.repeat(point[..., None], len(GIFT_QUANTILES), axis=-1)
    wape = np.abs(y - point).sum() / np.abs(y).sum()
    assert weighted_quantile_loss(y, degenerate, GIFT_QUANTILES) == pytest.approx(wape)


def test_scaled_crps_is_one_for_the_seasonal_naive_itself_and_lower_for_a_good_distribution():
    rng = np.random.default_rng(1)
    hist = [10 + np.tile([0.0, 5.0, -5.0], 10) + rng.normal(size=30) * 0.1 for _ in range(3)]
    baseline = seasonal_naive_forecast(hist, 3, 6)
    np.testing.assert_allclose(baseline[0], np.tile(hist[0][-3:], 2))
    y = baseline + rng.normal(size=baseline.shape)
    same = np.repeat(baseline[..., None], 9, axis=-1)
    out = interval_metrics(y, {}, np.ones(3), quantiles=same, probs=GIFT_QUANTILES, baseline=baseline)
    assert out["scaled_crps"] == pytest.approx(1.0)
    from scipy.stats import norm

    spread = baseline[..., None] + norm.ppf(np.array(GIFT_QUANTILES))  # the true N(0, 1) quantiles
    better = interval_metrics(y, {}, np.ones(3), quantiles=spread, probs=GIFT_QUANTILES, baseline=baseline)
    assert better["scaled_crps"] < 0.95


def test_score_quantile_forecast_reads_levels_from_the_quantiles():
    y = np.zeros((2, 3))
    probs = [0.025, 0.1, 0.5, 0.9, 0.975]
    values = np.broadcast_to(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), (2, 3, 5))
    out = score_quantile_forecast(y, values, probs, [80, 95], np.ones(2))
    assert out["coverage_80"] == 1.0 and out["width_80"] == pytest.approx(2.0)
    assert out["width_95"] == pytest.approx(4.0)
    assert "wql" not in out  # the nine GIFT quantiles were not all given
    with pytest.raises(ValueError, match="no quantile"):
        score_quantile_forecast(y, values, probs, [50], np.ones(2))


def test_cv_interval_scores_per_model_and_level():
    panel = Panel.from_arrays([np.arange(20.0), np.arange(20.0) * 2], season_length=1, name="p")
    rows = []
    for sid, mult in (("0", 1.0), ("1", 2.0)):
        for cutoff in (15, 17):
            for k in range(2):
                y = mult * (cutoff + 1 + k)
                rows.append({"unique_id": int(sid), "ds": cutoff + 1 + k, "cutoff": cutoff, "y": y,
                             "m": y, "m-lo-80": y - 1.0, "m-hi-80": y + (1.0 if cutoff == 17 else -0.5)})  # fmt: skip
    frame = pd.DataFrame(rows)
    scores = cv_interval_scores(frame, panel, ["m"], [80])
    (row,) = scores.to_dict("records")
    assert row["coverage"] == pytest.approx(0.5) and row["n_cases"] == 4
    # the cutoff-15 window covered nothing, the cutoff-17 window everything
    assert (row["coverage_min"], row["coverage_max"], row["n_windows_scored"]) == (0.0, 1.0, 2)


def test_cv_interval_scores_range_over_windows_counted_from_each_series_last_cutoff():
    """Ragged ends: series 1 stops one step earlier, so its cutoffs 14 / 16 are windows 1 / 0
    beside series 0's 15 / 17, and series 0's cutoff 13 is a window of its own; a case without
    bounds joins no window."""
    panel = Panel.from_arrays([np.arange(20.0), np.arange(19.0)], season_length=1, name="p")
    inside = {(0, 13): None, (0, 15): True, (0, 17): True, (1, 14): False, (1, 16): True}
    rows = []
    for (sid, cutoff), ok in inside.items():
        for k in range(2):
            y = float(cutoff + 1 + k)
            lo, hi = (np.nan, np.nan) if ok is None else (y - 1.0, y + 1.0 if ok else y - 0.5)
            rows.append({"unique_id": sid, "ds": cutoff + 1 + k, "cutoff": cutoff, "y": y,
                         "m": y, "m-lo-80": lo, "m-hi-80": hi})  # fmt: skip
    (row,) = cv_interval_scores(pd.DataFrame(rows), panel, ["m"], [80]).to_dict("records")
    assert row["n_cases"] == 4 and row["n_cases_without_bounds"] == 1
    # window 0 (cutoffs 17, 16): all inside; window 1 (15, 14): half; window 2: no bounds
    assert (row["coverage_min"], row["coverage_max"], row["n_windows_scored"]) == (0.5, 1.0, 2)


def test_one_scored_window_has_no_range():
    panel = Panel.from_arrays([np.arange(10.0)], season_length=1, name="p")
    frame = pd.DataFrame({"unique_id": 0, "ds": [8, 9], "cutoff": 7, "y": [8.0, 9.0], "m": [8.0, 9.0],
                          "m-lo-80": [7.0, 8.0], "m-hi-80": [9.0, 10.0]})  # fmt: skip
    (row,) = cv_interval_scores(frame, panel, ["m"], [80]).to_dict("records")
    assert row["coverage"] == 1.0 and row["n_windows_scored"] == 1
    assert np.isnan(row["coverage_min"]) and np.isnan(row["coverage_max"])
