"""A 422's ``errors`` lists the problems of the union branch that came closest, not of every
branch: ``timestamps`` are dates or an integer step index, and ISO dates with one ``null`` were
answered with the real problem and then "Input should be a valid integer" for every position.
"""

from __future__ import annotations

import pandas as pd

from tests.service.conftest import LONG

MONTHS = [t.isoformat() for t in pd.date_range("2020-01-01", periods=len(LONG), freq="MS")]


def test_one_null_among_dates_is_the_only_error_listed(panel_client):
    client, _ = panel_client
    timestamps = [*MONTHS[:-1], None]
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": timestamps}]})
    assert r.status_code == 422, r.text
    body = r.json()
    last = f"series[0].timestamps[{len(LONG) - 1}]"
    assert body["field"] == last, body
    assert [e["field"] for e in body["errors"]] == [last], body["errors"]


def test_an_unreadable_date_is_listed_without_the_step_index_branch(panel_client):
    client, _ = panel_client
    timestamps = [*MONTHS]
    timestamps[4] = "2020-05-xx"
    body = {"series": [{"id": "a", "values": LONG, "timestamps": timestamps}], "horizon": 2}
    r = client.post("/v1/recommend", json=body)
    assert r.status_code == 422, r.text
    fields = [e["field"] for e in r.json()["errors"]]
    assert fields == ["series[0].timestamps[4]"], fields


def test_errors_outside_unions_are_all_kept(panel_client):
    client, _ = panel_client
    body = {"series": [{"id": "a", "values": ["x", *LONG[1:-1], "y"]}], "horizon": 0}
    r = client.post("/v1/forecast", json=body)
    assert r.status_code == 422, r.text
    fields = sorted(e["field"] for e in r.json()["errors"])
    assert fields == ["horizon", "series[0].values[0]", f"series[0].values[{len(LONG) - 1}]"], fields


def test_branches_that_say_the_same_are_listed_once(panel_client):
    client, _ = panel_client
    series = {"id": "a", "values": LONG, "timestamps": "2020-01-01"}
    r = client.post("/v1/forecast", json={"series": [series]})
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == ["series[0].timestamps"], errors


def test_each_error_is_placed_in_its_union_branch_once(monkeypatch):
    """``_closest_branches`` worked out each error's branch twice (once to count, once to keep)."""
    from service import errors

    calls: list[tuple] = []
    real = errors._union_branch

    def counted(loc):
        calls.append(tuple(loc))
        return real(loc)

    monkeypatch.setattr(errors, "_union_branch", counted)
    found = [
        {"loc": ("body", "series", 0, "timestamps", "list[datetime]", 3)},
        *({"loc": ("body", "series", 0, "timestamps", "list[int]", k)} for k in range(2)),
    ]
    kept = errors._closest_branches(found)
    assert kept == found[:1] and len(calls) == len(found), calls
