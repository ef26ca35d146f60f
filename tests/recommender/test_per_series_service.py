"""POST /v1/recommend with ``per_series: true`` over a router saved in a temporary cache."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import ServiceSettings
from tests.conftest import copied_store


@pytest.fixture(scope="module")
def client(tmp_path_factory, halves_router, _empty_store) -> Iterator[TestClient]:
    """One app (and one worker) for this module's tests that read the saved router.

    Why module-wide: a fresh app per test spawned a fresh worker that imported the recommender's
    libraries and loaded the router again (~15–20 s a test on CI), while the requests only read.
    The worker reads the router folder named by ``TSFORGE_CACHE_DIR`` in its environment, taken
    when it spawns, so the variable is set for as long as the app lives, and restored after.
    """
    from recommender.per_series import router_dir

    tmp = tmp_path_factory.mktemp("per_series_service")
    store = copied_store(tmp, _empty_store)  # a copy of the session's new store: not migrated again
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TSFORGE_CACHE_DIR", str(tmp / "cache"))
        halves_router.save(router_dir())
        settings = ServiceSettings(tracking_uri=store, alias_poll_seconds=0, cpu_timeout_seconds=600)
        with TestClient(create_app(settings)) as c:
            yield c


def test_per_series_picks_each_halfs_winner_for_ragged_series(client, make_halves):
    panel = make_halves(8, seed=41)
    series = []
    for i in range(len(panel)):
        dates = panel.times_at(np.full(panel.lengths[i], i), np.arange(panel.lengths[i]))
        series.append(
            {
                "id": str(panel.ids[i]),
                "values": panel.series(i).tolist(),
                "timestamps": [str(d)[:10] for d in dates],
            }
        )
    assert len({len(s["values"]) for s in series}) > 1  # ragged: allowed per series
    r = client.post("/v1/recommend", json={"series": series, "horizon": 6, "per_series": True})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["n_series"] == 8 and out["horizon"] == 6
    picks = {s["id"]: s["pick"] for s in out["series"]}
    assert all(p == ("seasonal_naive" if "seas" in k else "naive") for k, p in picks.items())
    first = out["series"][0]
    assert first["explanation"] and sum(first["weights"].values()) == pytest.approx(1.0)
    assert set(out["collection"]["pick_distribution"]) <= {"naive", "seasonal_naive"}


def test_per_series_answers_carry_the_caveat_of_a_flat_series(client):
    series = [
        {"id": "wave", "values": (10 + 5 * np.sin(np.arange(48) * np.pi / 6)).tolist()},
        {"id": "flat", "values": [3.0] * 48},
    ]
    r = client.post("/v1/recommend", json={"series": series, "horizon": 6, "per_series": True})
    assert r.status_code == 200, r.text
    out = r.json()
    caveats = {s["id"]: s["caveat"] for s in out["series"]}
    assert caveats["flat"].startswith("flat history") and caveats["wave"] == ""
    assert out["collection"]["caveats"]["flat_history"] == ["flat"]


def test_per_series_without_a_saved_router_is_503(tmp_path, monkeypatch, empty_store_uri):
    # the service's workers are other processes: the folder the router is read from is named in
    # their environment (a router folder with nothing in it; a copy of tsforge without a shipped
    # router and no build reads the cache's empty folder the same way)
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("TSFORGE_SERIES_ROUTER", str(tmp_path / "empty-router"))
    settings = ServiceSettings(tracking_uri=empty_store_uri, alias_poll_seconds=0, cpu_timeout_seconds=600)
    with TestClient(create_app(settings)) as c:
        r = c.post("/v1/recommend", json={"series": [{"id": "a", "values": [1.0] * 50}], "per_series": True})
        assert r.status_code == 503, r.text
        assert r.json()["field"] == "per_series" and "--per-series" in r.json()["message"]


def test_per_series_mixed_timestamps_are_422(client):
    body = {
        "series": [
            {"id": "a", "values": [1.0, 2.0, 3.0], "timestamps": ["2020-01-01", "2020-02-01", "2020-03-01"]},
            {"id": "b", "values": [1.0, 2.0]},
        ],
        "per_series": True,
    }
    r = client.post("/v1/recommend", json=body)
    assert r.status_code == 422, r.text


def test_per_series_answers_name_the_series_too_short_to_train_on(client):
    """The library returns which series `--train` would refuse (shorter than the holdout needs);
    the response model did not declare those fields, so the service dropped them silently."""
    wave = (10 + 5 * np.sin(np.arange(48) * np.pi / 6)).tolist()
    series = [{"id": "long", "values": wave}, {"id": "short", "values": wave[:8]}]
    r = client.post("/v1/recommend", json={"series": series, "horizon": 6, "per_series": True})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["short_for_holdout"] == ["short"]
    assert 8 < out["holdout_length"] <= 48


def test_per_series_answers_carry_the_score_their_contributions_add_up_to(client, make_halves):
    """The REST answer kept ``contributions`` but dropped ``bias`` and ``score`` (its schema had
    no such fields), so a client could not see the explanation add up to the prediction."""
    panel = make_halves(6, seed=43)
    series = [{"id": str(panel.ids[i]), "values": panel.series(i).tolist()} for i in range(len(panel))]
    r = client.post("/v1/recommend", json={"series": series, "horizon": 6, "per_series": True})
    assert r.status_code == 200, r.text
    out = r.json()
    for s in out["series"]:
        assert s["score"] is not None and s["bias"] is not None, s["id"]
        assert sum(s["contributions"].values()) + s["bias"] == pytest.approx(s["score"], abs=1e-9)
        assert all(" " not in k for k in s["contributions"])  # field keys: frequency_and_horizon
        assert {r["group"] for r in s["reasons"]} <= set(s["contributions"])
    assert set(out["collection"]["caveats"]) == {"flat_history", "too_short_to_profile"}
