"""score_quantile_forecast without needless copies: the GIFT quantile columns are read as a view
of the forecast's columns, and a caller may pass the scaled-CRPS baseline instead of every
history — with exactly the numbers of the old path (stacked columns, histories)."""

from __future__ import annotations

import numpy as np
import pytest

import tsforge.evaluation.intervals as intervals
from tsforge.evaluation.intervals import GIFT_QUANTILES, score_quantile_forecast, seasonal_naive_forecast
from tsforge.inference import IntervalRequest

PROBS = IntervalRequest((80.0, 95.0), GIFT_QUANTILES).probs


def _case(seed: int = 0, n: int = 40, h: int = 6, length: int = 30):
    rng = np.random.default_rng(seed)
    y = rng.normal(10, 2, (n, h))
    y[rng.random((n, h)) < 0.1] = np.nan
    values = np.sort(rng.normal(10, 2, (n, h, len(PROBS))), axis=-1)
    histories = [rng.normal(10, 2, length) for _ in range(n)]
    histories[3][-5:] = np.nan  # a missing tail: the baseline carries the last value forward
    return y, values, rng.uniform(0.5, 2, n), histories


def test_a_baseline_scores_as_the_histories_it_was_made_from():
    y, values, scale, histories = _case()
    by_hist = score_quantile_forecast(y, values, PROBS, [80, 95], scale, season_length=7, histories=histories)
    baseline = np.concatenate(  # built in pieces, as a caller scoring batch by batch does
        [
            seasonal_naive_forecast(histories[lo : lo + 16], 7, y.shape[1])
            for lo in range(0, len(histories), 16)
        ]
    )
    assert score_quantile_forecast(y, values, PROBS, [80, 95], scale, baseline=baseline) == by_hist


def test_histories_and_a_baseline_together_are_refused():
    y, values, scale, histories = _case()
    with pytest.raises(ValueError, match="not both"):
        score_quantile_forecast(y, values, PROBS, [80], scale, histories=histories, baseline=y)


def test_the_gift_quantiles_are_a_view_of_the_forecast(monkeypatch: pytest.MonkeyPatch):
    """Stacking them copied [n, h, 9] float64 (260 MB for 500 windows of 300 channels)."""
    seen = {}
    real = intervals.interval_metrics

    def spy(*args, **kwargs):
        seen["quantiles"] = kwargs["quantiles"]
        return real(*args, **kwargs)

    monkeypatch.setattr(intervals, "interval_metrics", spy)
    y, values, scale, _ = _case()
    score_quantile_forecast(y, values, PROBS, [80, 95], scale)
    assert np.shares_memory(seen["quantiles"], values)


def test_unsorted_probabilities_score_as_sorted_ones():
    """Guard: the copy fallback (GIFT columns not consecutive) gives the same numbers."""
    y, values, scale, histories = _case(1)
    order = np.random.default_rng(2).permutation(len(PROBS))
    kw = {"season_length": 7, "histories": histories}
    assert score_quantile_forecast(y, values[..., order], PROBS[order], [80, 95], scale, **kw) == (
        score_quantile_forecast(y, values, PROBS, [80, 95], scale, **kw)
    )
