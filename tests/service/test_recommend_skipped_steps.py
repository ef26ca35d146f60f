"""``per_series: true`` on ``/v1/recommend`` placed each series by its start and frequency as if
its timestamps were contiguous: a monthly series that skipped two months had its later values
moved two months back, silently. Skipped steps are now missing values with a note, as
``/v1/forecast`` reads them; a series that would be mostly gaps is refused naming it."""

from __future__ import annotations

import pandas as pd
from fastapi.testclient import TestClient

N = 48


def _months(n: int) -> list[str]:
    return [t.isoformat() for t in pd.date_range("2015-01-01", periods=n, freq="MS")]


def _values(seed: int) -> list[float]:
    return [float(10 + seed + (k % 12) + 0.1 * (k % 5)) for k in range(N)]


def _post(client: TestClient, series: list[dict]) -> dict:
    r = client.post("/v1/recommend", json={"series": series, "per_series": True, "horizon": 6})
    assert r.status_code == 200, r.text
    return r.json()


def test_skipped_months_are_read_as_missing_values_with_a_note(rec_client):
    skip = [20, 21]  # two months the second series never sent
    values, months = _values(1), _months(N)
    skipping = {
        "id": "b",
        "values": [v for k, v in enumerate(values) if k not in skip],
        "timestamps": [t for k, t in enumerate(months) if k not in skip],
    }
    explicit = {
        "id": "b",
        "values": [None if k in skip else v for k, v in enumerate(values)],
        "timestamps": months,
    }
    first = {"id": "a", "values": _values(0), "timestamps": months}
    skipped_answer = _post(rec_client, [first, skipping])
    explicit_answer = _post(rec_client, [first, explicit])
    assert skipped_answer["series"] == explicit_answer["series"]  # the same history, the same answer
    notes = skipped_answer.get("notes") or []
    assert len(notes) == 1 and "'b' (2)" in notes[0] and "monthly (MS)" in notes[0], notes
    assert not explicit_answer.get("notes")


def test_a_series_mostly_skipped_is_refused_naming_its_timestamps(rec_client):
    months = _months(N)
    kept = [*range(10), 20, 30, 40, N - 1]  # 14 of 48 months: 34 skipped
    sparse = {"id": "b", "values": [_values(1)[k] for k in kept], "timestamps": [months[k] for k in kept]}
    r = rec_client.post(
        "/v1/recommend",
        json={
            "series": [{"id": "a", "values": _values(0), "timestamps": months}, sparse],
            "per_series": True,
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[1].timestamps" and "'b'" in r.json()["message"], r.json()


def test_series_of_different_rates_are_refused_naming_both_rates_in_words(rec_client):
    # was "series 'b' is sampled h but series 'a' MS": pandas' codes, which read as words of
    # the sentence
    hours = [t.isoformat() for t in pd.date_range("2015-01-01", periods=N, freq="h")]
    r = rec_client.post(
        "/v1/recommend",
        json={
            "series": [
                {"id": "a", "values": _values(0), "timestamps": _months(N)},
                {"id": "b", "values": _values(1), "timestamps": hours},
            ],
            "per_series": True,
        },
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[1].timestamps", body
    assert "hourly (h)" in body["message"] and "monthly (MS)" in body["message"], body
