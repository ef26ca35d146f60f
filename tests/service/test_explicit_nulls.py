"""An explicit JSON ``null`` for a field a request may leave out reads as leaving it out, in every
request schema of the service, and the OpenAPI document says such fields take null.

Before, ``/v1/recommend`` refused ``{"top": null}`` ("top: Input should be a valid integer"),
``{"max_windows": null}`` and ``{"per_series": null}``, and ``/v1/profile`` ``{"max_windows":
null}``, while it took the same bodies without the key: a client that writes an unset option
as ``null`` was refused for saying "not given".
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from service.schemas.forecast import ForecastRequest, SeriesIn
from service.schemas.invocations import DataFrameSplit, InvocationsRequest
from service.schemas.profile import ProfileRequest, ProfileSeriesIn
from service.schemas.recommend import RecommendRequest, RecommendSeriesIn

SERIES = {"id": "a", "values": [float(t % 7) for t in range(64)]}

#: each request schema (and each part of one) with a body that gives only what it requires
BODIES: list[tuple[type[BaseModel], dict]] = [
    (ForecastRequest, {"series": [SERIES]}),
    (RecommendRequest, {"series": [SERIES]}),
    (ProfileRequest, {"series": [SERIES]}),
    (SeriesIn, SERIES),
    (RecommendSeriesIn, SERIES),
    (ProfileSeriesIn, SERIES),
    (InvocationsRequest, {"inputs": {"y": SERIES["values"]}}),
    (DataFrameSplit, {"columns": ["y"], "data": [[1.0]]}),
]

CASES = [
    pytest.param(model, body, name, id=f"{model.__name__}.{name}")
    for model, body in BODIES
    for name, field in model.model_fields.items()
    if not field.is_required() and name not in body
]


@pytest.mark.parametrize(("model", "body", "name"), CASES)
def test_null_for_a_field_that_may_be_left_out_is_the_default(model, body, name):
    assert model.model_validate({**body, name: None}) == model.model_validate(body)


def test_the_fields_that_refused_null_are_among_those_checked():
    """The parametrisation above covers the fields that were refused (it is built from the
    schemas, so a field with a default that is not null is checked as soon as it exists)."""
    checked = {(m.__name__, n) for m, _, n in (c.values for c in CASES)}
    assert {
        ("RecommendRequest", "top"),
        ("RecommendRequest", "max_windows"),
        ("RecommendRequest", "per_series"),
        ("ProfileRequest", "max_windows"),
    } <= checked


def test_recommend_takes_explicit_nulls_as_not_given(rec_client):
    """The brief's request: /v1/recommend with every optional field sent as null."""
    nulls = {k: None for k in ("input_len", "top", "max_windows", "per_series", "time_format")}
    series = [{"id": f"s{k}", "values": [float((t + k) % 24) for t in range(240)]} for k in range(2)]
    r = rec_client.post("/v1/recommend", json={"series": series, "horizon": 24, **nulls})
    assert r.status_code == 200, r.text
    plain = rec_client.post("/v1/recommend", json={"series": series, "horizon": 24})
    assert plain.status_code == 200, plain.text
    assert r.json()["ranking"] == plain.json()["ranking"]
    assert r.json()["top"] == plain.json()["top"]  # top's default


def test_a_value_that_is_wrong_is_still_refused():
    """null reads as absent; anything else still has to be of the field's type."""
    with pytest.raises(ValueError, match="top"):
        RecommendRequest.model_validate({"series": [SERIES], "top": "3"})


def test_the_openapi_document_says_those_fields_take_null(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for model, _ in BODIES:
        props = schemas[model.__name__]["properties"]
        for name, field in model.model_fields.items():
            if field.is_required():
                continue
            prop = props[name]
            assert {"type": "null"} in prop.get("anyOf", []), (model.__name__, name, prop)
    top = schemas["RecommendRequest"]["properties"]["top"]
    assert top["default"] == 3 and top["anyOf"][0]["maximum"] == 20, top
