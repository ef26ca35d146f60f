"""``level`` / ``quantiles`` requests the service answers with a word: a NaN or infinite level is a
422 that says it is not a finite number (it read "should be less than 100"), and a level below 1
(a fraction meant as a percentage) is answered with a note on both endpoints."""

from __future__ import annotations

import json

import pytest

NOT_FINITE = ["NaN", "Infinity", "-Infinity"]


def _post_raw(client, path: str, body: str):
    """A body with JSON's non-standard NaN / Infinity literals, as Python's json.dumps writes them."""
    return client.post(path, content=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("bad", NOT_FINITE)
@pytest.mark.parametrize("field", ["level", "quantiles"])
def test_a_non_finite_level_or_quantile_is_422_saying_so(client, series, field, bad):
    body = json.dumps({"series": [series], "horizon": 2, field: [0.5 if field == "quantiles" else 80]})
    body = body[:-2] + f", {bad}]}}"  # the second entry of the list is the literal
    r = _post_raw(client, "/v1/forecast", body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == f"{field}[1]"
    assert "finite number" in r.json()["message"]


@pytest.mark.parametrize("bad", NOT_FINITE)
def test_a_non_finite_level_on_invocations_is_422_saying_so(client, registry, bad):
    rows = [
        {"unique_id": registry.channel_ids[0], "ds": t, "y": y}
        for t, y in zip(registry.timestamps, registry.history, strict=True)
    ]
    body = json.dumps({"dataframe_records": rows, "params": {"horizon": 2, "level": [80]}})
    body = body[:-3] + f", {bad}]}}}}"
    r = _post_raw(client, "/invocations", body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "params.level[1]"
    assert "finite number" in r.json()["message"]


def test_a_level_below_one_comes_with_a_note(client, registry, series):
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 2, "level": [0.5, 80]})
    assert r.status_code == 200, r.text
    (note,) = r.json()["notes"]
    assert "level 0.5 asks for a 0.5 % central interval" in note and "ask for level 50" in note
    assert set(r.json()["forecasts"][0]["intervals"]) == {"lo-0.5", "hi-0.5", "lo-80", "hi-80"}
    rows = [
        {"unique_id": registry.channel_ids[0], "ds": t, "y": y}
        for t, y in zip(registry.timestamps, registry.history, strict=True)
    ]
    r = client.post(
        "/invocations", json={"dataframe_records": rows, "params": {"horizon": 2, "level": [0.5]}}
    )
    assert r.status_code == 200, r.text
    assert r.json()["notes"] == [note]
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 2, "level": [50, 80]})
    assert r.status_code == 200 and "notes" not in r.json(), r.text


def test_a_zero_width_interval_comes_with_a_note_on_both_endpoints():
    """Native intervals of a flat history are the point itself: both endpoints say so."""
    from tests.service.conftest import OnePredictorStore, serving
    from tsforge.panels.predictor import PanelPredictor

    store = OnePredictorStore(
        PanelPredictor("naive", 3, freq=None, season_length=1, interval_method="native"), "flat"
    )
    flat = {"id": "flat", "values": [5.0] * 12}
    moving = {"id": "moving", "values": [float(v % 5) for v in range(12)]}
    with serving(store) as c:
        r = c.post("/v1/forecast", json={"series": [flat, moving], "horizon": 2, "level": [80, 95]})
        assert r.status_code == 200, r.text
        (note,) = r.json()["notes"]
        assert "80 and 95 % intervals of 1 of 2 series ('flat') have zero width" in note
        iv = r.json()["forecasts"][0]["intervals"]
        assert iv["lo-95"] == iv["hi-95"] == [5.0, 5.0]
        rows = {"unique_id": ["flat"] * 12, "y": flat["values"]}
        r = c.post("/invocations", json={"inputs": rows, "params": {"horizon": 2, "level": [80, 95]}})
        assert r.status_code == 200, r.text
        assert r.json()["notes"] == [note.replace("of 1 of 2 series", "of 1 of 1 series")]
        r = c.post("/v1/forecast", json={"series": [moving], "horizon": 2, "level": [80, 95]})
        assert r.status_code == 200 and "notes" not in r.json(), r.text
