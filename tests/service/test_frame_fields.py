"""Every 422 of ``/invocations`` names a field: an error the library raised naming only a series
("1 series has fewer than 2 values ..."), raised where the histories become a panel, came back
without one."""

from __future__ import annotations

from tests.service.conftest import LONG


def test_a_series_too_short_for_a_panel_is_a_422_naming_the_payload_and_the_series(panel_client):
    client, _ = panel_client
    rows = {"unique_id": ["long"] * len(LONG) + ["one"], "y": LONG + [4.0]}
    r = client.post("/invocations", json={"inputs": rows, "params": {"horizon": 3}})
    assert r.status_code == 422, r.text
    body = r.json()
    # in the words /v1/forecast says it (test_refusals_in_one_wording.py), naming its value
    assert body["message"].startswith("series 'one' has one observed value"), body
    assert body["field"] == f"inputs.y[{len(LONG)}]" and body["unique_id"] == "one"
