"""Probes, never behind the API key: ``/healthz`` (alive), ``/readyz`` (default model loaded), MLflow's ``/ping`` and ``/health``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from service.dependencies import ModelStoreDep

__all__ = ["router"]

router = APIRouter(tags=["probes"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the default model is loaded",
    responses={503: {"description": "The default model is not loaded (yet)."}},
)
def readyz(store: ModelStoreDep) -> JSONResponse:
    """``ready`` with the loaded versions; ``notes`` says when an alias moved to a version this
    service refused to switch to (it cannot serve what the current one serves)."""
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


@router.get(
    "/ping",
    response_class=PlainTextResponse,
    summary="MLflow scoring-server liveness (200, body a newline)",
    responses={200: {"content": {"text/plain": {"example": "\n"}}}},
)
async def ping() -> PlainTextResponse:
    return PlainTextResponse("\n")


@router.get(
    "/health",
    response_class=PlainTextResponse,
    summary="Same as /ping (MLflow scoring-server convention)",
    responses={200: {"content": {"text/plain": {"example": "\n"}}}},
)
async def health() -> PlainTextResponse:
    return PlainTextResponse("\n")
