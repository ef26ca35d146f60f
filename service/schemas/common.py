"""Schemas shared by several routes: the model a response came from, and the error body."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ModelInfo", "ErrorResponse", "ErrorItem", "ERROR_RESPONSES"]


class ModelInfo(BaseModel):
    """Which registered model version answered (pinned in every forecast response)."""

    name: str = Field(description="Registered model name.")
    version: str = Field(description="Registered model version that produced the forecast.")
    alias: str | None = Field(None, description="Alias the request resolved through, if any.")
    run_id: str | None = Field(None, description="MLflow run that logged this version.")


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
    401: {"model": ErrorResponse, "description": "Missing or wrong API key."},
    404: {"model": ErrorResponse, "description": "Unknown model, alias or version."},
    413: {
        "model": ErrorResponse,
        "description": "Too many series / too long / horizon over the service limit.",
    },
    422: {"model": ErrorResponse, "description": "Invalid input; `field` names the culprit."},
}
