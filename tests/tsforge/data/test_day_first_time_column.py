"""A time column of day-first dates (``08/01/2017``) is found as the time column of a wide file
even when its first values also read month-first.

Why: the probe parsed five values with the format pandas infers from the first one
(``01/01/2017`` → month-first), failed on ``15/01/2017``, and the column was read as a series:
"non-numeric value '01/01/2017' in column 'Week'". The reader itself parses day-first dates; only
the detection missed them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data.load import load_panel
from tsforge.data.timeaxis import detect_time_column


def _weeks(n: int = 30) -> list[str]:
    return list(pd.date_range("2017-01-01", periods=n, freq="W-SUN").strftime("%d/%m/%Y"))


def test_day_first_text_dates_are_the_time_column():
    frame = pl.DataFrame({"Week": _weeks(), "a": np.arange(30.0)})
    assert detect_time_column(frame) == "Week"


def test_a_wide_file_with_day_first_weeks_reads_with_dates(tmp_path):
    path = tmp_path / "weekly.csv"
    pd.DataFrame({"Week": _weeks(), "north": np.arange(30.0), "south": np.ones(30)}).to_csv(path, index=False)
    panel = load_panel(str(path)).panel
    assert list(panel.ids) == ["north", "south"] and panel.freq == "W-SUN"
    assert pd.Timestamp(panel.last_times()[0]) == pd.Timestamp("2017-07-23")


def test_text_that_is_no_date_either_way_is_still_not_a_time_column():
    frame = pl.DataFrame({"code": ["s0", "s1", "s2"], "a": [1.0, 2.0, 3.0]})
    assert detect_time_column(frame) is None
