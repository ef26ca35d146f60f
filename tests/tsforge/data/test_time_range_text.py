"""The range of dates a time axis holds is public (``TIME_RANGE``, ``TIME_RANGE_TEXT``), so the
service's readers of JSON times refuse what the library's reader refuses, in its words.

Before, the service kept a range of its own (1700-01-01 to 2200-01-01) and refused dates the
library reads.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import polars as pl
import pytest

from tsforge.data import timeaxis
from tsforge.data.timeaxis import parse_time_column
from tsforge.errors import DataValidationError


def test_the_range_is_what_nanoseconds_hold():
    lo, hi = timeaxis.TIME_RANGE
    assert (lo.date(), hi.date()) == (date(1677, 9, 21), date(2262, 4, 11))
    assert timeaxis.TIME_RANGE_TEXT == "1677-09-21 to 2262-04-11"


@pytest.mark.parametrize("text", ["2262-04-12", "1677-09-20"])
def test_the_reader_quotes_the_range(text):
    with pytest.raises(DataValidationError) as caught:
        parse_time_column(pl.Series("ds", ["2000-01-01", text]), column="ds", file=None)
    assert f"({timeaxis.TIME_RANGE_TEXT})" in caught.value.message, caught.value.message


def test_the_last_day_is_read():
    keys, dated = parse_time_column(pl.Series("ds", ["2262-04-10", "2262-04-11"]), column="ds", file=None)
    assert dated and keys[-1] == pd.Timestamp(datetime(2262, 4, 11)).to_datetime64()
