"""The sampling-mismatch error says both rates in words: a walkthrough got "series 'b' is sampled
every 7 days 00:00:00 (from its timestamps), but this dlinear model forecasts h series", where
"h series" reads as a series named h and the duration is a raw ``Timedelta``."""

from __future__ import annotations

import numpy as np
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


def test_months_kept_unevenly_are_monthly_and_a_quarterly_series_with_one_monthly_step_is_not():
    """A monthly history that skips months unevenly has a median step of several months; its
    shortest step is the model's, so it is at the model's rate (the step grid fills or refuses
    the skipped months). It was refused as "sampled monthly (MS) ..., but this model forecasts
    monthly (MS) series". A quarterly history with one monthly step stays another rate."""
    months = pd.date_range("2000-01-01", periods=24, freq="MS")
    uneven = months[[0, 1, 4, 9, 10, 16, 20, 23]].to_numpy()
    check_sampling(uneven, "MS", sid="s1", model="naive", field="series[0]")  # no refusal
    quarters = pd.date_range("2000-01-01", periods=12, freq="QS").to_numpy()
    with_one_month = np.sort(np.append(quarters, np.datetime64("2000-02-01")))
    with pytest.raises(DataValidationError, match=r"sampled every 9\d days \(9\dD\)"):
        check_sampling(with_one_month, "MS", sid="q", model="naive", field="series[0]")
