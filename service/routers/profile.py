"""``POST /v1/profile``: ARIES properties of posted series (needs ``recommender.properties``)."""

from __future__ import annotations

from fastapi import APIRouter

from service.dependencies import ApiKeyDep, LimitsDep
from service.profiling import profile_request
from service.schemas.common import ERROR_RESPONSES
from service.schemas.profile import ProfileRequest, ProfileResponse

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["profile"], dependencies=[ApiKeyDep], responses=ERROR_RESPONSES)


@router.post(
    "/profile", response_model=ProfileResponse, summary="Profile series (stationarity, trend, season, ...)"
)
def profile(req: ProfileRequest, limits: LimitsDep) -> ProfileResponse:
    """Cut each series into windows and summarise the ARIES property set over them."""
    return ProfileResponse(profiles=profile_request(req, limits))
