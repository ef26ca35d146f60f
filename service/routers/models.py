"""``GET /v1/models`` (registry listing) and ``POST /v1/admin/reload`` (re-resolve aliases now)."""

from __future__ import annotations

from fastapi import APIRouter

from service.dependencies import ApiKeyDep, ModelStoreDep
from service.schemas.common import ERROR_RESPONSES
from service.schemas.models import ModelsResponse, ReloadResponse

__all__ = ["router"]

router = APIRouter(prefix="/v1", dependencies=[ApiKeyDep], responses=ERROR_RESPONSES)


@router.get("/models", response_model=ModelsResponse, tags=["models"], summary="Registered models")
def list_models(store: ModelStoreDep) -> ModelsResponse:
    """Registered models with their versions, aliases, key metrics (val_*/test_*) and load state."""
    models = store.list_models()
    return ModelsResponse(default_model=store.default_model, models=models, count=len(models))


@router.post(
    "/admin/reload", response_model=ReloadResponse, tags=["admin"], summary="Pick up moved aliases now"
)
def reload(store: ModelStoreDep) -> ReloadResponse:
    """Re-resolve every alias in use; new versions load before the swap, so no request fails."""
    changes = store.refresh()
    return ReloadResponse(
        changed=changes, loaded=[f"{m.name}/{m.version}" for m in store.loaded()], refused=store.refused()
    )
