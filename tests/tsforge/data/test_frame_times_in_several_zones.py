"""A pandas frame whose time column holds aware times in several zones (series ``a`` stamped at
Berlin midnights across a summer-time change, ``b`` at Kolkata midnights) is read as the same
times written as text with their offsets are: each series at its own local midnight, so it
trains as it forecasts. Arrow restated every cell in the first cell's zone (Kolkata midnight as
19:30 or 20:30 in Berlin), and training then refused series ``a`` as irregular while
``predict_frame`` forecast the frame."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tsforge.data.load import load_panel

N = 30


def _frame(as_text: bool) -> pd.DataFrame:
    berlin = pd.date_range("2020-03-15", periods=N, freq="D", tz="Europe/Berlin")
    kolkata = pd.date_range("2020-03-15", periods=N, freq="D", tz="Asia/Kolkata")
    times = [*berlin, *kolkata]
    return pd.DataFrame(
        {
            "unique_id": ["a"] * N + ["b"] * N,
            "ds": [t.isoformat() for t in times] if as_text else times,
            "y": np.r_[np.arange(N), np.arange(N)].astype(float),
        }
    )


def test_times_in_several_zones_are_read_as_their_text_is():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        objects = load_panel(_frame(as_text=False)).panel
        text = load_panel(_frame(as_text=True)).panel
    first = objects.times_at(np.array([0, 1]), np.array([0, 0]))
    assert list(first) == list(np.array(["2020-03-15", "2020-03-15"], dtype="datetime64[ns]")), first
    assert objects.freq == text.freq == "D"
    np.testing.assert_array_equal(objects.last_times(), text.last_times())
