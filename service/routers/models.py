"""``GET /v1/models`` (registry listing) and ``POST /v1/admin/reload`` (re-resolve aliases now)."""

from __future__ import annotations

from fastapi import APIRouter

from service.dependencies import ApiKeyDep, ModelStoreDep
from service.schemas.common import PROTECTED_CODES, error_responses
from service.schemas.models import ModelsResponse, RegisteredModelOut, ReloadResponse

__all__ = ["router"]

#: neither route takes input: the gate's checks (key, headers) and the registry can refuse them
router = APIRouter(prefix="/v1", dependencies=[ApiKeyDep], responses=error_responses(*PROTECTED_CODES))


@router.get(
    "/models",
    response_model=ModelsResponse,
    tags=["models"],
    summary="Registered models",
    responses=error_responses(503),
)
def list_models(store: ModelStoreDep) -> ModelsResponse:
    """Registered models with their versions, aliases, key metrics (val_*/test_*) and load state.

    At most 100 models and the 20 newest versions of each, read from the registry on every call;
    ``loaded``, ``input_len`` and ``max_horizon`` say what this service holds in memory.
    """
    models = [RegisteredModelOut.model_validate(m) for m in store.list_models()]
    return ModelsResponse(default_model=store.default_model, models=models, count=len(models))


@router.post(
    "/admin/reload", response_model=ReloadResponse, tags=["admin"], summary="Pick up moved aliases now"
)
def reload(store: ModelStoreDep) -> ReloadResponse:
    """Re-resolve every alias in use now, as the background poll does every
    TSFORGE_ALIAS_POLL_SECONDS; new versions load before the swap, so no request fails. A
    reference the registry cannot answer for keeps its version (logged); a move to a version
    that cannot serve what the current one serves is refused (``refused``). Takes no body."""
    changes = store.refresh()
    return ReloadResponse(
        changed=changes, loaded=[f"{m.name}/{m.version}" for m in store.loaded()], refused=store.refused()
    )
