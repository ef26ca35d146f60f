"""What a client integrating the service gets wrong, answered as a 422 naming the culprit.

Found by exercising a running service as a client would (session 59): each case was answered
with a field or position that was not the one to change, or with a 200 that dropped part of
the request without a word.
"""

from __future__ import annotations

from typing import cast

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.model_store import ModelStore
from service.settings import ServiceSettings
from tests.service.conftest import LONG

MONTHS = [f"{2020 + k // 12}-{1 + k % 12:02d}-01" for k in range(len(LONG))]


@pytest.mark.parametrize(
    ("odd", "shown"),
    [("2020-01-01", "'2020-01-01'"), (5.0, "5.0")],
)
def test_a_step_index_with_one_odd_position_names_that_position(panel_client, odd, shown):
    # was "position 0 holds 0" at series[0].timestamps: the one position that was right
    client, _ = panel_client
    steps: list[object] = list(range(len(LONG)))
    steps[5] = odd
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": steps}]})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[0].timestamps[5]"
    assert f"position 5 holds {shown}" in body["message"]


def test_dates_with_one_integer_name_the_integer(panel_client):
    client, _ = panel_client
    stamps: list[object] = list(MONTHS)
    stamps[7] = 7
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": stamps}]})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[0].timestamps[7]"


@pytest.mark.parametrize("name", ["date", "timestamp", "Time"])
def test_a_long_frame_with_its_times_under_another_name_is_refused_naming_it(panel_client, name):
    # was a 200 without ds: the dates dropped without a word
    client, _ = panel_client
    rows = {"unique_id": ["a"] * len(LONG), name: MONTHS, "y": LONG}
    r = client.post("/invocations", json={"inputs": rows, "params": {"horizon": 3}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "inputs" and body["column"] == name
    assert f"rename {name!r} to 'ds'" in body["message"]


@pytest.mark.parametrize(
    ("column", "hint"),
    [("id", "rename 'id' to 'unique_id'"), ("series_id", "rename 'series_id' to 'unique_id'")],
)
def test_a_long_frame_with_its_ids_under_another_name_says_it_was_read_as_wide(panel_client, column, hint):
    # was "id must be a number or null, got 'a'": true of a wide frame, which was not meant
    client, _ = panel_client
    rows = {column: ["a"] * len(LONG), "ds": MONTHS, "y": LONG}
    r = client.post("/invocations", json={"inputs": rows, "params": {"horizon": 3}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["column"] == column and body["row"] == 0
    assert "read as wide" in body["message"] and hint in body["message"]


def test_a_wide_frame_is_still_read_as_wide(panel_client):
    client, _ = panel_client
    r = client.post("/invocations", json={"inputs": {"ds": MONTHS, "a": LONG}, "params": {"horizon": 3}})
    assert r.status_code == 200, r.text
    assert [p["unique_id"] for p in r.json()["predictions"]] == ["a"] * 3


@pytest.mark.parametrize(
    ("series", "field", "words"),
    [
        # was field "body": the series whose length differs is the one to look at
        (
            [{"id": "a", "values": [1.0] * 60}, {"id": "b", "values": [1.0] * 50}],
            "series[1].values",
            "series 'b' has 50 values and series 'a' 60",
        ),
        # was "every value is missing" at "series", naming none
        (
            [{"id": "a", "values": [None] * 40}, {"id": "b", "values": [None] * 40}],
            "series[0].values",
            "series 'a' has no observed value, nor does the other",
        ),
        # was "too short for horizon 12 (the default for this data)" at "horizon", a field the
        # client had not sent and no value of which fits
        ([{"id": "a", "values": [1.0, 2.0]}], "series[0].values", "has 2 values, too short to recommend"),
    ],
)
def test_a_dataset_the_recommender_cannot_read_names_the_series(rec_client, series, field, words):
    r = rec_client.post("/v1/recommend", json={"series": series})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == field and words in body["message"]


def test_a_default_horizon_too_long_for_the_data_is_said_in_notes(rec_client):
    # was a 200 for horizon 4 without a word, where the schema promised one season (12..48)
    values = [float(10 + (k % 12)) for k in range(40)]
    r = rec_client.post("/v1/recommend", json={"series": [{"id": "a", "values": values}]})
    assert r.status_code == 200, r.text
    out = r.json()
    # one note of the horizon the data allowed (a second may say the horizon lies outside the
    # recommender's knowledge base: the fixture's recommender learnt from one horizon)
    (note,) = [n for n in out["notes"] if "the longest that fits" in n]
    assert f"horizon {out['horizon']}, the longest that fits" in note
    assert "--horizon" not in note and "ask for a horizon to choose another" in note


def test_a_horizon_too_long_for_the_data_is_refused_in_the_request_s_words(rec_client):
    # was "pass a horizon of at most 6 (--horizon, horizon=)": a flag and an argument, not a field
    values = [float(10 + (k % 12)) for k in range(40)]
    r = rec_client.post("/v1/recommend", json={"series": [{"id": "a", "values": values}], "horizon": 30})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "horizon"
    assert "--horizon" not in body["message"] and "ask for a horizon of at most" in body["message"]


def test_a_horizon_over_the_service_limit_on_invocations_is_a_413_naming_params_horizon(panel_client):
    # was a 422 for the model's horizon: the 413 the API documents came only from /v1/forecast
    client, _ = panel_client
    rows = {"unique_id": ["a"] * len(LONG), "ds": MONTHS, "y": LONG}
    r = client.post("/invocations", json={"inputs": rows, "params": {"horizon": 100000}})
    assert r.status_code == 413, r.text
    assert r.json()["field"] == "params.horizon"


def test_a_service_limit_below_the_model_s_horizon_names_params_horizon():
    # was named "horizon", a field /invocations does not have
    from service.dependencies import get_store
    from tests.service.conftest import OnePredictorStore
    from tsforge.panels.predictor import PanelPredictor

    store = OnePredictorStore(PanelPredictor("naive", 3, freq=None, season_length=1), "naive")
    app = create_app(ServiceSettings(alias_poll_seconds=0, max_horizon=2), store=cast(ModelStore, store))
    app.dependency_overrides[get_store] = lambda: store
    rows = {"unique_id": ["a"] * len(LONG), "y": LONG}
    with TestClient(app) as client:
        r = client.post("/invocations", json={"inputs": rows})
    assert r.status_code == 413, r.text
    assert r.json()["field"] == "params.horizon"


def test_a_default_model_missing_from_the_registry_is_the_service_s_503_not_the_client_s_404(
    empty_store_uri,
):
    # was a 404 "no registered model named 'ghost'" at field "model", which the request had not sent
    settings = ServiceSettings(tracking_uri=empty_store_uri, default_model="ghost", alias_poll_seconds=0)
    series = {"id": "a", "values": LONG}
    with TestClient(create_app(settings)) as client:
        forecast = client.post("/v1/forecast", json={"series": [series]})
        invocations = client.post("/invocations", json={"inputs": {"unique_id": ["a"] * 3, "y": [1, 2, 3]}})
        named = client.post("/v1/forecast", json={"series": [series], "model": "ghost"})
    for r in (forecast, invocations):
        assert r.status_code == 503, r.text
        body = r.json()
        assert "TSFORGE_MODEL" in body["message"] and "'ghost'" in body["message"]
        assert "field" not in body
    assert named.status_code == 404 and named.json()["field"] == "model"  # named by the client: its 404
