"""``POST /v1/recommend``: rank the candidate models for posted series, with reasons."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request

from service.dependencies import ApiKeyDep, CpuPoolDep, LimitsDep, SettingsDep
from service.disconnect import run_until_disconnected
from service.recommending import check_recommend, check_saved
from service.schemas.common import JSON_BODY_CODES, error_responses
from service.schemas.recommend import PerSeriesRecommendResponse, RecommendRequest, RecommendResponse

__all__ = ["router"]

router = APIRouter(
    prefix="/v1",
    tags=["recommend"],
    dependencies=[ApiKeyDep],
    responses=error_responses(
        *JSON_BODY_CODES,
        429,
        500,
        503,
        504,
        e413="Body over TSFORGE_MAX_BODY_BYTES, more series than TSFORGE_MAX_SERIES, a series longer "
        "than TSFORGE_MAX_SERIES_LENGTH, or a horizon over TSFORGE_MAX_HORIZON; `field` names which.",
        e422="Invalid input; `field` names the culprit (e.g. series[1].timestamps; series[1].values: a "
        "length other than series[0]'s, or data too short to profile; input_len, horizon: data too "
        "short for it; time_format, series[0].timestamps[5]: a format with no date part, a timestamp it "
        "does not read); a body that fails the schema also lists every problem in `errors`.",
        e500="A bug in the recommending worker; the server log has the details.",
        e503="No saved recommender on the server (`message` says how to build one; `field` is "
        "per_series for the per-series one), or the service is shutting down, or the worker process "
        "ended.",
    ),
)


@router.post(
    "/recommend",
    response_model=RecommendResponse | PerSeriesRecommendResponse,
    summary="Which model for these series, and why",
)
async def recommend(
    req: RecommendRequest, limits: LimitsDep, settings: SettingsDep, pool: CpuPoolDep, request: Request
) -> RecommendResponse | PerSeriesRecommendResponse:
    """Profile the posted dataset and rank the candidate models (best first) with the reasons;
    with ``per_series: true``, a pick and weights for every series plus the collection view.

    The series are one dataset (equal lengths, same timestamps or none) unless ``per_series``;
    the recommender is the one saved on the server (TSFORGE_RECOMMENDER_PATH). Runs in a
    separate worker process within a time budget (504 past it, 429 when busy); a client that
    disconnects has its worker stopped.
    """

    def work(cancel: threading.Event) -> RecommendResponse | PerSeriesRecommendResponse:
        check_recommend(req, limits)  # limits and timestamps: 413/422 before waiting for a worker
        check_saved(req, settings.recommender_path)  # none saved: 503 now, not after a worker starts
        out = pool.run(
            "service.recommending:recommend_request",
            req,
            limits,
            settings.recommender_path,
            what="this recommendation",
            cancel=cancel,
        )
        return PerSeriesRecommendResponse(**out) if req.per_series else RecommendResponse(**out)

    return await run_until_disconnected(request, work)
