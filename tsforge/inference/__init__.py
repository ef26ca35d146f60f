"""Forecast from a history alone: the one inference path (CLI, MLflow pyfunc, REST service).

- :mod:`tsforge.inference.predictor`: :class:`Predictor` (a fitted window model and its scaler)
  and :class:`FramePredictor`, the frame handling every predictor shares (the panel predictors
  included).
- :mod:`tsforge.inference.intervals`: what a caller asks of a forecast's uncertainty
  (:class:`IntervalRequest`) and the bounds that answer it.

Which steps a dated history skipped is decided in :mod:`tsforge.data.step_grid`.
"""

from tsforge.data.history import SeriesInput
from tsforge.inference.intervals import (
    MAX_LEVELS,
    IntervalRequest,
    QuantileCalibrator,
    SeriesForecast,
    attach_bounds,
    floor_points,
    level_note,
    sorted_quantiles,
    zero_width_note,
)
from tsforge.inference.predictor import FramePredictor, Predictor, continued_steps

__all__ = [
    "SeriesInput",
    "SeriesForecast",
    "FramePredictor",
    "Predictor",
    "IntervalRequest",
    "QuantileCalibrator",
    "MAX_LEVELS",
    "attach_bounds",
    "continued_steps",
    "floor_points",
    "level_note",
    "sorted_quantiles",
    "zero_width_note",
]
