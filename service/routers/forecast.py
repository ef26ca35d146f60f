"""``POST /v1/forecast``: native forecast endpoint (many series → one batch through the model)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.convert import forecasts_out, series_from_request
from service.dependencies import ApiKeyDep, ForecastPoolDep, LimitsDep, ModelStoreDep
from service.forecasting import forecast as run_forecast
from service.forecasting import forecast_notes
from service.inline import Predict, run_short
from service.notes import caught_notes
from service.schemas.common import JSON_BODY_CODES, MODEL_ROUTE_503, ModelInfo, error_responses
from service.schemas.forecast import ForecastRequest, ForecastResponse

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["forecast"], dependencies=[ApiKeyDep])

#: what /v1/forecast answers besides 200 (read from the handlers in service.errors and the code
#: this route calls: the gate, validation, the model store, the limits)
FORECAST_ERRORS = error_responses(
    *JSON_BODY_CODES,
    404,
    429,
    500,
    503,
    504,
    e413="Body over TSFORGE_MAX_BODY_BYTES, more series than TSFORGE_MAX_SERIES, a series longer "
    "than TSFORGE_MAX_SERIES_LENGTH, or a horizon over TSFORGE_MAX_HORIZON; `field` names which.",
    e422="Invalid input; `field` names the culprit (e.g. series[0].values[3], series[1].timestamps, "
    "horizon when it exceeds what the model was trained for, model when it is not 'name', "
    "'name@alias' or 'name/version', time_format when it names no date part, "
    "series[0].timestamps[5] when that timestamp does not read by it); a body that fails the schema "
    "also lists every problem in `errors`.",
    e500="The model version's stored files cannot be read (ModelLoadError, naming the model), or a "
    "bug; the server log has the details.",
    e504="A large request ran past TSFORGE_FORECAST_TIMEOUT_SECONDS in its worker process and was "
    "stopped; send fewer series per request.",
    e503=MODEL_ROUTE_503,
)


@router.post(
    "/forecast",
    response_model=ForecastResponse,
    summary="Forecast one or many series",
    responses=FORECAST_ERRORS,
)
async def forecast(
    req: ForecastRequest, store: ModelStoreDep, limits: LimitsDep, pool: ForecastPoolDep, request: Request
) -> ForecastResponse:
    """Forecast every posted series with one registered model version, in one batch.

    The model is ``name``, ``name@alias`` or ``name/version`` (default: the service's default
    model). The response pins the version that answered (``model.version``). Each series is
    forecast from its last values (the model's input length; ``null`` values are missing); a
    series needs at least two observed values. With ``level`` / ``quantiles`` every forecast
    carries interval bounds; ``notes`` says what limits the answer, when anything does. A large
    request (about a second of CPU or more for its model) runs in a worker process within
    TSFORGE_FORECAST_TIMEOUT_SECONDS: 504 past it, 429 while every such worker is busy; a
    client that disconnects has its worker stopped.
    """

    def work(predict: Predict) -> ForecastResponse:
        with caught_notes() as caught:
            series = series_from_request(req, limits)
            loaded, h, forecasts = run_forecast(
                store, req.model, series, req.horizon, limits, predict=predict
            )
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

    return await run_short(store, req.model, sum(len(s.values) for s in req.series), work, pool, request)
