"""Coordinates a window model cannot use are named as such.

* A model trained without station coordinates that was given some refused them with "must be
  not given for this model finite numbers", then with "leave them out"; it now forecasts
  without them and says so, behind every door (``predict_series``, ``predict_frame``).
* ``reads_coords`` tells a model whose forecast depends on coordinates (a coordinate
  embedding) from one that only accepts them (trained on stations, no embedding), so the CLI
  and the service can say the coordinates were not used.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import DataValidationError, UnusedCoordinatesWarning
from tsforge.inference import Predictor, SeriesInput
from tsforge.models import ModelContext, build_model

#: two stations' coordinates, for a model trained on stations
STATIONS = np.array([[45.0, 7.0], [46.0, 8.0]])


def _window_predictor(model: str, coords: np.ndarray | None = None, seed: int = 0) -> Predictor:
    """An untrained window ``model`` on two hourly channels ``a``, ``b`` (on stations at
    ``coords`` when given)."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(300, 2)).astype(np.float32)
    ts = pd.date_range("2021-01-01", periods=300, freq="h").values
    task = prepare_task(TimeSeriesData(values, ts, ("a", "b"), "h", coords=coords), 24, 6)
    return Predictor(build_model(model, ModelContext.from_task(task), {}), task.scaler)


def test_coordinates_given_to_a_model_trained_without_them_are_dropped_with_one_note():
    """``predict_series`` refused them ("trained without station coordinates ... leave them
    out") while ``predict_frame(coords=...)`` and the service forecast without them and said so:
    now it forecasts as without them, with one warning naming the series that carried some."""
    predictor = _window_predictor("dlinear")
    history = np.sin(np.arange(40) / 3.0)
    plain = predictor.predict_series([SeriesInput("a", history), SeriesInput("b", history)], 6)
    given = [
        SeriesInput("a", history, coords=np.array([45.0, 7.0])),
        SeriesInput("b", history),
        SeriesInput("new", history, coords=np.array([1.0, 2.0, 3.0])),  # any number: not read
    ]
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        noted = predictor.predict_series(given, 6)
    said = [w for w in log if issubclass(w.category, UnusedCoordinatesWarning)]
    assert len(said) == 1, [str(w.message) for w in log]
    assert "trained without station coordinates" in str(said[0].message)
    assert "2 of 3 series ('a', 'new')" in str(said[0].message), said[0].message
    for f, p in zip(noted[:2], plain, strict=True):
        np.testing.assert_array_equal(f.values, p.values)
    assert not predictor.takes_coords and not predictor.reads_coords


def test_coordinates_given_to_a_model_on_stations_without_an_embedding_are_noted_in_series_too():
    """Trained on stations, DLinear takes coordinates and does not read them: ``predict_frame``
    said so and ``predict_series`` forecast without a word; now both say it, once. Their number
    is still checked against the training stations'."""
    dlinear = _window_predictor("dlinear", STATIONS, seed=3)
    history = np.sin(np.arange(40) / 3.0)
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        dlinear.predict_series([SeriesInput("a", history, coords=np.array([45.0, 7.0]))], 6)
    said = [str(w.message) for w in log if issubclass(w.category, UnusedCoordinatesWarning)]
    assert len(said) == 1 and "'dlinear' does not read station coordinates" in said[0], said
    with warnings.catch_warnings(record=True) as log:  # refused, so not said to be unused
        warnings.simplefilter("always")
        with pytest.raises(DataValidationError, match="must be 2 finite numbers") as e:
            dlinear.predict_series([SeriesInput("a", history, coords=np.array([45.0, 7.0, 300.0]))], 6)
    assert e.value.where["field"] == "series[0].coords"
    assert not [w for w in log if issubclass(w.category, UnusedCoordinatesWarning)]
    table = pd.DataFrame({"id": ["a"], "lat": [45.0], "lon": [7.0]})
    frame = pd.DataFrame({"ds": pd.date_range("2021-02-01", periods=40, freq="h"), "a": history})
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        dlinear.predict_frame(frame, 6, time_col="ds", coords=table)
    said = [str(w.message) for w in log if issubclass(w.category, UnusedCoordinatesWarning)]
    assert len(said) == 1 and "does not read station coordinates" in said[0], said


def test_coordinates_given_to_a_panel_model_are_dropped_with_one_note():
    """A panel model forecast series with coordinates without a word (the service added its own
    note; the Python API said nothing)."""
    from tsforge.panels.predictor import PanelPredictor

    predictor = PanelPredictor("seasonal_naive", 3, freq=None, season_length=4)
    history = np.sin(np.arange(24) / 2.0)
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        (noted,) = predictor.predict_series([SeriesInput("a", history, coords=np.array([45.0, 7.0]))], 3)
    said = [str(w.message) for w in log if issubclass(w.category, UnusedCoordinatesWarning)]
    assert len(said) == 1 and "1 of 1 series ('a')" in said[0], said
    (plain,) = predictor.predict_series([SeriesInput("a", history)], 3)
    np.testing.assert_array_equal(noted.values, plain.values)


def test_a_model_on_stations_reads_coordinates_only_through_an_embedding():
    """Trained on stations (the context keeps their coordinates), STPE-MLP embeds them and
    DLinear does not: both accept them, only one reads them."""
    stpe = _window_predictor("stpe_mlp", STATIONS, seed=1)
    dlinear = _window_predictor("dlinear", STATIONS, seed=1)
    assert stpe.takes_coords and stpe.reads_coords
    assert dlinear.takes_coords and not dlinear.reads_coords


def test_a_coordinate_table_given_to_a_model_trained_without_them_is_noted_and_not_used():
    """``tsforge forecast --coords`` (``predict_frame(coords=...)``) refused a model trained
    without coordinates ("drop --coords"), while the service answers the same with a note that
    they were not used: now a note here too, and the forecast is the one without them."""
    predictor = _window_predictor("dlinear")
    rng = np.random.default_rng(2)
    history = pd.DataFrame(
        {
            "ds": pd.date_range("2021-02-01", periods=40, freq="h"),
            "a": rng.normal(size=40),
            "b": rng.normal(size=40),
        }
    )
    table = pd.DataFrame({"id": ["a", "b"], "lat": [45.0, 46.0], "lon": [7.0, 8.0]})
    plain = predictor.predict_frame(history, 6, time_col="ds")
    with pytest.warns(UnusedCoordinatesWarning, match="trained without station coordinates"):
        noted = predictor.predict_frame(history, 6, time_col="ds", coords=table)
    pd.testing.assert_frame_equal(noted, plain)


def test_a_coordinate_file_that_does_not_exist_is_refused_even_where_unused(tmp_path):
    """Noted rather than refused, the coordinates were not read at all: a mistyped path exited 0."""
    predictor = _window_predictor("dlinear")
    history = pd.DataFrame({"ds": pd.date_range("2021-02-01", periods=40, freq="h"), "a": np.ones(40)})
    with pytest.raises(DataValidationError, match="file not found"):
        predictor.predict_frame(history, 6, time_col="ds", coords=tmp_path / "nope.csv")


def test_a_new_station_with_coordinates_is_told_they_were_not_used_before_its_refusal():
    """A model trained without coordinates forecasts only the series it was trained on: a new
    station given with its coordinates is refused as an unknown id, and its user is told first
    that the coordinates were not used (the note came after the forecast, which never came)."""
    predictor = _window_predictor("stpe_mlp")
    assert predictor.forecaster.needs_known_channels
    t = pd.date_range("2021-02-01", periods=40, freq="h").values
    new = SeriesInput("new", np.sin(np.arange(40) / 3.0), t, coords=np.array([1.0, 2.0]))
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        with pytest.raises(DataValidationError, match="unknown series id 'new'"):
            predictor.predict_series([new], 6)
    said = [str(w.message) for w in log if issubclass(w.category, UnusedCoordinatesWarning)]
    assert len(said) == 1 and "trained without station coordinates" in said[0], said
