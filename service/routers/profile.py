"""``POST /v1/profile``: ARIES properties of posted series (needs ``recommender.properties``)."""

from __future__ import annotations

from fastapi import APIRouter

from service.dependencies import ApiKeyDep, CpuPoolDep, LimitsDep
from service.profiling import plan_profile
from service.schemas.common import BUSY_RESPONSES, ERROR_RESPONSES
from service.schemas.profile import ProfileRequest, ProfileResponse

__all__ = ["router"]

router = APIRouter(
    prefix="/v1",
    tags=["profile"],
    dependencies=[ApiKeyDep],
    responses={**ERROR_RESPONSES, **BUSY_RESPONSES},
)


@router.post(
    "/profile", response_model=ProfileResponse, summary="Profile series (stationarity, trend, season, ...)"
)
def profile(req: ProfileRequest, limits: LimitsDep, pool: CpuPoolDep) -> ProfileResponse:
    """Cut each series into windows and summarise the ARIES property set over them.

    Runs in a separate worker process within a time budget (504 past it, 429 when every worker
    is busy), so it never slows down forecasts.
    """
    plan_profile(req, limits)  # refuse what is too large before waiting for a worker
    profiles = pool.run("service.profiling:profile_request", req, limits, what="this profile")
    return ProfileResponse(profiles=profiles)
