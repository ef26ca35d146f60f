"""Integer timestamps that are dates written as numbers (``20200131``; ``202001`` over more than
one year) are read as those dates on ``/v1/forecast``, ``/v1/recommend`` and ``/v1/profile``, as
the CLI, the pyfunc and ``/invocations`` read such a ``ds``.

Before, ``/v1/*`` took them for an integer step index: a monthly history sent as 20200101,
20200201, ... was answered with "timestamps" 20221301, 20221401 (no dates at all), and
``/invocations`` forecast the same history with real dates.
"""

from __future__ import annotations

import pandas as pd
from fastapi.testclient import TestClient

from service.schemas.recommend import RecommendRequest
from tests.service.conftest import LONG

MONTHS = pd.date_range("2020-01-01", periods=len(LONG), freq="MS")
AFTER = ["2023-01-01T00:00:00", "2023-02-01T00:00:00", "2023-03-01T00:00:00"]


def _post(client: TestClient, timestamps: list) -> dict:
    series = {"id": "a", "values": LONG, "timestamps": timestamps}
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 3})
    assert r.status_code == 200, r.text
    return r.json()["forecasts"][0]


def test_yyyymmdd_integers_are_forecast_as_dates(panel_client):
    client, _ = panel_client
    out = _post(client, [int(t.strftime("%Y%m%d")) for t in MONTHS])
    assert out["timestamps"] == AFTER, out


def test_yyyymm_integers_over_years_are_forecast_as_month_starts(panel_client):
    client, _ = panel_client
    out = _post(client, [int(t.strftime("%Y%m")) for t in MONTHS])
    assert out["timestamps"] == AFTER, out


def test_forecast_and_invocations_answer_integer_dates_alike(panel_client):
    client, _ = panel_client
    ds = [int(t.strftime("%Y%m%d")) for t in MONTHS]
    native = _post(client, ds)
    rows = [["a", d, v] for d, v in zip(ds, LONG, strict=True)]
    body = {"dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows}, "params": {"horizon": 3}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 200, r.text
    preds = r.json()["predictions"]
    assert [p["ds"] for p in preds] == native["timestamps"]
    assert [p["y_hat"] for p in preds] == native["values"]


def test_an_integer_that_is_no_date_among_dates_is_a_422_naming_its_position(panel_client):
    client, _ = panel_client
    ds = [int(t.strftime("%Y%m%d")) for t in MONTHS]
    ds[1] = 20200231  # 31 February
    series = {"id": "a", "values": LONG, "timestamps": ds}
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 3})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[0].timestamps[1]", body
    assert "20200231" in body["message"] and "time_format" in body["message"], body


def test_a_step_index_and_integer_years_stay_steps(panel_client):
    client, _ = panel_client
    assert _post(client, list(range(len(LONG))))["timestamps"] == [36, 37, 38]
    years = [1980 + k for k in range(len(LONG))]
    assert _post(client, years)["timestamps"] == [2016, 2017, 2018]


def test_recommend_reads_integer_dates_as_dates():
    """/v1/recommend and /v1/profile share the schema's reading (per_series checks the dates'
    frequency): checked on the request model, without a worker process."""
    ds = [int(t.strftime("%Y%m%d")) for t in MONTHS]
    req = RecommendRequest.model_validate(
        {"series": [{"id": "a", "values": LONG, "timestamps": ds}], "per_series": True}
    )
    assert req.series[0].timestamps == list(MONTHS.to_pydatetime())
