"""``/v1/recommend`` with ``per_series`` checks the posted data before it loads the per-series
router: a bad request gets its 422, naming what to change, even where no router is saved (and
without waiting for one to load).

Before, the worker loaded the router first and the library's own data checks (a horizon no
series is long enough for) came after: with no router saved the client got a 503 ("build one
with ...") for a request it had to change anyway, and with one it waited for the load.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient

import service.recommending as recommending
from service.convert import Limits
from service.errors import ServiceUnavailableError
from service.main import create_app
from service.schemas.recommend import RecommendRequest
from service.settings import ServiceSettings
from tsforge.errors import DataValidationError

N = 48
MONTHS = [t.isoformat() for t in pd.date_range("2015-01-01", periods=N, freq="MS")]


def _series(sid: str, seed: int) -> dict:
    return {"id": sid, "values": [float(10 + seed + k % 12) for k in range(N)], "timestamps": MONTHS}


#: per-series bodies the data alone refuses: a horizon no series is long enough to train at
#: (the library's check), a series mostly of skipped steps, a series with one observed value
BAD = {
    "horizon too long": ({"series": [_series("a", 0), _series("b", 1)], "horizon": 40}, "horizon"),
    "mostly skipped": (
        {
            "series": [
                _series("a", 0),
                {"id": "b", "values": [1.0, 2.0, 3.0, 4.0], "timestamps": [MONTHS[k] for k in (0, 1, 2, 47)]},
            ]
        },
        "series[1].timestamps",
    ),
    "one observed": (
        {"series": [_series("a", 0), {**_series("b", 1), "values": [1.0] + [None] * (N - 1)}]},
        "series[1].values",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_the_worker_refuses_bad_data_without_loading_the_router(monkeypatch, case):
    body, field = BAD[case]
    loads: list[object] = []

    def no_router(path: object = None) -> object:
        loads.append(path)
        raise ServiceUnavailableError("no per-series recommender saved", field="per_series")

    monkeypatch.setattr(recommending, "load_series_router", no_router)
    req = RecommendRequest.model_validate({**body, "per_series": True})
    with pytest.raises(DataValidationError) as err:
        recommending.recommend_request(req, Limits(100, 10_000, 1_000), None)
    assert err.value.where.get("field") == field, err.value.to_dict()
    assert loads == []


@pytest.fixture()
def no_router_client(tmp_path, monkeypatch, empty_store_uri) -> Iterator[TestClient]:
    """The service where no per-series router is saved (``TSFORGE_SERIES_ROUTER`` names an
    empty folder, set before the app and its workers start)."""
    empty = tmp_path / "no_router"
    empty.mkdir()
    monkeypatch.setenv("TSFORGE_SERIES_ROUTER", str(empty))
    settings = ServiceSettings(tracking_uri=empty_store_uri, alias_poll_seconds=0)
    with TestClient(create_app(settings)) as c:
        yield c


def test_a_bad_request_gets_its_422_where_no_router_is_saved(no_router_client):
    body, field = BAD["horizon too long"]
    r = no_router_client.post("/v1/recommend", json={**body, "per_series": True})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    # a good request is answered with the 503 that says how to build the router
    r = no_router_client.post("/v1/recommend", json={**body, "horizon": 6, "per_series": True})
    assert r.status_code == 503, r.text
    assert r.json()["field"] == "per_series"
