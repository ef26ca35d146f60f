"""The scaler is fitted on training rows only: test values cannot change it."""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data import TimeSeriesData, prepare_task
from tsforge.data.scaling import StandardScaler


def _data(values: np.ndarray) -> TimeSeriesData:
    return TimeSeriesData(
        values=values, timestamps=None, channel_ids=tuple(f"c{i}" for i in range(values.shape[1]))
    )


def test_statistics_come_from_train_rows_only():
    rng = np.random.default_rng(0)
    values = rng.normal(5.0, 2.0, size=(1000, 3)).astype(np.float32)
    task = prepare_task(_data(values), input_len=24, horizon=12, split="7:1:2")
    lo, hi = task.borders.train
    np.testing.assert_allclose(task.scaler.mean, values[lo:hi].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(task.scaler.std, values[lo:hi].std(axis=0), rtol=1e-4)

    changed = values.copy()
    a, b = task.borders.test
    changed[a:b] = 1e6  # wildly different test (and val) values
    changed[task.borders.val[0] : task.borders.val[1]] = -1e6
    task2 = prepare_task(_data(changed), input_len=24, horizon=12, split="7:1:2")
    np.testing.assert_array_equal(task.scaler.mean, task2.scaler.mean)
    np.testing.assert_array_equal(task.scaler.std, task2.scaler.std)


def test_nan_aware_fit_and_inverse():
    values = np.array([[1.0, np.nan], [3.0, 2.0], [np.nan, 2.0]])
    s = StandardScaler.fit(values)
    np.testing.assert_allclose(s.mean, [2.0, 2.0])
    np.testing.assert_allclose(s.std, [1.0, 2.0])  # channel 1 has zero spread -> its level
    z = s.transform(values)
    np.testing.assert_allclose(s.inverse(z), values.astype(np.float32))
    np.testing.assert_allclose(
        s.inverse(z[:, [1]], channels=np.array([1])), values[:, [1]].astype(np.float32)
    )
    assert StandardScaler.from_dict(s.to_dict()).mean.tolist() == s.mean.tolist()


def test_a_flat_channel_is_scaled_by_its_level_and_small_units_keep_their_spread():
    """Spread is judged relative to the level: a channel in units of 1e-13 varies (an absolute
    1e-12 cut-off scaled it by 1 and the model saw zeros); a constant channel is scaled by its
    level (a fixed 1 is a unit), a channel of zeros or of nothing by 1."""
    from tsforge.data.scaling import spread_or_level

    rng = np.random.default_rng(0)
    tiny = rng.normal(5.0, 2.0, 200) * 1e-13
    values = np.stack([tiny, np.full(200, 7e-9), np.zeros(200), np.full(200, np.nan)], axis=1)
    s = StandardScaler.fit(values)
    np.testing.assert_allclose(s.std[0], tiny.std(), rtol=1e-9)
    assert s.std[1] == pytest.approx(7e-9, rel=1e-12) and s.std[2] == 1.0 and s.std[3] == 1.0
    z = s.transform(values)
    assert np.std(z[:, 0]) == pytest.approx(1.0, rel=1e-5)
    big = StandardScaler.fit(values * 2.0**40)  # the same data in other units: the same z
    np.testing.assert_allclose(big.transform(values * 2.0**40), z, rtol=1e-6)
    rounding = 3.0 + np.array([0.0, 4e-16, 0.0, 4e-16])  # a constant up to rounding is flat
    assert spread_or_level(np.array(rounding.std()), np.array(rounding.mean())) == rounding.mean()
