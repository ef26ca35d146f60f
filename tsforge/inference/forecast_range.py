"""Forecast timestamps stay within the dates tsforge can hold (:data:`~tsforge.data.validation.TIME_RANGE`).

Why a guard where forecasts are made: a history may end anywhere in the range the readers hold
(up to 2262-04-11), and the steps after it are computed in ``datetime64[ns]``. Fixed steps
(days, hours) are added in nanoseconds, which wrap round without a word: a daily history
ending 2262-04-09 was forecast for 2262-04-10, 2262-04-11, then 1677-09-21... by
``tsforge forecast``, the MLflow pyfunc and the Python API alike. Steps pandas counts on the
calendar (months, years) raise ``OutOfBoundsDatetime`` instead, which reached the user as a
pandas traceback. Every door goes through :meth:`FramePredictor.predict_series
<tsforge.inference.predictor.FramePredictor.predict_series>`, so both are refused there, in one
sentence naming the series, its last timestamp and the range.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tsforge.data.history import SeriesInput
from tsforge.data.validation import FORECAST_PAST_RANGE, PAST_RANGE, steps_past_range
from tsforge.errors import DataValidationError
from tsforge.inference.intervals import SeriesForecast

__all__ = [
    "FORECAST_PAST_RANGE",
    "PAST_RANGE",
    "RANGE_ERRORS",
    "past_range_refusal",
    "check_forecast_range",
    "refusal_of_range_error",
    "in_request_order",
]

#: what pandas raises counting calendar steps past its clock (its ``OverflowError`` is only the
#: cause it chains; a bare one is no date's, and is raised as it is)
RANGE_ERRORS = (pd.errors.OutOfBoundsDatetime,)


def past_range_refusal(s: SeriesInput, i: int, h: int) -> DataValidationError:
    """The refusal of ``h`` forecast steps after series ``s`` (position ``i`` of the request).

    The field is the series' timestamps (``series[i].timestamps``) as every other refusal of a
    request's series names it; ``series`` carries its id for a door that names series by id
    (a file's rows, ``/invocations``' ``unique_id``).
    """
    last = np.asarray(s.timestamps)[-1]
    return steps_past_range(str(s.id), last, h, field=f"series[{i}].timestamps")


def _dated(s: SeriesInput) -> bool:
    """Whether ``s`` has dates (not an integer step index, not nothing) to continue."""
    if s.timestamps is None:
        return False
    stamps = np.asarray(s.timestamps)
    return stamps.dtype.kind == "M" and stamps.size > 0


def _wrapped(last: np.datetime64, stamps: np.ndarray) -> bool:
    """Whether the forecast's ``stamps`` leave the range after the history's ``last`` time: a
    step that is missing (NaT) or does not come after the one before it. Why compared and not
    ``np.diff``: the difference wraps round too."""
    steps = np.concatenate([[last], stamps]).astype("datetime64[ns]")
    return bool(np.isnat(steps).any() or not (steps[1:] > steps[:-1]).all())


def check_forecast_range(series: Sequence[SeriesInput], forecasts: Sequence[SeriesForecast]) -> None:
    """Refuse the first forecast (of ``forecasts``, one per history of ``series``, in order)
    whose timestamps wrapped round past the range (:func:`past_range_refusal`)."""
    for i, (s, f) in enumerate(zip(series, forecasts, strict=True)):
        if f.timestamps is None or not _dated(s) or np.asarray(f.timestamps).dtype.kind != "M":
            continue
        if _wrapped(np.asarray(s.timestamps)[-1], np.asarray(f.timestamps)):
            raise past_range_refusal(s, i, len(f.values))


def refusal_of_range_error(series: Sequence[SeriesInput], h: int) -> DataValidationError | None:
    """The refusal to raise for pandas' ``OutOfBoundsDatetime`` while ``h`` steps after the
    ``series`` were counted: that of the dated series that ends last (its steps run furthest:
    the series of one model share its frequency), or None when none is dated (then the error
    is no forecast step's, and is raised as it is).

    A fallback, and a guess: the steps are now refused where they are counted, per series
    (a panel's :meth:`~tsforge.data.panel.Panel.times_at`, a window model's own dates), so no
    known forecaster reaches it; what still does is an error from elsewhere.
    """
    dated = [(np.asarray(s.timestamps)[-1], i) for i, s in enumerate(series) if _dated(s)]
    if not dated:
        return None
    _, i = max(dated)
    return past_range_refusal(series[i], i, h)


def in_request_order(
    refusal: DataValidationError, series: Sequence[SeriesInput], h: int
) -> DataValidationError:
    """``refusal`` (:data:`PAST_RANGE`, raised of a subset of ``series``: a routed ensemble's
    member forecasts the series routed to it; or of the panel made of them, which names the
    series by id only: :meth:`~tsforge.data.panel.Panel.times_at`) naming the series' position
    in ``series``."""
    sid = str(refusal.where.get("series"))
    i = next((k for k, s in enumerate(series) if str(s.id) == sid and _dated(s)), None)
    return refusal if i is None else past_range_refusal(series[i], i, h)
