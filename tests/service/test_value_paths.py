"""One value at fault is named one way on every endpoint: by its JSON path.

``/v1/*`` named a bad value ``series[1].values[2]``, while ``/invocations`` named only the
payload key (``inputs``) with ``column`` and ``row``, leaving the client to work out what "row"
counts (the index into ``data``, into a column, from 0 or 1). The texts vs integers check of
times read by a format was written twice, with two wordings; a per-series recommendation named
its series ``unique_id`` where the request and ``/v1/forecast`` say ``id``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.conftest import LONG

MONTHS = [f"{2020 + k // 12}-{1 + k % 12:02d}-01" for k in range(len(LONG))]
N = len(LONG)
COLUMNS = ["unique_id", "ds", "y"]


def _rows(bad_row: int, column: str, value: Any) -> list[list[Any]]:
    """Two series' long rows (``a`` then ``b``), ``column`` of row ``bad_row`` set to ``value``."""
    rows = [[sid, t, v] for sid in ("a", "b") for t, v in zip(MONTHS, LONG, strict=True)]
    rows[bad_row][COLUMNS.index(column)] = value
    return rows


def _payload(key: str, rows: list[list[Any]]) -> dict[str, Any]:
    """``rows`` in one of MLflow's encodings (``inputs_columns``: ``inputs`` as columns)."""
    records = [dict(zip(COLUMNS, r, strict=True)) for r in rows]
    if key == "dataframe_split":
        return {"dataframe_split": {"columns": COLUMNS, "data": rows}}
    if key == "inputs_columns":
        return {"inputs": {c: [r[k] for r in rows] for k, c in enumerate(COLUMNS)}}
    return {key: records}


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("dataframe_split", "dataframe_split.data[38][2]"),
        ("dataframe_records", "dataframe_records[38].y"),
        ("inputs", "inputs[38].y"),
        ("inputs_columns", "inputs.y[38]"),
    ],
)
def test_a_bad_value_in_a_history_frame_is_named_by_its_json_path(panel_client, key, path):
    # the 3rd value of the 2nd series: row 38 of the frame as sent
    client, _ = panel_client
    body = {**_payload(key, _rows(N + 2, "y", "x")), "params": {"horizon": 3}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 422, r.text
    got = r.json()
    assert got["field"] == path, got
    assert (got["column"], got["row"]) == ("y", N + 2), got  # still there, after field


def test_the_same_mistake_on_v1_forecast_names_the_series_position(panel_client):
    client, _ = panel_client
    series: list[dict[str, Any]] = [{"id": sid, "values": list(LONG)} for sid in ("a", "b")]
    series[1]["values"][2] = "x"
    r = client.post("/v1/forecast", json={"series": series, "horizon": 3})
    assert r.status_code == 422 and r.json()["field"] == "series[1].values[2]", r.text


def test_a_frame_error_keeps_the_error_body_key_order(panel_client):
    client, _ = panel_client
    body = {**_payload("dataframe_split", _rows(N + 2, "y", "x")), "params": {"horizon": 3}}
    got = client.post("/invocations", json=body).json()
    assert list(got)[:6] == ["error", "error_code", "message", "field", "column", "row"], got


def test_a_duplicated_time_after_reordering_names_the_row_as_sent(panel_client):
    # the shared reader orders rows by time; the row named is still the one in the body
    client, _ = panel_client
    rows = _rows(N + 3, "ds", MONTHS[2])  # b's 4th month repeats its 3rd
    rows.reverse()  # b's rows 2 and 3 are now rows N - 3 and N - 4
    r = client.post("/invocations", json={"dataframe_split": {"columns": COLUMNS, "data": rows}})
    assert r.status_code == 422, r.text
    got = r.json()
    assert got["field"] == f"dataframe_split.data[{got['row']}][1]", got
    assert rows[got["row"]][1] == MONTHS[2] and rows[got["row"]][0] == "b", got


def test_a_wide_column_whose_name_is_no_identifier_is_quoted_in_the_path(panel_client):
    client, _ = panel_client
    wide: dict[str, Any] = {"ds": MONTHS, "1": list(LONG), "store a": list(LONG)}
    wide["store a"][4] = "x"
    r = client.post("/invocations", json={"inputs": wide, "params": {"horizon": 3}})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == 'inputs["store a"][4]', r.json()


@pytest.mark.parametrize("time_format", [None, "%Y-%m-%d"])
def test_a_time_of_another_kind_is_worded_alike_on_both_protocols(panel_client, time_format):
    """Texts vs integers: ``/invocations``' ``ds`` (by row) and ``/v1/forecast``'s timestamps (by
    position) found the odd one each by its own loop, and said it in other words ("got 5")."""
    client, _ = panel_client
    stamps: list[Any] = list(MONTHS)
    stamps[5] = 5
    fmt = {} if time_format is None else {"time_format": time_format}
    v1 = client.post(
        "/v1/forecast",
        json={"series": [{"id": "a", "values": LONG, "timestamps": stamps}], "horizon": 3, **fmt},
    )
    rows = [["a", t, v] for t, v in zip(stamps, LONG, strict=True)]
    inv = client.post(
        "/invocations",
        json={"dataframe_split": {"columns": COLUMNS, "data": rows}, "params": {"horizon": 3, **fmt}},
    )
    assert v1.status_code == inv.status_code == 422, (v1.text, inv.text)
    assert v1.json()["message"].endswith("in every position; position 5 holds 5"), v1.json()
    assert inv.json()["message"].endswith("in every row; row 5 holds 5"), inv.json()
    if time_format is not None:  # one helper, one wording: only the unit of place differs
        said = "are text, or integers such as 20200131 for '%Y%m%d', in every"
        assert said in v1.json()["message"] and said in inv.json()["message"]
    assert v1.json()["field"] == "series[0].timestamps[5]", v1.json()
    assert inv.json()["field"] == "dataframe_split.data[5][1]", inv.json()


def test_per_series_recommendations_name_each_series_id_as_the_request_does(rec_client):
    values = [float(10 + (k % 12) + 0.1 * (k % 5)) for k in range(48)]
    series = [{"id": sid, "values": [v + n for v in values]} for n, sid in enumerate(("a", "b"))]
    r = rec_client.post("/v1/recommend", json={"series": series, "per_series": True, "horizon": 6})
    assert r.status_code == 200, r.text
    picks = r.json()["series"]
    assert [p["id"] for p in picks] == ["a", "b"], picks
    assert all("unique_id" not in p for p in picks), picks
    schema = rec_client.get("/openapi.json").json()["components"]["schemas"]["SeriesPickOut"]
    assert "id" in schema["properties"] and "unique_id" not in schema["properties"]
    assert "unique_id" in schema["properties"]["id"]["description"]  # says what it was called


@pytest.mark.parametrize("path", ["/v1/forecast", "/invocations"])
def test_an_empty_body_is_told_it_is_empty(panel_client, path):
    # was "body: Field required": no field of the request is called body
    client, _ = panel_client
    r = client.post(path, content=b"", headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "body" and "the body is empty" in r.json()["message"], r.json()
