"""MLflow scoring protocol: ``POST /invocations`` and ``GET /version``, as ``mlflow models serve`` answers.

The request names no model (MLflow serves one), so ``/invocations`` uses the service's default
model; a ``model`` entry in ``params`` may pick another (``name``, ``name@alias``, ``name/version``).
Only JSON bodies are accepted (MLflow's CSV variant is not supported).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import PlainTextResponse

from service.convert import forecast_records, horizon_from_params, series_from_frame_payload
from service.dependencies import ApiKeyDep, LimitsDep, ModelStoreDep
from service.forecasting import forecast as run_forecast
from service.forecasting import forecast_notes
from service.inline import run_short
from service.notes import caught_notes
from service.schemas.common import ERROR_RESPONSES
from service.schemas.invocations import INVOCATIONS_EXAMPLES, InvocationsRequest, InvocationsResponse
from tsforge.errors import DataValidationError

__all__ = ["router"]

router = APIRouter(tags=["mlflow scoring"], dependencies=[ApiKeyDep], responses=ERROR_RESPONSES)


def _version(pkg: str) -> str:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return "unknown"


@router.post("/invocations", response_model=InvocationsResponse, summary="MLflow-compatible scoring")
async def invocations(
    req: Annotated[InvocationsRequest, Body(openapi_examples=INVOCATIONS_EXAMPLES)],
    store: ModelStoreDep,
    limits: LimitsDep,
) -> InvocationsResponse:
    """Forecast a long history frame (``unique_id, ds, y``) sent in any MLflow JSON encoding."""
    model = (req.params or {}).get("model")

    def work() -> InvocationsResponse:
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
            )
        return InvocationsResponse(
            predictions=forecast_records(forecasts, series, field=req.payload_key),
            notes=forecast_notes(loaded, series, h, forecasts=forecasts, caught=caught),
        )

    return await run_short(
        store, model if isinstance(model, str) and model.strip() else None, _rows(req), work
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
    "/version", response_class=PlainTextResponse, summary="MLflow version (as MLflow's scoring server)"
)
def mlflow_version() -> PlainTextResponse:
    return PlainTextResponse(_version("mlflow"), headers={"X-Tsforge-Version": _version("tsforge")})
