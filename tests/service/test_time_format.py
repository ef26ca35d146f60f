"""``time_format`` on ``/v1/forecast``, ``/v1/recommend`` and ``/v1/profile``: timestamps written
as the CLI reads them with ``--time-format`` (day-first dates, ``2020-01``, years as integers),
and period labels (``2020-Q1``) read without one, as the CLI reads them.

Before, the schema read ISO-8601 only and had no ``time_format``: such histories were refused
("invalid character in year", "input is too short") with no way to say how they are written,
and a request naming ``time_format`` was refused as an unknown field.
"""

from __future__ import annotations

import pandas as pd
from fastapi.testclient import TestClient
from httpx import Response

from tests.service.conftest import LONG

MONTHS = pd.date_range("2020-01-01", periods=len(LONG), freq="MS")


def _forecast(client: TestClient, timestamps: list, **extra) -> dict:
    series = {"id": "a", "values": LONG, "timestamps": timestamps}
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 3, **extra})
    assert r.status_code == 200, r.text
    return r.json()["forecasts"][0]


def test_dates_written_as_time_format_says_forecast_as_their_iso_spelling(panel_client):
    client, _ = panel_client
    iso = _forecast(client, [t.isoformat() for t in MONTHS])
    day_first = _forecast(client, [t.strftime("%d/%m/%Y") for t in MONTHS], time_format="%d/%m/%Y")
    months = _forecast(client, [t.strftime("%Y-%m") for t in MONTHS], time_format="%Y-%m")
    assert day_first == iso and months == iso
    assert iso["timestamps"] == ["2023-01-01T00:00:00", "2023-02-01T00:00:00", "2023-03-01T00:00:00"]


def test_integer_years_with_a_year_format_are_dates_not_a_step_index(panel_client):
    client, _ = panel_client
    years = _forecast(client, [2000 + k for k in range(len(LONG))], time_format="%Y")
    assert years["timestamps"][0] == f"{2000 + len(LONG)}-01-01T00:00:00"


def test_quarter_labels_are_read_as_the_cli_reads_them(panel_client):
    client, _ = panel_client
    labels = [f"{2015 + k // 4}-Q{k % 4 + 1}" for k in range(len(LONG))]  # 2015-Q1 … 2023-Q4
    out = _forecast(client, labels)
    assert out["timestamps"] == ["2024-01-01T00:00:00", "2024-04-01T00:00:00", "2024-07-01T00:00:00"]


def test_a_format_with_no_date_part_is_a_422_naming_time_format(panel_client):
    client, _ = panel_client
    series = {"id": "a", "values": LONG, "timestamps": [t.strftime("%d/%m/%Y") for t in MONTHS]}
    r = client.post("/v1/forecast", json={"series": [series], "time_format": "dd/mm/yyyy"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "time_format" and "strftime" in body["message"], body


def test_a_timestamp_the_format_does_not_read_is_named_by_its_position(panel_client):
    client, _ = panel_client
    stamps = [t.strftime("%d/%m/%Y") for t in MONTHS]
    stamps[5] = "2020-06-01"  # ISO among day-first dates
    series = {"id": "a", "values": LONG, "timestamps": stamps}
    r = client.post("/v1/forecast", json={"series": [series], "time_format": "%d/%m/%Y"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[0].timestamps[5]" and "'2020-06-01'" in body["message"], body


def test_dates_that_are_not_iso_without_a_format_point_to_time_format(panel_client):
    client, _ = panel_client
    series = {"id": "a", "values": LONG, "timestamps": [t.strftime("%d/%m/%Y") for t in MONTHS]}
    r = client.post("/v1/forecast", json={"series": [series]})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[0].timestamps[0]" and "time_format" in body["message"], body


def test_month_labels_with_two_digit_years_ask_for_a_format(panel_client):
    # Jan-10 could be January 2010 or 10 January: the CLI reads it with a note the service has
    # no place for, so it asks for the format instead of guessing silently
    client, _ = panel_client
    labels = [t.strftime("%b-%y") for t in MONTHS]
    series = {"id": "a", "values": LONG, "timestamps": labels}
    refused = client.post("/v1/forecast", json={"series": [series], "horizon": 3})
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "series[0].timestamps[0]" and "time_format" in refused.json()["message"]
    said = _forecast(client, labels, time_format="%b-%y")
    assert said == _forecast(client, [t.isoformat() for t in MONTHS])


def test_recommend_and_profile_read_time_format_too(client: TestClient):
    # checked at validation, before any worker runs: a value the format does not read is named
    stamps = [t.strftime("%d/%m/%Y") for t in MONTHS]
    stamps[7] = "31/02/2020"
    series = {"id": "a", "values": LONG, "timestamps": stamps}
    for path in ("/v1/recommend", "/v1/profile"):
        r = client.post(path, json={"series": [series], "time_format": "%d/%m/%Y"})
        assert r.status_code == 422, (path, r.text)
        assert r.json()["field"] == "series[0].timestamps[7]", (path, r.json())


def test_the_openapi_document_describes_time_format_on_each_endpoint(client: TestClient):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("ForecastRequest", "RecommendRequest", "ProfileRequest"):
        assert "strftime" in schemas[name]["properties"]["time_format"]["description"], name


def _invocations(client: TestClient, ds: list, **params) -> Response:
    inputs = {"unique_id": ["a"] * len(LONG), "ds": ds, "y": LONG}
    return client.post("/invocations", json={"inputs": inputs, "params": {"horizon": 3, **params}})


def test_invocations_reads_params_time_format_as_the_pyfunc_does(panel_client):
    # the tsforge pyfunc (mlflow models serve) reads params.time_format; /invocations ignored it
    # and refused the dates it describes
    client, _ = panel_client
    iso = _invocations(client, [t.isoformat() for t in MONTHS])
    day_first = _invocations(client, [t.strftime("%d/%m/%Y") for t in MONTHS], time_format="%d/%m/%Y")
    assert iso.status_code == 200 and day_first.status_code == 200, day_first.text
    assert day_first.json() == iso.json()


def test_invocations_names_a_bad_time_format_and_a_row_it_does_not_read(panel_client):
    client, _ = panel_client
    stamps = [t.strftime("%d/%m/%Y") for t in MONTHS]
    no_date_part = _invocations(client, stamps, time_format="dd/mm/yyyy")
    assert no_date_part.status_code == 422 and no_date_part.json()["field"] == "params.time_format"
    stamps[4] = "2020-05-01"
    unread = _invocations(client, stamps, time_format="%d/%m/%Y")
    assert unread.status_code == 422, unread.text
    assert unread.json()["row"] == 4 and "'2020-05-01'" in unread.json()["message"], unread.json()
    without = _invocations(client, [t.strftime("%d/%m/%Y") for t in MONTHS])
    assert without.status_code == 422 and "params.time_format" in without.json()["message"], without.json()
