"""``train_panel`` / ``evaluate_panel_model`` with ``drop_short=True`` leave out a one-value series.

Found by a user walk (s72): the README says ``drop_short=True`` "also leaves out a series with
fewer than two values", as ``--drop-short`` does; in Python the reader refused the series
("leave it out with drop_too_few=True"). The entry points now pass ``drop_short`` to
:func:`~tsforge.data.load_options.merged_load_kwargs`, the one path both doors take.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforge.errors import DataValidationError, ShortSeriesWarning
from tsforge.pipeline import TrackingOptions, train_panel
from tsforge.pipeline.panel import evaluate_panel_model

_UNTRACKED = TrackingOptions(track=False, progress=False)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))


def _with_one_value_series() -> pd.DataFrame:
    ds = pd.date_range("2015-01-01", periods=30, freq="MS")
    frames = [
        pd.DataFrame({"unique_id": sid, "ds": ds, "y": 10.0 + i + np.arange(30) % 4})
        for i, sid in enumerate("ab")
    ]
    new = pd.DataFrame({"unique_id": ["NEW"], "ds": [pd.Timestamp("2017-07-01")], "y": [5.0]})
    return pd.concat([*frames, new], ignore_index=True)


def test_train_panel_without_drop_short_still_refuses_it():
    with pytest.raises(DataValidationError, match="'NEW'"):
        train_panel(_with_one_value_series(), "naive", horizon=3, tracking=_UNTRACKED)


def test_train_panel_with_drop_short_leaves_it_out_with_a_note():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = train_panel(_with_one_value_series(), "naive", horizon=3, drop_short=True, tracking=_UNTRACKED)
    assert sorted(map(str, out.panel.ids)) == ["a", "b"]
    assert any(issubclass(w.category, ShortSeriesWarning) and "NEW" in str(w.message) for w in caught)


def test_evaluate_panel_model_with_drop_short_leaves_it_out():
    frame = _with_one_value_series()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = train_panel(frame[frame.unique_id != "NEW"], "naive", horizon=3, tracking=_UNTRACKED)
        _, per_series = evaluate_panel_model(out.predictor, frame, drop_short=True)
    assert sorted(map(str, per_series["unique_id"])) == ["a", "b"]
