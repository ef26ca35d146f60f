"""Month-start and anchored-week calendar grids computed with numpy equal pandas' date ranges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.calendar_grid import _fast_grid, grid_points, grid_positions


@pytest.mark.parametrize(
    "freq", ["MS", "2MS", "QS", "QS-FEB", "QS-DEC", "YS", "YS-JUL", "3YS", "W-MON", "W-SUN", "2W-WED"]
)
def test_calendar_grids_match_pandas(freq):
    rng = np.random.default_rng(len(freq))
    for _ in range(25):
        start = pd.Timestamp("1950-01-01") + pd.DateOffset(months=int(rng.integers(0, 900)))
        start = pd.date_range(start, periods=1, freq=freq)[0]  # a date on the grid
        periods = int(rng.integers(0, 60))
        expected = pd.date_range(start, periods=periods, freq=freq).asi8
        np.testing.assert_array_equal(grid_points(start.value, periods, freq), expected)
        # positions of on-grid dates and of one off-grid date, as pandas' grid gives them
        ts = np.concatenate([[start.value], expected, [start.value + 86_400 * 10**9]])
        grid = pd.date_range(pd.Timestamp(ts.min()), pd.Timestamp(ts.max()), freq=freq).asi8
        pos = np.searchsorted(grid, ts)
        got_pos, got_on = grid_positions(ts, freq)
        np.testing.assert_array_equal(got_pos, pos)
        np.testing.assert_array_equal(got_on, grid[np.minimum(pos, grid.size - 1)] == ts)


def test_other_frequencies_and_off_grid_starts_are_left_to_pandas():
    assert _fast_grid(pd.Timestamp("2020-01-15").value, 3, "MS") is None  # not a month start
    assert _fast_grid(pd.Timestamp("2020-01-31").value, 3, "ME") is None  # month *end*
    assert _fast_grid(pd.Timestamp("2260-01-01").value, 100, "YS") is None  # past nanoseconds
    assert _fast_grid(pd.Timestamp("2262-03-03").value, 20, "W-MON") is None  # a Monday; weeks past them
    assert _fast_grid(pd.Timestamp("2262-03-03").value, 3, "W-MON") is not None
    assert _fast_grid(pd.Timestamp("2020-01-07").value, 3, "W-MON") is None  # a Tuesday
    assert _fast_grid(pd.Timestamp("2020-01-06").value, 3, "B") is None  # business days: pandas
