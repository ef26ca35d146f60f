"""The series of one ``/v1/forecast`` request have dates for every series or for none: a dated
series beside an undated one (no timestamps, or an integer step index) is a 422 naming the
series at fault.

Before, the models forecast the request on one calendar and kept dates only when every series
had them: a series sent with dates was answered with ``timestamps: null`` when another series
of its request had none, silently (``/invocations`` and ``/v1/recommend`` refuse such input).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.service.conftest import LONG

MONTHS = [t.isoformat() for t in pd.date_range("2020-01-01", periods=len(LONG), freq="MS")]
DATED = {"id": "dated", "values": LONG, "timestamps": MONTHS}


@pytest.mark.parametrize(
    "undated",
    [
        {"id": "plain", "values": LONG},
        {"id": "plain", "values": LONG, "timestamps": list(range(len(LONG)))},
    ],
    ids=["no timestamps", "step index"],
)
@pytest.mark.parametrize("dated_first", [True, False])
def test_dated_beside_undated_is_a_422_naming_the_odd_series(panel_client, undated, dated_first):
    client, _ = panel_client
    series = [DATED, undated] if dated_first else [undated, DATED]
    r = client.post("/v1/forecast", json={"series": series, "horizon": 2})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[1].timestamps", body
    assert "'dated' has dates" in body["message"] and "'plain'" in body["message"], body


def test_a_step_index_beside_no_timestamps_is_answered_each_as_sent(panel_client):
    client, _ = panel_client
    stepped = {"id": "stepped", "values": LONG, "timestamps": list(range(len(LONG)))}
    plain = {"id": "plain", "values": LONG}
    r = client.post("/v1/forecast", json={"series": [stepped, plain], "horizon": 2})
    assert r.status_code == 200, r.text
    out = {f["id"]: f["timestamps"] for f in r.json()["forecasts"]}
    assert out == {"stepped": [len(LONG), len(LONG) + 1], "plain": None}


def test_every_series_dated_keeps_every_forecast_dated(panel_client):
    client, _ = panel_client
    other = {**DATED, "id": "other"}
    r = client.post("/v1/forecast", json={"series": [DATED, other], "horizon": 2})
    assert r.status_code == 200, r.text
    assert all(
        f["timestamps"] == ["2023-01-01T00:00:00", "2023-02-01T00:00:00"] for f in r.json()["forecasts"]
    )
