"""The pooled scores' effective count is read as a whole number of scores: a fractional count
moved the conformal rank by a whole place, onto the most extreme score, so one series' level
shift in one calibration window set every series' 95 % bound."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tsforge.errors import IntervalResolutionWarning
from tsforge.panels.conformal import ConformalCalibration

PROBS = np.array([0.025, 0.1, 0.9, 0.975])


def _scores(n_series: int, windows: int, short_windows: int, outlier: float, seed: int = 0):
    """``[cases, 1]`` scores: every series ``windows`` cases of N(0, 1) but the last, which has
    ``short_windows`` (a short series: its cases weigh more, so the effective count is
    fractional), and one case of series 0 scoring ``outlier`` (a level shift in one window)."""
    rng = np.random.default_rng(seed)
    ids = [f"s{i}" for i in range(n_series - 1) for _ in range(windows)] + [
        f"s{n_series - 1}"
    ] * short_windows
    scores = rng.standard_normal((len(ids), 1))
    scores[0, 0] = outlier
    return scores, ids


def _calibration(scores, ids) -> ConformalCalibration:
    return ConformalCalibration.from_scores(
        scores, ids, season_length=1, scale_window=2, weight_series_equally=True
    )


def test_one_shifted_window_does_not_set_every_series_95_bound():
    scores, ids = _scores(n_series=20, windows=5, short_windows=1, outlier=2000.0)
    cal = _calibration(scores, ids)
    assert 83 < cal.pooled_n[0] < 84  # effective count 400 / 4.8 = 83.3: fractional
    q = cal.scores_quantiles(["s3"], 1, PROBS)[0, 0]
    ordinary = np.sort(scores[1:, 0])
    # the 97.5 % bound is one of the ordinary scores, not pulled towards 2,000
    assert q[3] <= ordinary[-1] + 1e-9, q
    assert q[0] < q[1] < q[2] < q[3]


def test_a_whole_count_keeps_the_conformal_rank():
    # 100 scores: the 97.5 % bound is the ⌈(n + 1) 0.975⌉-th, the 99th, as before
    scores, ids = _scores(n_series=20, windows=5, short_windows=5, outlier=0.0, seed=1)
    cal = ConformalCalibration.from_scores(scores, ids, season_length=1, scale_window=2)
    assert cal.pooled_n[0] == 100
    rank = int(np.ceil(101 * 0.975))
    assert cal.scores_quantiles(["s0"], 1, PROBS)[0, 0, 3] == pytest.approx(np.sort(scores[:, 0])[rank - 1])


def test_the_count_that_resolves_a_level_is_the_one_its_ranks_use():
    # 8 series of 5 windows and one of 2: effective count 81 / 2.1 = 38.6 — not 39 scores, so
    # the 95 % interval is not resolved and that is said
    scores, ids = _scores(n_series=9, windows=5, short_windows=2, outlier=0.0, seed=2)
    cal = _calibration(scores, ids)
    assert 38 < cal.pooled_n[0] < 39
    assert cal.resolved_level(1) < 95.0
    note = cal.shortfall(PROBS, 1)
    assert note is not None and "95 %" in note and "has 38 " in note
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cal.quantiles_from_scale(np.zeros((1, 1)), np.ones(1), ["s0"], PROBS)
    assert any(issubclass(w.category, IntervalResolutionWarning) for w in caught)


def test_a_panel_with_one_level_shift_and_one_short_series_keeps_sane_95_bands():
    import pandas as pd

    from tsforge.pipeline import TrackingOptions, train_panel

    rng = np.random.default_rng(3)
    t = np.arange(60)
    frames = [
        pd.DataFrame({"unique_id": f"n{k}", "ds": pd.date_range("2015-01-01", periods=60, freq="MS"),
                      "y": 50 + 3 * k + 8 * np.sin(2 * np.pi * t / 12 + k) + rng.normal(0, 2, 60)})
        for k in range(18)
    ]  # fmt: skip
    # a level shift inside a calibration window (10 for 30 months, then 1,000) and a short series
    frames.append(pd.DataFrame({"unique_id": "shift", "ds": frames[0]["ds"], "y": np.r_[np.full(30, 10.0), np.full(30, 1000.0)]}))  # fmt: skip
    frames.append(pd.DataFrame({"unique_id": "short", "ds": pd.date_range("2019-11-01", periods=14, freq="MS"), "y": 10 + rng.normal(0, 1, 14)}))  # fmt: skip
    history = pd.concat(frames, ignore_index=True)
    out = train_panel(
        history, "seasonal_naive", horizon=6, tracking=TrackingOptions(track=False, progress=False)
    )
    f = out.predictor.predict_frame(history, 6, level=[80, 95])
    ordinary = f[f["unique_id"].str.startswith("n")]
    w80 = (ordinary["y_hat-hi-80"] - ordinary["y_hat-lo-80"]).to_numpy()
    w95 = (ordinary["y_hat-hi-95"] - ordinary["y_hat-lo-95"]).to_numpy()
    # normal errors: a 95 % band is about 1.5 times an 80 % one; it was 100+ times
    assert (w95 <= 5 * w80).all(), (w95 / w80).max()
