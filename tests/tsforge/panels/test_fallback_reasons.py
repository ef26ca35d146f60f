"""The fallback note says why series were too short: the season the model was fitted at, the
values it needs there (from ``LocalModelSpec.min_length``) and the option that changes it.

Found by a first-user walkthrough: "32 of 40 series were too short for auto_ets ... forecast by
its fallback" on weekly data left the user guessing that ETS needs two seasons of 52 weeks.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import FallbackWarning
from tsforge.models.statistical import LocalOptions
from tsforge.panels.local import forecast_local, warn_fallbacks


def _panel(lengths: list[int], freq: str) -> Panel:
    rng = np.random.default_rng(0)
    arrays = [10 + np.sin(np.arange(n) / 3) + rng.normal(0, 0.1, n) for n in lengths]
    starts = [pd.Timestamp("2015-01-04" if freq == "W-SUN" else "2015-01-01")] * len(lengths)
    return Panel.from_arrays(arrays, ids=[f"s{i}" for i in range(len(lengths))], starts=starts, freq=freq)


def _note(frame: pd.DataFrame, model: str, n: int, **kwargs: Any) -> str:
    with pytest.warns(FallbackWarning) as caught:
        warn_fallbacks(frame, model, n, **kwargs)
    (message,) = [str(w.message) for w in caught]
    return message


def test_auto_ets_at_a_weekly_season_names_the_season_the_length_and_the_option():
    panel = _panel([60, 70, 80], "W-SUN")  # season 52: ETS-with-STL needs 104 values
    frame = forecast_local(panel, ["auto_ets"], 4, progress=False)
    note = _note(frame, "auto_ets", len(panel), season=panel.season_length)
    assert note.startswith("3 of 3 series were too short for auto_ets"), note
    assert "at season 52 auto_ets needs at least 104 values (2 seasons)" in note, note
    assert "--option season_length=N" in note and "model_config={'season_length': N}" in note, note


def test_the_season_given_is_the_one_named():
    """A model fitted at a season the user set (not the data's) is described at that season."""
    panel = _panel([10, 30], "D")  # the data's season is 7
    frame = forecast_local(
        panel, ["seasonal_naive"], 3, progress=False, options={"seasonal_naive": LocalOptions(12)}
    )
    note = _note(frame, "seasonal_naive", len(panel), season=12)
    assert note.startswith("1 of 2 series was too short for seasonal_naive"), note
    # one season: no "(1 seasons)"
    assert "at season 12 seasonal_naive needs at least 12 values, a shorter season" in note, note


def test_a_length_that_does_not_depend_on_the_season_gets_no_season_advice():
    """rw_drift needs 2 values whatever the season: a shorter season would not help."""
    panel = _panel([30, 30], "MS")
    frame = forecast_local(panel, ["rw_drift"], 3, progress=False)
    frame.attrs["fallbacks"] = {"rw_drift": 1}  # a series it failed on (a panel holds none shorter)
    note = _note(frame, "rw_drift", len(panel), season=panel.season_length)
    assert note.startswith("1 of 2 series was too short for rw_drift"), note
    assert "season" not in note, note


def test_no_fallback_no_note():
    panel = _panel([30, 30], "MS")
    frame = forecast_local(panel, ["naive"], 3, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        assert warn_fallbacks(frame, "naive", len(panel)) == 0
