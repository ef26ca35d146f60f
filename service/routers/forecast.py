"""``POST /v1/forecast``: native forecast endpoint (many series → one batch through the model)."""

from __future__ import annotations

from fastapi import APIRouter

from service.convert import forecasts_out, series_from_request
from service.dependencies import ApiKeyDep, LimitsDep, ModelStoreDep
from service.forecasting import forecast as run_forecast
from service.forecasting import forecast_notes
from service.inline import run_short
from service.notes import caught_notes
from service.schemas.common import ERROR_RESPONSES, ModelInfo
from service.schemas.forecast import ForecastRequest, ForecastResponse

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["forecast"], dependencies=[ApiKeyDep], responses=ERROR_RESPONSES)


@router.post("/forecast", response_model=ForecastResponse, summary="Forecast one or many series")
async def forecast(req: ForecastRequest, store: ModelStoreDep, limits: LimitsDep) -> ForecastResponse:
    """Forecast every posted series with one registered model version, in one batch.

    The model is ``name``, ``name@alias`` or ``name/version`` (default: the service's default
    model). The response pins the version that answered.
    """

    def work() -> ForecastResponse:
        with caught_notes() as caught:
            series = series_from_request(req, limits)
            loaded, h, forecasts = run_forecast(store, req.model, series, req.horizon, limits)
        return ForecastResponse(
            model=ModelInfo(
                name=loaded.name,
                version=loaded.version,
                alias=store.alias_of(req.model),
                run_id=loaded.run_id,
            ),
            horizon=h,
            forecasts=forecasts_out(forecasts, series),
            notes=forecast_notes(loaded, series, h, forecasts=forecasts, caught=caught),
        )

    return await run_short(store, req.model, sum(len(s.values) for s in req.series), work)
