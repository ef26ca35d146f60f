"""A panel refuses positions of its series past the dates a time axis holds (2262-04-11) where
it counts them (:meth:`Panel.times_at`), naming the series whose steps pass it.

Before: fixed steps wrapped round to 1677 without a word, calendar steps raised pandas'
``OutOfBoundsDatetime``, and the forecaster named the series that ends last — a guess, right
only where every series is asked the same number of steps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError
from tsforge.inference.forecast_range import FORECAST_PAST_RANGE, PAST_RANGE


def _panel(ends: dict[str, str], freq: str, n: int = 6) -> Panel:
    starts = [pd.date_range(end=end, periods=n, freq=freq)[0] for end in ends.values()]
    return Panel.from_arrays(
        [np.arange(float(n)) for _ in ends],
        ids=list(ends),
        starts=np.asarray(starts, dtype="datetime64[ns]"),
        freq=freq,
        season_length=1,
        name="t",
    )


def _after_end(panel: Panel, steps: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """``steps[i]`` positions after the end of series ``i``, as a forecast asks for them."""
    series = np.concatenate([np.full(k, i) for i, k in steps.items()])
    step = np.concatenate([panel.lengths[i] + np.arange(k) for i, k in steps.items()])
    return series, step


def _refusal(panel: Panel, steps: dict[int, int]) -> DataValidationError:
    with pytest.raises(DataValidationError) as caught:
        panel.times_at(*_after_end(panel, steps))
    return caught.value


@pytest.mark.parametrize(
    ("freq", "end"), [("D", "2262-04-09"), ("h", "2262-04-11T21:00"), ("MS", "2262-03-01")]
)
def test_steps_past_the_range_are_refused_naming_the_series(freq, end):
    panel = _panel({"early": "2020-01-01", "late": end}, freq)
    exc = _refusal(panel, {0: 5, 1: 5})
    shown = pd.Timestamp(end).strftime("%Y-%m-%dT%H:%M:%S")
    assert exc.message == (
        f"{FORECAST_PAST_RANGE}: series 'late' ends at {shown}, too late for 5 steps after it; forecast "
        "fewer steps, or number the steps (integers) instead"
    )
    assert exc.kind == PAST_RANGE and exc.where == {"series": "late"}


def test_the_series_named_is_the_one_whose_steps_pass_not_the_one_that_ends_last():
    """'a' ends last but its 2 steps fit; 'b' ends a month earlier and its 6 steps do not."""
    panel = _panel({"a": "2262-01-01", "b": "2261-12-01"}, "MS")
    exc = _refusal(panel, {0: 2, 1: 6})
    assert "series 'b' ends at 2261-12-01T00:00:00, too late for 6 steps" in exc.message, exc.message
    assert exc.where == {"series": "b"}


def test_steps_up_to_the_last_day_are_placed():
    panel = _panel({"a": "2262-02-01"}, "MS")
    times = panel.times_at(*_after_end(panel, {0: 2}))
    assert pd.DatetimeIndex(times).strftime("%Y-%m-%d").tolist() == ["2262-03-01", "2262-04-01"]
    daily = _panel({"a": "2262-04-09"}, "D")
    times = daily.times_at(*_after_end(daily, {0: 2}))
    assert pd.DatetimeIndex(times).strftime("%Y-%m-%d").tolist() == ["2262-04-10", "2262-04-11"]


def test_a_series_from_before_1970_is_not_taken_for_the_one_that_passes():
    """Daily steps of a series starting in 1900 fit; those of one ending 2262-04-09 do not."""
    panel = _panel({"old": "1900-01-06", "late": "2262-04-09"}, "D")
    exc = _refusal(panel, {0: 5, 1: 5})
    assert exc.where == {"series": "late"}, exc.message
