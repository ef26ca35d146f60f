"""Limits before work (issue #18, finding 3): the API key and the body size are checked before
the body is read, on a declared Content-Length and on a streamed (chunked) body alike."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from service.main import create_app, protected_paths
from service.settings import ServiceSettings


class _Body:
    """An ASGI ``receive`` that serves a large body in chunks and counts what was read."""

    def __init__(self, total: int, chunk: int = 1 << 20) -> None:
        self.total, self.chunk, self.read = total, chunk, 0

    async def __call__(self) -> dict:
        if self.read >= self.total:
            return {"type": "http.disconnect"}
        n = min(self.chunk, self.total - self.read)
        self.read += n
        return {"type": "http.request", "body": b" " * n, "more_body": self.read < self.total}


def _call(app, path: str, headers: dict[str, str], body: _Body) -> tuple[int, dict, dict]:
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, body, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers_out = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], json.loads(payload), headers_out


def _app(**kw):
    return create_app(ServiceSettings(alias_poll_seconds=0, preload_default=False, **kw), store=object())


def test_401_before_reading_a_large_body():
    app = _app(api_key="secret")
    body = _Body(210 * 1024 * 1024)
    status, payload, headers = _call(
        app, "/v1/forecast", {"content-type": "application/json", "content-length": str(body.total)}, body
    )
    assert status == 401 and payload["error"] == "AuthenticationError" and payload["field"] == "X-API-Key"
    assert "www-authenticate" in headers
    assert body.read == 0  # not one byte of the body was read
    # a chunked upload without a key is refused the same way
    body = _Body(50 * 1024 * 1024)
    assert _call(app, "/v1/profile", {"transfer-encoding": "chunked"}, body)[0] == 401
    assert body.read == 0


def test_413_before_parsing_on_the_declared_length():
    app = _app(api_key="secret", max_body_bytes=1024 * 1024)
    body = _Body(5 * 1024 * 1024)
    status, payload, _ = _call(
        app,
        "/v1/forecast",
        {"content-type": "application/json", "content-length": str(body.total), "x-api-key": "secret"},
        body,
    )
    assert status == 413 and payload["error_code"] == "RESOURCE_LIMIT_EXCEEDED"
    assert payload["field"] == "body" and "1048576 bytes" in payload["message"]
    assert body.read == 0


def test_413_when_a_streamed_body_passes_the_limit(make_settings):
    app = _app(max_body_bytes=1024 * 1024)
    body = _Body(20 * 1024 * 1024, chunk=64 * 1024)
    status, payload, _ = _call(app, "/v1/forecast", {"content-type": "application/json"}, body)
    assert status == 413 and payload["field"] == "body"
    assert body.read <= 1024 * 1024 + 64 * 1024  # reading stopped at the limit
    with TestClient(create_app(make_settings(max_body_bytes=1024 * 1024))) as c:
        chunks = (b" " * 65536 for _ in range(40))  # httpx sends a generator chunked
        r = c.post("/v1/forecast", content=chunks, headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"] == "RequestTooLarge"


def test_bodies_under_the_limit_and_probes_pass(client, series):
    r = client.post("/v1/forecast", json={"series": [series]})
    assert r.status_code == 200, r.text
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "path", ["/v1/forecast", "/invocations", "/v1/profile", "/v1/recommend", "/v1/models"]
)
def test_every_keyed_route_is_guarded_by_the_gate(path):
    assert path in protected_paths(_app())


def test_probes_and_docs_are_not_guarded():
    paths = protected_paths(_app())
    assert not paths & {"/healthz", "/readyz", "/ping", "/health", "/docs", "/openapi.json"}


def test_bad_content_length_is_400():
    status, payload, _ = _call(_app(), "/v1/forecast", {"content-length": "-5"}, _Body(0))
    assert status == 400 and payload["field"] == "Content-Length"
