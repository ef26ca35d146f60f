"""The one forecast call behind ``/v1/forecast`` and ``/invocations``: model → checked batch forecast."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from service.convert import Limits, check_finite_forecasts
from service.model_store import LoadedModel, ModelStore
from tsforge.errors import ConfigError, DataValidationError
from tsforge.inference import SeriesForecast, SeriesInput

__all__ = ["forecast", "interval_notes"]


def forecast(
    store: ModelStore,
    model: str | None,
    series: Sequence[SeriesInput],
    horizon: int | None,
    limits: Limits,
    *,
    horizon_field: str = "horizon",
    series_field: str = "series",
    level: Sequence[float] | None = None,
    quantiles: Sequence[float] | None = None,
) -> tuple[LoadedModel, int, list[SeriesForecast]]:
    """Resolve the model, check the horizon against it, forecast every series in one batch.

    ``level`` / ``quantiles`` (default: those the batch carries, see
    :class:`service.convert.ForecastBatch`) add bounds to every forecast.

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
    level, quantiles = _bounds(series, level, quantiles)
    # only a request that asks for bounds passes them: any predictor answers point forecasts
    bounds = {"level": list(level or []), "quantiles": list(quantiles or [])} if level or quantiles else {}
    try:
        forecasts = predictor.predict_series(list(series), h, **bounds)
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:  # timestamps past what pandas can count
        raise DataValidationError(f"forecast timestamps out of range: {exc}", field=series_field) from None
    check_finite_forecasts(forecasts, field=series_field)
    return loaded, h, forecasts


def _bounds(
    series: Sequence[SeriesInput], level: Sequence[float] | None, quantiles: Sequence[float] | None
) -> tuple[Sequence[float] | None, Sequence[float] | None]:
    """The levels / quantiles asked for: those passed, else those the batch carries."""
    return (
        level if level is not None else getattr(series, "level", None),
        quantiles if quantiles is not None else getattr(series, "quantiles", None),
    )


def interval_notes(
    loaded: LoadedModel,
    series: Sequence[SeriesInput],
    horizon: int,
    *,
    level: Sequence[float] | None = None,
    quantiles: Sequence[float] | None = None,
) -> list[str] | None:
    """What limits the bounds a request asked for, in words (``None``: nothing to say).

    Why both endpoints ask: a level the model's conformal calibration cannot resolve is
    answered with its most extreme scores and covers less than nominal; a client should read
    that next to the numbers, whichever protocol it speaks. Only a request for bounds asks (any
    predictor answers points, the service's fakes too).
    """
    level, quantiles = _bounds(series, level, quantiles)
    if not (level or quantiles):
        return None
    note = loaded.predictor.interval_shortfall(level, quantiles, horizon)
    return [note] if note else None
