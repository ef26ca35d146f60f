"""Per-series holdout windows and rolling-origin cutoffs."""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError
from tsforge.panels.protocol import holdout_split, rolling_origin


def _panel() -> Panel:
    # values encode (series, position) so every window can be checked by value
    lengths = [7, 10, 5]
    arrays = [100.0 * i + np.arange(n) for i, n in enumerate(lengths)]
    starts = np.array(["2020-01-01", "2018-06-01", "2021-03-01"], dtype="datetime64[ns]")
    return Panel.from_arrays(arrays, ids=["a", "b", "c"], starts=starts, freq="MS")


def test_holdout_borders_are_per_series_and_disjoint():
    p = _panel()
    s = holdout_split(p, h=2)
    assert list(s.train.lengths) == [3, 6, 1]
    assert list(s.history.lengths) == [5, 8, 3]
    np.testing.assert_array_equal(s.val, [[3, 4], [106, 107], [201, 202]])
    np.testing.assert_array_equal(s.test, [[5, 6], [108, 109], [203, 204]])
    for i in range(len(p)):
        # no test (or validation) target reaches the training part
        assert s.train.series(i).max() < s.val[i].min() < s.test[i].min()
    frame = s.test_frame()
    assert list(frame.loc[frame.unique_id == "c", "ds"]) == list(p.timestamps(2)[-2:])


def test_holdout_names_too_short_series():
    with pytest.raises(DataValidationError) as err:
        holdout_split(_panel(), h=3)  # needs 1 + 3 + 3 = 7 values: 'c' has 5
    assert "1 of 3 series" in str(err.value) and "'c'" in str(err.value)
    assert err.value.where["series"] == "c"


def test_holdout_without_validation_window():
    s = holdout_split(_panel(), h=4, val_h=0)
    assert s.val.shape == (3, 0)
    assert list(s.train.lengths) == [3, 6, 1]


def test_rolling_origin_cutoffs_skip_short_series_per_window():
    ro = rolling_origin(_panel(), h=2, n_windows=3, step_size=2)
    # lengths 7, 10, 5: window w trains on length - 2 - (2 - w) * 2 values
    np.testing.assert_array_equal(ro.cutoffs, [[1, 4, -1], [3, 6, 1], [5, 8, 3]])
    idx, cut = ro.window(0)
    assert list(idx) == [0, 1] and list(cut) == [1, 4]


def test_rolling_origin_default_step_is_h():
    assert rolling_origin(_panel(), h=1, n_windows=2).step_size == 1
    assert rolling_origin(_panel(), h=3, n_windows=1).cutoffs.tolist() == [[4, 7, 2]]
