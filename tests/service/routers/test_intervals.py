"""``level`` / ``quantiles`` over REST: intervals on /v1/forecast and /invocations, and 422s
naming the field for values that cannot be a level or a quantile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tsforge.inference import SeriesInput
from tsforge.tracking import load_predictor


@pytest.fixture(scope="module")
def client(shared_client: TestClient) -> TestClient:
    """One app for this module's tests (``shared_client``): they only post forecasts and read
    the answers (no alias moves, no reloads, no other settings), so what one leaves behind (the
    store's loaded versions) changes no answer another checks."""
    return shared_client


BAD_LEVELS = [0, 100, 150, "80", "abc", True, None]


def test_forecast_returns_intervals_matching_the_library(client, registry, series):
    body = {"series": [series], "horizon": 12, "level": [80, 95], "quantiles": [0.1, 0.5, 0.9]}
    r = client.post("/v1/forecast", json=body)
    assert r.status_code == 200, r.text
    (f,) = r.json()["forecasts"]
    iv = {k: np.array(v) for k, v in f["intervals"].items()}
    assert set(iv) == {"lo-80", "hi-80", "lo-95", "hi-95", "q-0.1", "q-0.5", "q-0.9"}
    assert all(len(v) == 12 for v in iv.values())
    assert (iv["lo-95"] <= iv["lo-80"]).all() and (iv["lo-80"] <= iv["q-0.5"]).all()
    assert (iv["q-0.5"] <= iv["hi-80"]).all() and (iv["hi-80"] <= iv["hi-95"]).all()
    pred = load_predictor(f"models:/{registry.name}/{registry.dlinear_version}")
    ts = pd.DatetimeIndex(series["timestamps"]).values
    (expected,) = pred.predict_series(
        [SeriesInput(series["id"], np.array(series["values"]), ts)],
        12,
        level=[80, 95],
        quantiles=[0.1, 0.5, 0.9],
    )
    for k, v in expected.bounds.items():
        np.testing.assert_allclose(iv[k], v, rtol=1e-6)


def test_a_level_the_calibration_cannot_resolve_comes_with_a_note(client, registry, series):
    """99.99 % needs 19,999 calibration scores per step: the answer keeps its (clamped) bounds and
    says so in `notes`, the same sentence as the library's; resolvable levels carry no notes."""
    pred = load_predictor(f"models:/{registry.name}/{registry.dlinear_version}")
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 12, "level": [99.99]})
    assert r.status_code == 200, r.text
    assert r.json()["notes"] == [pred.interval_shortfall([99.99], None, 12)]
    assert "99.99 % interval needs 19999 calibration scores" in r.json()["notes"][0]
    assert set(r.json()["forecasts"][0]["intervals"]) == {"lo-99.99", "hi-99.99"}
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 12, "level": [80, 95]})
    assert r.status_code == 200 and "notes" not in r.json(), r.text


def test_forecast_without_level_has_no_intervals(client, series):
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 6})
    assert r.status_code == 200, r.text
    assert "intervals" not in r.json()["forecasts"][0]


@pytest.mark.parametrize("bad", BAD_LEVELS)
def test_forecast_bad_level_is_422_naming_the_field(client, series, bad):
    r = client.post("/v1/forecast", json={"series": [series], "level": [80, bad]})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "level[1]"


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, "0.5", "x"])
def test_forecast_bad_quantile_is_422_naming_the_field(client, series, bad):
    r = client.post("/v1/forecast", json={"series": [series], "quantiles": [bad]})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "quantiles[0]"


def test_forecast_level_must_be_a_list(client, series):
    r = client.post("/v1/forecast", json={"series": [series], "level": 80})
    assert r.status_code == 422 and r.json()["field"] == "level"


def _records(registry, params: dict) -> dict:
    rows = [
        [registry.channel_ids[0], t, y] for t, y in zip(registry.timestamps, registry.history, strict=True)
    ]
    return {"dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows}, "params": params}


def test_invocations_returns_the_pyfunc_interval_columns(client, registry):
    r = client.post(
        "/invocations", json=_records(registry, {"horizon": 6, "level": [80], "quantiles": [0.5]})
    )
    assert r.status_code == 200, r.text
    rows = r.json()["predictions"]
    assert len(rows) == 6
    assert list(rows[0]) == ["unique_id", "ds", "step", "y_hat", "y_hat-lo-80", "y_hat-hi-80", "y_hat-q-0.5"]
    assert all(row["y_hat-lo-80"] <= row["y_hat-q-0.5"] <= row["y_hat-hi-80"] for row in rows)
    pred = load_predictor(f"models:/{registry.name}/{registry.dlinear_version}")
    hist = pd.DataFrame(
        {
            "unique_id": registry.channel_ids[0],
            "ds": pd.to_datetime(registry.timestamps),
            "y": registry.history,
        }
    )
    expected = pred.predict_frame(hist, 6, level=[80], quantiles=[0.5])
    np.testing.assert_allclose([row["y_hat-hi-80"] for row in rows], expected["y_hat-hi-80"], rtol=1e-6)


def test_invocations_notes_a_level_the_calibration_cannot_resolve(client, registry):
    """Same note as /v1/forecast's, next to MLflow's `predictions`; none for a resolved level."""
    pred = load_predictor(f"models:/{registry.name}/{registry.dlinear_version}")
    r = client.post("/invocations", json=_records(registry, {"horizon": 6, "level": [99.99]}))
    assert r.status_code == 200, r.text
    assert r.json()["notes"] == [pred.interval_shortfall([99.99], None, 6)]
    assert len(r.json()["predictions"]) == 6
    r = client.post("/invocations", json=_records(registry, {"horizon": 6, "level": [80]}))
    assert r.status_code == 200 and list(r.json()) == ["predictions"], r.text


@pytest.mark.parametrize("bad", BAD_LEVELS[:-1])
def test_invocations_bad_level_is_422_naming_the_field(client, registry, bad):
    r = client.post("/invocations", json=_records(registry, {"level": [bad]}))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "params.level[0]"


@pytest.mark.parametrize(
    ("params", "field"), [({"quantiles": [1.2]}, "params.quantiles[0]"), ({"level": "80"}, "params.level")]
)
def test_invocations_bad_quantiles_and_shapes(client, registry, params, field):
    r = client.post("/invocations", json=_records(registry, params))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
