"""The one forecast call behind ``/v1/forecast`` and ``/invocations``: model → checked batch forecast."""

from __future__ import annotations

from collections.abc import Sequence

from service.convert import Limits, check_finite_forecasts
from service.model_store import LoadedModel, ModelStore
from tsforge.errors import ConfigError
from tsforge.inference import SeriesForecast, SeriesInput

__all__ = ["forecast"]


def forecast(
    store: ModelStore,
    model: str | None,
    series: Sequence[SeriesInput],
    horizon: int | None,
    limits: Limits,
    *,
    horizon_field: str = "horizon",
    series_field: str = "series",
) -> tuple[LoadedModel, int, list[SeriesForecast]]:
    """Resolve the model, check the horizon against it, forecast every series in one batch.

    Returns:
        ``(loaded model, horizon used, forecasts)``.
    """
    loaded = store.get(model)
    predictor = loaded.predictor
    h = predictor.max_horizon if horizon is None else int(horizon)
    if h > predictor.max_horizon:
        raise ConfigError(
            f"horizon {h} exceeds {predictor.max_horizon}, the horizon model {loaded.name}/{loaded.version} "
            "was trained for",
            field=horizon_field,
        )
    limits.check(0, [], h)
    forecasts = predictor.predict_series(list(series), h)
    check_finite_forecasts(forecasts, field=series_field)
    return loaded, h, forecasts
