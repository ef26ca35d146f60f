"""Schemas shared by several routes: the model a response came from, the error body, and the
rules every posted series' timestamps follow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    model_serializer,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

__all__ = [
    "MODEL_ROUTE_503",
    "NOTES_DESCRIPTION",
    "OmitsEmptyNotes",
    "SchemaOfFields",
    "ModelInfo",
    "ErrorResponse",
    "ErrorItem",
    "ERROR_DESCRIPTIONS",
    "error_responses",
    "GATE_CODES",
    "PROTECTED_CODES",
    "JSON_BODY_CODES",
    "check_timestamps",
    "check_unique_ids",
    "field_error",
]


class ModelInfo(BaseModel):
    """Which registered model version answered (pinned in every forecast response)."""

    name: str = Field(description="Registered model name (the request's, or the service's default model).")
    version: str = Field(
        description="Registered model version (its number, as text) that produced the forecast: what "
        "the request's reference resolved to when it was answered. Pin it ('name/version') to get "
        "the same model again after an alias moves."
    )
    alias: str | None = Field(
        None,
        description="Alias the reference resolved through: the one named ('name@alias'), or for a bare "
        "name the service's default alias (TSFORGE_DEFAULT_ALIAS, 'champion') when the model has it. "
        "Null for 'name/version', and for a bare name without that alias (its newest version answers).",
    )
    run_id: str | None = Field(
        None, description="MLflow run that logged this version; null when the registry does not say."
    )


NOTES_DESCRIPTION = (
    "What limits this answer, in words: e.g. a level the model's interval calibration has too few "
    "scores to resolve (its bounds are then the most extreme scores seen and cover less than "
    "nominal), or series sent without the dates a calendar model reads (forecast without them). "
    "Absent when there is nothing to say."
)


class SchemaOfFields(BaseModel):
    """A response model whose JSON schema is its declared fields, although it serializes through a
    wrap ``model_serializer`` (which leaves out absent fields).

    Why: pydantic cannot see through a wrap serializer, so in serialization mode (the one FastAPI
    documents responses in) such a model's schema was ``{}``: ``/v1/forecast`` and
    ``/invocations`` answered with a schema that had no properties and no description. The
    serializer only drops keys, so the declared fields describe the answer.
    """

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if handler.mode == "serialization" and "serialization" in core_schema:
            fields_only = {k: v for k, v in core_schema.items() if k != "serialization"}
            return handler(cast(CoreSchema, fields_only))
        return handler(core_schema)


class OmitsEmptyNotes(SchemaOfFields):
    """A response whose ``notes`` field is left out when there is nothing to say.

    Why: a client that never asks for what notes are about (intervals) gets exactly the answer
    it got before notes existed — MLflow's scoring clients included.
    """

    @model_serializer(mode="wrap")
    def _omit_absent_notes(self, handler: SerializerFunctionWrapHandler) -> Any:
        out = handler(self)
        if isinstance(out, dict) and not out.get("notes"):
            out.pop("notes", None)
        return out


class ErrorItem(BaseModel):
    """One problem of a request that failed validation (an entry of ``errors`` in a 422 body)."""

    field: str = Field(
        description="The request field at fault: dotted path with list indices in [] "
        "(e.g. series[0].values[3]); 'body' for the body as a whole."
    )
    message: str = Field(description="What is wrong with it, in words.")
    type: str = Field(description="Pydantic's error type, e.g. missing, greater_than, json_invalid.")


class ErrorResponse(BaseModel):
    """The JSON body of every 4xx/5xx answer of this service (the probes' 503 from /readyz aside).

    Machine-readable ``error`` and ``error_code``, a one-line ``message`` and, where known, the
    ``field`` at fault. Errors raised by the library may add what else locates the problem
    (e.g. ``column``, ``row``, ``series``); a 429 adds ``retry_after`` (seconds, as the
    ``Retry-After`` header).
    """

    model_config = ConfigDict(extra="allow")

    error: str = Field(
        description="Error class, e.g. DataValidationError, RequestValidationError, ModelNotFoundError, "
        "AuthenticationError, RequestTooLarge, UnsupportedMediaType, HTTPException, InternalError."
    )
    error_code: str = Field(
        description="MLflow-style code derived from the HTTP status: BAD_REQUEST (400, 405, 415), "
        "UNAUTHENTICATED (401), RESOURCE_DOES_NOT_EXIST (404), RESOURCE_LIMIT_EXCEEDED (413), "
        "INVALID_PARAMETER_VALUE (422), REQUEST_LIMIT_EXCEEDED (429), INTERNAL_ERROR (500), "
        "TEMPORARILY_UNAVAILABLE (503), DEADLINE_EXCEEDED (504)."
    )
    message: str = Field(description="What went wrong and, where possible, what to change; one line.")
    field: str | None = Field(
        None,
        description="The request field at fault (dotted path, list indices in [], e.g. "
        "series[0].timestamps; or a header: X-API-Key, Content-Type, Content-Length). Absent when "
        "no single field is at fault (e.g. a 500).",
    )
    errors: list[ErrorItem] | None = Field(
        None,
        description="422 from request validation only: every problem found (at most 50); the first "
        "is also in message and field. Absent otherwise.",
    )


#: What each status means on this service, for the OpenAPI document (endpoints may say more).
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request: an invalid Content-Length header, or (JSON endpoints) a body the JSON "
    "parser cannot read (a number with thousands of digits, nesting too deep).",
    401: "Missing or wrong API key (only when the service runs with TSFORGE_API_KEY; checked before "
    "the body is read). The response carries a WWW-Authenticate header.",
    404: "Unknown registered model, alias or version (or no model given and no default model); "
    "`field` names the model reference.",
    413: "Body over TSFORGE_MAX_BODY_BYTES (refused before parsing, from Content-Length or while streaming).",
    415: "The JSON body was sent without 'Content-Type: application/json'.",
    422: "Invalid input; `field` names the culprit (e.g. series[0].values[3]); a body that fails the "
    "schema also lists every problem in `errors`.",
    429: "Every worker for CPU-heavy requests is busy and the waiting line is full "
    "(TSFORGE_CPU_QUEUE); retry after the `Retry-After` header's seconds.",
    500: "Internal error: a registered model version whose files cannot be read, or a bug; the "
    "server log has the details.",
    503: "The model registry could not answer (RegistryUnavailable); retry later.",
    504: "The request ran past its time budget (TSFORGE_CPU_TIMEOUT_SECONDS, queueing included) and "
    "its worker was stopped.",
}


#: ``/v1/forecast`` and ``/invocations``: the 503s of the model store besides the registry's
MODEL_ROUTE_503 = (
    "The model registry could not answer (RegistryUnavailable), or, for a request that names no "
    "model, the service's default model (TSFORGE_MODEL) is malformed or not in the registry (yet: "
    "/readyz is 503 meanwhile); retry later, or name a model."
)


def error_responses(
    *codes: int, text_route: bool = False, **described: str
) -> dict[int | str, dict[str, Any]]:
    """FastAPI ``responses=`` documenting ``codes`` with the :class:`ErrorResponse` body.

    Why per endpoint and not one list for every route: a client reads the document to learn
    which failures to handle, and a code an endpoint never answers (415 on a GET, 404 where no
    model is looked up) sends it after cases that cannot happen. ``described`` overrides a
    code's description, keyed ``e<code>`` (``e413="..."``), where the endpoint has more to say.

    ``text_route``: the route answers 200 in plain text (``/ping``, ``/version``). FastAPI files
    a ``model`` under the route's media type, which would document the JSON error body as
    ``text/plain``; there the body is given as a reference to the component instead (which the
    JSON routes register).
    """
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        description = described.get(f"e{code}", ERROR_DESCRIPTIONS[code])
        if text_route:
            ref = {"$ref": f"#/components/schemas/{ErrorResponse.__name__}"}
            out[code] = {"description": description, "content": {"application/json": {"schema": ref}}}
        else:
            out[code] = {"model": ErrorResponse, "description": description}
        if code in _ERROR_HEADERS:
            out[code]["headers"] = _ERROR_HEADERS[code]
    return out


#: Headers the error handlers (:mod:`service.errors`) and the gate send with these codes.
_ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The accepted schemes: 'Bearer, ApiKey header=\"X-API-Key\"'.",
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before retrying (a quarter of the time budget, at least 1).",
            "schema": {"type": "integer"},
        }
    },
}


#: What the gate (:mod:`service.gate`) answers on any route, before the route runs.
GATE_CODES = (400, 413)
#: ... and on the routes behind the API key
PROTECTED_CODES = (400, 401, 413)
#: ... and what a route with a JSON body adds: 415 (not JSON) and 422 (invalid body)
JSON_BODY_CODES = (400, 401, 413, 415, 422)


def field_error(message: str, *where: str | int) -> PydanticCustomError:
    """A validation error whose field is the validator's location followed by ``where``.

    Why: a validator can only raise at its own location (a model validator at the model), but
    a client needs the culprit itself, ``series[1].id`` or ``series[0].timestamps[6]``; the
    service's error handler (:mod:`service.errors`) appends ``where`` to the location.
    """
    return PydanticCustomError("value_error", message, {"where": where})


def check_timestamps(timestamps: Sequence[datetime] | Sequence[int] | None, n_values: int | None) -> None:
    """Refuse (a validation error naming the timestamps, or the position at fault) timestamps
    that are not one per value, mix aware and naive times, or do not increase.

    Why one function: every endpoint that takes a series takes its timestamps, and a series that
    one endpoint accepts must not be refused by another for a rule it alone checks. Called from
    a validator of the ``timestamps`` field: ``n_values`` is ``None`` when the values were
    themselves invalid (their error is reported instead).
    """
    if timestamps is None:
        return
    if n_values is not None and len(timestamps) != n_values:
        raise field_error(f"{len(timestamps)} timestamps for {n_values} values; give one per value")
    aware = [
        isinstance(t, datetime) and t.tzinfo is not None and t.utcoffset() is not None for t in timestamps
    ]
    if any(a != aware[0] for a in aware):
        i = next(k for k, a in enumerate(aware) if a != aware[0])
        raise field_error("timestamps mix time-zone-aware and naive values", i)
    for i in range(1, len(timestamps)):
        later = _later(timestamps[i], timestamps[i - 1])
        if later is None:
            raise field_error("timestamps mix dates and integer steps; give one kind in every position", i)
        if not later:
            raise field_error(f"timestamps must be strictly increasing (position {i})", i)


def _later(t: datetime | int, before: datetime | int) -> bool | None:
    """Whether ``t`` comes after ``before``; None for a date next to an integer step.

    Why the None: the schema gives dates or integer steps, never a mix, but a direct caller
    could pass one, and comparing the two raised a bare ``TypeError`` instead of naming the field.
    """
    if isinstance(t, datetime) and isinstance(before, datetime):
        return t > before
    if isinstance(t, int) and isinstance(before, int):
        return t > before
    return None


def check_unique_ids(ids: Sequence[str]) -> None:
    """Refuse a repeated series id, naming the series that repeats it (``series[1].id``)."""
    seen: set[str] = set()
    for i, sid in enumerate(ids):
        if sid in seen:
            raise field_error(f"duplicate series id {sid!r}; ids must be unique within a request", i, "id")
        seen.add(sid)
