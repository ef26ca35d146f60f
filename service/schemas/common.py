"""Schemas shared by several routes: the model a response came from, the error body, and the
rules every posted series' timestamps follow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer
from pydantic_core import PydanticCustomError

__all__ = [
    "NOTES_DESCRIPTION",
    "OmitsEmptyNotes",
    "ModelInfo",
    "ErrorResponse",
    "ErrorItem",
    "ERROR_RESPONSES",
    "BUSY_RESPONSES",
    "check_timestamps",
    "check_unique_ids",
    "field_error",
]


class ModelInfo(BaseModel):
    """Which registered model version answered (pinned in every forecast response)."""

    name: str = Field(description="Registered model name.")
    version: str = Field(description="Registered model version that produced the forecast.")
    alias: str | None = Field(None, description="Alias the request resolved through, if any.")
    run_id: str | None = Field(None, description="MLflow run that logged this version.")


NOTES_DESCRIPTION = (
    "What limits this answer, in words: e.g. a level the model's interval calibration has too few "
    "scores to resolve (its bounds are then the most extreme scores seen and cover less than "
    "nominal), or series sent without the dates a calendar model reads (forecast without them). "
    "Absent when there is nothing to say."
)


class OmitsEmptyNotes(BaseModel):
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
    field: str
    message: str
    type: str


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body: machine-readable ``error`` and ``error_code``, a ``message`` and the ``field``."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="Error class, e.g. DataValidationError, RequestValidationError.")
    error_code: str = Field(description="MLflow-style code, e.g. INVALID_PARAMETER_VALUE.")
    message: str
    field: str | None = Field(
        None, description="The request field at fault (dotted path, list indices in [])"
    )
    errors: list[ErrorItem] | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Malformed request (e.g. an invalid Content-Length)."},
    401: {
        "model": ErrorResponse,
        "description": "Missing or wrong API key (checked before the body is read).",
    },
    404: {"model": ErrorResponse, "description": "Unknown model, alias or version."},
    413: {
        "model": ErrorResponse,
        "description": "Body over TSFORGE_MAX_BODY_BYTES (refused before parsing), or too many series / "
        "too long / horizon over the service limit.",
    },
    415: {
        "model": ErrorResponse,
        "description": "A JSON endpoint's body sent without 'Content-Type: application/json'.",
    },
    422: {"model": ErrorResponse, "description": "Invalid input; `field` names the culprit."},
}

#: The CPU-heavy endpoints (``/v1/profile``, ``/v1/recommend``) also answer these.
BUSY_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorResponse,
        "description": "Every profiling worker is busy and the waiting line is full; retry after "
        "`Retry-After` seconds.",
    },
    504: {
        "model": ErrorResponse,
        "description": "The request ran past its time budget (TSFORGE_CPU_TIMEOUT_SECONDS) and was stopped.",
    },
}


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
        if timestamps[i] <= timestamps[i - 1]:
            raise field_error(f"timestamps must be strictly increasing (position {i})", i)


def check_unique_ids(ids: Sequence[str]) -> None:
    """Refuse a repeated series id, naming the series that repeats it (``series[1].id``)."""
    seen: set[str] = set()
    for i, sid in enumerate(ids):
        if sid in seen:
            raise field_error(f"duplicate series id {sid!r}; ids must be unique within a request", i, "id")
        seen.add(sid)
