"""The note on series a test MASE leaves out tells flat histories from missing forecasts: the
flat-history note counted both, so a NaN forecast was called a flat history."""

from __future__ import annotations

import numpy as np

from tsforge.evaluation.panel_metrics import panel_scores, summarise


def test_summarise_counts_unforecast_series_apart_from_flat_ones():
    history = [np.array([5.0, 5.0, 5.0, 5.0]), np.arange(4.0), np.arange(4.0) * 2]
    y = np.array([[5.0, 5.0], [4.0, 5.0], [8.0, 10.0]])
    pred = np.array([[5.0, 5.0], [4.0, 5.0], [8.0, np.nan]])  # the third: one step not forecast
    got = summarise(panel_scores(y, {"m": pred}, history, season_length=1))["m"]
    assert got["n_mase_excluded"] == 2  # the flat one and the unforecast one
    assert got["n_smape_excluded"] == 1  # the unforecast one only


def test_the_cli_notes_flat_and_unforecast_series_apart(capsys):
    from tsforge.cli.core import _note_unscaled_series

    _note_unscaled_series({"test_n_mase_excluded": 3.0, "test_n_smape_excluded": 1.0}, 5)
    err = " ".join(capsys.readouterr().err.split())
    assert "2 of 5 series have a flat history" in err
    assert "1 of 5 series has no forecast (NaN) for an observed test step" in err
    _note_unscaled_series({"test_n_mase_excluded": 1.0, "test_n_smape_excluded": 1.0}, 5)
    err = " ".join(capsys.readouterr().err.split())
    assert "flat history" not in err and "1 of 5 series has no forecast" in err


def test_a_test_window_of_missing_values_is_counted_apart_from_missing_forecasts():
    """On car parts, 165 of 2,674 series have nothing but missing values in their test window:
    they were reported as series "with no forecast (NaN) for an observed test step"."""
    history = [np.arange(4.0), np.arange(4.0) * 2, np.arange(4.0) + 1]
    y = np.array([[4.0, 5.0], [np.nan, np.nan], [5.0, 6.0]])  # the second: nothing observed
    pred = np.array([[4.0, 5.0], [8.0, 10.0], [5.0, np.nan]])  # the third: a step not forecast
    per = panel_scores(y, {"m": pred}, history, season_length=1)
    assert per.loc[per["model"] == "m", "n_observed"].tolist() == [2, 0, 2]
    got = summarise(per)["m"]
    assert got["n_mase_excluded"] == got["n_smape_excluded"] == 2 and got["n_unobserved"] == 1


def test_the_cli_says_which_series_had_nothing_observed_to_score(capsys):
    from tsforge.cli.core import _note_unscaled_series

    metrics = {"test_n_mase_excluded": 181.0, "test_n_smape_excluded": 165.0, "test_n_unobserved": 165.0}
    _note_unscaled_series(metrics, 2674)
    err = " ".join(capsys.readouterr().err.split())
    assert "16 of 2674 series have a flat history" in err
    assert "165 of 2674 series have no observed value in the test window" in err
    assert "no forecast" not in err
    _note_unscaled_series({**metrics, "test_n_smape_excluded": 167.0, "test_n_mase_excluded": 183.0}, 2674)
    err = " ".join(capsys.readouterr().err.split())
    assert "2 of 2674 series have no forecast (NaN) for an observed test step" in err
    assert "165 of 2674 series have no observed value" in err and "16 of 2674 series have a flat" in err


def test_the_panel_recommendation_says_why_each_series_has_no_mase():
    from recommender.panel import _left_out

    row = {"val_n_mase_excluded": 6, "val_n_smape_excluded": 4, "val_n_unobserved": 3}
    assert _left_out(row) == (
        "2 have flat histories; 3 have no observed value in the validation window; 1 has no forecast"
    )
    assert _left_out({"val_n_mase_excluded": 1}) == "1 has a flat history"  # rows from before the counts
