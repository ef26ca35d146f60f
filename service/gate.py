"""Limits before work: the API key and the body size are checked before any byte of the body is read.

Why an ASGI middleware and not a FastAPI dependency: FastAPI reads and parses the whole body
*before* it resolves dependencies, so a 210 MB body without a key used to be read, parsed (+1.5
GB of memory) and only then refused with 401. This gate sits in front of the application:

1. a route that needs the API key (every route with the ``require_api_key`` dependency) is
   refused with 401 from the headers alone;
2. a declared ``Content-Length`` over ``max_body_bytes`` is refused with 413 from the headers;
3. a body without a length (chunked) is counted while the application reads it, and reading
   stops with 413 as soon as it passes the limit;
4. a route that takes a JSON body is refused with 415 when the body is not declared as JSON
   (``Content-Type`` missing, a form, plain text): FastAPI would otherwise answer 422 "Input
   should be a valid dictionary", which blames the body's content for its declared type; and
   when it is declared compressed (``Content-Encoding: gzip``), which it would answer 400.

The dependency stays on the routes (it documents the security scheme in OpenAPI and guards any
route added without the gate); both use :func:`service.dependencies.api_key_problem`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_body
from service.settings import ServiceSettings

__all__ = ["RequestGate", "BodyTooLargeError", "too_large_body", "is_json_media_type"]

_AUTH_HEADERS = {"WWW-Authenticate": 'Bearer, ApiKey header="X-API-Key"'}


class BodyTooLargeError(StarletteHTTPException):
    """A streamed body passed the limit while the application read it (answered 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    return f"request body exceeds this service's limit of {limit} bytes (TSFORGE_MAX_BODY_BYTES)"


def too_large_body(limit: int) -> dict[str, Any]:
    """The JSON body of a 413, shaped as every other service error (``error``, ``error_code``,
    ``message``, ``field``); shared by the gate and the app's handler of
    :class:`BodyTooLargeError`, so both refusals read the same."""
    return error_body(413, "RequestTooLarge", too_large_message(limit), "body")


class RequestGate:
    """ASGI middleware: API key, then declared size, then streamed size (see the module docstring).

    Args:
        app: the wrapped application.
        settings: the service settings (``api_key``, ``max_body_bytes``).
        protected: returns the paths that need the API key (computed once, on first use, from
            the application's routes).
        json_bodies: returns the ``(method, path)`` pairs whose body is JSON (computed once, on
            first use); default none.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: ServiceSettings,
        protected: Callable[[], frozenset[str]],
        json_bodies: Callable[[], frozenset[tuple[str, str]]] = frozenset,
    ) -> None:
        self.app = app
        self.settings = settings
        self.limit = int(settings.max_body_bytes)
        self._protected_fn = protected
        self._protected: frozenset[str] | None = None
        self._json_bodies_fn = json_bodies
        self._json_bodies: frozenset[tuple[str, str]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from service.dependencies import api_key_problem

        if self._protected is None:
            self._protected = self._protected_fn()
        headers = _headers(scope)
        if self.settings.api_key is not None and scope.get("path", "") in self._protected:
            problem = api_key_problem(self.settings, headers.get("x-api-key"), _bearer(headers))
            if problem is not None:
                body = error_body(401, "AuthenticationError", problem, "X-API-Key")
                await _reject(scope, receive, send, 401, body, _AUTH_HEADERS)
                return
        declared = headers.get("content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0:
                body = error_body(400, "BadRequest", f"invalid Content-Length {declared!r}", "Content-Length")
                await _reject(scope, receive, send, 400, body)
                return
            if size > self.limit:
                await _reject(scope, receive, send, 413, too_large_body(self.limit))
                return
        if self._json_bodies is None:
            self._json_bodies = self._json_bodies_fn()
        route = (scope.get("method", "").upper(), scope.get("path", ""))
        if route in self._json_bodies and not is_json_media_type(headers.get("content-type")):
            await _reject(scope, receive, send, 415, _not_json_body(headers.get("content-type")))
            return
        coding = _content_coding(headers)
        if route in self._json_bodies and coding is not None:
            await _reject(scope, receive, send, 415, _encoded_body(coding), _IDENTITY_ONLY)
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        """``receive`` that stops a body once more than the limit has arrived (chunked uploads)."""
        seen = 0
        limit = self.limit

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError(limit)
            return message

        return counted


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json`` or ``application/<x>+json`` (parameters such as a charset aside)."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _not_json_body(content_type: str | None) -> dict[str, Any]:
    got = f"Content-Type {content_type!r}" if content_type else "no Content-Type"
    return error_body(
        415,
        "UnsupportedMediaType",
        f"send the body as JSON with the header 'Content-Type: application/json' (got {got})",
        "Content-Type",
    )


#: what a 415 for a compressed body adds: the only content coding read (RFC 9110, 15.5.16)
_IDENTITY_ONLY = {"Accept-Encoding": "identity"}


def _content_coding(headers: dict[str, str]) -> str | None:
    """The body's declared ``Content-Encoding`` other than ``identity`` (``gzip``, ``br``), or None."""
    codings = [c.strip() for c in headers.get("content-encoding", "").split(",") if c.strip()]
    other = [c for c in codings if c.lower() != "identity"]
    return ", ".join(other) if other else None


def _encoded_body(coding: str) -> dict[str, Any]:
    """The 415 for a body sent compressed.

    Why refused, not decompressed: a gzip body reached the JSON parser as it was and was answered
    400 "a number with thousands of digits, or nesting too deep", which names neither the cause
    nor the fix; and the body limit counts the bytes sent, which a compressed body multiplies.
    """
    return error_body(
        415,
        "UnsupportedMediaType",
        f"the body is sent with Content-Encoding {coding!r}; this service reads JSON bodies "
        "uncompressed: send it without a Content-Encoding",
        "Content-Encoding",
    )


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _bearer(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization")
    if not auth:
        return None
    scheme, _, credentials = auth.partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


async def _reject(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    """Answer without reading the body; the connection is closed after it (the unread body would
    otherwise be taken for the next request)."""
    response = JSONResponse(body, status_code=status, headers={**(headers or {}), "Connection": "close"})
    await response(scope, receive, send)
