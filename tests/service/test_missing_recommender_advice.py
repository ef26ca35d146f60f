"""A fresh cache's ``/v1/recommend`` 503 names the quick build first (user walk, session 72, M5).

The 503 said "build one with `tsforge recommender build`": the full build, about an hour on two
cores (README), where the quick one the first ``tsforge recommend`` of long data builds takes
about a minute and answers the endpoint as well.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.cpu_pool import CpuPool
from service.errors import ServiceUnavailableError
from service.main import create_app
from service.recommending import check_saved
from service.schemas.recommend import RecommendRequest
from service.settings import ServiceSettings

BODY = {"series": [{"id": "a", "values": [float(i % 24) for i in range(600)]}], "horizon": 24}


def _quick_named_first(message: str) -> None:
    quick, full = message.find("`tsforge recommend synthetic`"), message.find("`tsforge recommender build`")
    assert 0 <= quick < full, message
    assert "about a minute" in message and "about an hour" in message, message


def test_a_fresh_cache_s_503_names_the_quick_build_first(tmp_path, empty_store_uri, monkeypatch) -> None:
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))  # no recommender saved there
    monkeypatch.setattr(CpuPool, "run", lambda *a, **k: pytest.fail("a worker was asked"))
    settings = ServiceSettings(tracking_uri=empty_store_uri, alias_poll_seconds=0)
    with TestClient(create_app(settings)) as c:
        r = c.post("/v1/recommend", json=BODY)
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["field"] == "recommender"
    assert str(tmp_path / "cache" / "recommender" / "default") in body["message"]
    _quick_named_first(body["message"])


def test_a_recommender_path_elsewhere_is_named_as_what_to_change(tmp_path, monkeypatch) -> None:
    """The quick build saves to the default folder only: building it leaves a 503 while
    TSFORGE_RECOMMENDER_PATH names another folder, so the message says so."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(ServiceUnavailableError) as err:
        check_saved(RecommendRequest.model_validate(BODY), str(tmp_path / "mine"))
    message = err.value.message
    assert message.startswith(
        f"no recommender saved at {tmp_path / 'mine'}; TSFORGE_RECOMMENDER_PATH names it"
    )
    assert f"unset it to use {tmp_path / 'cache' / 'recommender' / 'default'}" in message
    _quick_named_first(message)
