"""Library refusals and notes are worded for whoever gets them: the CLI, Python or REST.

Found running ``tsforge forecast`` on small files: refusals raised in the library spoke of "a
request" and told the user to "send" something (its coordinates, ISO-8601 timestamps, every
step), though a CLI user gives a file and a Python caller passes objects. Each now says "give",
or what the series are; where the command line has its own way to give a thing (``--coords
FILE``), its message names it (``cli_message``), also once the error is said of the history file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError, DataValidationError
from tsforge.inference import Predictor, SeriesInput
from tsforge.inference.notes import HistoryFile, calendar_advice, skipped_steps_note
from tsforge.models import ModelContext, build_model

_STATIONS = np.array([[45.0, 7.0], [46.0, 8.0]])


def _window_predictor(model: str, coords: np.ndarray | None = None) -> Predictor:
    """An untrained window model on two hourly series (no weights are read by the refusals)."""
    values = np.random.default_rng(0).normal(size=(300, 2)).astype(np.float32)
    ts = pd.date_range("2021-01-01", periods=300, freq="h").values
    task = prepare_task(TimeSeriesData(values, ts, ("a", "b"), "h", coords=coords), 24, 6)
    return Predictor(build_model(model, ModelContext.from_task(task), {}), task.scaler)


def test_an_unknown_station_is_told_to_give_its_coordinates_and_the_cli_how():
    predictor = _window_predictor("stpe_mlp", _STATIONS)
    history = np.sin(np.arange(40) / 3.0)
    ts = pd.date_range("2021-02-01", periods=40, freq="h").values
    with pytest.raises(DataValidationError) as e:
        predictor.predict_series([SeriesInput("new", history, ts)], 6)
    assert "unknown series id 'new'" in e.value.message and "send" not in e.value.message, e.value
    assert e.value.message.endswith("— give its coordinates to forecast a new station"), e.value
    assert "give its coordinates (its row of a --coords FILE)" in e.value.for_cli(), e.value.for_cli()
    assert e.value.where["field"] == "series[0].id"


def test_the_cli_words_survive_the_error_said_of_the_history_file():
    """``predict_frame(file=...)`` says the error of the file's column and series, and kept its
    message only: the command line's words were dropped there."""
    predictor = _window_predictor("stpe_mlp", _STATIONS)
    frame = pd.DataFrame({"ds": pd.date_range("2021-02-01", periods=40, freq="h"), "new": np.ones(40)})
    with pytest.raises(DataValidationError) as e:
        predictor.predict_frame(frame, 6, time_col="ds", file="stations.csv")
    said = e.value.for_cli()
    assert "give its coordinates (its row of a --coords FILE)" in said and "file='stations.csv'" in said, said
    assert e.value.where.get("series") == "new", e.value.where


def test_a_multichannel_model_speaks_of_the_series_it_is_given_not_of_a_request():
    predictor = _window_predictor("itransformer")
    ends = [
        pd.date_range("2021-02-01", periods=40, freq="h"),
        pd.date_range("2021-02-01", periods=35, freq="h"),
    ]
    series = [SeriesInput(sid, np.ones(len(ts)), ts.values) for sid, ts in zip("ab", ends, strict=True)]
    with pytest.raises(DataValidationError, match="forecasts all the series it is given together") as e:
        predictor.predict_series(series, 6)
    assert "request" not in str(e.value), e.value


def test_native_quantiles_out_of_range_are_said_of_what_was_asked_for():
    """A global LightGBM's quantile heads answer levels inside their range; a level outside it
    was refused as what "the request needs", to a CLI user of ``--level 95`` too."""
    from tsforge.data.panel import Panel
    from tsforge.panels.global_models import fit_global
    from tsforge.panels.predictor import PanelPredictor

    rng = np.random.default_rng(0)
    arrays = [10 + np.sin(np.arange(48) * 2 * np.pi / 12) + 0.1 * rng.normal(size=48) for _ in range(4)]
    panel = Panel.from_arrays(arrays, ids=list("abcd"), starts=None, freq=None, season_length=12, name="p")
    model, _ = fit_global(
        panel, "lightgbm", 3, model_config={"quantiles": [0.1, 0.5, 0.9], "n_estimators": 5}
    )
    predictor = PanelPredictor(
        "lightgbm", 3, freq=None, season_length=12, global_model=model, interval_method="native"
    )
    with pytest.raises(ConfigError) as e:
        predictor.predict_series([SeriesInput("a", arrays[0])], 3, level=[95])
    said = str(e.value)
    assert "request" not in said and "the levels and quantiles asked for need [0.025" in said, said
    assert e.value.where["field"] == "level"


def test_words_without_a_file_say_give_not_send():
    """No file named: the Python API's words (and the service's), which a Python caller, who
    sends nothing, reads too."""
    note = skipped_steps_note("steps of the model's frequency, monthly (MS),", {"a": 2}, 3)
    assert note.endswith("give every step, a missing value as NaN (null in JSON), to say so yourself")
    lacked, advice = calendar_advice()
    assert "send" not in advice and "timestamps" in advice and "ISO-8601 in JSON" in advice, advice
    assert calendar_advice(HistoryFile("h.csv"))[1] == "give h.csv a time column of dates"
