"""A forecast says how many missing values inside its histories the model fills, and how.

``train`` said so of the history it fits (``FilledValuesWarning``); a forecast filled an empty
cell of its history the same way (a local model interpolates it when it refits, a window or
global model carries the last value over it), behind every door, without a word.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tests.conftest import run_cli
from tsforge.data.frame import TimeSeriesData
from tsforge.data.panel_checks import FilledValuesWarning
from tsforge.data.task import prepare_task
from tsforge.inference import Predictor, SeriesInput
from tsforge.models import ModelContext, build_model
from tsforge.panels.predictor import PanelPredictor


def _said(call) -> list[str]:
    """The filled-values notes ``call()`` warns."""
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in log if issubclass(w.category, FilledValuesWarning)]


def _window_predictor() -> Predictor:
    """An untrained DLinear reading 24 hourly steps of channels ``a``, ``b``."""
    values = np.random.default_rng(0).normal(size=(300, 2)).astype(np.float32)
    ts = pd.date_range("2021-01-01", periods=300, freq="h").values
    task = prepare_task(TimeSeriesData(values, ts, ("a", "b"), "h", coords=None), 24, 6)
    return Predictor(build_model("dlinear", ModelContext.from_task(task), {}), task.scaler)


def test_a_local_model_says_it_interpolates_one_missing_value():
    predictor = PanelPredictor("naive", 3, freq=None, season_length=1)
    history = np.arange(1.0, 21.0)
    gap = history.copy()
    gap[5] = np.nan
    notes = _said(lambda: predictor.predict_series([SeriesInput("a", gap), SeriesInput("b", history)], 3))
    assert notes == [
        "1 missing value in 1 of 2 series: 'a' (1); naive is fitted with it filled by linear "
        "interpolation between the observed values around it"
    ]


def test_trailing_and_leading_missing_values_are_not_counted_as_filled():
    """Trailing ones are trimmed (their own note), leading ones are no part of the history."""
    predictor = PanelPredictor("naive", 3, freq=None, season_length=1)
    ends = np.r_[np.nan, np.nan, np.arange(1.0, 19.0), np.nan]
    assert _said(lambda: predictor.predict_series([SeriesInput("a", ends)], 3)) == []


def test_a_window_model_counts_only_what_its_input_window_reads():
    predictor = _window_predictor()
    history = np.sin(np.arange(60) / 3.0)
    early, late = history.copy(), history.copy()
    early[10] = np.nan  # 50 steps before the end: outside the 24 the model reads
    late[[50, 55]] = np.nan
    assert _said(lambda: predictor.predict_series([SeriesInput("a", early)], 6)) == []
    notes = _said(lambda: predictor.predict_series([SeriesInput("a", late), SeriesInput("b", early)], 6))
    assert notes == [
        "2 missing values in 1 of 2 series: 'a' (2); dlinear's input window carries the last "
        "observed value over them"
    ]


def test_the_cli_forecast_names_the_file(tmp_path, capsys, monkeypatch):
    """``tsforge forecast`` of a file with an empty ``y`` cell prints one note naming the file."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    dates = pd.date_range("2020-01-01", periods=24, freq="MS")
    rows = pd.concat(
        [
            pd.DataFrame({"unique_id": sid, "ds": dates, "y": np.arange(24.0) + k})
            for k, sid in enumerate("ab")
        ]
    )
    rows.to_csv("train.csv", index=False)
    code, out, err = run_cli(capsys, "train", "train.csv", "--model", "naive", "--horizon", "3")
    assert code == 0, out + err
    rows.loc[(rows["unique_id"] == "b") & (rows["ds"] == dates[10]), "y"] = np.nan
    rows.to_csv("history.csv", index=False)
    code, out, err = run_cli(
        capsys, "forecast", "--model", "train-naive", "--input", "history.csv", "--output", "f.csv"
    )
    assert code == 0, out + err
    said = " ".join(err.split())
    assert (
        said.count("note: history.csv: 1 missing value in 1 of 2 series: 'b' (1); naive is fitted with it")
        == 1
    ), err
