"""Text of digits alone (``"20210105"``) in a series' ``timestamps`` is read as dates on
``/v1/forecast``, ``/v1/recommend`` and ``/v1/profile``, by the library's reader, as
``/invocations``, the CLI and the pyfunc read such a ``ds``.

Before, ``/v1/*`` refused the text ("timestamps are ISO-8601 date strings, or integers ...")
while ``/invocations`` forecast the same history, and the README says ``/v1`` timestamps are read
"also as ``/invocations`` reads a ``ds``".
"""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.schemas.profile import ProfileRequest
from service.schemas.recommend import RecommendRequest
from tests.service.conftest import LONG

MONTHS = pd.date_range("2020-01-01", periods=len(LONG), freq="MS")
DIGITS = [t.strftime("%Y%m%d") for t in MONTHS]


def _forecast(client: TestClient, timestamps: list) -> dict:
    series = {"id": "a", "values": LONG, "timestamps": timestamps}
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 3})
    assert r.status_code == 200, r.text
    return r.json()["forecasts"][0]


def test_forecast_reads_digit_text_as_invocations_does(panel_client):
    client, _ = panel_client
    native = _forecast(client, DIGITS)
    assert native["timestamps"] == ["2023-01-01T00:00:00", "2023-02-01T00:00:00", "2023-03-01T00:00:00"]
    rows = [["a", d, v] for d, v in zip(DIGITS, LONG, strict=True)]
    body = {"dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows}, "params": {"horizon": 3}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 200, r.text
    preds = r.json()["predictions"]
    assert [p["ds"] for p in preds] == native["timestamps"]
    assert [p["y_hat"] for p in preds] == native["values"]


def test_digit_text_that_is_no_date_is_a_422_naming_its_position(panel_client):
    client, _ = panel_client
    ds = list(DIGITS)
    ds[1] = "20200231"  # 31 February
    series = {"id": "a", "values": LONG, "timestamps": ds}
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 3})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[0].timestamps[1]", body
    assert "20200231" in body["message"], body


@pytest.mark.parametrize("request_model", [RecommendRequest, ProfileRequest])
def test_recommend_and_profile_read_digit_text_as_dates(request_model):
    """/v1/recommend and /v1/profile share the schema's reading: checked on the request model."""
    req = request_model.model_validate({"series": [{"id": "a", "values": LONG, "timestamps": DIGITS}]})
    assert req.series[0].timestamps == list(MONTHS.to_pydatetime())
