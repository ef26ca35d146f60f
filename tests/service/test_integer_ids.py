"""A JSON integer series id (``"id": 7``) is read as its decimal digits (``"7"``) by every
``/v1`` route, as ``/invocations`` reads a ``unique_id`` 7; a boolean or a float is refused
naming ``series[i].id``.

Before, ``/v1/forecast`` (and ``/v1/profile``, ``/v1/recommend``) refused ``"id": 7`` with
"Input should be a valid string" while ``/invocations`` forecast the same history as series
``"7"``: one history, answered by one door and refused by the other.
"""

from __future__ import annotations

import pytest

from service.schemas.forecast import ForecastRequest
from service.schemas.profile import ProfileRequest
from service.schemas.recommend import RecommendRequest
from tests.service.conftest import LONG


def test_forecast_reads_an_integer_id_as_invocations_does(panel_client):
    client, _ = panel_client
    r = client.post("/v1/forecast", json={"series": [{"id": 7, "values": LONG}], "horizon": 2})
    assert r.status_code == 200, r.text
    (native,) = r.json()["forecasts"]
    assert native["id"] == "7"  # echoed as text, as /invocations names it
    body = {"inputs": {"unique_id": [7] * len(LONG), "y": LONG}, "params": {"horizon": 2}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 200, r.text
    preds = r.json()["predictions"]
    assert {p["unique_id"] for p in preds} == {"7"}
    assert [p["y_hat"] for p in preds] == native["values"]


def test_profile_answers_an_integer_id_as_text(panel_client):
    client, _ = panel_client
    r = client.post("/v1/profile", json={"series": [{"id": 7, "values": LONG * 2}]})
    assert r.status_code == 200, r.text
    assert r.json()["profiles"][0]["id"] == "7"


@pytest.mark.parametrize("model", [ForecastRequest, ProfileRequest, RecommendRequest])
def test_every_v1_schema_reads_an_integer_id_as_its_digits(model):
    req = model.model_validate({"series": [{"id": -12, "values": LONG}, {"id": "b", "values": LONG}]})
    assert [s.id for s in req.series] == ["-12", "b"]


@pytest.mark.parametrize("bad", [True, 7.0, 7.5, None, [7]])
def test_a_boolean_or_a_float_id_is_refused_naming_it(panel_client, bad):
    client, _ = panel_client
    body = {"series": [{"id": "a", "values": LONG}, {"id": bad, "values": LONG}], "horizon": 2}
    r = client.post("/v1/forecast", json=body)
    assert r.status_code == 422, r.text
    err = r.json()
    assert err["field"] == "series[1].id"
    assert "a series id must be a string or an integer" in err["message"], err


def test_an_integer_and_its_digits_are_one_id_repeated(panel_client):
    """As on /invocations, where unique_id 7 and "7" are one series."""
    client, _ = panel_client
    body = {"series": [{"id": 7, "values": LONG}, {"id": "7", "values": LONG}], "horizon": 2}
    r = client.post("/v1/forecast", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[1].id"
    assert "duplicate series id '7'" in r.json()["message"]
