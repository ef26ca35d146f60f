"""Time-column detection: it finds the dates and stays silent about columns that are not dates."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from tsforge.data.timeaxis import detect_time_column, integer_step, next_integer_steps


def test_text_columns_are_probed_without_warnings():
    """An id column ("s0", "s1") is probed as a possible date column; pandas' "could not infer
    format" warning would reach the user's terminal for a column that is not the answer."""
    frame = pl.DataFrame({"store": ["s0", "s1", "s2"], "month": ["2015-01-01", "2015-02-01", "2015-03-01"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert detect_time_column(frame) == "month"
    assert detect_time_column(pl.DataFrame({"store": ["s0", "s1"], "v": [1.0, 2.0]})) is None


def test_integer_steps_continue_in_the_modal_spacing():
    np.testing.assert_array_equal(next_integer_steps(np.array([3, 4, 5]), 2), [6, 7])
    # one gap does not change the spacing; a huge key does not blow up memory (no bincount)
    np.testing.assert_array_equal(next_integer_steps(np.array([0, 10, 20, 40, 50]), 3), [60, 70, 80])
    big = 10**15 + 10**12 * np.arange(4)
    assert integer_step(big) == 10**12
    assert integer_step(np.array([7])) == 1 and next_integer_steps(np.array([7]), 1).tolist() == [8]
