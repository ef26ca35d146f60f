"""A panel's time axis at the edges of the dates it can hold refuses in tsforge's words.

Found by a review (s71): ``Panel.times_at`` recursed until ``RecursionError`` for a series whose
own values run past 2262 (the refusal asked ``times_at`` for the series' last time, itself past
the range); calendar panels whose starts span more than 292 years raised pandas' errors:
``OutOfBoundsTimedelta`` for business days one step on, "Offset <MonthBegin> did not increment
date" for 200,000 months, ``OutOfBoundsTimedelta`` for 200,000 weeks.
"""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data.panel import Panel
from tsforge.data.validation import PAST_RANGE
from tsforge.errors import DataValidationError


def _panel(freq: str, old: str, new: str) -> Panel:
    starts = np.array([old, new], dtype="datetime64[ns]")
    return Panel.from_arrays([np.arange(3.0)] * 2, ["old", "new"], starts=starts, freq=freq)


@pytest.mark.parametrize(("freq", "new"), [("YS", "2261-01-01"), ("D", "2262-04-10")])
def test_a_series_whose_own_values_run_past_the_range_is_refused_by_name(freq, new):
    panel = _panel(freq, "1990-01-01", new)
    with pytest.raises(DataValidationError, match=r"run past the dates tsforge can hold") as err:
        panel.times_at(np.array([1]), np.array([5]))
    assert err.value.where["series"] == "new" and err.value.where["field"] == "starts"
    assert f"series 'new' starts at {new}" in str(err.value), str(err.value)


def test_the_steps_of_such_a_series_that_fit_are_still_dated():
    """Guard: its first two values (2261, 2262) lie inside the range."""
    panel = _panel("YS", "1990-01-01", "2261-01-01")
    assert panel.times_at(np.array([1]), np.array([1]))[0] == np.datetime64("2262-01-01")


def test_business_days_of_starts_three_centuries_apart_are_dated():
    panel = _panel("B", "1700-01-04", "2000-01-03")
    got = panel.times_at(np.array([0, 1]), np.array([1, 1]))
    assert list(got) == [np.datetime64("1700-01-05"), np.datetime64("2000-01-04")]


@pytest.mark.parametrize(("freq", "old", "new"), [
    ("MS", "1700-01-01", "2000-01-01"),
    ("QS", "1700-01-01", "2000-01-01"),
    ("YS", "1700-01-01", "2000-01-01"),
    ("W-SUN", "1700-01-03", "2000-01-02"),
])  # fmt: skip
def test_steps_far_past_the_range_are_refused_naming_the_series(freq, old, new):
    panel = _panel(freq, old, new)
    with pytest.raises(DataValidationError) as err:
        panel.times_at(np.array([0, 1]), np.array([200_000, 1]))
    assert err.value.kind == PAST_RANGE and err.value.where["series"] == "old", str(err.value)
    assert "too late for 199998 steps after it" in str(err.value), str(err.value)
