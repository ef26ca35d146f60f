"""POST /v1/profile: ARIES properties of posted series, equal to the library's profile()."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from recommender.properties import profile
from service.schemas.profile import PROFILE_EXAMPLE


@pytest.fixture(scope="module")
def client(shared_client: TestClient) -> TestClient:
    """One app (and so one profiling worker) for this module's tests (``shared_client``).

    Why: a fresh app's first ``/v1/profile`` spawned a worker process importing the profiling
    libraries, 15–25 s a test on CI, where the profiling itself takes under a second. These
    tests only post series and read the answers; the one that needs other settings
    (``max_profile_windows``) still builds its own app.
    """
    return shared_client


def test_example_works_and_matches_library(client):
    r = client.post("/v1/profile", json=PROFILE_EXAMPLE)
    assert r.status_code == 200, r.text
    (p,) = r.json()["profiles"]
    assert p["id"] == "daily_cycle" and p["window"] == 336
    expected = profile(
        np.array(PROFILE_EXAMPLE["series"][0]["values"]), window=336, max_windows=16, seed=0
    ).summary
    assert p["n_windows"] == expected["n_windows"]
    assert p["buckets"] == expected["buckets"]
    assert p["properties"]["season_strength"]["mean"] == pytest.approx(
        expected["properties"]["season_strength"]["mean"]
    )
    assert p["buckets"]["season_count"]["0"] == 0.0  # a clean daily cycle is seasonal


def test_short_series_uses_its_length_as_window_and_too_short_is_422(client):
    rng = np.random.default_rng(1)
    r = client.post("/v1/profile", json={"series": [{"id": "a", "values": rng.normal(size=50).tolist()}]})
    assert r.status_code == 200 and r.json()["profiles"][0]["window"] == 50
    r = client.post("/v1/profile", json={"series": [{"id": "a", "values": [1.0] * 20}]})
    assert r.status_code == 422 and r.json()["field"] == "series[0].values"
    r = client.post("/v1/profile", json={"series": [{"id": "a", "values": [1.0] * 100}], "window": 200})
    assert r.status_code == 422 and r.json()["field"] == "series[0].values"


def test_a_window_too_short_for_the_hurst_exponent_has_no_memorability(client):
    """Hurst needs 100 values: a 50-value window reported the lineage's 0 ("no memory", every
    window in the 0–0.25 bucket); it is null now, as `tsforge profile` says "not measured"."""
    rng = np.random.default_rng(1)
    r = client.post("/v1/profile", json={"series": [{"id": "a", "values": rng.normal(size=50).tolist()}]})
    assert r.status_code == 200, r.text
    (p,) = r.json()["profiles"]
    assert p["window"] == 50 and p["properties"]["hurst"]["mean"] is None
    assert sum(p["buckets"]["memorability"].values()) == 0.0
    r = client.post("/v1/profile", json={"series": [{"id": "a", "values": rng.normal(size=150).tolist()}]})
    assert r.json()["profiles"][0]["properties"]["hurst"]["mean"] > 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"series": []}, "series"),
        ({"series": [{"id": "a", "values": [1]}], "window": 8}, "window"),
        ({"series": [{"id": "a", "values": [1]}], "max_windows": 0}, "max_windows"),
    ],
)
def test_bad_profile_requests(client, body, field):
    r = client.post("/v1/profile", json=body)
    assert r.status_code == 422 and r.json()["field"] == field


def test_total_windows_are_bounded(make_settings):
    from service.main import create_app

    with TestClient(create_app(make_settings(max_profile_windows=10))) as c:
        body = {
            "series": [{"id": "a", "values": [float(i % 24) for i in range(480)]}],
            "window": 336,
            "stride": 1,
        }
        r = c.post("/v1/profile", json=body)
        assert r.status_code == 413
        assert r.json()["field"] == "max_windows" and "64 windows" in r.json()["message"]
        r = c.post("/v1/profile", json={**body, "max_windows": 4})
        assert r.status_code == 200 and r.json()["profiles"][0]["n_windows"] == 4


def test_timestamps_are_accepted_and_checked_like_the_other_endpoints(client):
    """The same series body as ``/v1/forecast`` (values with timestamps) was a 422 here ("Extra
    inputs are not permitted"); timestamps are accepted, one per value, and change nothing."""
    import pandas as pd

    values = [float(10 + (i % 12)) + 0.1 * i for i in range(120)]
    stamps = [t.isoformat() for t in pd.date_range("2010-01-01", periods=120, freq="MS")]
    plain = client.post("/v1/profile", json={"series": [{"id": "a", "values": values}]})
    dated = client.post("/v1/profile", json={"series": [{"id": "a", "values": values, "timestamps": stamps}]})
    assert plain.status_code == dated.status_code == 200, dated.text
    assert dated.json()["profiles"] == plain.json()["profiles"]
    short = client.post(
        "/v1/profile", json={"series": [{"id": "a", "values": values, "timestamps": stamps[:5]}]}
    )
    assert short.status_code == 422 and short.json()["field"] == "series[0].timestamps"


@pytest.mark.parametrize(
    ("case", "message", "field"),
    [
        ("decreasing", "strictly increasing (position 3)", "series[0].timestamps[3]"),
        ("mixed_zones", "mix time-zone-aware and naive", "series[0].timestamps[5]"),
    ],
)
def test_every_series_endpoint_refuses_the_same_bad_timestamps_with_the_same_words(
    client, case, message, field
):
    """/v1/profile and /v1/recommend checked only the count of timestamps, /v1/forecast also their
    order and time zones: a series one endpoint refused another accepted. One check now."""
    import pandas as pd

    stamps = [t.isoformat() for t in pd.date_range("2010-01-01", periods=120, freq="MS")]
    if case == "decreasing":
        stamps[3], stamps[2] = stamps[2], stamps[3]
    else:
        stamps[5] = stamps[5] + "+02:00"
    series = [{"id": "a", "values": [float(i % 12) + 0.1 * i for i in range(120)], "timestamps": stamps}]
    for path, extra in (
        ("/v1/forecast", {}),
        ("/v1/profile", {}),
        ("/v1/recommend", {"horizon": 12}),
        ("/v1/recommend", {"horizon": 12, "per_series": True}),
    ):
        r = client.post(path, json={"series": series, **extra})
        assert r.status_code == 422, (path, r.text)
        assert message in r.json()["message"] and r.json()["field"] == field, (path, r.json())


def test_an_all_missing_series_is_422_naming_its_values(client):
    """Audit D12: it profiled as all-null properties with a 200; /v1/forecast refuses it."""
    body = {
        "series": [
            {"id": "a", "values": [1.0 + (i % 7) for i in range(100)]},
            {"id": "b", "values": [None] * 100},
        ]
    }
    r = client.post("/v1/profile", json=body)
    assert r.status_code == 422 and r.json()["field"] == "series[1].values", r.text


def test_timestamps_are_read_as_in_forecast(client):
    """Audit D1: integers are a step index (accepted), digit strings no date (pydantic read "1"
    as a second after 1970 here, while /v1/forecast refused it)."""
    values = [float(10 + (i % 12)) + 0.1 * i for i in range(120)]
    steps = client.post(
        "/v1/profile", json={"series": [{"id": "a", "values": values, "timestamps": list(range(120))}]}
    )
    assert steps.status_code == 200, steps.text
    digits = [str(i) for i in range(120)]
    r = client.post("/v1/profile", json={"series": [{"id": "a", "values": values, "timestamps": digits}]})
    assert r.status_code == 422 and r.json()["field"] == "series[0].timestamps[0]", r.text


@pytest.mark.parametrize(
    ("extra", "field"), [({"window": "64"}, "window"), ({"max_windows": True}, "max_windows")]
)
def test_lax_types_are_422(client, extra, field):
    r = client.post("/v1/profile", json={"series": [{"id": "a", "values": [1.0] * 100}], **extra})
    assert r.status_code == 422 and r.json()["field"] == field, r.text


def test_duplicate_ids_name_the_repeating_series(client):
    """Audit D13: the error named the whole body."""
    s = {"id": "a", "values": [1.0 + (i % 7) for i in range(100)]}
    r = client.post("/v1/profile", json={"series": [s, s]})
    assert r.status_code == 422 and r.json()["field"] == "series[1].id", r.text


def _months(n: int) -> list[str]:
    import pandas as pd

    return [t.isoformat() for t in pd.date_range("2010-01-01", periods=n, freq="MS")]


def test_skipped_months_are_profiled_as_missing_values_with_a_note(client):
    """README walk: a monthly series with two months left out was profiled as if contiguous, its
    later values moved two months back, with a 200 and no note, while /v1/forecast and
    /v1/recommend (per_series) read the same body with the months missing and say so. It is now
    the history the other doors read: the same profile as the months sent as null, and a note."""
    values = [float(10 + 3 * (k % 12)) + 0.05 * k for k in range(120)]
    skip = {40, 41}
    skipping = {
        "id": "b",
        "values": [v for k, v in enumerate(values) if k not in skip],
        "timestamps": [t for k, t in enumerate(_months(120)) if k not in skip],
    }
    explicit = {
        "id": "b",
        "values": [None if k in skip else v for k, v in enumerate(values)],
        "timestamps": _months(120),
    }
    whole = {"id": "a", "values": values, "timestamps": _months(120)}
    body = {"window": 60, "stride": 1, "max_windows": 1000}
    skipped = client.post("/v1/profile", json={"series": [whole, skipping], **body})
    sent = client.post("/v1/profile", json={"series": [whole, explicit], **body})
    assert skipped.status_code == sent.status_code == 200, skipped.text
    assert skipped.json()["profiles"] == sent.json()["profiles"]  # the same history, the same profile
    notes = skipped.json().get("notes") or []
    assert len(notes) == 1 and "1 of 2 series" in notes[0], notes
    assert "'b' (2)" in notes[0] and "monthly (MS)" in notes[0] and "missing values" in notes[0], notes
    assert "notes" not in sent.json()  # nothing skipped, nothing to say: the answer as before


def test_skipped_integer_steps_are_profiled_as_missing_values_with_a_note(client):
    """The integer step index 0..29, 35..119 was profiled as 115 consecutive values."""
    values = [float(10 + (k % 12)) + 0.1 * k for k in range(120)]
    kept = [k for k in range(120) if not 30 <= k < 35]
    r = client.post(
        "/v1/profile",
        json={"series": [{"id": "a", "values": [values[k] for k in kept], "timestamps": kept}], "window": 60},
    )
    assert r.status_code == 200, r.text
    assert r.json()["profiles"][0]["window"] == 60
    (note,) = r.json()["notes"]
    assert "integer step index" in note and "'a' (5)" in note, note


def test_a_series_mostly_skipped_is_422_naming_its_timestamps(client):
    """/v1/forecast and /v1/recommend refuse a history mostly of skipped steps; so does /v1/profile."""
    months = _months(120)
    kept = [*range(30), *range(30, 120, 5), 119]  # 49 of 120 months sent: 71 skipped
    r = client.post(
        "/v1/profile",
        json={
            "series": [
                {"id": "a", "values": [1.0 + (k % 12) for k in kept], "timestamps": [months[k] for k in kept]}
            ]
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[0].timestamps" and "'a'" in r.json()["message"], r.json()
