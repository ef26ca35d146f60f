"""``POST /v1/recommend``: rank the candidate models for posted series, with reasons."""

from __future__ import annotations

from fastapi import APIRouter

from service.dependencies import ApiKeyDep, LimitsDep, SettingsDep
from service.recommending import recommend_request
from service.schemas.common import ERROR_RESPONSES
from service.schemas.recommend import RecommendRequest, RecommendResponse

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["recommend"], dependencies=[ApiKeyDep], responses=ERROR_RESPONSES)


@router.post("/recommend", response_model=RecommendResponse, summary="Which model for these series, and why")
def recommend(req: RecommendRequest, limits: LimitsDep, settings: SettingsDep) -> RecommendResponse:
    """Profile the posted dataset and rank the candidate models (best first) with the reasons."""
    return RecommendResponse(**recommend_request(req, limits, settings.recommender_path))
