"""POST /v1/recommend over a tiny saved recommender (two training-free candidates, built in seconds)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.cpu_pool import CpuPool
from service.errors import DeadlineExceededError
from service.main import create_app
from service.settings import ServiceSettings
from tests.conftest import copied_store

T = 512


def _periodic(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(T)[None, :]
    return rng.uniform(1, 3, (n, 1)) * np.sin(
        2 * np.pi * t / 24 + rng.uniform(0, 6, (n, 1))
    ) + 0.01 * rng.standard_normal((n, T))


def _trending(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(T)[None, :]
    return rng.choice([-1, 1], (n, 1)) * rng.uniform(0.5, 2.0, (n, 1)) * t + 0.3 * rng.standard_normal((n, T))


@pytest.fixture(scope="module")
def recommender_path(tiny_recommender) -> str:
    """The tiny saved recommender of ``tests/service/conftest.py`` (two training-free candidates)."""
    return tiny_recommender


def _settings(store_uri: str, recommender_path: str) -> ServiceSettings:
    # No registry needed here: an empty tracking store keeps these tests off the trained-model fixture.
    return ServiceSettings(tracking_uri=store_uri, alias_poll_seconds=0, recommender_path=recommender_path)


@pytest.fixture(scope="module")
def rec_client(tmp_path_factory, recommender_path, _empty_store) -> Iterator[TestClient]:
    """One app (and one recommending worker) for this module's tests, not a fresh one per test.

    Why: a fresh app's first ``/v1/recommend`` spawns a worker process that imports the
    recommender's libraries (several seconds a test on CI) and every app start collects the
    whole heap (``gc.freeze`` at start-up); these tests only post series and read the answers,
    which change nothing the next test sees. The test of a missing recommender builds its own.
    """
    store = copied_store(tmp_path_factory.mktemp("rec_client"), _empty_store)
    with TestClient(create_app(_settings(store, recommender_path))) as c:
        yield c


def test_periodic_series_get_seasonal_naive_first(rec_client):
    values = _periodic(2, 7)
    body = {
        "series": [{"id": f"p{i}", "values": v.tolist()} for i, v in enumerate(values)],
        "horizon": 24,
        "top": 1,
    }
    r = rec_client.post("/v1/recommend", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["horizon"] == 24
    assert out["top"][0]["name"] == "seasonal_naive" and out["top"][0]["rank"] == 1
    assert [m["name"] for m in out["ranking"]] == ["seasonal_naive", "naive"]
    assert out["explanation"] and out["reasons"]
    assert out["properties"]["n_windows_profiled"] >= 1


def test_trending_series_get_naive_first(rec_client):
    values = _trending(2, 9)
    body = {"series": [{"id": f"t{i}", "values": v.tolist()} for i, v in enumerate(values)], "horizon": 24}
    r = rec_client.post("/v1/recommend", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["top"][0]["name"] == "naive"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        # the series whose length differs, not the whole body
        (
            {"series": [{"id": "a", "values": [1.0] * 100}, {"id": "b", "values": [1.0] * 90}]},
            422,
            "series[1].values",
        ),
        # too short to profile: no horizon fits, so the values are what to change
        ({"series": [{"id": "a", "values": [1.0] * 20}], "horizon": 24}, 422, "series[0].values"),
        ({"series": [{"id": "a", "values": [1.0] * 600}], "top": 0}, 422, "top"),
    ],
)
def test_bad_recommend_requests(rec_client, body, status, field):
    r = rec_client.post("/v1/recommend", json=body)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field
    if len({len(s["values"]) for s in body["series"]}) > 1:  # a panel sent as one dataset: say how
        assert '"per_series": true' in r.json()["message"]


def test_missing_recommender_is_503(tmp_path, empty_store_uri, monkeypatch):
    """Known before any worker starts: the 503 does not wait for a worker's start-up, which on a
    loaded machine (30 s and more) ran past the request's budget and answered 504."""
    handed: list[str] = []

    def slow_worker(self: CpuPool, target: str, *args: object, **kwargs: object) -> object:
        handed.append(target)
        raise DeadlineExceededError("the worker was still starting", field="service")

    monkeypatch.setattr(CpuPool, "run", slow_worker)
    with TestClient(create_app(_settings(empty_store_uri, str(tmp_path / "none")))) as c:
        r = c.post("/v1/recommend", json={"series": [{"id": "a", "values": [1.0] * 600}]})
        assert r.status_code == 503, r.text
        assert r.json()["field"] == "recommender" and "tsforge recommender build" in r.json()["message"]
    assert handed == []


@pytest.mark.parametrize("start", ["2300-01-01T00:00:00", "1650-01-01T00:00:00"])
def test_timestamps_outside_what_a_clock_can_hold_are_422_not_500(rec_client, start):
    """Issue #18, finding 4: ``/v1/forecast`` answered 422 for these, ``/v1/recommend`` 500."""
    from datetime import datetime, timedelta

    t0 = datetime.fromisoformat(start)
    ts = [(t0 + timedelta(hours=k)).isoformat() for k in range(T)]
    body = {"series": [{"id": "a", "values": _periodic(1, 3)[0].tolist(), "timestamps": ts}], "horizon": 24}
    r = rec_client.post("/v1/recommend", json=body)
    assert r.status_code == 422, r.text
    # named at the first time out of range, quoting the range the library reads
    assert r.json()["field"] == "series[0].timestamps[0]", r.text
    assert "(1677-09-21 to 2262-04-11)" in r.json()["message"], r.text


def _monthly(n: int, start: str = "2015-01-01") -> list[str]:
    import pandas as pd

    return [t.isoformat() for t in pd.date_range(start, periods=n, freq="MS")]


def test_integer_timestamps_are_a_step_index_as_in_forecast(rec_client):
    """Audit D1: integers were read as seconds after 1970 (a horizon of 172800 for 60 monthly
    values); as in /v1/forecast they are a step index, with no calendar: the answer is the one
    for the same series without timestamps."""
    values = _periodic(1, 3)[0].tolist()
    plain = {"series": [{"id": "a", "values": values}], "max_windows": 8}
    stepped = {"series": [{"id": "a", "values": values, "timestamps": list(range(T))}], "max_windows": 8}
    r_plain, r_steps = (
        rec_client.post("/v1/recommend", json=plain),
        rec_client.post("/v1/recommend", json=stepped),
    )
    assert r_plain.status_code == r_steps.status_code == 200, r_steps.text
    assert r_steps.json()["horizon"] == r_plain.json()["horizon"]
    assert r_steps.json()["ranking"] == r_plain.json()["ranking"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"horizon": "6"}, "horizon"),
        ({"horizon": True}, "horizon"),
        ({"top": "2"}, "top"),
        ({"input_len": 96.0}, "input_len"),
        ({"per_series": "yes"}, "per_series"),
        ({"per_series": 1}, "per_series"),
    ],
)
def test_lax_types_are_422(rec_client, extra, field):
    """Audit D3: "6", true, "yes" and 1 were coerced to integers and booleans."""
    r = rec_client.post("/v1/recommend", json={"series": [{"id": "a", "values": [1.0] * 600}], **extra})
    assert r.status_code == 422 and r.json()["field"] == field, r.text


def _series(i: int, n: int = 40, **kw) -> dict:
    return {"id": f"s{i}", "values": [float(10 + (k % 12)) for k in range(n)], **kw}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        # audit D9: the per-series recommender refused these without naming the series
        ({"series": [_series(0), {"id": "x", "values": [5.0]}], "per_series": True}, 422, "series[1].values"),
        ({"series": [{"id": "x", "values": [None] * 40}], "per_series": True}, 422, "series[0].values"),
        # audit D9: 1e39 became float32 inf, then "every value is missing"; input_len blamed horizon
        ({"series": [{"id": "a", "values": [1.0] * 300 + [1e39] * 300}]}, 422, "series[0].values[300]"),
        ({"series": [{"id": "a", "values": [None] * 600}]}, 422, "series[0].values"),
        ({"series": [{"id": "a", "values": [1.0] * 600}], "input_len": 1000000}, 422, "input_len"),
        # audit D10: no horizon limit with per_series; mixed frequencies taken from the first series
        ({"series": [_series(0)], "per_series": True, "horizon": 1000000}, 413, "horizon"),
        (
            {
                "series": [
                    _series(0, timestamps=_monthly(40)),
                    _series(1, timestamps=_monthly(40, "2012-05-01")),
                    _series(2, timestamps=[f"2020-01-{1 + d // 24:02d}T{d % 24:02d}:00" for d in range(40)]),
                ],
                "per_series": True,
            },
            422,
            "series[2].timestamps",
        ),
        # audit D13: duplicate ids named the whole body
        ({"series": [_series(0), _series(0)], "per_series": True}, 422, "series[1].id"),
        (
            {"series": [_series(0, timestamps=list(range(40))), _series(1)], "per_series": True},
            422,
            "series[1].timestamps",
        ),
    ],
)
def test_bad_series_are_4xx_naming_the_field(rec_client, body, status, field):
    r = rec_client.post("/v1/recommend", json=body)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field, r.json()
