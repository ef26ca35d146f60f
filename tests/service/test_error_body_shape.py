"""Every error body starts with the same keys in the same order (``error``, ``error_code``,
``message``, then ``field`` where one is at fault), whichever check refused the request.

Before, a body from the library's checks (a horizon over the model's, an unknown model) began
with ``error_code`` while a schema 422 or an unknown route began with ``error``; and an unknown
route or method was answered "Not Found" / "Method Not Allowed" without naming what was asked.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from service.main import create_app

#: the documented order (service.errors.ERROR_KEYS), spelt out: the test states the contract
LEADING = ["error", "error_code", "message", "field"]


def _leading_keys(body: dict) -> list[str]:
    return list(body)[: len([k for k in LEADING if k in body])]


def _assert_shape(r: Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert _leading_keys(body) == [k for k in LEADING if k in body], (r.request.url, list(body))
    assert {"error", "error_code", "message"} <= set(body)
    return body


def test_schema_library_registry_and_route_errors_share_one_key_order(client: TestClient, series: dict):
    schema = client.post("/v1/forecast", json={"series": [series], "horizon": "x"})
    library = client.post("/v1/forecast", json={"series": [series], "horizon": 25})  # over the model's 24
    unknown_model = client.post("/v1/forecast", json={"series": [series], "model": "no_such_model"})
    unknown_version = client.post("/v1/forecast", json={"series": [series], "model": "svc_model/999"})
    not_json = client.post("/v1/forecast", content=b"{}", headers={"Content-Type": "text/plain"})

    assert _assert_shape(schema, 422)["field"] == "horizon"
    assert _assert_shape(library, 422)["field"] == "horizon"
    assert _assert_shape(unknown_model, 404)["field"] == "model"
    assert _assert_shape(unknown_version, 404)["field"] == "model"
    assert _assert_shape(not_json, 415)["field"] == "Content-Type"


def test_a_library_error_keeps_its_locating_details_after_the_leading_keys(make_settings, series: dict):
    with TestClient(create_app(make_settings(max_horizon=10))) as c:
        r = c.post("/v1/forecast", json={"series": [series], "horizon": 11})
    body = _assert_shape(r, 413)
    assert list(body)[:4] == LEADING and body["field"] == "horizon"


def test_an_unknown_route_or_method_names_what_was_asked_and_where_to_look(client: TestClient):
    route = _assert_shape(client.get("/v1/model"), 404)
    method = _assert_shape(client.delete("/v1/forecast"), 405)
    assert "GET /v1/model" in route["message"] and "/docs" in route["message"], route
    assert "DELETE" in method["message"] and "allowed: POST" in method["message"], method
