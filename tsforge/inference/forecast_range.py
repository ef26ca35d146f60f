"""Forecast timestamps stay within the dates tsforge can hold (:data:`~tsforge.data.validation.TIME_RANGE`).

Why a guard where forecasts are made: a history may end anywhere in the range the readers hold
(up to 2262-04-11), and the steps after it are computed in ``datetime64[ns]``. Fixed steps
(days, hours) are added in nanoseconds, which wrap round without a word: a daily history
ending 2262-04-09 was forecast for 2262-04-10, 2262-04-11, then 1677-09-21... by
``tsforge forecast``, the MLflow pyfunc and the Python API alike. Steps pandas counts on the
calendar (months, years) raise ``OutOfBoundsDatetime`` instead, which reached the user as a
pandas traceback. Both are now refused where the steps are counted, per series and naming it
(:meth:`~tsforge.data.panel.Panel.times_at` for panel models, :func:`dates_after` for window
models), in one sentence naming the series, its last timestamp and the range; every door goes
through :meth:`FramePredictor.predict_series
<tsforge.inference.predictor.FramePredictor.predict_series>`, which says it of the series'
position in the request (:func:`in_request_order`). An after-the-fact scan of every forecast's
timestamps for a wrap is not needed on that path.

A model that reads the calendar reads it for its whole trained horizon, past the steps asked
for; those dates only feed its calendar input, so they are not refused but counted in
microseconds, which hold them (:func:`calendar_dates_after`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tsforge.data.frequency import fixed_step
from tsforge.data.history import SeriesInput
from tsforge.data.validation import (
    FORECAST_PAST_RANGE,
    PAST_RANGE,
    calendar_steps_us,
    fixed_steps_left,
    steps_past_range,
)
from tsforge.errors import DataValidationError

__all__ = [
    "FORECAST_PAST_RANGE",
    "PAST_RANGE",
    "past_range_refusal",
    "dates_after",
    "calendar_dates_after",
    "in_request_order",
]


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


def dates_after(last: np.datetime64, freq: str, n: int) -> np.ndarray | None:
    """The ``n`` dates (``datetime64[ns]``) after ``last`` on ``freq``'s grid: numpy arithmetic
    for fixed steps, pandas' calendar for the others; ``None`` when they pass the range.

    Why the room is counted by :func:`~tsforge.data.validation.fixed_steps_left`: in ``int64``
    nanoseconds the steps wrap round to 1677 without a word, and were refused only once the
    forecast was made; a panel's time axis counts the same room, so a series is refused alike
    by window and panel models.
    """
    start = last.astype("datetime64[ns]")
    step = fixed_step(freq)
    if step is not None:
        if n > fixed_steps_left(int(start.astype(np.int64)), int(step.astype(np.int64))):
            return None
        return start + step * np.arange(1, n + 1)
    try:
        return pd.date_range(start, periods=n + 1, freq=freq)[1:].values
    except pd.errors.OutOfBoundsDatetime:  # pandas' clock ends where datetime64[ns] does
        return None


def calendar_dates_after(last: np.datetime64, freq: str, n: int) -> np.ndarray:
    """The ``n`` dates after ``last`` on ``freq``'s grid as ``datetime64[us]``, for a model's
    calendar input (:func:`tsforge.data.calendar.calendar_indices` reads microseconds).

    Why: a model that reads the calendar reads it for its whole trained horizon; the steps past
    those asked for only feed that input, so a request whose own steps fit must not be refused
    for them (it was), nor read them wrapped round to 1677 (fixed steps did). Microseconds hold
    dates far past 2262; a date is floored to its microsecond, which keeps its hour and day.
    """
    last_ns = int(last.astype("datetime64[ns]").astype(np.int64))
    step = fixed_step(freq)
    if step is None:  # the grid a panel's time axis counts its room past 2262 on
        return calendar_steps_us(last_ns, n + 1, freq)[1:].view("datetime64[us]")
    start_us, rest_ns = divmod(last_ns, 1000)
    # the floor of last + k * step, exactly: its whole microseconds, then its rests
    whole_us, part_ns = divmod(int(step.astype(np.int64)), 1000)
    k = np.arange(1, n + 1, dtype=np.int64)
    offsets = k * whole_us + (k * part_ns + rest_ns) // 1000
    return np.datetime64(start_us, "us") + offsets.astype("timedelta64[us]")


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
