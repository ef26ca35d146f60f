"""Probes, never behind the API key: ``/healthz`` (alive), ``/readyz`` (default model loaded), MLflow's ``/ping`` and ``/health``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

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
    # Sync on purpose: a first load runs in the thread pool, not on the event loop.
    if not store.ready():
        try:
            store.warm()
        except Exception as exc:  # reported, not raised: a probe answers 503, never 500
            return JSONResponse({"status": "not ready", "reason": str(exc)}, status_code=503)
    loaded = [f"{m.name}/{m.version}" for m in store.loaded()]
    return JSONResponse({"status": "ready", "default_model": store.default_model, "loaded": loaded})


@router.get("/ping", summary="MLflow scoring-server liveness (200, empty body)")
async def ping() -> Response:
    return Response(content="\n", status_code=200, media_type="application/json")


@router.get("/health", summary="Same as /ping (MLflow scoring-server convention)")
async def health() -> Response:
    return Response(content="\n", status_code=200, media_type="application/json")
