"""One place that turns exceptions into JSON error bodies; nothing a client sends may cause a 500.

Every error body has ``error`` (class name), ``error_code`` (MLflow-style, so clients of
``mlflow models serve`` read it), ``message`` and, where known, ``field`` (dotted path with
list indices, e.g. ``series[0].values[3]``), in that order, then what else locates the problem
(``errors``, ``column``, ``row``, ``retry_after``, ...): :func:`error_body` builds every one of
them, the gate's included, so a 422 from the schema, a 4xx from the library's checks and a 404
for an unknown route read alike. Request validation errors never echo the input: it may hold
NaN, which JSON cannot carry (FastAPI's default handler would fail on it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsforge.errors import TsforgeError, names_whole

__all__ = [
    "AuthenticationError",
    "ServiceUnavailableError",
    "TooBusyError",
    "DeadlineExceededError",
    "ClientDisconnectedError",
    "install_error_handlers",
    "format_loc",
    "error_body",
    "ERROR_CODES",
    "ERROR_KEYS",
]

log = logging.getLogger(__name__)

_E = TypeVar("_E", bound=Exception)
#: what Starlette's ``add_exception_handler`` is typed to take, whatever class it dispatches on
_AnyHandler = Callable[[Request, Exception], Awaitable[JSONResponse]]

ERROR_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "RESOURCE_DOES_NOT_EXIST",
    405: "BAD_REQUEST",
    413: "RESOURCE_LIMIT_EXCEEDED",
    415: "BAD_REQUEST",
    422: "INVALID_PARAMETER_VALUE",
    429: "REQUEST_LIMIT_EXCEEDED",
    503: "TEMPORARILY_UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class AuthenticationError(TsforgeError):
    """Missing or wrong API key."""

    http_status = 401


class ServiceUnavailableError(TsforgeError):
    """A server-side resource the request needs is missing (e.g. no saved recommender)."""

    http_status = 503


class TooBusyError(TsforgeError):
    """Every worker for CPU-heavy requests is busy and the waiting line is full (retry later)."""

    http_status = 429


class DeadlineExceededError(TsforgeError):
    """A CPU-heavy request ran past its time budget; its work was stopped."""

    http_status = 504


class ClientDisconnectedError(TsforgeError):
    """The client closed its connection while its work ran in a worker process, which was
    stopped (:mod:`service.disconnect`). Nobody reads the answer; the status is nginx's "client
    closed request", for the access log."""

    http_status = 499


#: the keys every error body starts with, in this order (``field`` only where one is at fault)
ERROR_KEYS = ("error", "error_code", "message", "field")


def _code(status: int) -> str:
    return ERROR_CODES.get(status, "INTERNAL_ERROR" if status >= 500 else "BAD_REQUEST")


def error_body(
    status: int, error: str, message: str, field: str | None = None, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON body of an error: :data:`ERROR_KEYS` first, in that order, then ``extra``.

    Why one builder: the bodies were assembled in four places, and a library error's body began
    with ``error_code`` while a validation error's began with ``error``; a client that logs or
    compares bodies (or a test that snapshots them) saw two shapes for one protocol. ``extra``
    cannot replace the leading keys: a library error's locating details (``where``) never
    rename the error or its code.
    """
    body: dict[str, Any] = {"error": error, "error_code": _code(status), "message": message}
    if field is not None:
        body["field"] = field
    body.update((k, v) for k, v in (extra or {}).items() if k not in ERROR_KEYS and v is not None)
    return body


def format_loc(loc: Sequence[Any]) -> str:
    """``("body", "series", 0, "values", 3)`` → ``series[0].values[3]``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif isinstance(p, str) and (p.startswith("function-") or "[" in p):
            continue  # pydantic's validator wrappers and union branches ("list[datetime]"), not fields
        else:
            out += f".{p}" if out else str(p)
    return out or "body"


async def _tsforge_error(request: Request, exc: TsforgeError) -> JSONResponse:
    status = int(getattr(exc, "http_status", 400))
    where = exc.to_dict()
    field = where.get("field")
    body = error_body(
        status, type(exc).__name__, exc.message, field if isinstance(field, str) else None, where
    )
    if status >= 500:  # the server's problem (a damaged model, ...): the operator reads the log
        log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc.message)
    headers = None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer, ApiKey header="X-API-Key"'}
    elif status in (429, 503) and "retry_after" in exc.where:
        headers = {"Retry-After": str(exc.where["retry_after"])}
    return JSONResponse(body, status_code=status, headers=headers)


async def _too_large(request: Request, exc: Exception) -> JSONResponse:
    from service.gate import too_large_body

    return JSONResponse(
        too_large_body(request.app.state.settings.max_body_bytes),
        status_code=413,
        headers={"Connection": "close"},
    )


def _loc(error: Mapping[str, Any]) -> tuple[Any, ...]:
    """The error's location, followed by the culprit inside it that a validator named
    (:func:`service.schemas.common.field_error`: ``series`` + ``(1, "id")``)."""
    where = (error.get("ctx") or {}).get("where", ())
    return (*error.get("loc", ()), *(where if isinstance(where, tuple) else ()))


#: pydantic's error types for a text that is no ISO-8601 date or time
_NOT_ISO = frozenset({"datetime_from_date_parsing", "datetime_parsing", "date_from_datetime_parsing"})


def _advice(kind: str, field: str) -> str:
    """What to change, where pydantic's words alone leave the client guessing: a timestamp that
    is no ISO-8601 date ("invalid character in year" for 10/01/2017) can be read by the
    request's ``time_format`` (:func:`service.schemas.common.read_time_format`)."""
    if kind in _NOT_ISO and ".timestamps[" in field:
        return (
            "; timestamps are ISO-8601 (2024-01-31T13:00:00) unless the request's time_format says "
            "how they are written (a strftime format, e.g. '%d/%m/%Y')"
        )
    return ""


#: what an empty body is told (FastAPI says "body: Field required", as if a field were missing)
_EMPTY_BODY = "the body is empty; send a JSON object (the request's fields are listed at /docs)"


def _union_branch(loc: Sequence[Any]) -> tuple[tuple[Any, ...], str] | None:
    """``(where the union is, the branch)`` of an error raised inside one branch of a union
    (pydantic tags its location: ``("series", 0, "timestamps", "list[datetime]", 2)``), or None."""
    for k, part in enumerate(loc):
        if isinstance(part, str) and "[" in part and not part.startswith("function-"):
            return tuple(loc[:k]), part
    return None


def _closest_branches(errors: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The errors, keeping of each union only those of the branch that came closest (the fewest
    errors; every branch where they tie).

    Why: pydantic reports every branch of a union. ISO timestamps with one ``null`` in them
    (``timestamps``: dates or an integer step index) were answered with the one real problem,
    ``series[0].timestamps[59]``, then "Input should be a valid integer" for every other
    position: the ``errors`` list, "every problem found", named 60 fields that were fine.
    """
    splits = [_union_branch(e.get("loc", ())) for e in errors]  # once per error: lists can be long
    counts: dict[tuple[Any, ...], dict[str, int]] = {}
    for split in splits:
        if split is not None:
            branches = counts.setdefault(split[0], {})
            branches[split[1]] = branches.get(split[1], 0) + 1
    fewest = {where: min(branches.values()) for where, branches in counts.items()}
    return [
        e
        for e, split in zip(errors, splits, strict=True)
        if split is None or counts[split[0]][split[1]] == fewest[split[0]]
    ]


def _says_field(message: str, field: str) -> bool:
    """Whether ``message`` says the path ``field`` itself, not a longer path that starts with it
    (``series[0].timestamps[2]`` is not said by ``series[0].timestamps[21]`` nor by
    ``series[0].timestamps[2].x``): :func:`~tsforge.errors.names_whole`, an index's ``]`` before
    it or ``[`` after it joining it to a longer path. Only a path with a ``.`` or ``[`` counts: a
    bare name (``body``, ``models``) is also a word of prose ("the body is empty"), not a place
    said."""
    if "." not in field and "[" not in field:
        return False
    return names_whole(message, field, joined_before="]", joined_after="[")


def _placed(field: str, message: str) -> str:
    """The 422's one-line message: the field's path, then what is wrong with it.

    Why not always ``field: message``: a refusal that already says where (the library's time
    reader, whose words Python callers of ``ForecastRequest.model_validate`` see with no other
    position) read "series[0].timestamps[2]: unparsable date '2020-Q9' at
    series[0].timestamps[2]", one place said twice.
    """
    return message if _says_field(message, field) else f"{field}: {message}"


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    items: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for e in _closest_branches(exc.errors()):
        msg = str(e.get("msg", "invalid value"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        kind = str(e.get("type", ""))
        if kind == "json_invalid":  # loc is ("body", <character position>)
            pos = e.get("loc", ("body", "?"))[-1]
            items.append({"field": "body", "message": f"invalid JSON at character {pos}", "type": kind})
            continue
        field = format_loc(_loc(e))
        if kind == "missing" and field == "body":  # FastAPI's word for an empty body
            msg = _EMPTY_BODY
        said = (field, msg + _advice(kind, field), kind)
        if said not in seen:  # union branches that tie may say one thing twice
            seen.add(said)
            items.append({"field": said[0], "message": said[1], "type": kind})
    first = items[0] if items else {"field": "body", "message": "invalid request", "type": ""}
    body = error_body(
        422,
        "RequestValidationError",
        _placed(first["field"], first["message"]),
        first["field"],
        {"errors": items[:50]},
    )
    return JSONResponse(body, status_code=422)


#: FastAPI's detail when the JSON parser itself fails (not a syntax error, which is a 422): an
#: integer of thousands of digits, nesting deeper than the parser goes
_UNPARSABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    headers = getattr(exc, "headers", None)
    field = None
    if exc.status_code == 400 and detail == _UNPARSABLE_BODY:  # say what to change, and where
        detail = (
            "the body could not be parsed as JSON (a number with thousands of digits, or nesting too deep)"
        )
        field = "body"
    elif exc.status_code == 404 and detail == "Not Found":
        detail = (
            f"no route {request.method} {request.url.path}; the routes are listed at /docs and /openapi.json"
        )
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        allowed = (headers or {}).get("Allow") or "see /docs"
        detail = f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}"
    return JSONResponse(
        error_body(exc.status_code, "HTTPException", detail, field),
        status_code=exc.status_code,
        headers=headers,
    )


async def _registry_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("model registry error: %s", exc)
    return JSONResponse(
        error_body(503, "RegistryUnavailable", "the model registry could not answer; try again"),
        status_code=503,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body(500, "InternalError", "internal server error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app`` (called by ``create_app``)."""
    from service.gate import BodyTooLargeError
    from tsforge.tracking.registry import registry_error_type

    _on(app, BodyTooLargeError, _too_large)
    _on(app, TsforgeError, _tsforge_error)
    _on(app, RequestValidationError, _validation_error)
    _on(app, StarletteHTTPException, _http_error)
    _on(app, registry_error_type(), _registry_error)
    _on(app, Exception, _unexpected)


def _on(app: FastAPI, exc_type: type[_E], handler: Callable[[Request, _E], Awaitable[JSONResponse]]) -> None:
    """Register ``handler`` for the exceptions of ``exc_type``.

    Why the cast: Starlette types every handler as taking any ``Exception``, although it only
    calls one with an instance of the class it was registered for; this signature checks that
    the class and the handler's parameter agree, which Starlette's cannot.
    """
    app.add_exception_handler(exc_type, cast(_AnyHandler, handler))
