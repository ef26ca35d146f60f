"""Forecast steps past the dates tsforge can hold (1677-09-21 to 2262-04-11) are refused where
they are computed, behind every door, in one sentence naming the series, its last timestamp and
the range.

Before, a daily history ending 2262-04-09 forecast 5 steps was dated 2262-04-10, 2262-04-11,
then 1677-09-21... (nanoseconds wrap round without a word) by ``tsforge forecast``, the MLflow
pyfunc and the Python API; a monthly one raised pandas' ``OutOfBoundsDatetime``. Only the
service refused them, with a check of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.data.timeaxis import TIME_RANGE_TEXT
from tsforge.errors import DataValidationError
from tsforge.inference import FramePredictor, Predictor, SeriesForecast, SeriesInput
from tsforge.inference.intervals import IntervalRequest
from tsforge.models import ModelContext, build_model
from tsforge.panels.predictor import PanelPredictor

PAST = f"forecast timestamps run past the dates tsforge can hold ({TIME_RANGE_TEXT})"


def _history(sid: str, end: str, freq: str, n: int = 30) -> SeriesInput:
    ds = pd.date_range(end=end, periods=n, freq=freq).to_numpy()
    return SeriesInput(sid, np.arange(float(n)), ds)


def _refusal(call) -> DataValidationError:
    with pytest.raises(DataValidationError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("freq", "end", "shown"),
    [
        ("D", "2262-04-09", "2262-04-09T00:00:00"),  # fixed steps: wrapped round to 1677
        ("h", "2262-04-11T21:00", "2262-04-11T21:00:00"),
        ("MS", "2262-03-01", "2262-03-01T00:00:00"),  # calendar steps: pandas raised its own error
    ],
)
def test_a_panel_model_refuses_steps_past_the_range(freq, end, shown):
    naive = PanelPredictor("naive", 5, freq=freq, season_length=1)
    early = _history("early", "2020-01-01", freq)
    late = _history("late", end, freq)
    exc = _refusal(lambda: naive.predict_series([early, late], 5))
    assert exc.message == (
        f"{PAST}: series 'late' ends at {shown}, too late for 5 steps after it; forecast fewer "
        "steps, or number the steps (integers) instead"
    )
    assert exc.where == {"field": "series[1].timestamps", "series": "late"}


def test_steps_up_to_the_last_day_are_answered():
    naive = PanelPredictor("naive", 5, freq="D", season_length=1)
    (f,) = naive.predict_series([_history("a", "2262-04-09", "D")], 2)
    assert f.timestamps is not None
    assert pd.DatetimeIndex(f.timestamps).strftime("%Y-%m-%d").tolist() == ["2262-04-10", "2262-04-11"]


def test_predict_frame_refuses_them_as_the_pyfunc_forecasts():
    """The MLflow pyfunc answers with ``predict_frame`` of the history frame."""
    naive = PanelPredictor("naive", 5, freq="D", season_length=1)
    ds = pd.date_range(end="2262-04-09", periods=20, freq="D")
    frame = pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(20.0)})
    exc = _refusal(lambda: naive.predict_frame(frame, 5))
    assert exc.message.startswith(f"{PAST}: series 'a' ends at 2262-04-09T00:00:00"), exc.message


def _window_model() -> Predictor:
    """An untrained DLinear reading 24 steps, forecasting 6 (its weights do not matter here)."""
    values = np.random.default_rng(0).normal(size=(200, 1)).astype(np.float32)
    ts = pd.date_range("2021-01-01", periods=200, freq="D").values
    task = prepare_task(TimeSeriesData(values, ts, ("a",), None, coords=None), 24, 6)
    return Predictor(build_model("dlinear", ModelContext.from_task(task), {}), task.scaler)


@pytest.mark.parametrize(("freq", "end"), [("D", "2262-04-09"), ("MS", "2262-03-01")])
def test_a_window_model_refuses_them_too(freq, end):
    """A window model computes its own steps (fixed ones in numpy, calendar ones by pandas)."""
    exc = _refusal(lambda: _window_model().predict_series([_history("a", end, freq)], 6))
    assert exc.message.startswith(f"{PAST}: series 'a' ends at {end}T00:00:00, too late for 6 steps"), exc
    assert exc.where["field"] == "series[0].timestamps"


class _OneByOne(FramePredictor):
    """Forecasts each series alone with a member, as a routed ensemble's members forecast the
    series routed to them: the member's refusal names the series' place in its own batch."""

    def __init__(self, member: FramePredictor) -> None:
        self.member = member
        self.meta = {}

    @property
    def model_name(self) -> str:
        return "one_by_one"

    @property
    def max_horizon(self) -> int:
        return self.member.max_horizon

    @property
    def input_len(self) -> int:
        return self.member.input_len

    def _forecast(
        self, series: Sequence[SeriesInput], h: int, request: IntervalRequest
    ) -> list[SeriesForecast]:
        return [self.member.predict_series([s], h)[0] for s in series]


def test_a_member_s_refusal_names_the_series_where_the_request_has_it():
    ensemble = _OneByOne(PanelPredictor("naive", 5, freq="D", season_length=1))
    series = [_history("a", "2020-01-01", "D"), _history("b", "2262-04-09", "D")]
    exc = _refusal(lambda: ensemble.predict_series(series, 5))
    assert exc.where == {"field": "series[1].timestamps", "series": "b"}, exc


def test_the_cli_says_it_in_one_line_and_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    ds = pd.date_range(end="2262-04-09", periods=30, freq="D")
    rows = pd.concat(
        [pd.DataFrame({"unique_id": sid, "ds": ds, "y": np.arange(30.0) + k}) for k, sid in enumerate("ab")]
    )
    rows.to_csv("history.csv", index=False)
    code, out, err = run_cli(capsys, "train", "history.csv", "--model", "naive", "--horizon", "5")
    assert code == 0, out + err
    code, out, err = run_cli(
        capsys, "forecast", "--model", "history-naive", "--input", "history.csv", "--output", "f.csv"
    )
    assert code == 2, out + err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {PAST}: series 'a' ends at 2262-04-09T00:00:00, too late for 5 steps after it; "
        "forecast fewer steps, or number the steps (integers) instead "
        "(file='history.csv', column='ds')"
    ], err
    assert not (tmp_path / "f.csv").exists()
