"""A panel model's forecast continues each history's own calendar, also when the history has a
missing step (a holiday, a lost hour): the forecast is dated after the last observation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.history import SeriesInput
from tsforge.errors import DataValidationError
from tsforge.pipeline import TrackingOptions, train_panel


def _panel(dates: pd.DatetimeIndex, ids: tuple[str, ...] = ("a", "b")) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.concat(
        [pd.DataFrame({"unique_id": i, "ds": dates, "y": 10 + rng.normal(size=len(dates))}) for i in ids],
        ignore_index=True,
    )


def _naive(dates: pd.DatetimeIndex):
    out = train_panel(
        _panel(dates),
        "naive",
        horizon=3,
        tracking=TrackingOptions(track=False, progress=False),
        intervals=False,
    )
    return out.predictor


def test_a_business_day_history_missing_holidays_is_forecast_after_its_last_day():
    """Two holidays left out of a business-day history moved its forecast two days back: its
    first forecast was dated the day before its last observation."""
    predictor = _naive(pd.bdate_range("2020-01-01", periods=60))
    days = pd.bdate_range("2020-03-02", periods=30).delete([10, 20])
    history = pd.DataFrame({"unique_id": "x", "ds": days, "y": np.arange(len(days), dtype=float)})
    forecast = predictor.predict_frame(history, horizon=3)
    expected = pd.bdate_range(days[-1], periods=4)[1:]
    assert list(pd.DatetimeIndex(forecast["ds"])) == list(expected)
    np.testing.assert_allclose(forecast["y_hat"], history["y"].iloc[-1])  # naive: the last value


def test_a_history_missing_days_is_forecast_after_its_last_day():
    """A daily history missing three days was forecast from three days before its last date
    (the values were counted as steps); the missing days are now missing values, with a note."""
    from tsforge.errors import RegularisedTimesWarning

    predictor = _naive(pd.date_range("2020-01-01", periods=60, freq="D"))
    days = pd.date_range("2020-05-01", periods=40, freq="D").delete([3, 4, 30])
    history = SeriesInput("x", np.arange(len(days), dtype=float), days.to_numpy())
    with pytest.warns(RegularisedTimesWarning, match=r"'x' \(3\)"):
        (forecast,) = predictor.predict_series([history], horizon=2)
    assert list(pd.DatetimeIndex(forecast.timestamps)) == list(pd.date_range(days[-1], periods=3)[1:])


def test_calendar_days_for_a_business_day_model_are_refused_by_their_weekend():
    """Daily data (weekends included) for a business-day model were dated weeks ahead."""
    predictor = _naive(pd.bdate_range("2020-01-01", periods=60))
    days = pd.date_range("2020-01-01", periods=30, freq="D")  # 2020-01-04 is a Saturday
    history = pd.DataFrame({"unique_id": "x", "ds": days, "y": 1.0})
    with pytest.raises(
        DataValidationError, match=r"off the business-daily \(B\) grid .*2020-01-04 \(Saturday\)"
    ):
        predictor.predict_frame(history, horizon=2)


def test_a_complete_history_is_forecast_as_before():
    """Guard: no missing step, the same dates as before (each series its own last date)."""
    predictor = _naive(pd.date_range("2020-01-01", periods=36, freq="MS"))
    history = pd.concat(
        [pd.DataFrame({"unique_id": "x", "ds": pd.date_range("2021-01-01", periods=20, freq="MS"), "y": 1.0}),
         pd.DataFrame({"unique_id": "y", "ds": pd.date_range("2021-03-01", periods=24, freq="MS"), "y": 2.0})]
    )  # fmt: skip
    forecast = predictor.predict_frame(history, horizon=2)
    got = {k: list(pd.DatetimeIndex(g["ds"])) for k, g in forecast.groupby("unique_id")}
    assert got["x"] == list(pd.to_datetime(["2022-09-01", "2022-10-01"]))
    assert got["y"] == list(pd.to_datetime(["2023-03-01", "2023-04-01"]))
