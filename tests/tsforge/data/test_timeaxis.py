"""Time-column detection: it finds the dates and stays silent about columns that are not dates."""

from __future__ import annotations

import warnings

import polars as pl

from tsforge.data.timeaxis import detect_time_column


def test_text_columns_are_probed_without_warnings():
    """An id column ("s0", "s1") is probed as a possible date column; pandas' "could not infer
    format" warning would reach the user's terminal for a column that is not the answer."""
    frame = pl.DataFrame({"store": ["s0", "s1", "s2"], "month": ["2015-01-01", "2015-02-01", "2015-03-01"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert detect_time_column(frame) == "month"
    assert detect_time_column(pl.DataFrame({"store": ["s0", "s1"], "v": [1.0, 2.0]})) is None
