"""Probes, never behind the API key: ``/healthz`` (alive), ``/readyz`` (default model loaded), MLflow's ``/ping`` and ``/health``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from service.dependencies import ModelStoreDep
from service.schemas.common import GATE_CODES, error_responses
from service.schemas.health import Liveness, NotReady, Readiness

__all__ = ["router"]

#: the probes take no input: only the gate's checks of the headers can refuse them
router = APIRouter(tags=["probes"], responses=error_responses(*GATE_CODES))

_TEXT_NEWLINE = {
    200: {"description": "A newline.", "content": {"text/plain": {"example": "\n"}}},
    **error_responses(*GATE_CODES, text_route=True),
}


# Uptime checkers and load balancers often probe with HEAD; it was a 405. The status alone is
# the answer, so each probe's HEAD route stays out of the OpenAPI schema, beside its GET twin.


@router.head("/healthz", include_in_schema=False)
@router.get("/healthz", response_model=Liveness, summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    """Always ``{"status": "ok"}`` while the process serves requests; it checks nothing else
    (no model, no registry), so an orchestrator restarts the process only when it is stuck."""
    return {"status": "ok"}


@router.head("/readyz", include_in_schema=False)
@router.get(
    "/readyz",
    summary="Readiness: the default model is loaded",
    responses={
        200: {"model": Readiness, "description": "The default model (if any) is loaded."},
        503: {
            "model": NotReady,
            "description": "The default model is not loaded and could not be loaded now (probe body, "
            "not the error body).",
        },
    },
)
def readyz(store: ModelStoreDep) -> JSONResponse:
    """``ready`` with the loaded versions once the default model is loaded (a first call loads it);
    503 ``not ready`` with the reason while it cannot be loaded. ``notes`` says when an alias
    moved to a version this service refused to switch to (it cannot serve what the current one
    serves)."""
    # Sync on purpose: a first load runs in the thread pool, not on the event loop.
    if not store.ready():
        try:
            store.warm()
        except Exception as exc:  # reported, not raised: a probe answers 503, never 500
            return JSONResponse({"status": "not ready", "reason": str(exc)}, status_code=503)
    loaded = [f"{m.name}/{m.version}" for m in store.loaded()]
    body = {"status": "ready", "default_model": store.default_model, "loaded": loaded}
    notes = store.notes() if hasattr(store, "notes") else []  # stores without contract checks
    if notes:
        body["notes"] = notes
    return JSONResponse(body)


@router.head("/ping", include_in_schema=False)
@router.get(
    "/ping",
    response_class=PlainTextResponse,
    summary="MLflow scoring-server liveness (200, body a newline)",
    responses=_TEXT_NEWLINE,
)
async def ping() -> PlainTextResponse:
    """MLflow's liveness probe, as ``mlflow models serve`` answers it: 200 with a newline."""
    return PlainTextResponse("\n")


@router.head("/health", include_in_schema=False)
@router.get(
    "/health",
    response_class=PlainTextResponse,
    summary="Same as /ping (MLflow scoring-server convention)",
    responses=_TEXT_NEWLINE,
)
async def health() -> PlainTextResponse:
    """MLflow's other liveness path: 200 with a newline, as ``/ping``."""
    return PlainTextResponse("\n")
