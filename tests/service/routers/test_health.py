"""Probes: liveness, readiness (default model loaded), MLflow's /ping and /health."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.main import create_app


def test_probes_when_ready(client, registry):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ready",
        "default_model": "svc_model",
        "loaded": [f"svc_model/{registry.dlinear_version}"],
    }
    for path in ("/ping", "/health"):
        r = client.get(path)
        assert r.status_code == 200 and r.text == "\n"
        # what it declares is what it returns (issue #18, finding 4: JSON declared, "\n" sent)
        assert r.headers["content-type"].startswith("text/plain")
        declared = client.get("/openapi.json").json()["paths"][path]["get"]["responses"]["200"]["content"]
        assert list(declared) == ["text/plain"]


def test_readyz_is_503_while_the_default_model_cannot_load(make_settings):
    with TestClient(create_app(make_settings(default_model="not_registered"))) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["status"] == "not ready"
        assert "not_registered" in r.json()["reason"]


def test_readyz_loads_lazily_when_preload_is_off(make_settings, registry):
    with TestClient(create_app(make_settings(preload_default=False))) as c:
        store = c.app.state.store
        assert store.loaded() == []
        assert c.get("/readyz").status_code == 200
        assert [m.version for m in store.loaded()] == [registry.dlinear_version]


def test_unknown_route_and_method_are_json(client):
    r = client.get("/v1/nothing")
    assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    r = client.get("/v1/forecast")
    assert r.status_code == 405 and r.json()["error"] == "HTTPException"


def test_docs_and_openapi_list_every_route(client):
    assert client.get("/docs").status_code == 200
    paths = set(client.get("/openapi.json").json()["paths"])
    expected = {
        "/healthz",
        "/readyz",
        "/ping",
        "/health",
        "/version",
        "/invocations",
        "/v1/forecast",
        "/v1/models",
        "/v1/admin/reload",
        "/v1/profile",
        "/v1/recommend",
    }
    assert expected <= paths


def test_error_responses_are_documented(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/forecast", "/invocations", "/v1/profile", "/v1/recommend"):
        codes = set(paths[path]["post"]["responses"])
        assert {"400", "401", "413", "422"} <= codes, path
    for path in ("/v1/profile", "/v1/recommend"):
        assert {"429", "504"} <= set(paths[path]["post"]["responses"]), path


def test_docs_render_from_files_the_app_serves_itself(client):
    """Issue #18, finding 7: /docs and /redoc were blank without internet (CDN assets)."""
    import re

    for page in ("/docs", "/redoc"):
        r = client.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        urls = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', r.text)
        assert urls and all(u.startswith("/") for u in urls), urls  # nothing from another host
        assert "cdn" not in r.text.lower() and "googleapis" not in r.text
        for url in urls:
            asset = client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 1000, url
    assert "SwaggerUIBundle" in client.get("/docs-static/swagger-ui-bundle.js").text


def test_probes_answer_head_as_get(client):
    """Uptime checkers and load balancers probe with HEAD: it was a 405 on every probe. The status
    is the answer (no body), and the HEAD twins stay out of the OpenAPI schema."""
    for path in ("/healthz", "/readyz", "/ping", "/health"):
        r = client.head(path)
        assert r.status_code == client.get(path).status_code == 200, path
        assert r.content == b"", path
        assert "head" not in client.get("/openapi.json").json()["paths"][path], path
