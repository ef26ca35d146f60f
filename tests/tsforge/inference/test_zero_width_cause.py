"""The zero-width note names the cause that applies: a floor, or an error-free fit.

Why: a native band at 0 was always said to be one "the forecasts of non-negative data stop at
0", also for an all-zero history, whose band is 0 wide because the model fits that history
without error — with no floor, and then with the floor of 0 every model trained on
non-negative data has, which held that band but did not move it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tsforge.errors import TsforgeWarning
from tsforge.inference import SeriesForecast, SeriesInput, floor_points, zero_width_note
from tsforge.panels.predictor import PanelPredictor

DATES = pd.date_range("2020-01-01", periods=24, freq="MS").to_numpy()


#: non-negative, falling to 0 by 1 a month with a little noise: a random walk with drift
#: forecasts it below 0, its whole native 80 % band too (about -1.05..-0.91 a step ahead)
FALLING = np.maximum(np.linspace(23.0, 0.0, 24) + np.random.default_rng(0).normal(0.0, 0.05, 24), 0.0)


def _notes(predictor: PanelPredictor, history: np.ndarray) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        predictor.predict_series([SeriesInput("zeros", history, DATES)], 3, level=[80])
    return [str(w.message) for w in caught if issubclass(w.category, TsforgeWarning)]


def test_an_all_zero_history_without_a_floor_is_said_to_be_fitted_without_error():
    predictor = PanelPredictor("naive", 3, freq="MS", season_length=12, interval_method="native")
    assert predictor.floor is None
    notes = [n for n in _notes(predictor, np.zeros(24)) if "zero width" in n]
    assert len(notes) == 1, notes
    assert "without error" in notes[0] and "stop at 0" not in notes[0], notes[0]


def test_a_model_with_a_floor_says_the_floor():
    unfloored = PanelPredictor("rw_drift", 3, freq="MS", season_length=12, interval_method="native")
    raw = unfloored.predict_series([SeriesInput("falling", FALLING, DATES)], 3, level=[80])[0]
    assert np.all(raw.bounds["hi-80"] < 0), raw.bounds  # the premise: the native band lies below 0
    predictor = PanelPredictor(
        "rw_drift", 3, freq="MS", season_length=12, interval_method="native", floor=0.0
    )
    notes = [n for n in _notes(predictor, FALLING) if "zero width" in n]
    assert len(notes) == 1 and "stop at 0" in notes[0] and "without error" not in notes[0], notes


def test_an_all_zero_history_with_a_floor_is_said_to_be_fitted_without_error():
    """The floor of 0 holds a band that was [0, 0] before it: it moved nothing."""
    predictor = PanelPredictor("naive", 3, freq="MS", season_length=12, interval_method="native", floor=0.0)
    notes = [n for n in _notes(predictor, np.zeros(24)) if "zero width" in n]
    assert len(notes) == 1, notes
    assert "without error" in notes[0] and "stop at 0" not in notes[0], notes[0]


def test_floor_points_records_what_it_raised():
    f = SeriesForecast(
        "f",
        np.array([0.5, 1.0]),
        bounds={"lo-80": np.array([-2.0, 0.0]), "hi-80": np.array([1.0, 2.0])},
    )
    floor_points([f], [np.array([0.0, 3.0])], 0.0)
    assert f.raised == {"lo-80"}
    zero = SeriesForecast("zero", np.zeros(2), bounds={"lo-80": np.zeros(2), "hi-80": np.zeros(2)})
    floor_points([zero], [np.zeros(3)], 0.0)
    assert zero.raised == frozenset()
    note = zero_width_note([zero], "native")  # held by the floor, moved by none: an error-free fit
    assert note is not None and "without error" in note and "stop at 0" not in note, note


def test_floor_points_holds_only_the_forecasts_of_histories_at_or_above_the_floor():
    """A band below 0 of a history that went below 0 is no band the floor stopped."""
    band = {"lo-80": np.array([-0.6, -0.6]), "hi-80": np.array([-0.6, -0.6])}
    held = SeriesForecast("held", np.array([-0.6, -0.6]), bounds=dict(band))
    free = SeriesForecast("free", np.array([-0.6, -0.6]), bounds=dict(band))
    floor_points([held, free], [np.array([0.0, 3.0]), np.array([-1.0, 3.0])], 0.0)
    np.testing.assert_array_equal(held.values, [0.0, 0.0])
    np.testing.assert_array_equal(free.values, [-0.6, -0.6])
    assert held.raised == {"lo-80", "hi-80", "point"} and free.raised == frozenset()
    stopped, fitted = zero_width_note([held], "native"), zero_width_note([free], "native")
    assert stopped is not None and "stop at 0" in stopped and "without error" not in stopped, stopped
    assert fitted is not None and "without error" in fitted and "stop at 0" not in fitted, fitted


def test_a_band_another_floor_raised_does_not_stop_at_0():
    """Only a floor of 0 makes forecasts "stop at 0": a band at 0 around a point a floor of -1
    raised (the least value of what it raised) is an error-free fit."""
    f = SeriesForecast("f", np.full(2, -3.0), bounds={"lo-80": np.zeros(2), "hi-80": np.zeros(2)})
    floor_points([f], [np.array([0.0, 3.0])], -1.0)
    assert f.raised == {"point"}
    note = zero_width_note([f], "native")
    assert note is not None and "without error" in note and "stop at 0" not in note, note


def test_a_band_at_0_of_a_forecast_no_floor_holds_is_an_error_free_fit():
    zero = np.zeros(4)
    note = zero_width_note([SeriesForecast("z", zero, bounds={"lo-80": zero, "hi-80": zero})], "native")
    assert note is not None and "without error" in note and "stop at 0" not in note, note


def test_a_band_the_floor_raised_to_0_stops_at_0():
    f = SeriesForecast("f", np.full(2, -1.0), bounds={"lo-80": np.full(2, -1.2), "hi-80": np.full(2, -0.8)})
    floor_points([f], [np.array([0.0, 3.0])], 0.0)
    note = zero_width_note([f], "native")
    assert note is not None and "stop at 0" in note and "without error" not in note, note
