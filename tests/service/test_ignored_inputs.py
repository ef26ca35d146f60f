"""What a client sends is used or said to be unused, never dropped without a word.

* Station ``coords`` sent to a model that does not read coordinates (every model but one with a
  coordinate embedding) were dropped silently: the answer now carries a note saying so. A window
  model trained without coordinates (DLinear) refused them with a 422 instead: it is answered
  with the same note; coordinates a model that takes them cannot match stay a 422. The library
  says it as well (a warning): the answer says it once, and the log not at all.
* On ``/invocations``, columns of a long history frame besides ``unique_id``, ``ds`` and ``y``
  (``lat``) and ``params`` it does not read (``season_length``) were dropped silently: they stay
  accepted, as MLflow's protocol allows, and the answer's notes name them.
* A series id of blanks alone (``"   "``) was answered as a series of that name, while ``""``
  is a 422: both are now refused, naming the series (``series[1].id``; on ``/invocations`` the
  ``unique_id`` value at its row). So is, on ``/invocations``, an id longer than ``/v1/*`` takes.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest
from torch import nn

from service.schemas.forecast import ForecastRequest
from service.schemas.profile import ProfileRequest
from service.schemas.recommend import RecommendRequest
from tests.service.conftest import LONG, OnePredictorStore, serving
from tsforge.inference import SeriesInput
from tsforge.models.layers import SpatialEmbedding

NOTE = "does not read station coordinates"


def _coords_notes(body: dict) -> list[str]:
    return [n for n in body.get("notes") or [] if NOTE in n]


def test_coords_sent_to_a_panel_model_are_said_to_be_unused(panel_client):
    client, _ = panel_client
    series = [{"id": "a", "values": LONG, "coords": [45.0, 7.5]}, {"id": "b", "values": LONG}]
    r = client.post("/v1/forecast", json={"series": series, "horizon": 2})
    assert r.status_code == 200, r.text
    notes = _coords_notes(r.json())
    assert len(notes) == 1 and "1 of 2 series ('a')" in notes[0], r.json()


def test_coords_sent_to_dlinear_trained_on_stations_are_said_to_be_unused(client, series, registry):
    """DLinear was trained on data with coordinates (the library accepts them) but its network
    never reads them."""
    body = {"series": [{**series, "coords": [45.0, 7.5]}], "horizon": 2}
    body["model"] = f"{registry.name}/{registry.dlinear_version}"
    r = client.post("/v1/forecast", json=body)
    assert r.status_code == 200, r.text
    assert len(_coords_notes(r.json())) == 1, r.json()


def test_no_coords_no_note(panel_client):
    client, _ = panel_client
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": LONG}], "horizon": 2})
    assert r.status_code == 200, r.text
    assert "notes" not in r.json(), r.json()


def test_a_model_with_a_coordinate_embedding_reads_coords_and_gets_no_note():
    from service.forecasting import coords_note
    from tsforge.inference.predictor import Predictor

    def predictor(embedding: SpatialEmbedding) -> Predictor:
        # a window model trained on stations: its context keeps their coordinates
        out = Predictor.__new__(Predictor)
        context = SimpleNamespace(coords=np.array([[45.0, 7.0], [46.0, 8.0]]))
        network = nn.Sequential(nn.Linear(2, 2), embedding)
        out.forecaster = cast(
            Any, SimpleNamespace(context=context, module=network)
        )  # what reads_coords reads
        return out

    reading = predictor(SpatialEmbedding(4, "coords", 2, np.array([[45.0, 7.0], [46.0, 8.0]])))
    assert reading.takes_coords and reading.reads_coords
    sent = [SeriesInput(id="a", values=np.ones(4), coords=np.array([45.0, 7.0]))]
    assert coords_note(SimpleNamespace(name="stpe", predictor=reading), sent) is None
    learned = predictor(SpatialEmbedding(4, "learned", 2))
    assert learned.takes_coords and not learned.reads_coords
    assert NOTE in (coords_note(SimpleNamespace(name="stid", predictor=learned), sent) or "")


def _untrained_dlinear(coords: np.ndarray | None) -> Any:
    """A DLinear window predictor (untrained: no weights are read here) on two hourly series,
    trained with those stations' coordinates or, with ``None``, without any."""
    import pandas as pd

    from tsforge.data.frame import TimeSeriesData
    from tsforge.data.task import prepare_task
    from tsforge.inference import Predictor
    from tsforge.models import ModelContext, build_model

    values = np.random.default_rng(0).normal(size=(120, 2)).astype(np.float32)
    ts = pd.date_range("2021-01-01", periods=120, freq="h").values
    task = prepare_task(TimeSeriesData(values, ts, ("a", "b"), "h", coords=coords), 24, 6)
    return Predictor(build_model("dlinear", ModelContext.from_task(task), {}), task.scaler)


@pytest.mark.parametrize("sent", [[45.0, 7.5], [45.0, 7.5, 300.0]])
def test_coords_sent_to_dlinear_trained_without_them_are_said_to_be_unused(sent):
    """Before: a 422 ("trained without station coordinates ... leave them out") where the same
    model trained on stations, or a panel model, answered with the note."""
    history = [float(np.sin(t)) for t in range(48)]
    series = [{"id": "a", "values": history, "coords": sent}, {"id": "b", "values": history}]
    with serving(OnePredictorStore(_untrained_dlinear(None), "dl")) as client:
        r = client.post("/v1/forecast", json={"series": series, "horizon": 2})
    assert r.status_code == 200, r.text
    notes = _coords_notes(r.json())
    assert len(notes) == 1 and "1 of 2 series ('a')" in notes[0], r.json()


def test_coords_a_model_on_stations_cannot_match_stay_a_422_naming_the_field():
    """Guard: a model trained on two-number stations still refuses three numbers."""
    history = [float(np.sin(t)) for t in range(48)]
    series = [{"id": "a", "values": history, "coords": [45.0, 7.5, 300.0]}]
    with serving(OnePredictorStore(_untrained_dlinear(np.array([[45.0, 7.0], [46.0, 8.0]])), "dl")) as client:
        r = client.post("/v1/forecast", json={"series": series, "horizon": 2})
    assert r.status_code == 422 and r.json()["field"] == "series[0].coords", r.text


@pytest.mark.parametrize("stations", [None, np.array([[45.0, 7.0], [46.0, 8.0]]), "panel"])
def test_coords_not_read_are_said_once_and_not_logged(stations):
    """The library now says it too (an ``UnusedCoordinatesWarning``, where it refused a model
    trained without coordinates and the service stripped them to answer): the answer still
    carries one note about them, not the library's beside the service's, and the library's
    warning does not reach the server's log either."""
    import warnings

    from tsforge.errors import UnusedCoordinatesWarning
    from tsforge.panels.predictor import PanelPredictor

    if isinstance(stations, str):
        predictor: Any = PanelPredictor("seasonal_naive", 3, freq=None, season_length=12)
    else:
        predictor = _untrained_dlinear(stations)
    history = [float(np.sin(t)) for t in range(48)]
    series = [{"id": "a", "values": history, "coords": [45.0, 7.5]}, {"id": "b", "values": history}]
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        with serving(OnePredictorStore(predictor, "m")) as client:
            r = client.post("/v1/forecast", json={"series": series, "horizon": 2})
    assert r.status_code == 200, r.text
    said = [n for n in r.json().get("notes") or [] if "coordinates" in n]
    assert len(said) == 1 and "1 of 2 series ('a')" in said[0], r.json()
    assert not [w for w in log if issubclass(w.category, UnusedCoordinatesWarning)], [
        str(w.message) for w in log
    ]


@pytest.mark.parametrize("model", [ForecastRequest, RecommendRequest, ProfileRequest])
@pytest.mark.parametrize("blank", ["   ", "\t", " \n "])
def test_a_blank_series_id_is_refused_naming_the_series(model, blank):
    body = {"series": [{"id": "a", "values": [1.0, 2.0]}, {"id": blank, "values": [1.0, 2.0]}]}
    with pytest.raises(ValueError) as caught:
        model.model_validate(body)
    (error,) = caught.value.errors()
    assert error["loc"] == ("series", 1, "id") and "only blanks" in error["msg"], error


def test_a_blank_series_id_is_a_422_naming_the_field(panel_client):
    client, _ = panel_client
    series = [{"id": "a", "values": LONG}, {"id": "   ", "values": LONG}]
    r = client.post("/v1/forecast", json={"series": series, "horizon": 2})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[1].id", r.json()


def test_a_blank_unique_id_is_a_422_on_invocations_too(panel_client):
    client, _ = panel_client
    ids = ["a"] * len(LONG) + ["  "] * len(LONG)
    r = client.post("/invocations", json={"inputs": {"unique_id": ids, "y": LONG + LONG}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == f"inputs.unique_id[{len(LONG)}]" and body["row"] == len(LONG), body
    assert "only blanks" in body["message"], body


def test_an_id_too_long_for_v1_is_refused_by_invocations_too(panel_client):
    """Before: ``/v1/forecast`` refused a 257-character id and ``/invocations`` forecast it."""
    client, _ = panel_client
    long_id = "s" * 257
    v1 = client.post("/v1/forecast", json={"series": [{"id": long_id, "values": LONG}], "horizon": 2})
    assert v1.status_code == 422 and v1.json()["field"] == "series[0].id", v1.text
    rows = [{"unique_id": "a", "y": v} for v in LONG] + [{"unique_id": long_id, "y": v} for v in LONG]
    r = client.post("/invocations", json={"dataframe_records": rows, "params": {"horizon": 2}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert (body["field"], body["row"]) == (f"dataframe_records[{len(LONG)}].unique_id", len(LONG)), body
    assert "at most 256 characters" in body["message"], body
    # a wide frame's series ids are its column names: the same limit (it forecast them)
    wide = {"ds": [f"2020-01-{d:02d}" for d in range(1, 29)], "a": LONG[:28], long_id: LONG[:28]}
    r = client.post("/invocations", json={"inputs": wide, "params": {"horizon": 2}})
    assert r.status_code == 422 and "at most 256 characters" in r.json()["message"], r.text


def test_invocations_names_the_frame_columns_it_did_not_read(panel_client):
    client, _ = panel_client
    rows = [{"unique_id": "a", "y": v, "latitude": 45.0} for v in LONG]
    r = client.post("/invocations", json={"dataframe_records": rows, "params": {"horizon": 2}})
    assert r.status_code == 200, r.text
    (note,) = r.json()["notes"]
    assert "columns 'latitude' were not read" in note, note


def test_invocations_names_the_params_it_did_not_read(panel_client):
    client, _ = panel_client
    params = {"horizon": 2, "season_length": 7, "time_format": None}
    r = client.post("/invocations", json={"inputs": {"unique_id": ["a"] * 36, "y": LONG}, "params": params})
    assert r.status_code == 200, r.text
    (note,) = r.json()["notes"]
    assert "params 'season_length' were not read" in note, note


def test_invocations_with_only_what_it_reads_has_no_notes(panel_client):
    client, _ = panel_client
    body = {
        "dataframe_split": {"columns": ["unique_id", "y"], "data": [["a", v] for v in LONG], "index": None},
        "params": {"horizon": 2, "level": None, "model": None},
    }
    r = client.post("/invocations", json=body)
    assert r.status_code == 200, r.text
    assert "notes" not in r.json(), r.json()
