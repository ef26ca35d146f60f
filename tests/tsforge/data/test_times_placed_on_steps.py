"""A dated history is forecast only when every value can be placed on its step of the model's grid.

Found by a review: values whose times could not be placed were read as consecutive steps, and a
panel model, which dates its forecast by counting steps from the history's start, dated it
before the history's own end, without a word:

* two times on one step (a daily history with one reading at noon; a quarterly one with a
  February reading) put one value too many on the grid: the forecast started a step early;
* a history that skips steps with one time off a fixed-length grid (readings at 09:00, one at
  09:30) was left as it was: its gaps were neither filled nor refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.errors import DataValidationError
from tsforge.inference import SeriesInput
from tsforge.panels.predictor import PanelPredictor


def _forecast(freq: str, ts: np.ndarray):
    predictor = PanelPredictor("naive", 2, freq=freq, season_length=1)
    (f,) = predictor.predict_series([SeriesInput("a", np.arange(ts.size, dtype=float), ts)], 2)
    return f


def _with(times: pd.DatetimeIndex, extra: str) -> np.ndarray:
    return np.sort(np.append(times.to_numpy(), np.datetime64(extra))).astype("datetime64[ns]")


@pytest.mark.parametrize(
    ("freq", "ts", "said"),
    [
        (
            "D",
            _with(pd.date_range("2021-01-01", periods=30, freq="D"), "2021-01-11T12:00"),
            "2021-01-11 12:00",
        ),
        ("QS", _with(pd.date_range("2000-01-01", periods=12, freq="QS"), "2000-02-01"), "2000-02-01"),
        ("W-SUN", _with(pd.date_range("2021-01-03", periods=30, freq="W-SUN"), "2021-03-17"), "2021-03-17"),
    ],
)
def test_two_times_on_one_step_are_refused_naming_them(freq, ts, said):
    with pytest.raises(DataValidationError, match="two times on one") as e:
        _forecast(freq, ts)
    assert said in str(e.value) and e.value.where["field"] == "series[0].timestamps"


def _days_at_nine(steps: np.ndarray, late: int) -> np.ndarray:
    days = np.concatenate([[0], np.cumsum(steps)])
    ts = (pd.Timestamp("2021-01-01 09:00") + pd.to_timedelta(days, "D")).to_numpy().copy()
    ts[late] += np.timedelta64(30, "m")  # one reading half an hour late
    return ts


@pytest.mark.parametrize(
    "steps",
    [
        np.tile([1, 1, 1, 2], 10),  # one day in four skipped: the median step is the model's
        np.tile([1, 2, 3, 1, 2, 2, 1, 3], 5),  # days skipped unevenly: the median step is 2 days
    ],
)
def test_a_time_off_the_grid_of_a_history_that_skips_steps_is_refused(steps):
    ts = _days_at_nine(steps, late=5)
    with pytest.raises(DataValidationError, match="time off the daily") as e:
        _forecast("D", ts)
    assert pd.Timestamp(ts[5]).strftime("%Y-%m-%d 09:30") in str(e.value)
    assert e.value.where["field"] == "series[0].timestamps"


def test_days_skipped_unevenly_on_the_grid_are_filled_and_forecast_after_the_history():
    ts = _days_at_nine(np.tile([1, 2, 3, 1, 2, 2, 1, 3], 5), late=0)
    ts[0] -= np.timedelta64(30, "m")  # back on the 09:00 grid
    f = _forecast("D", ts)
    assert f.timestamps[0] == ts[-1] + np.timedelta64(1, "D")
