"""The one forecast call behind ``/v1/forecast`` and ``/invocations``: model → checked batch forecast."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from service.convert import Limits, check_finite_forecasts
from service.model_store import LoadedModel, ModelStore
from tsforge.errors import ConfigError, DataValidationError
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
    try:
        forecasts = predictor.predict_series(list(series), h)
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:  # timestamps past what pandas can count
        raise DataValidationError(f"forecast timestamps out of range: {exc}", field=series_field) from None
    check_finite_forecasts(forecasts, field=series_field)
    return loaded, h, forecasts
