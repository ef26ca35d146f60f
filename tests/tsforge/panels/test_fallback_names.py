"""The fallback note names the series that fell back, and its advice fits where it is said.

Found by a first-user walkthrough: ``tsforge forecast`` with a registered seasonal-naive model
printed "7 of 10 series were too short for seasonal_naive ... a shorter season fits more series:
--option season_length=N" — without saying which seven, and with an option ``forecast`` does not
take (the season is the trained model's). At training the option stays the advice.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from tests.tsforge.panels.test_fallback_reasons import _panel
from tsforge.errors import ConfigError, FallbackWarning
from tsforge.panels.local import forecast_local, merge_forecasts, warn_fallbacks


def _note(frame: pd.DataFrame, model: str, n: int, **kwargs: Any) -> str:
    with pytest.warns(FallbackWarning) as caught:
        warn_fallbacks(frame, model, n, **kwargs)
    (message,) = [str(w.message) for w in caught]
    return message


def test_the_note_names_the_first_series_and_counts_the_others():
    # s0..s6 are shorter than a monthly season (12): seasonal naive falls back on them, not s7, s8
    panel = _panel([5, 6, 7, 8, 9, 10, 11, 30, 40], "MS")
    frame = forecast_local(panel, ["seasonal_naive"], 3, progress=False)
    note = _note(frame, "seasonal_naive", len(panel), season=12)
    assert note.startswith("7 of 9 series were too short for seasonal_naive"), note
    assert ": s0, s1, s2, s3, s4 and 2 more;" in note, note
    assert "s7" not in note and "s8" not in note, note


def test_a_few_series_are_all_named_without_a_count():
    panel = _panel([5, 30, 6], "MS")
    frame = forecast_local(panel, ["seasonal_naive"], 3, progress=False)
    note = _note(frame, "seasonal_naive", len(panel), season=12)
    assert "(naive, or simpler): s0, s2;" in note, note
    assert " more;" not in note, note


def test_the_named_series_follow_the_panel_order_across_chunks():
    """Many chunks (one series each here) keep the first ids in panel order, and only a few."""
    from tsforge.panels.local import NAMED_FALLBACKS

    panel = _panel([5] * 12 + [30], "MS")
    chunks = panel.chunks(len(panel))
    frames = [forecast_local(c, ["seasonal_naive"], 2, progress=False) for c in chunks]
    merged = merge_forecasts(frames)
    assert merged.attrs["fallbacks"] == {"seasonal_naive": 12}
    assert merged.attrs["fallback_ids"]["seasonal_naive"] == [f"s{i}" for i in range(NAMED_FALLBACKS)]


def test_at_training_the_advice_is_the_season_option():
    panel = _panel([5, 30], "MS")
    frame = forecast_local(panel, ["seasonal_naive"], 3, progress=False)
    note = _note(frame, "seasonal_naive", len(panel), season=12, stage="train")
    assert "at season 12 seasonal_naive needs at least 12 values, a shorter season fits more series" in note
    assert "--option season_length=N" in note, note


def test_at_forecast_the_advice_is_longer_histories_or_training_again():
    """A trained model's season is fixed: ``tsforge forecast`` takes no --option."""
    panel = _panel([5, 30], "MS")
    frame = forecast_local(panel, ["seasonal_naive"], 3, progress=False)
    note = _note(frame, "seasonal_naive", len(panel), season=12, stage="forecast")
    assert "the model was trained at season 12, where seasonal_naive needs at least 12 values" in note, note
    assert "give those series longer histories, or train it again with a shorter season" in note, note
    assert "tsforge train ... --option season_length=N" in note, note
    assert "a shorter season fits more series" not in note, note


def test_an_unknown_stage_is_refused():
    panel = _panel([5, 30], "MS")
    frame = forecast_local(panel, ["seasonal_naive"], 3, progress=False)
    with pytest.raises(ConfigError, match="stage must be 'train' or 'forecast'"):
        warn_fallbacks(frame, "seasonal_naive", len(panel), season=12, stage="predict")
