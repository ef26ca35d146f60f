"""A dated history that skips steps of the model's frequency is forecast as if the skipped steps
were missing values, with a note, behind every door (they all go through ``predict_series``).

Found by comparing the doors: a monthly history missing one month was forecast from the
history's *last* month (2021-12 for a history ending 2021-12), the values after the gap one step
out of place, silently and alike in the CLI, the Python API, the pyfunc and the service.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforge.errors import DataValidationError, RegularisedTimesWarning
from tsforge.inference import SeriesInput
from tsforge.panels.predictor import PanelPredictor


def _monthly(freq: str = "MS", n: int = 30) -> tuple[np.ndarray, np.ndarray]:
    ts = pd.date_range("2019-01-01" if freq == "MS" else "2019-01-31", periods=n, freq=freq).values
    return ts, 10 + np.sin(np.arange(n) * 2 * np.pi / 12) + 0.01 * np.arange(n)


@pytest.fixture
def predictor() -> PanelPredictor:
    return PanelPredictor("naive", 3, freq="MS", season_length=12)


@pytest.mark.parametrize("freq", ["MS", "ME"])
def test_a_skipped_month_is_a_missing_value_and_the_forecast_follows_the_last_month(predictor, freq):
    ts, y = _monthly(freq)
    keep = np.r_[0:10, 11:30]  # month 10 is not in the history
    with pytest.warns(
        RegularisedTimesWarning,
        match=r"1 of 1 series skips steps of the model.s frequency, monthly \(MS\), .* 's0' \(1\).*null in JSON",
    ):
        (gappy,) = predictor.predict_series([SeriesInput("s0", y[keep], ts[keep])], 3)
    with_nan = y.copy()
    with_nan[10] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", RegularisedTimesWarning)  # a complete history: no note
        (told,) = predictor.predict_series([SeriesInput("s0", with_nan, ts)], 3)
    expected = pd.date_range(pd.Timestamp(ts[-1]), periods=4, freq=freq)[1:]
    assert pd.DatetimeIndex(gappy.timestamps).equals(expected)
    np.testing.assert_allclose(gappy.values, told.values)


def test_the_frame_doors_get_the_same_dates(predictor):
    ts, y = _monthly()
    frame = pd.DataFrame({"unique_id": "s0", "ds": ts, "y": y}).drop(index=[5, 6])
    with pytest.warns(RegularisedTimesWarning):
        out = predictor.predict_frame(frame, 2)
    assert out["ds"].tolist() == [pd.Timestamp("2021-07-01"), pd.Timestamp("2021-08-01")]


def test_a_history_mostly_of_skipped_steps_is_refused_naming_the_series(predictor):
    ts = pd.date_range("2000-01-01", periods=40, freq="MS").values[[0, 1, 2, 39]]
    with pytest.raises(DataValidationError, match=r"series 'sparse' skips 36 steps") as exc:
        predictor.predict_series([SeriesInput("sparse", np.arange(4.0), ts)], 2)
    assert exc.value.where["field"] == "series[0].timestamps"


def test_another_sampling_rate_is_still_refused_as_such(predictor):
    days = pd.date_range("2020-01-01", periods=40, freq="D").values[np.r_[0:10, 12:40]]
    with pytest.raises(DataValidationError, match="sampled"):
        predictor.predict_series([SeriesInput("daily", np.ones(38), days)], 2)


def test_anchors_are_not_skipped_steps():
    """Guard: Monday weeks for a Sunday-weekly model and month ends for a month-start one are one
    step apart, as the sampling check reads them."""
    from tsforge.data.step_grid import on_step_grid

    def inserted(times: np.ndarray, freq: str) -> int:
        return on_step_grid(
            SeriesInput("s", np.arange(times.size, dtype=float), times), freq, "m", field="f"
        )[1]

    assert inserted(pd.date_range("2020", periods=9, freq="W-MON").values, "W-SUN") == 0
    assert inserted(pd.date_range("2020", periods=9, freq="ME").values, "MS") == 0
    assert inserted(pd.date_range("2020", periods=9, freq="h").values[np.r_[0:4, 6:9]], "h") == 2


def test_a_skipped_month_end_is_filled_with_the_month_end():
    """Month ends from February: the skipped April was dated the 28th (February's day), which a
    calendar-reading window model then read as a day of the month the data never has."""
    from tsforge.data.step_grid import on_step_grid

    ts = pd.date_range("2019-02-28", periods=8, freq="ME").values
    keep = np.r_[0:2, 3:8]  # April 2019 is not in the history
    filled, n = on_step_grid(SeriesInput("s", np.arange(7.0), ts[keep]), "MS", "naive", field="series[0]")
    assert n == 1 and np.isnan(filled.values[2])
    assert pd.DatetimeIndex(filled.timestamps).equals(pd.DatetimeIndex(ts))


def test_business_days_off_their_grid_and_times_out_of_order_are_refused():
    from tsforge.data.step_grid import on_step_grid

    days = pd.bdate_range("2020-01-06", periods=10).values
    weekend = np.sort(np.r_[days, np.datetime64("2020-01-11")])  # a Saturday among business days
    with pytest.raises(DataValidationError, match=r"off the business-daily \(B\) grid .*\(Saturday\)"):
        on_step_grid(SeriesInput("b", np.arange(11.0), weekend), "B", "naive", field="series[0]")
    with pytest.raises(DataValidationError, match="timestamps must increase"):
        on_step_grid(SeriesInput("b", np.arange(10.0), days[::-1]), "B", "naive", field="series[0]")
