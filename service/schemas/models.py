"""``GET /v1/models`` and ``POST /v1/admin/reload`` responses."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["ModelVersionOut", "RegisteredModelOut", "ModelsResponse", "ReloadResponse"]


class ModelVersionOut(BaseModel):
    """One version of a registered model, as the registry lists it, and whether this service has it loaded."""

    version: str = Field(description="Version number, as text (e.g. '3').")
    aliases: list[str] = Field(
        default_factory=list, description="Aliases pointing at this version, sorted; empty when none."
    )
    run_id: str | None = Field(None, description="MLflow run that logged the version; null when unknown.")
    status: str | None = Field(
        None, description="Registry status of the version (e.g. READY); null when the registry gives none."
    )
    created_at_ms: int | None = Field(
        None,
        description="When the version was registered: milliseconds since 1970-01-01 UTC; null when unknown.",
    )
    metrics: dict[str, float] = Field(
        default_factory=dict,
        description="Key metrics of the version's run (those named val_* and test_*); empty when the run "
        "has none or is gone.",
    )
    loaded: bool = Field(False, description="Whether this service holds the version in memory.")
    input_len: int | None = Field(
        None,
        description="Values (steps) the model's window reads: a window model trained on long "
        "multichannel data (DLinear, PatchTST, ... on a catalogue split) forecasts from the last "
        "input_len values and needs that many; a panel model (trained on a panel or your own file: "
        "local models such as auto_theta, a global one such as DLinear, a routed ensemble) needs two "
        "observed values (its input_len is 1 for a local model, which fits each series' whole "
        "history, else the global model's window, to which shorter histories are padded). Null "
        "unless the version is loaded.",
    )
    max_horizon: int | None = Field(
        None, description="Longest horizon (steps) the model forecasts; null unless the version is loaded."
    )


class RegisteredModelOut(BaseModel):
    """One registered model: its aliases and its versions, newest first."""

    name: str = Field(description="Registered model name.")
    description: str | None = Field(None, description="The registry's description; null when empty.")
    aliases: dict[str, str] = Field(
        default_factory=dict, description="Alias → the version it points at, e.g. {'champion': '3'}."
    )
    versions: list[ModelVersionOut] = Field(description="Its versions, newest first (at most the 20 newest).")


class ModelsResponse(BaseModel):
    """The registry's models (at most 100), with what this service serves by default."""

    default_model: str | None = Field(
        description="The reference a request without 'model' uses (TSFORGE_MODEL: 'name', "
        "'name@alias' or 'name/version'); null when the service has none."
    )
    models: list[RegisteredModelOut] = Field(description="Registered models (at most 100).")
    count: int = Field(description="Number of entries in models.")


class ReloadResponse(BaseModel):
    """What ``POST /v1/admin/reload`` did: the references that moved, and what is loaded now."""

    changed: dict[str, dict[str, str | None]] = Field(
        description="Moved references: {ref: {old, new}} (versions; new is null when the alias or model "
        "is gone: the next request for it resolves afresh). Empty when nothing moved."
    )
    loaded: list[str] = Field(description="Versions held in memory after the reload, as 'name/version'.")
    refused: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Alias moves not followed: {ref: {version, kept, reason}} (the new version cannot "
        "serve what the current one serves). Empty when none.",
    )
