"""One mistake, one sentence, behind every door: a series with fewer than two observed values,
and a series' timestamp sent twice, are refused in the same words by ``/v1/*`` and
``/invocations``, each naming the series and the value as that door can (``series[i].values``,
``series[i].timestamps[j]``; ``inputs.y[r]``, ``inputs.ds[r]``, with ``unique_id``).

Before, ``/v1/forecast`` said "series 'a' has one observed value; a series needs two to be
forecast", ``/v1/recommend`` "...; a series needs two", and ``/invocations`` "1 series has fewer
than 2 values (a series needs two to be forecast or scored), first 'a' (1 value)" naming no
value; a duplicate timestamp was "timestamps must be strictly increasing (position 5)" on
``/v1`` and "duplicate timestamp 2020-05-01 for series 'a' at rows [4, 5]" on ``/invocations``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from service.recommending import series_panel
from service.schemas.recommend import RecommendRequest
from tests.service.conftest import LONG
from tsforge.errors import DataValidationError

N = len(LONG)
MONTHS = [t.strftime("%Y-%m-%d") for t in pd.date_range("2020-01-01", periods=N, freq="MS")]

#: a second series' values short of observations → (observed count in words, the row observed)
SHORT = {
    "one observed": ([None] * 5 + [4.0] + [None] * (N - 6), "one observed value", 5),
    "one value": ([4.0], "one observed value", 0),
    "none observed": ([None] * N, "no observed value", 0),
}


@pytest.mark.parametrize("case", list(SHORT), ids=list(SHORT))
def test_a_series_short_of_observations_is_refused_in_one_sentence(panel_client, case):
    client, _ = panel_client
    values, words, observed_row = SHORT[case]
    r = client.post(
        "/v1/forecast",
        json={"series": [{"id": "a", "values": LONG}, {"id": "b", "values": values}], "horizon": 2},
    )
    assert r.status_code == 422, r.text
    native = r.json()
    assert native["field"] == "series[1].values"
    expected = f"series 'b' has {words}; a series needs two observed values to be forecast"
    assert native["message"] == expected

    frame = {"unique_id": ["a"] * N + ["b"] * len(values), "y": LONG + values}
    r = client.post("/invocations", json={"inputs": frame, "params": {"horizon": 2}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["message"] == expected
    assert body["field"] == f"inputs.y[{N + observed_row}]" and body["unique_id"] == "b", body

    # the same series of a per-series recommendation (checked before a router is needed)
    req = RecommendRequest.model_validate(
        {"series": [{"id": "a", "values": LONG}, {"id": "b", "values": values}], "per_series": True}
    )
    with pytest.raises(DataValidationError) as err:
        series_panel(req)
    assert err.value.message == expected and err.value.where["field"] == "series[1].values"


def test_a_wide_frame_names_the_series_column_value(panel_client):
    client, _ = panel_client
    frame = {"ds": MONTHS, "a": LONG, "b": [None] * (N - 1) + [3.0]}
    r = client.post("/invocations", json={"inputs": frame, "params": {"horizon": 2}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert (
        body["message"]
        == "series 'b' has one observed value; a series needs two observed values to be forecast"
    )
    assert body["field"] == f"inputs.b[{N - 1}]", body


def test_a_duplicate_timestamp_is_refused_in_one_sentence(panel_client):
    client, _ = panel_client
    twice = MONTHS[:5] + MONTHS[4:-1]  # 2020-05-01 at positions (rows) 4 and 5
    r = client.post(
        "/v1/forecast",
        json={"series": [{"id": "a", "values": LONG, "timestamps": twice}], "horizon": 2},
    )
    assert r.status_code == 422, r.text
    native = r.json()
    assert native["field"] == "series[0].timestamps[5]"
    expected = "duplicate timestamp 2020-05-01 for series 'a' at {} [4, 5]"
    assert native["errors"][0]["message"] == expected.format("positions"), native

    frame = {"unique_id": ["a"] * N, "ds": twice, "y": LONG}
    r = client.post("/invocations", json={"inputs": frame, "params": {"horizon": 2}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["message"] == expected.format("rows") and body["field"] == "inputs.ds[5]", body
