"""Calendar indices of a known timestamp and the terms each frequency resolves."""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data import calendar_indices
from tsforge.data.calendar import CALENDAR_SIZES, CALENDAR_TERMS, resolvable_terms


def test_known_timestamp():
    ts = np.array(["2021-03-14T15:00", "2020-12-31T23:00", "2021-01-04T00:00"], dtype="datetime64[ns]")
    idx = calendar_indices(ts)
    assert idx.dtype == np.int64 and idx.shape == (3, 4)
    assert idx[0].tolist() == [15, 6, 13, 2]  # Sunday 14 March, 15:00
    assert idx[1].tolist() == [23, 3, 30, 11]  # Thursday 31 December
    assert idx[2].tolist() == [0, 0, 3, 0]  # Monday 4 January
    assert (idx < np.array([CALENDAR_SIZES[t] for t in CALENDAR_TERMS])).all()


def test_resolvable_terms():
    assert resolvable_terms("h") == ("hour", "dow", "dom", "month")
    assert resolvable_terms("15min") == ("hour", "dow", "dom", "month")
    assert resolvable_terms("D") == ("dow", "dom", "month")
    assert resolvable_terms("W") == ("dom", "month")
    assert resolvable_terms("W-TUE") == ("dom", "month")
    assert resolvable_terms("MS") == ("month",)
    assert resolvable_terms(None) == ()
    assert resolvable_terms("B") == ("dow", "dom", "month")
    assert resolvable_terms("QS") == ("month",)
    assert resolvable_terms("YS") == ()


@pytest.mark.parametrize(
    ("freq", "terms"),
    [("BYS", ()), ("BYE", ()), ("2BYS", ()), ("SMS", ("dom", "month")), ("6MS", ("month",))],
)
def test_business_years_and_semi_months_get_the_terms_of_their_step(freq, terms):
    """Business years (BYS, BYE) start with the B of business days and were read as daily data:
    weekday and day-of-month terms for a series with one value a year."""
    assert resolvable_terms(freq) == terms
