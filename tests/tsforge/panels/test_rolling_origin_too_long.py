"""A horizon no series fits one rolling-origin window of is refused naming the longest series,
its length and the horizon that fits, in Python's words and the command line's.

Found by a README walk: ``tsforge cv -H 100`` on series of at most 78 values said only "no series
is long enough for any window (h=100, n_windows=3, step_size=100) (field='h')".
"""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError
from tsforge.panels.protocol import TOO_SHORT_FOR_HORIZON, rolling_origin


def _panel() -> Panel:
    lengths = {"a": 12, "longest": 20, "c": 9}
    arrays = [np.arange(n, dtype=float) for n in lengths.values()]
    starts = np.array(["2020-01-01"] * 3, dtype="datetime64[ns]")
    return Panel.from_arrays(arrays, ids=list(lengths), starts=starts, freq="MS")


def _refusal(h: int, n_windows: int = 3, step_size: int | None = None) -> DataValidationError:
    with pytest.raises(DataValidationError) as err:
        rolling_origin(_panel(), h, n_windows, step_size)
    return err.value


def test_the_refusal_names_the_longest_series_and_the_horizon_that_fits():
    err = _refusal(25)
    assert "the longest, 'longest', has 20 values" in err.message, err.message
    assert "a window of 25 needs 26" in err.message, err.message
    # 18 is scored in one window (18 + 2 values before the cutoff, what MASE scales by);
    # 6 in all three (3 × 6 + 2 <= 20)
    assert "at most 18 (6 or less for all 3 windows)" in err.message, err.message
    assert "pass --horizon 18 or less (6 or less for all 3 windows)" in err.for_cli(), err.for_cli()
    assert "h=" not in err.for_cli() and "field='h'" not in err.for_cli(), err.for_cli()
    assert err.where["field"] == "horizon" and err.kind == TOO_SHORT_FOR_HORIZON


def test_the_horizons_it_suggests_fit():
    """The numbers said are the largest that keep two values before the cutoff (what the scores
    scale by; tests/tsforge/panels/test_cv_scored_horizon.py scores them): one more keeps fewer."""
    panel = _panel()
    assert (rolling_origin(panel, 18, 3).cutoffs >= 2).any()
    assert not (rolling_origin(panel, 19, 3).cutoffs >= 2).any()
    every = rolling_origin(panel, 6, 3).cutoffs[:, 1]  # the longest series, all three windows
    assert (every >= 2).all(), every
    assert (rolling_origin(panel, 7, 3).cutoffs[:, 1] < 2).any()


def test_a_given_step_size_sets_what_all_windows_need():
    err = _refusal(30, n_windows=3, step_size=2)
    # every window with steps of 2: h + 2 × 2 + 2 <= 20, so h <= 14
    assert "at most 18 (14 or less for all 3 windows)" in err.message, err.message
    assert (rolling_origin(_panel(), 14, 3, 2).cutoffs[:, 1] >= 2).all()
    assert (rolling_origin(_panel(), 15, 3, 2).cutoffs[:, 1] < 2).any()


def test_one_window_asked_says_one_horizon():
    err = _refusal(25, n_windows=1)
    assert "ask for a horizon of at most 18: " in err.message, err.message
    assert "or less for all" not in err.message, err.message
