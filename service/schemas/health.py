"""Bodies of the probes ``/healthz`` and ``/readyz`` (documentation of what they answer)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["Liveness", "Readiness", "NotReady"]


class Liveness(BaseModel):
    """``/healthz``: the process answers requests."""

    status: str = Field(description="Always 'ok'.")


class Readiness(BaseModel):
    """``/readyz`` when the service can forecast: its default model (if it has one) is loaded."""

    status: str = Field(description="Always 'ready'.")
    default_model: str | None = Field(
        description="The reference requests without a model use (TSFORGE_MODEL); null when none is set."
    )
    loaded: list[str] = Field(description="Model versions held in memory, as 'name/version'.")
    notes: list[str] | None = Field(
        None,
        description="Alias moves this service refused to follow (the new version cannot serve what the "
        "current one serves), one sentence each. Absent when there are none.",
    )


class NotReady(BaseModel):
    """``/readyz`` while the default model cannot be loaded (answered with status 503).

    Not the service's error body (:class:`~service.schemas.common.ErrorResponse`): a probe's
    answer, read by orchestrators for its status code.
    """

    status: str = Field(description="Always 'not ready'.")
    reason: str = Field(
        description="Why the default model could not be loaded, e.g. 'no registered model named ...'."
    )
