"""Years written as text (``"2018"``) in a series' ``timestamps`` are read by ``/v1/forecast``,
``/v1/recommend`` and ``/v1/profile`` as ``/invocations`` reads such a ``ds``: as the years'
first days, by the one ISO-8601 reader both doors share; other numbers written as text
(``"1600000000.5"``) are refused at both doors, at the same position, in the same words.

Before, ``/v1`` refused ``"2018"`` ("timestamps are ISO-8601 date strings, or integers ...;
position 0 holds '2018'") while ``/invocations`` forecast the same history, and ``/v1`` read
``"1600000000.5"`` as pydantic does, as seconds after 1970 (2020-09-13), which ``/invocations``
refuses.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from service.schemas.forecast import ForecastRequest
from service.schemas.profile import ProfileRequest
from service.schemas.recommend import RecommendRequest
from tests.service.conftest import LONG

YEARS = [str(1990 + k) for k in range(len(LONG))]


def _v1(client: TestClient, timestamps: list) -> dict:
    series = {"id": "a", "values": LONG, "timestamps": timestamps}
    return client.post("/v1/forecast", json={"series": [series], "horizon": 3}).json()


def _invocations(client: TestClient, ds: list) -> dict:
    rows = [["a", d, v] for d, v in zip(ds, LONG, strict=True)]
    body = {"dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows}, "params": {"horizon": 3}}
    return client.post("/invocations", json=body).json()


def test_forecast_reads_text_years_as_invocations_does(panel_client):
    client, _ = panel_client
    v1 = _v1(client, YEARS)
    assert "forecasts" in v1, v1
    native = v1["forecasts"][0]
    assert native["timestamps"] == ["2026-01-01T00:00:00", "2027-01-01T00:00:00", "2028-01-01T00:00:00"]
    preds = _invocations(client, YEARS)["predictions"]
    assert [p["ds"] for p in preds] == native["timestamps"]
    assert [p["y_hat"] for p in preds] == native["values"]


@pytest.mark.parametrize("request_model", [RecommendRequest, ProfileRequest])
def test_recommend_and_profile_read_text_years(request_model):
    """/v1/recommend and /v1/profile share the schema's reading: checked on the request model."""
    req = request_model.model_validate({"series": [{"id": "a", "values": LONG, "timestamps": YEARS}]})
    assert req.series[0].timestamps == [datetime(int(y), 1, 1) for y in YEARS]


@pytest.mark.parametrize("number", ["1600000000.5", "1.5e9", "2018.0"])
def test_other_numbers_as_text_are_refused_at_both_doors_alike(panel_client, number):
    """pydantic reads these as seconds after 1970; neither door takes them for dates."""
    client, _ = panel_client
    text = list(YEARS)
    text[4] = number
    v1 = _v1(client, text)
    assert v1["field"] == "series[0].timestamps[4]", v1
    inv = _invocations(client, text)
    assert inv["field"] == "dataframe_split.data[4][1]", inv
    said = v1["message"].removeprefix("series[0].timestamps[4]: ")
    # the same words, each door naming the field that says how dates are written
    assert inv["message"].removeprefix("ds at row 4: ") == said.replace(
        "the request's time_format", "params.time_format"
    ), (v1, inv)
    assert repr(number) in said, said


def test_a_number_beside_text_years_is_named_at_its_own_position():
    """A JSON number among text years is the odd one, not the first text year."""
    with pytest.raises(ValueError, match=r"series\.0\.timestamps") as caught:
        ForecastRequest.model_validate(
            {"series": [{"id": "a", "values": [1.0, 2.0, 3.0], "timestamps": ["2018", "2019", 2020]}]}
        )
    assert "position 2 holds 2020" in str(caught.value), caught.value
