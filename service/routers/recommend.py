"""``POST /v1/recommend``: rank the candidate models for posted series, with reasons."""

from __future__ import annotations

from fastapi import APIRouter

from service.dependencies import ApiKeyDep, CpuPoolDep, LimitsDep, SettingsDep
from service.recommending import check_recommend
from service.schemas.common import BUSY_RESPONSES, ERROR_RESPONSES
from service.schemas.recommend import PerSeriesRecommendResponse, RecommendRequest, RecommendResponse

__all__ = ["router"]

router = APIRouter(
    prefix="/v1",
    tags=["recommend"],
    dependencies=[ApiKeyDep],
    responses={
        **ERROR_RESPONSES,
        **BUSY_RESPONSES,
        503: {"description": "No saved recommender on the server (the body says how to build one)."},
    },
)


@router.post(
    "/recommend",
    response_model=RecommendResponse | PerSeriesRecommendResponse,
    summary="Which model for these series, and why",
)
def recommend(
    req: RecommendRequest, limits: LimitsDep, settings: SettingsDep, pool: CpuPoolDep
) -> RecommendResponse | PerSeriesRecommendResponse:
    """Profile the posted dataset and rank the candidate models (best first) with the reasons;
    with ``per_series: true``, a pick and weights for every series plus the collection view.

    Runs in a separate worker process within a time budget (504 past it, 429 when busy).
    """
    check_recommend(req, limits)  # limits and timestamps: 413/422 before waiting for a worker
    out = pool.run(
        "service.recommending:recommend_request",
        req,
        limits,
        settings.recommender_path,
        what="this recommendation",
    )
    return PerSeriesRecommendResponse(**out) if req.per_series else RecommendResponse(**out)
