"""``train`` on long multichannel data says what a forecast of the same data says.

* Missing values: a window model's input windows carry the last observed value over a gap and
  its loss leaves the missing targets out; 151 missing values of one channel were trained
  around without a word, where ``forecast`` (and a panel's ``train``) name them.
* Coordinates: ``train --coords`` with a model that has no coordinate embedding (DLinear)
  trained without a word; only its forecast said the coordinates were not used.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tsforge.data.panel_checks import FilledValuesWarning
from tsforge.errors import UnusedCoordinatesWarning
from tsforge.pipeline import train

#: three stations' coordinates (id → lat, lon)
STATIONS = {"a": (45.0, 7.0), "b": (46.0, 8.0), "c": (47.0, 9.0)}


def _wide(gap: slice | None = None) -> pd.DataFrame:
    """Three hourly channels of 400 steps, channel ``b`` missing over ``gap``."""
    rng = np.random.default_rng(0)
    t = np.arange(400)
    frame = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=400, freq="h")})
    for j, name in enumerate("abc"):
        frame[name] = np.sin(2 * np.pi * t / 24 + j) + rng.normal(0, 0.1, t.size)
    if gap is not None:
        frame.loc[gap, "b"] = np.nan
    return frame


def _notes(model: str, frame: pd.DataFrame, **options) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        train(
            frame,
            model,
            input_len=24,
            horizon=6,
            split="7:1:2",
            train_config={"max_epochs": 1},
            track=False,
            progress=False,
            **options,
        )
    return list(log)


def test_missing_training_values_of_long_data_are_noted_once_with_their_channel():
    log = _notes("dlinear", _wide(gap=slice(100, 139)))  # 40 values, all in the training rows
    said = [str(w.message) for w in log if issubclass(w.category, FilledValuesWarning)]
    assert len(said) == 1, [str(w.message) for w in log]
    assert "40 missing values in 1 of 3 series: 'b' (40)" in said[0], said
    assert "dlinear's input windows carry the last observed value over them" in said[0], said
    assert "test window" not in said[0]  # none lies in the test rows


def test_missing_test_values_of_long_data_are_said_to_be_left_unscored():
    log = _notes("dlinear", _wide(gap=slice(350, 354)))  # 5 values in the test rows (320…399)
    said = [str(w.message) for w in log if issubclass(w.category, FilledValuesWarning)]
    assert len(said) == 1 and "5 missing values in 1 of 3 series: 'b' (5)" in said[0], said
    assert "5 of them lie in the test window, which is scored without them" in said[0], said


def test_complete_long_data_draw_no_note_on_missing_values():
    log = _notes("dlinear", _wide())
    assert not [w for w in log if issubclass(w.category, FilledValuesWarning)]


def test_coordinates_a_trained_model_does_not_read_are_noted_by_train():
    log = _notes("dlinear", _wide(), load_kwargs={"coords": STATIONS})
    said = [str(w.message) for w in log if issubclass(w.category, UnusedCoordinatesWarning)]
    assert len(said) == 1, [str(w.message) for w in log]
    assert "'dlinear' does not read station coordinates" in said[0], said
    assert "3 of 3 series ('a', 'b', 'c')" in said[0], said


def test_coordinates_are_not_noted_where_the_model_reads_them_or_none_were_given():
    assert not [
        w
        for w in _notes("stpe_mlp", _wide(), load_kwargs={"coords": STATIONS})
        if issubclass(w.category, UnusedCoordinatesWarning)
    ]
    assert not [w for w in _notes("dlinear", _wide()) if issubclass(w.category, UnusedCoordinatesWarning)]
