"""The OpenAPI document as an API user reads it: every schema and field described, every
operation summarised with the errors it really answers, every request example accepted.

Why tests: the document is generated from the code, so a new field or route without words, an
error code copied onto a route that cannot answer it, or an example that drifted from the
schema shows up only here, not in any behaviour test.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import ServiceSettings

ERROR_REF = "#/components/schemas/ErrorResponse"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    """The document as served (no lifespan needed: the schema does not depend on the store)."""
    return TestClient(create_app(ServiceSettings(alias_poll_seconds=0))).get("/openapi.json").json()


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method, path, op


def _ref_target(prop: dict[str, Any]) -> str | None:
    """The component a property is (``$ref``, or pydantic's one-item ``allOf`` / nullable ``anyOf``)."""
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    branches = [b for b in prop.get("allOf", []) + prop.get("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1 and "$ref" in branches[0]:
        return branches[0]["$ref"].rsplit("/", 1)[-1]
    return None


def test_every_schema_and_every_property_is_described(doc):
    schemas = doc["components"]["schemas"]
    bare = [name for name, s in schemas.items() if not s.get("description", "").strip()]
    undescribed = []
    for name, s in schemas.items():
        for prop_name, prop in s.get("properties", {}).items():
            target = _ref_target(prop)
            if prop.get("description", "").strip() or (target and schemas[target].get("description")):
                continue
            undescribed.append(f"{name}.{prop_name}")
    assert not bare, f"schemas without a description: {bare}"
    assert not undescribed, f"properties without a description: {undescribed}"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for v in node.values():
            yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_every_reference_resolves(doc):
    """The plain-text routes name the error body by reference: it must exist."""
    names = {f"#/components/schemas/{name}" for name in doc["components"]["schemas"]}
    assert set(_refs(doc["paths"])) <= names


def test_response_schemas_list_their_fields(doc):
    """A response model with a wrap serializer was documented as ``{}`` (issue: pydantic cannot
    see through it): the forecast endpoints' answers had no fields in the document."""
    schemas = doc["components"]["schemas"]
    for name in ("ForecastResponse", "SeriesForecastOut", "InvocationsResponse"):
        assert schemas[name].get("properties"), name
    assert set(schemas["ForecastResponse"]["properties"]) == {"model", "horizon", "forecasts", "notes"}
    assert set(schemas["InvocationsResponse"]["properties"]) == {"predictions", "notes"}


def test_every_operation_has_words_and_documented_error_bodies(doc):
    problems = []
    for method, path, op in _operations(doc):
        where = f"{method.upper()} {path}"
        for key in ("summary", "description"):
            if not op.get(key, "").strip():
                problems.append(f"{where}: no {key}")
        errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
        with_body = [
            code
            for code, r in errors.items()
            if r.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref") == ERROR_REF
        ]
        if not any(code.startswith("4") for code in with_body):
            problems.append(f"{where}: no 4xx documented with the error body")
        for code, r in errors.items():
            if not r.get("description", "").strip():
                problems.append(f"{where}: {code} has no description")
    assert not problems, "\n".join(problems)


def test_error_codes_are_documented_only_where_they_can_happen(doc):
    """415 (body not JSON) needs a JSON body; 422 needs input (a body or parameters); 401 needs
    the API key (the probes never ask for it). Before, every route of a router got the same list:
    ``GET /v1/models`` documented 404, 415 and 422, which it cannot answer."""
    problems = []
    for method, path, op in _operations(doc):
        codes = set(op["responses"])
        has_body = "application/json" in op.get("requestBody", {}).get("content", {})
        if "415" in codes and not has_body:
            problems.append(f"{method.upper()} {path}: 415 without a JSON body")
        if "422" in codes and not (has_body or op.get("parameters")):
            problems.append(f"{method.upper()} {path}: 422 without any input")
        if "401" in codes and not op.get("security"):
            problems.append(f"{method.upper()} {path}: 401 on a route without the API key")
        if has_body and not {"400", "413", "415", "422"} <= codes:
            problems.append(f"{method.upper()} {path}: a JSON route must document 400, 413, 415, 422")
    assert not problems, "\n".join(problems)


def test_the_documented_400_is_what_every_operation_answers(doc):
    """The gate refuses an invalid Content-Length on every route with the error body: the one
    4xx every operation, probes included, documents and can be shown to answer."""
    client = TestClient(create_app(ServiceSettings(alias_poll_seconds=0)))
    for method, path, op in _operations(doc):
        assert "400" in op["responses"], path
        r = client.request(method.upper(), path, headers={"Content-Length": "abc"})
        assert r.status_code == 400, (method, path, r.text)
        body = r.json()
        assert {"error", "error_code", "message"} <= set(body) and body["field"] == "Content-Length"


def _request_examples(doc: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """``(path, label, body)`` for every request example the document shows: the operation's own
    (``example`` / ``examples``) and its body schema's ``examples``."""
    schemas = doc["components"]["schemas"]
    for _method, path, op in _operations(doc):
        media = op.get("requestBody", {}).get("content", {}).get("application/json")
        if media is None:
            continue
        if "example" in media:
            yield path, "example", media["example"]
        for name, ex in media.get("examples", {}).items():
            yield path, f"examples.{name}", ex["value"]
        target = _ref_target(media.get("schema", {}))
        for i, ex in enumerate(schemas.get(target or "", {}).get("examples", [])):
            yield path, f"{target}.examples[{i}]", ex


def test_every_request_body_has_an_example(doc):
    with_body = {p for _, p, op in _operations(doc) if "requestBody" in op}
    assert with_body and with_body <= {path for path, _, _ in _request_examples(doc)}


def _with_fixture_model(body: Any, model: str) -> Any:
    """An example naming a model is sent naming the fixture's registered model instead (the
    registry of these tests has only that one); the examples shown today name none."""
    body = copy.deepcopy(body)
    if isinstance(body, dict) and isinstance(body.get("model"), str):
        body["model"] = model
    if isinstance(body, dict) and isinstance((body.get("params") or {}).get("model"), str):
        body["params"]["model"] = model
    return body


def test_every_request_example_is_accepted(doc, make_settings, registry, tiny_recommender):
    examples = list(_request_examples(doc))
    settings = make_settings(recommender_path=tiny_recommender, cpu_timeout_seconds=300)
    failures = []
    with TestClient(create_app(settings)) as client:
        for path, label, body in examples:
            r = client.post(path, json=_with_fixture_model(body, registry.name))
            if r.status_code != 200:
                failures.append(f"{path} {label}: {r.status_code} {r.text[:300]}")
    assert examples and not failures, "\n".join(failures)
