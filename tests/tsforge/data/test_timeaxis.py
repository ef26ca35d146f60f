"""Time-column detection: it finds the dates and stays silent about columns that are not dates."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest

from tsforge.data.layouts import wide_matrix
from tsforge.data.timeaxis import detect_time_column, integer_step, next_integer_steps
from tsforge.errors import DataValidationError


def test_text_columns_are_probed_without_warnings():
    """An id column ("s0", "s1") is probed as a possible date column; pandas' "could not infer
    format" warning would reach the user's terminal for a column that is not the answer."""
    frame = pl.DataFrame({"store": ["s0", "s1", "s2"], "month": ["2015-01-01", "2015-02-01", "2015-03-01"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert detect_time_column(frame) == "month"
    assert detect_time_column(pl.DataFrame({"store": ["s0", "s1"], "v": [1.0, 2.0]})) is None


def test_integer_steps_continue_on_their_grid_step():
    np.testing.assert_array_equal(next_integer_steps(np.array([3, 4, 5]), 2), [6, 7])
    # one gap does not change the spacing; a huge key does not blow up memory (no bincount)
    np.testing.assert_array_equal(next_integer_steps(np.array([0, 10, 20, 40, 50]), 3), [60, 70, 80])
    big = 10**15 + 10**12 * np.arange(4)
    assert integer_step(big) == 10**12
    assert integer_step(np.array([7])) == 1 and next_integer_steps(np.array([7]), 1).tolist() == [8]
    # steps of 2 and one of 3 lie on no grid coarser than 1: the next key is the next integer
    assert integer_step(np.array([0, 2, 4, 6, 9])) == 1
    assert next_integer_steps(np.array([0, 2, 4, 6, 9]), 2).tolist() == [10, 11]


def test_wide_integer_time_off_its_usual_step_is_named_and_filled_on_the_common_grid():
    """Steps of 2 and one of 3 (``0, 2, 4, 6, 9``): ``--fill-gaps`` crashed (IndexError: the
    gap filler put 9 on a grid of step 2); the error now names the step that breaks the usual
    one, and filling puts every row on the one grid they all lie on (step 1), as the long reader
    does."""
    frame = pl.DataFrame({"t": [0, 2, 4, 6, 9], "a": [1.0, 2.0, 3.0, 4.0, 5.0]})
    with pytest.raises(DataValidationError, match=r"advances by 2 but not from 6 to 9 \(at row 4\)") as exc:
        wide_matrix(frame, time_col="t")
    assert exc.value.where["row"] == 4 and "pass fill_gaps=True to put" in exc.value.message
    assert "pass --fill-gaps to put" in exc.value.for_cli() and "fill_gaps=" not in exc.value.for_cli()
    filled = wide_matrix(frame, time_col="t", fill_gaps=True)
    assert filled.int_step == 1 and filled.first_step == 0
    np.testing.assert_array_equal(filled.values[[0, 2, 4, 6, 9], 0], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert np.isnan(filled.values[[1, 3, 5, 7, 8], 0]).all()
    # a whole number of usual steps missing keeps the usual step
    fives = wide_matrix(
        pl.DataFrame({"t": [1980, 1985, 1995], "a": [1.0, 2.0, 3.0]}), time_col="t", fill_gaps=True
    )
    assert (
        fives.int_step == 5 and fives.values[:, 0].tolist()[:2] == [1.0, 2.0] and np.isnan(fives.values[2, 0])
    )


def test_a_first_column_named_year_with_a_year_missing_is_the_time_axis():
    """``year,a`` with 1983 missing was read as two series, one of them the years (trained on
    silently); a rising first column named as a step index is the time axis, so the gap gets the
    spacing error and ``--fill-gaps`` works. Unnamed, uneven integers stay values."""
    years = [1980, 1981, 1982, 1984, 1985]
    assert detect_time_column(pl.DataFrame({"year": years, "a": [1.0] * 5})) == "year"
    assert detect_time_column(pl.DataFrame({"count": years, "a": [1.0] * 5})) is None
    assert detect_time_column(pl.DataFrame({"year": [1980, 1979, 1981], "a": [1.0] * 3})) is None
    with pytest.raises(DataValidationError, match="fill_gaps=True") as exc:
        wide_matrix(pl.DataFrame({"year": years, "a": [1.0] * 5}), time_col="year")
    assert "--fill-gaps" in exc.value.for_cli()
