"""A history frame gives a new station's coordinates (``lat, lon[, alt]`` columns) on ``/invocations``.

Found: a model with a coordinate embedding refused a station it was not trained on with "give its
coordinates to forecast a new station", and ``/invocations`` had no way to give them (a ``lat``
column was noted as not read). The frame's columns now carry them, as ``/v1/forecast``'s
``coords`` and a coordinate table (``tsforge forecast --coords``) do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from tests.service.conftest import LONG, OnePredictorStore, serving

STATIONS = np.array([[45.0, 7.0], [46.0, 8.0]])
STAMPS = [str(t)[:19] for t in pd.date_range("2021-01-01", periods=200, freq="h")[-24:]]
HISTORY = [float(np.sin(t / 3)) for t in range(24)]


@pytest.fixture(scope="module")
def stpe() -> Any:
    """An untrained STPE-MLP window predictor (its weights are never judged here) on two hourly
    stations with coordinates: it reads a series' coordinates through its embedding."""
    from tsforge.data.frame import TimeSeriesData
    from tsforge.data.task import prepare_task
    from tsforge.inference import Predictor
    from tsforge.models import ModelContext, build_model

    torch.manual_seed(0)
    values = np.random.default_rng(0).normal(size=(200, 2)).astype(np.float32)
    ts = pd.date_range("2021-01-01", periods=200, freq="h").values
    task = prepare_task(TimeSeriesData(values, ts, ("a", "b"), "h", coords=STATIONS), 24, 6)
    predictor = Predictor(build_model("stpe_mlp", ModelContext.from_task(task), {"d_model": 8}), task.scaler)
    assert predictor.reads_coords
    return predictor


def _rows(sid: str, **coords: Any) -> list[dict[str, Any]]:
    return [{"unique_id": sid, "ds": d, "y": v, **coords} for d, v in zip(STAMPS, HISTORY, strict=True)]


def _invocations(predictor: Any, rows: list[dict[str, Any]]) -> Any:
    with serving(OnePredictorStore(predictor, "stpe")) as client:
        return client.post("/invocations", json={"dataframe_records": rows, "params": {"horizon": 3}})


def test_a_new_station_with_coordinate_columns_is_forecast_as_v1_forecasts_it(stpe):
    r = _invocations(stpe, _rows("new", lat=45.5, lon=7.5))
    assert r.status_code == 200, r.text
    got = [p["y_hat"] for p in r.json()["predictions"]]
    series = {"id": "new", "values": HISTORY, "timestamps": STAMPS, "coords": [45.5, 7.5]}
    with serving(OnePredictorStore(stpe, "stpe")) as client:
        want = client.post("/v1/forecast", json={"series": [series], "horizon": 3})
    assert want.status_code == 200, want.text
    np.testing.assert_allclose(got, want.json()["forecasts"][0]["values"], rtol=1e-6)
    assert "notes" not in r.json(), r.json()  # the coordinates were read: no "not read" note


def test_the_coordinates_decide_the_forecast(stpe):
    near_a = _invocations(stpe, _rows("new", lat=45.0, lon=7.0)).json()["predictions"]
    near_b = _invocations(stpe, _rows("new", lat=46.0, lon=8.0)).json()["predictions"]
    assert [p["y_hat"] for p in near_a] != [p["y_hat"] for p in near_b]


def test_coordinates_on_one_row_of_a_series_are_its_own(stpe):
    rows = _rows("new")
    rows[0] = {**rows[0], "lat": 45.5, "lon": 7.5}
    r = _invocations(stpe, rows)
    everywhere = _invocations(stpe, _rows("new", lat=45.5, lon=7.5))
    assert r.status_code == 200, r.text
    assert r.json()["predictions"] == everywhere.json()["predictions"]


def test_a_new_station_without_coordinates_is_told_the_columns_to_give(stpe):
    r = _invocations(stpe, _rows("new"))
    assert r.status_code == 422, r.text
    message = r.json()["message"]
    assert "unknown series id 'new'" in message and "columns lat, lon" in message, message


def test_a_latitude_without_a_longitude_is_refused_naming_it(stpe):
    r = _invocations(stpe, _rows("new", lat=45.5))
    assert r.status_code == 422, r.text
    assert r.json()["column"] == "lon" and "not 'lon'" in r.json()["message"], r.json()


def test_a_row_with_some_coordinates_is_refused_naming_its_cell(stpe):
    rows = _rows("new", lat=45.5, lon=7.5)
    rows[4] = {**rows[4], "lon": None}
    r = _invocations(stpe, rows)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "dataframe_records[4].lon", r.json()


def test_a_station_with_two_sets_of_coordinates_is_refused_naming_the_row(stpe):
    rows = _rows("new", lat=45.5, lon=7.5)
    rows[7] = {**rows[7], "lat": 44.0}
    r = _invocations(stpe, rows)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "dataframe_records[7].lat" and "two sets of coordinates" in body["message"], body


def test_coordinates_sent_to_a_model_that_does_not_read_them_are_said_so(panel_client):
    """A panel model forecasts without them: the coordinates note, not a "columns not read" one."""
    client, _ = panel_client
    rows = [{"unique_id": "a", "y": v, "lat": 45.0, "lon": 7.0} for v in LONG]
    r = client.post("/invocations", json={"dataframe_records": rows, "params": {"horizon": 2}})
    assert r.status_code == 200, r.text
    (note,) = r.json()["notes"]
    assert "does not read station coordinates" in note, note
