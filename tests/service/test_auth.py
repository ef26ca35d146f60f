"""Optional API key: off by default; when set, X-API-Key or Bearer is required except on probes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.main import create_app

KEY = "s3cret-key"


@pytest.fixture()
def secured(make_settings):
    with TestClient(create_app(make_settings(api_key=KEY))) as c:
        yield c


def test_no_key_configured_means_open(client, series):
    assert client.post("/v1/forecast", json={"series": [series]}).status_code == 200
    assert client.get("/v1/models").status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/v1/forecast"),
        ("get", "/v1/models"),
        ("post", "/invocations"),
        ("get", "/version"),
        ("post", "/v1/admin/reload"),
    ],
)
def test_missing_key_is_401(secured, method, path):
    r = getattr(secured, method)(path, **({"json": {}} if method == "post" else {}))
    assert r.status_code == 401
    assert r.json()["error"] == "AuthenticationError"
    assert r.json()["error_code"] == "UNAUTHENTICATED"
    assert r.json()["field"] == "X-API-Key"
    assert "WWW-Authenticate" in r.headers


def test_wrong_key_is_401(secured, series):
    r = secured.post("/v1/forecast", json={"series": [series]}, headers={"X-API-Key": "nope"})
    assert r.status_code == 401 and r.json()["message"] == "wrong API key"
    r = secured.post("/v1/forecast", json={"series": [series]}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_right_key_in_either_header(secured, series):
    assert (
        secured.post("/v1/forecast", json={"series": [series]}, headers={"X-API-Key": KEY}).status_code == 200
    )
    r = secured.post("/v1/forecast", json={"series": [series]}, headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 200


def test_auth_is_checked_before_the_body(secured):
    """An unauthenticated client learns nothing about validation: 401, not 422."""
    assert secured.post("/v1/forecast", json={"series": "junk"}).status_code == 401


def test_probes_are_exempt(secured):
    for path in ("/healthz", "/readyz", "/ping", "/health"):
        assert secured.get(path).status_code == 200, path


def test_key_from_environment(monkeypatch, registry):
    from service.settings import ServiceSettings

    monkeypatch.setenv("TSFORGE_API_KEY", KEY)
    settings = ServiceSettings.from_env(
        tracking_uri=registry.uri, default_model=registry.name, alias_poll_seconds=0
    )
    with TestClient(create_app(settings)) as c:
        assert c.get("/v1/models").status_code == 401
        assert c.get("/v1/models", headers={"X-API-Key": KEY}).status_code == 200


def test_probes_by_head_are_exempt_too(secured):
    for path in ("/healthz", "/readyz", "/ping", "/health"):
        assert secured.head(path).status_code == 200, path
