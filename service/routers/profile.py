"""``POST /v1/profile``: ARIES properties of posted series (needs ``recommender.properties``)."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request

from service.dependencies import ApiKeyDep, CpuPoolDep, LimitsDep
from service.disconnect import run_until_disconnected
from service.profiling import plan_profile
from service.schemas.common import JSON_BODY_CODES, error_responses
from service.schemas.profile import ProfileRequest, ProfileResponse

__all__ = ["router"]

router = APIRouter(
    prefix="/v1",
    tags=["profile"],
    dependencies=[ApiKeyDep],
    responses=error_responses(
        *JSON_BODY_CODES,
        429,
        500,
        503,
        504,
        e413="Body over TSFORGE_MAX_BODY_BYTES, more series than TSFORGE_MAX_SERIES, a series longer "
        "than TSFORGE_MAX_SERIES_LENGTH, a window over TSFORGE_MAX_PROFILE_WINDOW, or more windows in "
        "total than TSFORGE_MAX_PROFILE_WINDOWS; `field` names which.",
        e422="Invalid input; `field` names the culprit (e.g. series[0].values: no observed value, "
        "fewer values than the window, or no window that could be profiled: over 10 % missing values "
        "in each; time_format, series[0].timestamps[5]: a format with no date part, a timestamp it "
        "does not read; series[0].timestamps: more steps skipped than sent); a body that fails the schema also lists every problem in "
        "`errors`.",
        e500="A bug in the profiling worker; the server log has the details.",
        e503="The service is shutting down, or the worker process ended; retry.",
    ),
)


@router.post(
    "/profile", response_model=ProfileResponse, summary="Profile series (stationarity, trend, season, ...)"
)
async def profile(
    req: ProfileRequest, limits: LimitsDep, pool: CpuPoolDep, request: Request
) -> ProfileResponse:
    """Cut each series into windows and summarise the ARIES property set over them.

    Properties (stationarity, trend, seasonality, ...) are computed from the values, on a seeded
    random subset of at most ``max_windows`` windows per series; steps a series' timestamps skip
    are missing values there, as ``/v1/forecast`` reads them, and ``notes`` says so. Runs in a separate
    worker process within a time budget (504 past it, 429 when every worker is busy), so it
    never slows down forecasts; a client that disconnects has its worker stopped.
    """

    def work(cancel: threading.Event) -> ProfileResponse:
        plan_profile(req, limits)  # refuse what is too large before waiting for a worker
        answer: ProfileResponse = pool.run(
            "service.profiling:profile_request", req, limits, what="this profile", cancel=cancel
        )
        return answer

    return await run_until_disconnected(request, work)
