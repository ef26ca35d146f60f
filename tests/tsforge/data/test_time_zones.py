"""Time-zone-aware timestamps in user files: offsets that change with summer time, and which
clock (wall-clock or UTC) a series is read on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.load import load, load_panel
from tsforge.data.validation import parse_timestamps
from tsforge.errors import DataValidationError


def _long(ds: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(len(ds), dtype=float)})


def test_hourly_csv_across_a_clock_change_reads_as_regular_utc_hours(tmp_path):
    """pandas writes ``+01:00`` before the spring clock change and ``+02:00`` after it: one
    column, two offsets. It crashed the reader with ``AttributeError`` (a traceback from the
    CLI); the instants are regular hours in UTC, and that is how they are read."""
    ds = pd.date_range("2020-03-28", periods=72, freq="h", tz="Europe/Berlin")
    path = tmp_path / "hourly.csv"
    _long(ds).to_csv(path, index=False)
    panel = load_panel(str(path)).panel
    assert panel.freq == "h" and panel.lengths.tolist() == [72]
    assert panel.starts[0] == np.datetime64("2020-03-27T23:00", "ns")
    series = load(str(path)).series
    assert series.values.shape == (72, 1) and series.freq == "h"


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_daily_dates_at_local_midnight_keep_their_calendar_days(tmp_path, suffix):
    """A daily series at local midnight is 23:00 UTC in winter and 22:00 UTC in summer: read as
    UTC it was refused as irregular at the clock change, and every day moved to the day before.
    Times that share one time of day are read on the wall clock: the dates the file shows."""
    ds = pd.date_range("2020-03-01", periods=60, freq="D", tz="Europe/Berlin")
    path = tmp_path / f"daily.{suffix}"
    frame = _long(ds)
    frame.to_csv(path, index=False) if suffix == "csv" else frame.to_parquet(path)
    panel = load_panel(str(path)).panel
    assert panel.freq == "D"
    assert panel.starts[0] == np.datetime64("2020-03-01", "ns")
    assert load(str(path)).series.timestamps[-1] == np.datetime64("2020-04-29", "ns")


def test_zoned_text_with_a_bad_row_names_that_row():
    """The time-zone path still points at the text the user must fix."""
    stamps = [f"2020-03-{d:02d} 00:00:00+01:00" for d in range(1, 10)]
    stamps[4] = "not a date"
    with pytest.raises(DataValidationError) as err:
        parse_timestamps(pl.Series(stamps), column="ds")
    assert err.value.where["row"] == 4 and "'not a date'" in str(err.value)


def test_sub_daily_zoned_text_in_one_offset_stays_utc():
    """Sub-daily times keep UTC (their wall clock skips and repeats an hour a year)."""
    stamps = ["2020-01-01 00:00:00+05:00", "2020-01-01 01:00:00+05:00", "2020-01-01 02:00:00+05:00"]
    got = parse_timestamps(pl.Series(stamps), column="ds")
    assert got[0] == np.datetime64("2019-12-31T19:00", "ns")
