"""Rolling-origin cross-validation: Nixtla columns, true values, cutoffs, global-model plug-in."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import ConfigError
from tsforge.panels.cv import cross_validation


def _panel() -> Panel:
    arrays = [np.arange(8.0), 100.0 + np.arange(5.0)]
    starts = np.array(["2020-01-01", "2022-01-01"], dtype="datetime64[ns]")
    return Panel.from_arrays(arrays, ids=["a", "b"], starts=starts, freq="MS")


class MeanOfSeries:
    """A stand-in global model: forecasts every series by the mean of its training values."""

    name = "mean_model"

    def forecast(self, train: Panel, h: int) -> np.ndarray:
        means = np.add.reduceat(train.values, train.indptr[:-1]) / train.lengths
        return np.repeat(means[:, None], h, axis=1)


def test_cross_validation_rows_truth_and_cutoffs():
    cv = cross_validation(_panel(), ["naive", MeanOfSeries()], h=2, n_windows=2, progress=False)
    assert list(cv.columns) == ["unique_id", "ds", "cutoff", "y", "naive", "mean_model"]
    a = cv[cv.unique_id == "a"]
    # windows train on 4 and 6 values of 'a' (0..3, 0..5)
    np.testing.assert_array_equal(a["y"], [4.0, 5.0, 6.0, 7.0])
    np.testing.assert_array_equal(a["naive"], [3.0, 3.0, 5.0, 5.0])
    np.testing.assert_allclose(a["mean_model"], [1.5, 1.5, 2.5, 2.5])
    assert list(a["cutoff"].unique()) == [pd.Timestamp("2020-04-01"), pd.Timestamp("2020-06-01")]
    assert list(a["ds"]) == list(pd.to_datetime(["2020-05-01", "2020-06-01", "2020-07-01", "2020-08-01"]))
    b = cv[cv.unique_id == "b"]
    np.testing.assert_array_equal(b["y"], [101.0, 102.0, 103.0, 104.0])
    assert (b["cutoff"] < b["ds"]).all()


def test_short_series_is_left_out_of_early_windows_only():
    cv = cross_validation(_panel(), ["naive"], h=2, n_windows=3, progress=False)
    # 'b' (5 values) cannot keep a training value 6 steps before its end
    assert cv[cv.unique_id == "b"]["cutoff"].nunique() == 2
    assert cv[cv.unique_id == "a"]["cutoff"].nunique() == 3


def test_parallel_cross_validation_matches_sequential():
    rng = np.random.default_rng(1)
    panel = Panel.from_arrays(
        [rng.normal(10, 1, int(n)) for n in rng.integers(12, 40, 12)], freq="MS", season_length=12
    )
    one = cross_validation(panel, ["seasonal_naive", "rw_drift"], h=3, n_windows=2, n_jobs=1, progress=False)
    two = cross_validation(panel, ["seasonal_naive", "rw_drift"], h=3, n_windows=2, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one, two)


def test_cv_scores_use_each_cases_own_history():
    from tsforge.evaluation.panel_metrics import cv_scores

    panel = _panel()
    cv = cross_validation(panel, ["naive"], h=2, n_windows=2, progress=False)
    # every case: naive misses by 1 then 2 steps of a unit-slope line, scale 1 -> MASE 1.5
    scores = cv_scores(cv.sample(frac=1.0, random_state=0), panel, season_length=1)
    row = scores.set_index("model").loc["naive"]
    assert row["mase"] == 1.5 and row["n_cases"] == 4
    np.testing.assert_array_equal(
        panel.steps_at(np.array([0, 1]), cv["cutoff"].iloc[[0, -1]].to_numpy()), [3, 2]
    )


def test_a_window_no_series_is_long_enough_for_is_empty_not_a_crash():
    """Two windows of 8 over series of 12 and 14 values: the second window (16 values needed)
    has no series; its empty chunk used to crash placing dates (``min`` of an empty array)."""
    arrays = [np.arange(12.0), np.arange(14.0)]
    for starts, freq in ((np.full(2, np.datetime64("2020-01-01", "ns")), "MS"), (None, None)):
        panel = Panel.from_arrays(arrays, ids=["a", "b"], starts=starts, freq=freq)
        cv = cross_validation(panel, ["naive"], h=8, n_windows=2, progress=False)
        assert len(cv) == 16 and cv["cutoff"].nunique() == 2  # one window per series, own cutoffs
        np.testing.assert_array_equal(cv["naive"].to_numpy(), np.r_[np.full(8, 3.0), np.full(8, 5.0)])


def test_local_options_reach_every_window():
    """``season_length=2``: each window's seasonal-naive forecast repeats that window's last two
    values (the data's season is 12, which these series are too short for)."""
    cv = cross_validation(
        _panel(), ["seasonal_naive"], h=2, n_windows=2, progress=False,
        options={"seasonal_naive": {"season_length": 2}},
    )  # fmt: skip
    a = cv[cv.unique_id == "a"]
    np.testing.assert_array_equal(a["seasonal_naive"], [2.0, 3.0, 4.0, 5.0])
    default = cross_validation(_panel(), ["seasonal_naive"], h=2, n_windows=2, progress=False)
    assert not np.array_equal(default["seasonal_naive"], cv["seasonal_naive"])


def test_options_for_a_model_not_in_the_run_or_unknown_keys_are_refused():
    with pytest.raises(ConfigError, match=r"options are given for 'auto_ets', which is not a local model"):
        cross_validation(_panel(), ["naive", MeanOfSeries()], h=2, options={"auto_ets": {"season_length": 4}})
    with pytest.raises(ConfigError, match=r"unknown option\(s\) \['season'\] for model 'naive'"):
        cross_validation(_panel(), ["naive"], h=2, options={"naive": {"season": 4}})
