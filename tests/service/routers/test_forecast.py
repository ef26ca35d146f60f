"""POST /v1/forecast: happy paths against a real registered model, and every bad-input path → 4xx JSON."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.schemas.forecast import FORECAST_EXAMPLE
from tsforge.inference import SeriesInput
from tsforge.tracking import load_predictor


@pytest.fixture(scope="module")
def client(shared_client: TestClient) -> TestClient:
    """One app for this module's tests (``shared_client``): they only post forecasts (no alias
    moves, no reloads; the tests that need other settings build their own app), so what one
    leaves behind (the store's loaded versions) changes no answer another checks."""
    return shared_client


def test_single_series_with_timestamps_uses_champion(client, registry, series):
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 24})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"]["name"] == registry.name
    assert body["model"]["version"] == registry.dlinear_version
    assert body["model"]["alias"] == "champion"
    assert body["model"]["run_id"]
    assert body["horizon"] == 24
    (f,) = body["forecasts"]
    assert f["id"] == series["id"] and len(f["values"]) == 24 and all(np.isfinite(f["values"]))
    # The next hour after the last history timestamp, hourly onwards.
    last = np.datetime64(series["timestamps"][-1])
    assert f["timestamps"][0] == str(last + np.timedelta64(1, "h"))
    assert f["timestamps"][-1] == str(last + np.timedelta64(24, "h"))


def test_matches_library_predictor(client, registry, series):
    """The service answers exactly what the library's Predictor computes for the same version."""
    pred = load_predictor(f"models:/{registry.name}/{registry.dlinear_version}")
    expected = pred.predict_series([SeriesInput(series["id"], np.array(series["values"]))], 12)[0].values
    r = client.post(
        "/v1/forecast", json={"series": [{"id": series["id"], "values": series["values"]}], "horizon": 12}
    )
    assert r.status_code == 200, r.text
    np.testing.assert_allclose(r.json()["forecasts"][0]["values"], expected, rtol=1e-6)
    assert r.json()["forecasts"][0]["timestamps"] is None


def test_integer_timestamps_are_a_step_index_that_the_forecast_continues(client, registry, series):
    """Integers in every position (Nixtla's integer ``ds``) label the steps: the answer's
    timestamps are the steps that follow, in the history's spacing; the values do not change."""
    n = len(series["values"])
    steps = [1000 + 10 * k for k in range(n)]
    r = client.post("/v1/forecast", json={"series": [{**series, "timestamps": steps}], "horizon": 3})
    assert r.status_code == 200, r.text
    out = r.json()["forecasts"][0]
    assert out["timestamps"] == [steps[-1] + 10, steps[-1] + 20, steps[-1] + 30]
    plain = client.post(
        "/v1/forecast", json={"series": [{"id": series["id"], "values": series["values"]}], "horizon": 3}
    )
    np.testing.assert_allclose(out["values"], plain.json()["forecasts"][0]["values"])


def test_batch_of_many_series_and_default_horizon(client, registry):
    rng = np.random.default_rng(0)
    body = {"series": [{"id": f"new_{i}", "values": (10 + rng.normal(size=60)).tolist()} for i in range(64)]}
    r = client.post("/v1/forecast", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["horizon"] == 24  # the trained horizon
    assert [f["id"] for f in out["forecasts"]] == [f"new_{i}" for i in range(64)]
    assert all(len(f["values"]) == 24 for f in out["forecasts"])


@pytest.mark.parametrize(
    ("ref", "version_attr", "alias"),
    [
        ("svc_model/2", "naive_version", None),
        ("svc_model@baseline", "naive_version", "baseline"),
        ("svc_model", "dlinear_version", "champion"),
        ("models:/svc_model/1", "dlinear_version", None),
    ],
)
def test_model_reference_forms(client, registry, series, ref, version_attr, alias):
    r = client.post("/v1/forecast", json={"series": [series], "model": ref})
    assert r.status_code == 200, r.text
    assert r.json()["model"]["version"] == getattr(registry, version_attr)
    assert r.json()["model"]["alias"] == alias
    if version_attr == "naive_version":  # naive repeats the last value
        assert r.json()["forecasts"][0]["values"] == pytest.approx([series["values"][-1]] * 24)


def test_missing_values_as_null_are_accepted(client, series):
    values = list(series["values"])
    values[-3] = None
    values[5] = None
    r = client.post("/v1/forecast", json={"series": [{**series, "values": values}]})
    assert r.status_code == 200, r.text
    assert all(np.isfinite(r.json()["forecasts"][0]["values"]))


def test_openapi_example_works_as_shown(client):
    r = client.post("/v1/forecast", json=FORECAST_EXAMPLE)
    assert r.status_code == 200, r.text
    assert [f["id"] for f in r.json()["forecasts"]] == ["station_a", "station_b"]
    assert client.get("/openapi.json").json()["components"]["schemas"]["ForecastRequest"]["examples"] == [
        FORECAST_EXAMPLE
    ]


def _post_raw(client, text: str):
    return client.post("/v1/forecast", content=text.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"series": [{"id": "a", "values": [1, NaN, 3]}]}', "series[0].values[1]"),
        ('{"series": [{"id": "a", "values": [1, Infinity]}]}', "series[0].values[1]"),
        ('{"series": [{"id": "a", "values": [1, -Infinity]}]}', "series[0].values[1]"),
        ('{"series": [{"id": "a", "values": [1, 1e400]}]}', "series[0].values[1]"),
        ('{"series": [{"id": "a", "values": []}]}', "series[0].values"),
        ('{"series": []}', "series"),
        ('{"series": [{"id": "a", "values": ["x", 2]}]}', "series[0].values[0]"),
        ('{"series": [{"id": "a", "values": [[1], 2]}]}', "series[0].values[0]"),
        ('{"series": [{"id": "", "values": [1]}]}', "series[0].id"),
        ('{"series": [{"id": "a", "values": [1]}], "horizon": 0}', "horizon"),
        ('{"series": [{"id": "a", "values": [1]}], "horizon": "soon"}', "horizon"),
        ('{"series": [{"id": "a", "values": [1]}], "extra": 1}', "extra"),
        ('{"series": "abc"}', "series"),
        ('{"series": [{"id": "a", "values": [1, 2], "timestamps": ["2024-01-01"]}]}', "series[0].timestamps"),
        (
            '{"series": [{"id": "a", "values": [1, 2], "timestamps": ["2024-01-02", "2024-01-01"]}]}',
            "series[0].timestamps[1]",
        ),
        (
            '{"series": [{"id": "a", "values": [1, 2], "timestamps": ["2024-01-01", "not a date"]}]}',
            "series[0].timestamps[1]",
        ),
        # a number is no date (pydantic would read 121 as 1970-01-01T00:02:01), nor a mix of both
        (
            '{"series": [{"id": "a", "values": [1, 2], "timestamps": ["2024-01-01", 5]}]}',
            "series[0].timestamps[1]",
        ),
        ('{"series": [{"id": "a", "values": [1, 2], "timestamps": ["1", "2"]}]}', "series[0].timestamps[0]"),
        ('{"series": [{"id": "a", "values": [1, 2], "timestamps": [1.5, 2.5]}]}', "series[0].timestamps[0]"),
        ('{"series": [{"id": "a", "values": [1, 2], "timestamps": [2, 1]}]}', "series[0].timestamps[1]"),
        ('{"series": [{"id": "a", "values": [1]}, {"id": "a", "values": [2]}]}', "series[1].id"),
        ('{"series": [{"id": "a", "values": [1], "coords": [1]}]}', "series[0].coords"),
        ("[1, 2, 3]", "body"),
        ('{"series": [', "body"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, raw, field):
    r = _post_raw(client, raw)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "RequestValidationError"
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert body["field"] == field, body
    # in front, or once inside where the refusal already says where (the time reader's words)
    assert body["message"].startswith(f"{field}: ") or body["message"].count(field) == 1, body


def test_all_missing_series_is_422(client):
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": [None] * 60}]})
    assert r.status_code == 422
    assert r.json()["field"] == "series[0].values" and r.json()["error"] == "DataValidationError"


def test_a_series_with_one_observed_value_is_422_naming_its_field(client, series):
    undated = {"id": series["id"], "values": series["values"]}  # dated alike: both without dates
    body = {"series": [undated, {"id": "b", "values": [None, 3.0, None]}]}
    r = client.post("/v1/forecast", json=body)
    assert r.status_code == 422
    assert r.json()["field"] == "series[1].values" and "one observed value" in r.json()["message"]


def test_too_short_history_is_422(client):
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": [1.0] * 10}]})
    assert r.status_code == 422
    assert r.json()["field"] == "series[0].values"
    assert "at least 48" in r.json()["message"]


def test_horizon_above_model_maximum_is_422(client, series):
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 25})
    assert r.status_code == 422
    assert r.json() == {
        "error_code": "INVALID_PARAMETER_VALUE",
        "error": "ConfigError",
        # the words of every door (tsforge.inference.predictor.horizon_refusal): why, and how to get 25
        "message": "horizon 25 is outside 1..24, the horizon model svc_model/1 was trained for: its "
        "intervals are calibrated for steps 1..24; for 25 steps, train it again with horizon 25 "
        "(tsforge train … -H 25)",
        "field": "horizon",
    }


def test_huge_values_never_give_a_500(client):
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": [1e308, -1e308] * 30}]})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[0].values"


@pytest.mark.parametrize("ref", ["nope", "svc_model@nope", "svc_model/99"])
def test_unknown_model_alias_version_is_404(client, series, ref):
    r = client.post("/v1/forecast", json={"series": [series], "model": ref})
    assert r.status_code == 404, r.text
    assert r.json()["error"] == "ModelNotFoundError"
    assert r.json()["field"] == "model"
    assert r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.parametrize("ref", ["x/abc", "svc_model/0", "bad name!", "svc_model@"])
def test_a_malformed_model_reference_is_a_422_naming_the_field(client, series, ref):
    """A reference that is not 'name', 'name@alias' or 'name/version' is the client's input
    error, answered as other invalid fields are (it was a 404 "malformed model reference")."""
    r = client.post("/v1/forecast", json={"series": [series], "model": ref})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "ConfigError" and body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert body["field"] == "model"
    assert f"malformed model reference {ref!r}" in body["message"]


def test_limits_are_configurable(make_settings, series):
    from service.main import create_app

    with TestClient(create_app(make_settings(max_series=2, max_series_length=100, max_horizon=12))) as c:
        r = c.post("/v1/forecast", json={"series": [{**series, "id": f"s{i}"} for i in range(3)]})
        assert r.status_code == 413 and r.json()["field"] == "series"
        assert "at most 2" in r.json()["message"]
        r = c.post("/v1/forecast", json={"series": [{"id": "a", "values": [1.0] * 101}]})
        assert r.status_code == 413 and r.json()["field"] == "series[0].values"
        r = c.post("/v1/forecast", json={"series": [series], "horizon": 13})
        assert r.status_code == 413 and r.json()["field"] == "horizon"
        r = c.post("/v1/forecast", json={"series": [series]})  # default = model's 24 > service limit 12
        assert r.status_code == 413 and r.json()["field"] == "horizon"


def test_no_model_and_no_default_is_404(make_settings, series):
    from service.main import create_app

    with TestClient(create_app(make_settings(default_model=None))) as c:
        r = c.post("/v1/forecast", json={"series": [series]})
        assert r.status_code == 404 and r.json()["field"] == "model"
        assert c.post("/v1/forecast", json={"series": [series], "model": "svc_model/1"}).status_code == 200


@pytest.mark.parametrize(
    ("start", "first_out"),
    [("2262-04-11T00:00:00", 24), ("9999-01-01T00:00:00", 0), ("1600-01-01T00:00:00", 0)],
)
def test_timestamps_outside_the_clock_range_are_422(client, start, first_out):
    """Named at the first time the clock cannot hold (past 2262-04-11T23:47:16, the library's
    range), quoting the range."""
    ts = [str(np.datetime64(start) + np.timedelta64(i, "h")) for i in range(48)]
    r = client.post(
        "/v1/forecast", json={"series": [{"id": "a", "values": list(range(48)), "timestamps": ts}]}
    )
    assert r.status_code == 422, r.text
    assert r.json()["field"] == f"series[0].timestamps[{first_out}]", r.text
    assert "(1677-09-21 to 2262-04-11)" in r.json()["message"], r.text
    rows = [["a", t, float(i)] for i, t in enumerate(ts)]
    r = client.post(
        "/invocations", json={"dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows}}
    )
    assert r.status_code == 422 and r.json()["column"] == "ds"


@pytest.mark.parametrize("offset", ["+02:00", "-05:30", "+00:00"])
def test_time_zone_aware_timestamps_are_answered_at_the_history_offset(client, series, offset):
    """Audit D7: a +05:00 history got naive UTC forecast timestamps; the answer keeps the offset
    (the same instants as before, in the history's local time)."""
    aware = [t + offset for t in series["timestamps"]]
    r = client.post("/v1/forecast", json={"series": [{**series, "timestamps": aware}], "horizon": 2})
    assert r.status_code == 200, r.text
    last = np.datetime64(series["timestamps"][-1])
    expected = [str(last + np.timedelta64(k, "h")) + offset for k in (1, 2)]
    assert r.json()["forecasts"][0]["timestamps"] == expected


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"series": [{"id": "a", "values": [1, "3", 4]}]}', "series[0].values[1]"),
        ('{"series": [{"id": "a", "values": [1, 2, 3, "1_000"]}]}', "series[0].values[3]"),
        ('{"series": [{"id": "a", "values": [1, true]}]}', "series[0].values[1]"),
        ('{"series": [{"id": "a", "values": [false, 1]}]}', "series[0].values[0]"),
        ('{"series": [{"id": "a", "values": [1, 2], "coords": [1.5, "2"]}]}', "series[0].coords[1]"),
        ('{"series": [{"id": "a", "values": [1, 2], "coords": [true, 2]}]}', "series[0].coords[0]"),
        ('{"series": [{"id": "a", "values": [1, 2]}], "horizon": true}', "horizon"),
        ('{"series": [{"id": "a", "values": [1, 2]}], "horizon": "3"}', "horizon"),
        ('{"series": [{"id": "a", "values": [1, 2]}], "horizon": 2.0}', "horizon"),
        ('{"series": [{"id": "a", "values": [1, 2]}], "model": "  "}', "model"),
        ('{"series": [{"id": "a", "values": [1, 2]}], "model": "\\t"}', "model"),
    ],
)
def test_non_numbers_and_blank_models_are_422_naming_the_field(client, raw, field):
    """Audit D2/D3/D14: "3", "1_000" and true were read as numbers (and "3" / true as a horizon),
    and a blank model silently meant the default model; /invocations already refused them."""
    r = _post_raw(client, raw)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field, r.json()


def test_json_integers_are_still_numbers(client, series):
    """Strict floats refuse strings and booleans, not JSON integers."""
    values = [round(v) for v in series["values"]]
    r = client.post("/v1/forecast", json={"series": [{**series, "values": values}], "horizon": 2})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "headers",
    [{}, {"content-type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"}],
)
def test_a_body_not_sent_as_json_is_415(client, series, headers):
    """Audit D11: curl's default form type, text/plain or no type got 422 "Input should be a valid
    dictionary"; the body's type is at fault, and 415 says so."""
    import json

    body = json.dumps({"series": [series], "horizon": 2}).encode()
    for path in ("/v1/forecast", "/invocations", "/v1/profile", "/v1/recommend"):
        r = client.post(path, content=body, headers=headers)
        assert r.status_code == 415, (path, r.text)
        assert r.json()["field"] == "Content-Type" and "application/json" in r.json()["message"]
    ok = client.post(
        "/v1/forecast", content=body, headers={"content-type": "application/json; charset=utf-8"}
    )
    assert ok.status_code == 200, ok.text


def test_a_body_the_json_parser_cannot_read_is_400_naming_the_body(client, series):
    """An integer of 5,000 digits (Python refuses over 4,300) made FastAPI answer 400 "There was
    an error parsing the body", without a field or a word on what to change."""
    body = '{"series": [{"id": "a", "values": [' + "9" * 5000 + ', 1, 2]}], "horizon": 2}'
    r = client.post("/v1/forecast", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "body" and "thousands of digits" in r.json()["message"], r.json()


def test_integer_steps_that_would_pass_int64_are_422_naming_the_timestamps(client, series):
    """Audit D4: steps near 2**63 wrapped round, and the forecast was labelled with negative steps."""
    n = len(series["values"])
    steps = [2**63 - 1 - n + k for k in range(n)]
    r = client.post("/v1/forecast", json={"series": [{**series, "timestamps": steps}], "horizon": 3})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[0].timestamps" and "largest integer key" in r.json()["message"]


@pytest.mark.parametrize(
    ("field", "value", "at"),
    [("level", [80, 80.0000001], 1), ("level", [97.123456], 0), ("quantiles", [0.1234567], 0)],
)
def test_a_level_its_key_cannot_spell_is_422(client, series, field, value, at):
    """Audit D5: keys keep six significant digits, so 80 and 80.0000001 merged into ``lo-80`` and
    97.123456 came back as ``lo-97.1235``: such a number is refused, naming the field (and, since
    session 57's audit, its position)."""
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 2, field: value})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == f"{field}[{at}]" and "six significant digits" in r.json()["message"]
    ok = client.post(
        "/v1/forecast", json={"series": [series], "horizon": 2, "level": [97.5], "quantiles": [0.025]}
    )
    assert ok.status_code == 200 and {"lo-97.5", "q-0.025"} <= set(ok.json()["forecasts"][0]["intervals"])


def test_a_shortfall_note_never_rounds_a_level_up_to_100(client, series):
    """Audit D6: level 99.9999 (the finest six digits spell) was named "the 100 % interval" in the
    note, and the level this calibration resolves (under 100) "100 %"."""
    body = {"series": [series], "horizon": 2, "level": [99.9999]}
    r = client.post("/v1/forecast", json=body)
    assert r.status_code == 200, r.text
    (note,) = r.json()["notes"]
    assert "the 99.9999 % interval" in note and "100 %" not in note, note


def test_a_sampling_mismatch_names_the_model_asked_for(client, series):
    """Audit D16: the message named the library's model class (a routed model's member), not
    the registered model the request resolved to."""
    days = [str(np.datetime64("2020-01-01") + np.timedelta64(k, "D")) for k in range(len(series["values"]))]
    r = client.post("/v1/forecast", json={"series": [{**series, "timestamps": days}], "horizon": 2})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[0].timestamps"
    assert "this svc_model model" in r.json()["message"], r.json()
