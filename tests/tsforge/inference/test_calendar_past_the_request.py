"""A window model that reads the calendar reads it for its whole trained horizon, so the dates
after the steps asked for feed its input; near the end of the dates tsforge can hold
(2262-04-11) they must neither refuse a request whose own steps fit nor wrap round to 1677.

Before, an STPE-MLP trained for 6 monthly steps refused 2 steps after 2262-02-01 ("too late for
2 steps") though 2262-03-01 and 2262-04-01 fit; with daily steps it answered, reading the
calendar of 1677-09-21... for the steps past the range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.data.timeaxis import TIME_RANGE_TEXT
from tsforge.errors import DataValidationError
from tsforge.inference import Predictor, SeriesInput
from tsforge.models import ModelContext, build_model

HORIZON = 6


def _calendar_model(freq: str, ids: tuple[str, ...] = ("a",)) -> Predictor:
    """An untrained STPE-MLP (it reads the calendar) of series ``ids``, reading 24 steps,
    forecasting 6 (its weights do not matter here)."""
    values = np.random.default_rng(0).normal(size=(300, len(ids))).astype(np.float32)
    ts = pd.date_range("2000-01-01", periods=300, freq=freq).values
    task = prepare_task(TimeSeriesData(values, ts, ids, freq, coords=None), 24, HORIZON)
    predictor = Predictor(build_model("stpe_mlp", ModelContext.from_task(task), {}), task.scaler)
    assert predictor.max_horizon == HORIZON and predictor._reads_calendar()
    return predictor


def _history(sid: str, end: str, freq: str) -> SeriesInput:
    ds = pd.date_range(end=end, periods=30, freq=freq).to_numpy()
    return SeriesInput(sid, np.arange(30.0), ds)


def _days(stamps: np.ndarray | None) -> list[str]:
    assert stamps is not None
    return pd.DatetimeIndex(stamps).strftime("%Y-%m-%d").tolist()


def test_steps_that_fit_are_answered_though_the_trained_horizon_passes_the_range():
    model = _calendar_model("MS")
    (f,) = model.predict_series([_history("a", "2262-02-01", "MS")], 2)
    assert _days(f.timestamps) == ["2262-03-01", "2262-04-01"]
    assert np.isfinite(f.values).all()


def test_the_calendar_read_past_the_range_is_that_of_the_true_dates(monkeypatch):
    """Daily steps: the model reads the weekday, day and month of 2262-04-09 ... 2262-04-14 (a
    Wednesday to a Monday, April), not of dates wrapped round to 1677."""
    model = _calendar_model("D")
    read: list[torch.Tensor] = []
    predict = model.forecaster.predict

    def recording(batch):
        read.append(batch["y_cal"].clone())
        return predict(batch)

    monkeypatch.setattr(model.forecaster, "predict", recording)
    (f,) = model.predict_series([_history("a", "2262-04-08", "D")], 2)
    assert _days(f.timestamps) == ["2262-04-09", "2262-04-10"]
    true = pd.date_range("2262-04-09", periods=HORIZON, freq="D", unit="us")
    expected = np.stack([true.hour, true.dayofweek, true.day - 1, true.month - 1], axis=1)
    (y_cal,) = read
    np.testing.assert_array_equal(y_cal[0].numpy(), expected)


@pytest.mark.parametrize(
    ("freq", "end", "shown"), [("MS", "2262-03-01", "2262-03-01"), ("D", "2262-04-10", "2262-04-10")]
)
def test_steps_asked_for_past_the_range_are_still_refused_naming_the_series(freq, end, shown):
    model = _calendar_model(freq, ("early", "late"))
    series = [_history("early", "2020-01-01", freq), _history("late", end, freq)]
    with pytest.raises(DataValidationError) as caught:
        model.predict_series(series, 2)
    assert caught.value.message == (
        f"forecast timestamps run past the dates tsforge can hold ({TIME_RANGE_TEXT}): series 'late' "
        f"ends at {shown}T00:00:00, too late for 2 steps after it; forecast fewer steps, or number "
        "the steps (integers) instead"
    )
    assert caught.value.where == {"field": "series[1].timestamps", "series": "late"}
