"""The scaler is fitted on training rows only: test values cannot change it."""

from __future__ import annotations

import numpy as np

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
    np.testing.assert_allclose(s.std, [1.0, 1.0])  # channel 1 has zero spread -> std 1
    z = s.transform(values)
    np.testing.assert_allclose(s.inverse(z), values.astype(np.float32))
    np.testing.assert_allclose(
        s.inverse(z[:, [1]], channels=np.array([1])), values[:, [1]].astype(np.float32)
    )
    assert StandardScaler.from_dict(s.to_dict()).mean.tolist() == s.mean.tolist()
