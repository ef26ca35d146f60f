"""``/v1/forecast``, ``/v1/profile`` and ``/v1/recommend`` (``per_series``) say that a series
skipped steps in one sentence: the library's (:func:`tsforge.inference.notes.skipped_steps_note`).

Before, ``/v1/recommend`` made its own note ("... a missing value as null, to say so
yourself") beside the other routes' ("... a missing value as NaN (null in JSON), ..."): one
fact, two wordings, for a client matching notes across the routes.
"""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.recommending import per_series_histories
from service.schemas.recommend import RecommendRequest
from tests.service.conftest import LONG

#: an integer step index that skips steps 20 and 21
STEPS = [*range(20), *range(22, 2 + len(LONG))]
#: month starts that skip two months
MONTHS = [t.isoformat() for t in pd.date_range("2015-01-01", periods=2 + len(LONG), freq="MS")]
SKIPPING_MONTHS = MONTHS[:20] + MONTHS[22:]


def _body(timestamps: list) -> dict:
    contiguous = list(range(len(LONG))) if isinstance(timestamps[0], int) else MONTHS[: len(LONG)]
    return {
        "series": [
            {"id": "a", "values": LONG, "timestamps": contiguous},
            {"id": "b", "values": LONG, "timestamps": timestamps},
        ]
    }


def _recommend_note(body: dict) -> str | None:
    """The note ``/v1/recommend`` answers with (checked on the request, without a router)."""
    return per_series_histories(RecommendRequest.model_validate({**body, "per_series": True}))[3]


def _profile_notes(client: TestClient, body: dict) -> list[str]:
    r = client.post("/v1/profile", json=body)
    assert r.status_code == 200, r.text
    return r.json().get("notes") or []


@pytest.mark.parametrize("timestamps", [STEPS, SKIPPING_MONTHS], ids=["step index", "months"])
def test_profile_and_recommend_say_it_in_one_sentence(panel_client, timestamps):
    client, _ = panel_client
    body = _body(timestamps)
    note = _recommend_note(body)
    assert note is not None and "'b' (2)" in note, note
    assert _profile_notes(client, body) == [note]


def test_forecast_says_it_as_recommend_does(panel_client):
    """An integer step index: the steps skipped are the series' own at every route, so the
    forecast's note is the same sentence."""
    client, _ = panel_client
    body = _body(STEPS)
    r = client.post("/v1/forecast", json={**body, "horizon": 2})
    assert r.status_code == 200, r.text
    note = _recommend_note(body)
    assert note in (r.json().get("notes") or []), (note, r.json().get("notes"))
