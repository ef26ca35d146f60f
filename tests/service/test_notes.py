"""What the library warns while answering a request reaches that request's ``notes``, as the CLI
prints it and the Python API warns it: a series too short for its model, forecast by the fallback,
was said by every door but the service."""

from __future__ import annotations

import threading
import warnings

import pytest

from service.notes import caught_notes, merge_notes
from tests.service.conftest import LONG
from tsforge.errors import FallbackWarning, TsforgeWarning

FALLBACK = "forecast by its fallback"


SHORT = [3.0, 4.0, 5.0]


def test_a_series_forecast_by_the_fallback_is_noted_on_both_endpoints_as_the_api_warns(panel_client):
    client, predictor = panel_client
    from tsforge.inference import SeriesInput

    with pytest.warns(FallbackWarning) as warned:
        predictor.predict_series([SeriesInput("long", LONG), SeriesInput("short", SHORT)], 3)
    (api_note,) = [str(w.message) for w in warned if issubclass(w.category, FallbackWarning)]
    assert FALLBACK in api_note

    body = {"series": [{"id": "long", "values": LONG}, {"id": "short", "values": SHORT}], "horizon": 3}
    rows = {"unique_id": ["long"] * len(LONG) + ["short"] * len(SHORT), "y": LONG + SHORT}
    for _ in range(2):  # every request, not only the first of the process
        r = client.post("/v1/forecast", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["notes"] == [api_note]
        r = client.post("/invocations", json={"inputs": rows, "params": {"horizon": 3}})
        assert r.status_code == 200, r.text
        assert r.json()["notes"] == [api_note]
    r = client.post("/v1/forecast", json={"series": [{"id": "long", "values": LONG}], "horizon": 3})
    assert r.status_code == 200 and "notes" not in r.json(), r.text


def test_a_note_the_service_computes_and_the_library_warns_is_returned_once(panel_client):
    """Guard: a level below 1 is noted by the service and warned by the library in the same words."""
    client, _ = panel_client
    body = {"series": [{"id": "long", "values": LONG}], "horizon": 3, "level": [0.5]}
    r = client.post("/v1/forecast", json=body)
    assert r.status_code == 200, r.text
    notes = r.json()["notes"]
    assert len(notes) == len(set(notes))
    assert sum("level 0.5 asks for a 0.5 % central interval" in n for n in notes) == 1
    assert sum("has zero width at every step" in n for n in notes) == 1  # a periodic series
    assert merge_notes(["a", "b"], ["b", "c", "c"]) == ["a", "b", "c"]
    assert merge_notes([], []) is None


def test_each_thread_collects_only_its_own_warnings() -> None:
    start = threading.Barrier(2)
    got: dict[str, list[str]] = {}

    def answer(name: str) -> None:
        with caught_notes() as caught:
            start.wait()
            for k in range(20):
                warnings.warn(f"{name} {k}", TsforgeWarning, stacklevel=1)
        got[name] = [c.message for c in caught]

    threads = [threading.Thread(target=answer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == {n: [f"{n} {k}" for k in range(20)] for n in ("a", "b")}
