"""Times with UTC offsets in a long table, read at their wall-clock time or in UTC series by series
(``ids``: each row's series) rather than by the whole column.

Found: a panel of Berlin midnights (+01:00, then +02:00 from 29 March) beside New York 06:00 has
two times of day as a column though each series has one; it was called "sub-daily", read in UTC,
and its Berlin series refused as irregular at the clock change by training and forecast alike.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.timeaxis import parse_time_column

DAYS = 20  # from 2020-03-20: Berlin's clock changes on the 29th


def _daily(start: str, zone: str, n: int = DAYS, freq: str = "D") -> list[pd.Timestamp]:
    return list(pd.date_range(start, periods=n, freq=freq, tz=zone))


def _read(column: pl.Series, ids: np.ndarray | None) -> tuple[np.ndarray, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keys, dated = parse_time_column(column, column="ds", file=None, ids=ids)
    assert dated
    return keys, [str(w.message) for w in caught]


def _text(times: list[pd.Timestamp]) -> pl.Series:
    return pl.Series("ds", [t.isoformat() for t in times])


def _wall_clock(times: list[pd.Timestamp]) -> np.ndarray:
    return np.array([t.tz_localize(None) for t in times], dtype="datetime64[ns]")


BERLIN = _daily("2020-03-20", "Europe/Berlin")
NEW_YORK = _daily("2020-03-20 06:00", "America/New_York")
IDS = np.array(["a"] * DAYS + ["b"] * DAYS)


@pytest.mark.parametrize(
    "column",
    [_text(BERLIN + NEW_YORK), pl.Series("ds", BERLIN + _daily("2020-03-20 06:00", "Europe/Berlin"))],
    ids=["text in two zones", "one zone-aware column"],
)
def test_each_daily_series_is_read_at_its_own_time_of_day(column):
    keys, notes = _read(column, IDS)
    assert (keys[:DAYS] == _wall_clock(BERLIN)).all(), keys[:DAYS]  # midnights across the clock change
    assert (pd.DatetimeIndex(keys[DAYS:]).hour == 6).all(), keys[DAYS:]
    assert (np.diff(keys[:DAYS]) == np.timedelta64(1, "D")).all()  # regular: one day a step
    assert not [n for n in notes if "sub-daily" in n], notes


def test_a_sub_daily_series_beside_a_daily_one_keeps_utc_and_its_note():
    hourly = _daily("2020-03-28", "Europe/Berlin", n=48, freq="h")
    keys, notes = _read(_text(BERLIN + hourly), np.array(["a"] * DAYS + ["h"] * 48))
    assert (keys[:DAYS] == _wall_clock(BERLIN)).all()
    utc = np.array([t.tz_convert("UTC").tz_localize(None) for t in hourly], dtype="datetime64[ns]")
    assert (keys[DAYS:] == utc).all()  # regular in UTC across the hour the wall clock skips
    said = [n for n in notes if "sub-daily" in n]
    assert len(said) == 1 and "2020-03-28T00:00:00+01:00 is 2020-03-27 23:00:00 UTC" in said[0], notes


@pytest.mark.parametrize(
    "times",
    [BERLIN, _daily("2020-03-28", "Europe/Berlin", n=48, freq="h")],
    ids=["daily", "hourly"],
)
def test_one_series_reads_as_its_column_does(times):
    column = _text(times)
    by_series, notes = _read(column, np.array(["a"] * len(times)))
    whole, whole_notes = _read(column, None)
    assert (by_series == whole).all()
    assert notes == whole_notes


def test_a_series_of_one_time_is_read_as_the_column_is():
    """One time tells no sampling rate: that series follows the whole column's reading."""
    lone = _daily("2020-04-20", "Europe/Berlin", n=1)
    keys, _ = _read(_text(BERLIN + NEW_YORK + lone), np.r_[IDS, ["c"]])
    assert keys[-1] == np.datetime64("2020-04-19T22:00")  # the column has two times of day: UTC
    keys, _ = _read(_text(BERLIN + lone), np.array(["a"] * DAYS + ["c"]))
    assert keys[-1] == np.datetime64("2020-04-20T00:00")  # one time of day: wall clock
