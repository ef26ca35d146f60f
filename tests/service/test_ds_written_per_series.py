"""``/invocations``: each series of a long frame may write its ``ds`` its own way.

Found: a frame whose series ``a`` wrote quarters as ``2015Q1`` and series ``b`` as ``2015-01-01``
was refused ("the column's dates are written in more than one way"), although each series alone
is forecast. A series that mixes ways within itself is still refused, naming it and its row.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tests.service.conftest import LONG

QUARTERS = pd.period_range("2015Q1", periods=len(LONG), freq="Q")


def _labels(sid: str) -> list[dict[str, Any]]:
    return [
        {"unique_id": sid, "ds": f"{p.year}Q{p.quarter}", "y": v} for p, v in zip(QUARTERS, LONG, strict=True)
    ]


def _dates(sid: str) -> list[dict[str, Any]]:
    return [
        {"unique_id": sid, "ds": str(p.start_time.date()), "y": v}
        for p, v in zip(QUARTERS, LONG, strict=True)
    ]


def _post(client: Any, rows: list[dict[str, Any]]) -> Any:
    return client.post("/invocations", json={"dataframe_records": rows, "params": {"horizon": 2}})


def test_series_written_two_ways_are_each_read_their_own_way(panel_client):
    client, _ = panel_client
    alone = {
        sid: _post(client, rows(sid)).json()["predictions"] for sid, rows in (("a", _labels), ("b", _dates))
    }
    for frame in (_labels("a") + _dates("b"), _dates("b") + _labels("a")):
        r = _post(client, frame)
        assert r.status_code == 200, r.text
        by_id = {sid: [p for p in r.json()["predictions"] if p["unique_id"] == sid] for sid in alone}
        assert by_id == alone


def test_a_series_written_two_ways_is_refused_naming_it_and_its_row(panel_client):
    client, _ = panel_client
    mixed = _labels("a")
    mixed[5] = {**mixed[5], "ds": str(QUARTERS[5].start_time.date())}
    n = len(LONG)
    r = _post(client, _dates("b") + mixed)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == f"dataframe_records[{n + 5}].ds" and body["unique_id"] == "a", body
    assert "series 'a'" in body["message"] and "more than one way" in body["message"], body


def test_a_time_no_way_reads_is_refused_at_its_row_in_the_frame(panel_client):
    client, _ = panel_client
    bad = _labels("a")
    bad[3] = {**bad[3], "ds": "someday"}
    n = len(LONG)
    r = _post(client, _dates("b") + bad)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == f"dataframe_records[{n + 3}].ds" and "'someday'" in body["message"], body


def test_a_refused_ds_is_named_at_its_row_in_the_frame_not_one_its_words_begin(panel_client):
    """Series ``a``'s own refusal names its row 1; the frame's row replaces that, not the
    ``row 1`` of a ``ds`` written ``row 1`` (a plain text replace rewrote the quoted ``ds``)."""
    client, _ = panel_client
    bad = _labels("a")
    bad[1] = {**bad[1], "ds": "row 1"}
    n = len(LONG)
    r = _post(client, _dates("b") + bad)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == f"dataframe_records[{n + 1}].ds", body
    assert "'row 1'" in body["message"] and f"for series 'a' at row {n + 1}" in body["message"], body
