"""The service holds the dates the library holds (1677-09-21 to 2262-04-11, pandas' nanosecond
clock), no fewer and no more, and its refusals quote that range; forecast steps that would run
past it are refused, not wrapped round to 1677.

Before, the service refused dates after 2200-01-01 (and before 1700-01-01) that ``tsforge
forecast`` reads, quoting "1700-01-01 and 2200-01-01", and a daily history ending at 2262-04-09
could have been forecast for 1677-09-21 (nanoseconds wrap round without a word).
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import polars as pl
import pytest

from service import forecast_worker
from service.convert import Limits, _parse_ds, series_from_request
from service.schemas.forecast import ForecastRequest
from tests.service.conftest import LONG
from tsforge.data.timeaxis import parse_time_column
from tsforge.errors import DataValidationError
from tsforge.inference import SeriesInput
from tsforge.panels.predictor import PanelPredictor

RANGE = "(1677-09-21 to 2262-04-11)"
LIMITS = Limits(max_series=10, max_series_length=10_000, max_horizon=100)


def _pair(day: str) -> list[str]:
    """Two times of one day (a series needs two observed values)."""
    return [f"{day}T00:00:00", f"{day}T01:00:00"]


def _library_reads(text: str) -> bool:
    try:
        parse_time_column(pl.Series("ds", _pair(text)), column="ds", file=None)
    except DataValidationError:
        return False
    return True


def _invocations_reads(text: str) -> bool:
    try:
        _parse_ds(_pair(text), field="inputs")
    except DataValidationError:
        return False
    return True


def _v1_reads(text: str) -> bool:
    series = {"id": "a", "values": [1.0, 2.0], "timestamps": _pair(text)}
    req = ForecastRequest.model_validate({"series": [series]})
    try:
        series_from_request(req, LIMITS)
    except DataValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("1677-09-22", True),
        ("2262-04-11", True),
        ("2230-06-01", True),
        ("1677-09-20", False),
        ("2262-04-12", False),
    ],
)
def test_the_service_reads_what_the_library_reads(text, held):
    assert _library_reads(text) is held
    assert _invocations_reads(text) is held
    assert _v1_reads(text) is held


def _dated(start: str, freq: str) -> list[str]:
    return [t.isoformat() for t in pd.date_range(start, periods=len(LONG), freq=freq)]


def test_a_history_after_2200_is_forecast_at_both_doors_alike(panel_client):
    client, _ = panel_client
    ts = _dated("2230-01-01", "MS")
    r = client.post(
        "/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": ts}], "horizon": 3}
    )
    assert r.status_code == 200, r.text
    native = r.json()["forecasts"][0]
    assert native["timestamps"] == ["2233-01-01T00:00:00", "2233-02-01T00:00:00", "2233-03-01T00:00:00"]
    rows = [["a", d, v] for d, v in zip(ts, LONG, strict=True)]
    body = {"dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows}, "params": {"horizon": 3}}
    inv = client.post("/invocations", json=body)
    assert inv.status_code == 200, inv.text
    assert [p["ds"] for p in inv.json()["predictions"]] == native["timestamps"]


def test_a_time_out_of_range_is_named_quoting_the_range(panel_client):
    client, _ = panel_client
    ts = _dated("2262-01-01", "D")
    ts[-1] = "2300-01-01T00:00:00"
    r = client.post(
        "/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": ts}], "horizon": 3}
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == f"series[0].timestamps[{len(ts) - 1}]", body
    assert "'2300-01-01T00:00:00'" in body["message"] and RANGE in body["message"], body
    with pytest.raises(DataValidationError) as caught:
        _parse_ds(ts, field="inputs")
    assert RANGE in caught.value.message, caught.value.message


def test_recommend_quotes_the_range_naming_the_time(rec_client):
    ts = [f"1650-01-{d:02d}" for d in range(1, 29)] + _dated("2020-01-01", "D")[: len(LONG) - 28]
    body = {"series": [{"id": "a", "values": LONG, "timestamps": ts}]}
    r = rec_client.post("/v1/recommend", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[0].timestamps[0]", r.text
    assert RANGE in r.json()["message"], r.text


@pytest.mark.parametrize(("start", "freq"), [("2262-03-05", "D"), ("2259-04-01", "MS")])
def test_forecast_steps_past_the_range_are_refused(panel_client, start, freq):
    """Daily steps (counted in nanoseconds) wrapped round to 1677; monthly ones (counted by
    pandas) raised: both are refused in one sentence, quoting the range."""
    client, _ = panel_client
    ts = _dated(start, freq)  # the last: 2262-04-09 (daily), 2262-03-01 (monthly)
    r = client.post(
        "/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": ts}], "horizon": 3}
    )
    assert r.status_code == 422, r.text
    message = r.json()["message"]
    assert message.startswith(f"forecast timestamps run past the dates tsforge can hold {RANGE}"), message
    assert f"series 'a' ends at {ts[-1]}, too late for 3 steps" in message, message
    assert "1677-09-2" not in message.split(RANGE)[1], message  # no wrapped date shown
    assert r.json()["field"] == "series[0].timestamps", r.text


@pytest.mark.parametrize(("start", "freq"), [("2262-03-05", "D"), ("2259-04-01", "MS")])
def test_invocations_refuses_them_naming_its_payload_and_the_series(panel_client, start, freq):
    client, _ = panel_client
    ts = _dated(start, freq)
    rows = [["a", d, v] for d, v in zip(ts, LONG, strict=True)]
    body = {"dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows}, "params": {"horizon": 3}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "dataframe_split", r.text
    assert r.json()["unique_id"] == "a", r.text
    assert f"series 'a' ends at {ts[-1]}, too late for 3 steps" in r.json()["message"], r.text


@pytest.mark.parametrize(("start", "freq"), [("2262-03-05", "D"), ("2259-04-01", "MS")])
def test_a_large_forecast_s_worker_refuses_them_as_the_server_does(start, freq):
    """A large request is forecast in a worker process (:mod:`service.forecast_worker`): it
    raises the library's refusal, naming the series' timestamps, as a forecast made inline does
    (the worker answered monthly steps past the range with pandas' words, naming ``series``)."""
    predictor = PanelPredictor("naive", 3, freq=freq, season_length=1)
    history = SeriesInput("a", np.asarray(LONG), pd.to_datetime(_dated(start, freq)).to_numpy())
    with pytest.raises(DataValidationError) as caught:
        forecast_worker.predict(f"past-range-{freq}", pickle.dumps(predictor), [history], 3, {})
    assert caught.value.where["field"] == "series[0].timestamps", caught.value
    assert caught.value.message.startswith("forecast timestamps run past the dates tsforge can hold")


def test_forecast_steps_up_to_the_last_day_are_answered(panel_client):
    client, _ = panel_client
    ts = _dated("2262-03-04", "D")  # ends 2262-04-08: its three steps end 2262-04-11
    r = client.post(
        "/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": ts}], "horizon": 3}
    )
    assert r.status_code == 200, r.text
    assert r.json()["forecasts"][0]["timestamps"][-1] == "2262-04-11T00:00:00"
