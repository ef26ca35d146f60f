"""``GET /v1/models`` and ``POST /v1/admin/reload`` responses."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["ModelVersionOut", "RegisteredModelOut", "ModelsResponse", "ReloadResponse"]


class ModelVersionOut(BaseModel):
    version: str
    aliases: list[str] = Field(default_factory=list)
    run_id: str | None = None
    status: str | None = None
    created_at_ms: int | None = None
    metrics: dict[str, float] = Field(
        default_factory=dict, description="Key metrics of the version's run (val_*, test_*)."
    )
    loaded: bool = Field(False, description="Whether this service holds the version in memory.")
    input_len: int | None = Field(None, description="History length the model reads (when loaded).")
    max_horizon: int | None = Field(None, description="Longest horizon the model supports (when loaded).")


class RegisteredModelOut(BaseModel):
    name: str
    description: str | None = None
    aliases: dict[str, str] = Field(default_factory=dict)
    versions: list[ModelVersionOut]


class ModelsResponse(BaseModel):
    default_model: str | None
    models: list[RegisteredModelOut]
    count: int


class ReloadResponse(BaseModel):
    changed: dict[str, dict[str, str | None]] = Field(description="Moved references: {ref: {old, new}}.")
    loaded: list[str]
    refused: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Alias moves not followed: {ref: {version, kept, reason}} (the new version cannot "
        "serve what the current one serves).",
    )
