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
    assert "1 of 5 series have no forecast (NaN) for an observed test step" in err
    _note_unscaled_series({"test_n_mase_excluded": 1.0, "test_n_smape_excluded": 1.0}, 5)
    err = " ".join(capsys.readouterr().err.split())
    assert "flat history" not in err and "1 of 5 series have no forecast" in err
