"""The sampling-mismatch error says both rates in words: a walkthrough got "series 'b' is sampled
every 7 days 00:00:00 (from its timestamps), but this dlinear model forecasts h series", where
"h series" reads as a series named h and the duration is a raw ``Timedelta``."""

from __future__ import annotations

import pandas as pd
import pytest

from tsforge.data.frequency import check_sampling
from tsforge.errors import DataValidationError


def _message(freq: str, periods: int, model_freq: str) -> str:
    ts = pd.date_range("2024-01-07", periods=periods, freq=freq).values
    with pytest.raises(DataValidationError) as err:
        check_sampling(ts, model_freq, sid="b", model="dlinear", field="series[1].timestamps")
    assert err.value.where["field"] == "series[1].timestamps"
    return err.value.message


def test_two_weekly_dates_for_an_hourly_model_read_in_words():
    """Two timestamps: no alias to infer, the step alone is described (the walkthrough's case)."""
    message = _message("W-SUN", 2, "h")
    assert message == (
        "series 'b' is sampled weekly (every 7 days) according to its timestamps, "
        "but this dlinear model forecasts hourly (h) series"
    )


@pytest.mark.parametrize(
    ("freq", "model_freq", "seen", "expected"),
    [
        ("W-SUN", "h", "weekly (W-SUN)", "hourly (h) series"),
        ("D", "MS", "daily (D)", "monthly (MS) series"),
        ("15min", "h", "every 15 minutes (15min)", "hourly (h) series"),
        ("h", "15min", "hourly (h)", "series sampled every 15 minutes (15min)"),
        ("MS", "QS-JAN", "monthly (MS)", "quarterly (QS-JAN) series"),
        ("6MS", "MS", "half-yearly (6MS)", "monthly (MS) series"),
        ("2MS", "D", "every 2 months (2MS)", "daily (D) series"),
    ],
)
def test_rates_are_words_with_their_alias(freq, model_freq, seen, expected):
    message = _message(freq, 30, model_freq)
    assert f"is sampled {seen} according to its timestamps" in message, message
    assert message.endswith(f"forecasts {expected}"), message
    assert "00:00:00" not in message


def test_an_unnamed_step_is_a_clean_duration():
    """90-minute steps with 2 timestamps: no word, no alias, a duration as a person writes it."""
    message = _message("90min", 2, "D")
    assert "is sampled every 1 hour 30 minutes according" in message, message
