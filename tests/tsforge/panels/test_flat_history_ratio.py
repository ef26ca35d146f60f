"""The flat-history ratio: how a panel's series change relative to their level, the scale a
series that never changed borrows (see tests/tsforge/panels/test_flat_history_band.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tsforge.panels.conformal import CALIBRATION_FILE, ConformalCalibration
from tsforge.panels.local_scale import flat_history_ratio, history_scales


def _csr(arrays):
    return np.concatenate(arrays), np.r_[0, np.cumsum([a.size for a in arrays])]


def test_the_ratio_is_the_median_change_over_level_of_the_series_that_change():
    moving = [np.array([10.0, 11.0, 10.0, 11.0]), np.array([100.0, 104.0, 100.0]), np.array([2.0, 2.5, 2.0])]
    # mean |change| / mean |y|: 1/10.5, 4/101.33, 0.5/2.1667 → median 1/10.5
    values, indptr = _csr([*moving, np.full(5, 7.0), np.zeros(4)])  # flat and zero series: no vote
    assert flat_history_ratio(values, indptr) == pytest.approx(1 / 10.5)


def test_no_change_is_read_across_two_series_and_missing_values_are_skipped():
    values, indptr = _csr([np.array([5.0, 5.0, 5.0]), np.array([500.0, np.nan, 510.0, 500.0])])
    # the step 5 → 500 joins two series; the second's changes are 10 over 3 observed values
    assert flat_history_ratio(values, indptr) == pytest.approx(10 / (1510 / 3))


def test_a_panel_with_no_moving_series_keeps_the_level():
    values, indptr = _csr([np.full(4, 42.0), np.zeros(3)])
    assert flat_history_ratio(values, indptr) == 1.0
    assert flat_history_ratio(np.empty(0), np.array([0])) == 1.0


def test_only_a_flat_nonzero_history_takes_the_ratio():
    histories = [np.full(6, 42.0), np.zeros(6), np.array([1.0, 3.0, 5.0, 7.0, 9.0, 11.0])]
    plain = history_scales(histories, 1, 4, zero_scale=0.5)
    scaled = history_scales(histories, 1, 4, zero_scale=0.5, flat_ratio=0.02)
    assert plain.tolist() == [42.0, 0.5, 2.0]  # the level, the zero scale, its change
    assert scaled.tolist() == pytest.approx([0.84, 0.5, 2.0])


def test_a_calibration_keeps_its_ratio_and_one_saved_before_it_keeps_the_level(tmp_path):
    scores = np.random.default_rng(0).normal(size=(50, 3))
    cal = ConformalCalibration.from_scores(
        scores, [f"s{i % 10}" for i in range(50)], season_length=1, scale_window=4, flat_ratio=0.02
    )
    cal.save(tmp_path)
    back = ConformalCalibration.load(tmp_path)
    assert back is not None and back.flat_ratio == 0.02
    assert back.scales([np.full(6, 42.0)])[0] == pytest.approx(0.84)
    with np.load(tmp_path / CALIBRATION_FILE) as z:  # a bundle written before the ratio existed
        arrays = {k: z[k] for k in z.files}
    header = json.loads(str(arrays["header"]))
    del header["flat_ratio"]
    arrays["header"] = np.array(json.dumps(header))
    np.savez_compressed(tmp_path / CALIBRATION_FILE, **arrays)
    old = ConformalCalibration.load(tmp_path)
    assert old is not None and old.flat_ratio == 1.0 and old.scales([np.full(6, 42.0)])[0] == 42.0
