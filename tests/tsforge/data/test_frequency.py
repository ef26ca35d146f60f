"""One answer to "how long is a step": fixed steps for forecasts, steps per day for the recommender."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tsforge.data.frequency import fixed_step, steps_per_day


@pytest.mark.parametrize(
    ("freq", "step"),
    [("h", "1h"), ("15min", "15min"), ("10min", "10min"), ("D", "1D"), ("30s", "30s"), ("2h", "2h")],
)
def test_fixed_step_of_fixed_frequencies(freq, step):
    assert fixed_step(freq) == np.timedelta64(pd.Timedelta(step).value, "ns")


@pytest.mark.parametrize("freq", ["MS", "ME", "QS", "YS", "W-SAT", "B", "nonsense", "", None])
def test_no_fixed_step_for_calendar_offsets_or_unknown(freq):
    assert fixed_step(freq) is None


# Values the recommender's knowledge base was built with (moved from recommender.ranker).
@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("h", 24.0),
        ("15min", 96.0),
        ("10min", 144.0),
        ("D", 1.0),
        ("MS", 1 / 30.4),
        ("M", 1 / 30.4),
        ("QS", 1 / 91.3),
        ("YS", 1 / 365.25),
        ("W-SAT", math.nan),
        ("B", math.nan),
        ("xyz", math.nan),
        (None, math.nan),
    ],
)
def test_steps_per_day(freq, expected):
    got = steps_per_day(freq)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)
