"""MLflow scoring protocol: ``POST /invocations`` and ``GET /version``, as ``mlflow models serve`` answers.

The request names no model (MLflow serves one), so ``/invocations`` uses the service's default
model; a ``model`` entry in ``params`` may pick another (``name``, ``name@alias``, ``name/version``).
Only JSON bodies are accepted (MLflow's CSV variant is not supported).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import PlainTextResponse

from service.convert import (
    forecast_records,
    horizon_from_params,
    series_from_frame_payload,
    unread_inputs_notes,
)
from service.dependencies import ApiKeyDep, ForecastPoolDep, LimitsDep, ModelStoreDep
from service.forecasting import forecast as run_forecast
from service.forecasting import forecast_notes
from service.inline import Predict, run_short
from service.notes import caught_notes, merge_notes
from service.schemas.common import JSON_BODY_CODES, MODEL_ROUTE_503, PROTECTED_CODES, error_responses
from service.schemas.invocations import INVOCATIONS_EXAMPLES, InvocationsRequest, InvocationsResponse
from tsforge.errors import DataValidationError

__all__ = ["router"]

router = APIRouter(tags=["mlflow scoring"], dependencies=[ApiKeyDep])

#: what /invocations answers besides 200 (as /v1/forecast, the fields named as this body has them)
INVOCATIONS_ERRORS = error_responses(
    *JSON_BODY_CODES,
    404,
    429,
    500,
    503,
    504,
    e404="Unknown registered model, alias or version in params.model (or none given and no default "
    "model); `field` is params.model.",
    e413="Body over TSFORGE_MAX_BODY_BYTES, more series than TSFORGE_MAX_SERIES, a series longer "
    "than TSFORGE_MAX_SERIES_LENGTH, or params.horizon over TSFORGE_MAX_HORIZON.",
    e422="Invalid input; `field` names the culprit (one value of the frame by its JSON path as sent, "
    "e.g. dataframe_split.data[3][2], dataframe_records[3].y, inputs.y[3], with its `column` and "
    "`row`, the frame's row counted from 0; else the payload key, e.g. inputs; params.horizon, params.level[0], params.model when it is not a string or "
    "not 'name', 'name@alias' or 'name/version', params.time_format when it names no date part); "
    "a body that fails the "
    "schema (e.g. two payload keys) also lists every problem in `errors`.",
    e500="The model version's stored files cannot be read (ModelLoadError, naming the model), or a "
    "bug; the server log has the details.",
    e504="A large request ran past TSFORGE_FORECAST_TIMEOUT_SECONDS in its worker process and was "
    "stopped; send fewer series per request.",
    e503=MODEL_ROUTE_503,
)


def _version(pkg: str) -> str:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return "unknown"


@router.post(
    "/invocations",
    response_model=InvocationsResponse,
    summary="MLflow-compatible scoring",
    responses=INVOCATIONS_ERRORS,
)
async def invocations(
    req: Annotated[InvocationsRequest, Body(openapi_examples=INVOCATIONS_EXAMPLES)],
    store: ModelStoreDep,
    limits: LimitsDep,
    pool: ForecastPoolDep,
    request: Request,
) -> InvocationsResponse:
    """Forecast a history frame sent in any of MLflow's JSON encodings, as ``mlflow models serve``
    answers it for a tsforge model.

    Long frame (``unique_id, ds, y``; ``ds`` optional: ISO-8601 dates, or integers as a step
    index; other dates with ``params.time_format``, their strftime format; each series may write
    its ``ds`` its own way; ``lat, lon[, alt]`` optional: a station's coordinates, for a model with
    a coordinate embedding to forecast a station it was not trained on) or wide (``ds`` and one
    column per series). Exactly one of ``dataframe_split``, ``dataframe_records``, ``instances``,
    ``inputs``; ``params`` may give ``horizon``, ``level``, ``quantiles``, ``time_format`` and
    ``model`` (default: the service's default model). Only JSON bodies (no CSV).
    """
    model = (req.params or {}).get("model")

    def work(predict: Predict) -> InvocationsResponse:
        horizon = horizon_from_params(req.params)
        if model is not None and (not isinstance(model, str) or not model.strip()):
            raise DataValidationError(
                "params.model must name a model ('name', 'name@alias' or 'name/version')",
                field="params.model",
            )
        with caught_notes() as caught:
            series = series_from_frame_payload(req, limits)
            loaded, h, forecasts = run_forecast(
                store,
                model,
                series,
                horizon,
                limits,
                horizon_field="params.horizon",
                series_field=req.payload_key,
                model_field="params.model",
                predict=predict,
            )
        return InvocationsResponse(
            predictions=forecast_records(forecasts, series, field=req.payload_key),
            # a wide frame pads the series that end early: their trimmed nulls are no news; a long
            # frame's trailing nulls were sent, and the answer says they were trimmed
            notes=merge_notes(
                forecast_notes(
                    loaded, series, h, forecasts=forecasts, caught=caught, trailing_gaps=not series.padded
                ),
                unread_inputs_notes(req.params, series),
            ),
        )

    return await run_short(
        store, model if isinstance(model, str) and model.strip() else None, _rows(req), work, pool, request
    )


def _rows(req: InvocationsRequest) -> int:
    """Rows of the history frame (≈ values to forecast from), whatever the encoding."""
    payload = getattr(req, req.payload_key)
    if req.payload_key == "dataframe_split":
        return len(payload.data)
    if isinstance(payload, dict):
        return max((len(v) for v in payload.values()), default=0)
    return len(payload)


@router.get(
    "/version",
    response_class=PlainTextResponse,
    summary="MLflow version (as MLflow's scoring server)",
    responses={
        200: {
            "description": "The installed MLflow version ('unknown' when MLflow's metadata is missing).",
            "content": {"text/plain": {"example": "3.1.0"}},
            "headers": {
                "X-Tsforge-Version": {
                    "description": "The installed tsforge version ('unknown' when absent).",
                    "schema": {"type": "string"},
                }
            },
        },
        **error_responses(*PROTECTED_CODES, text_route=True),
    },
)
def mlflow_version() -> PlainTextResponse:
    """The MLflow version as plain text, as ``mlflow models serve`` answers ``/version``; the
    ``X-Tsforge-Version`` header gives tsforge's. Behind the API key like ``/invocations``."""
    return PlainTextResponse(_version("mlflow"), headers={"X-Tsforge-Version": _version("tsforge")})
