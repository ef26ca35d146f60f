"""Coordinates a window model cannot use are named as such.

* A model trained without station coordinates that was sent some refused them with "must be
  not given for this model finite numbers"; it now says the model does not read them.
* ``reads_coords`` tells a model whose forecast depends on coordinates (a coordinate
  embedding) from one that only accepts them (trained on stations, no embedding), so the CLI
  and the service can say the coordinates were not used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import DataValidationError
from tsforge.inference import Predictor, SeriesInput
from tsforge.models import ModelContext, build_model


def _window_predictor(model: str) -> Predictor:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(300, 2)).astype(np.float32)
    ts = pd.date_range("2021-01-01", periods=300, freq="h").values
    task = prepare_task(TimeSeriesData(values, ts, ("a", "b"), "h"), 24, 6)
    return Predictor(build_model(model, ModelContext.from_task(task), {}), task.scaler)


def test_coordinates_sent_to_a_model_trained_without_them_are_refused_in_words():
    predictor = _window_predictor("dlinear")
    sent = SeriesInput("a", np.ones(40), coords=np.array([45.0, 7.0]))
    with pytest.raises(
        DataValidationError, match="trained without station coordinates and does not read them"
    ) as e:
        predictor.predict_series([sent], 6)
    assert "finite numbers" not in str(e.value) and e.value.where["field"] == "series[0].coords"
    assert not predictor.takes_coords and not predictor.reads_coords


def test_a_model_on_stations_reads_coordinates_only_through_an_embedding():
    """Trained on stations (the context keeps their coordinates), STPE-MLP embeds them and
    DLinear does not: both accept them, only one reads them."""
    rng = np.random.default_rng(1)
    values = rng.normal(size=(300, 2)).astype(np.float32)
    ts = pd.date_range("2021-01-01", periods=300, freq="h").values
    data = TimeSeriesData(values, ts, ("a", "b"), "h", coords=np.array([[45.0, 7.0], [46.0, 8.0]]))
    task = prepare_task(data, 24, 6)
    stpe = Predictor(build_model("stpe_mlp", ModelContext.from_task(task), {}), task.scaler)
    dlinear = Predictor(build_model("dlinear", ModelContext.from_task(task), {}), task.scaler)
    assert stpe.takes_coords and stpe.reads_coords
    assert dlinear.takes_coords and not dlinear.reads_coords


def test_a_coordinate_table_given_to_a_model_trained_without_them_is_noted_and_not_used():
    """``tsforge forecast --coords`` (``predict_frame(coords=...)``) refused a model trained
    without coordinates ("drop --coords"), while the service answers the same with a note that
    they were not used: now a note here too, and the forecast is the one without them."""
    from tsforge.errors import UnusedCoordinatesWarning

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
