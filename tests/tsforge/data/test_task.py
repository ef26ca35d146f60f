"""prepare_task / causal_fill: missing inputs are filled from the past only."""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data import TimeSeriesData, prepare_task
from tsforge.data.task import causal_fill
from tsforge.errors import DataValidationError


def _reference_fill(col: np.ndarray, fill: float) -> np.ndarray:
    out, last = np.empty_like(col), fill
    for t, v in enumerate(col):
        if not np.isnan(v):
            last = v
        out[t] = last
    return out


def test_causal_fill_matches_a_last_observation_reference():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4)).astype(np.float32)
    x[rng.random(x.shape) < 0.4] = np.nan
    x[:7, 2] = np.nan  # leading gap
    x[:, 3] = np.nan  # never observed
    out = causal_fill(x, fill_value=-1.0)
    for j in range(4):
        np.testing.assert_array_equal(out[:, j], _reference_fill(x[:, j], -1.0))


def test_causal_fill_never_uses_a_later_value():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 3)).astype(np.float32)
    x[rng.random(x.shape) < 0.5] = np.nan
    base = causal_fill(x)
    for t in (0, 10, 50, 98):
        future_changed = x.copy()
        future_changed[t + 1 :] = rng.normal(size=future_changed[t + 1 :].shape)
        np.testing.assert_array_equal(causal_fill(future_changed)[: t + 1], base[: t + 1])


def test_prepare_task_rejects_a_channel_without_training_values():
    values = np.ones((200, 2), dtype=np.float32)
    values[:150, 1] = np.nan
    data = TimeSeriesData(values=values, timestamps=None, channel_ids=("ok", "late"))
    with pytest.raises(
        DataValidationError, match=r"^1 channel has no observed value in the training split .*\['late'\]"
    ):
        prepare_task(data, input_len=10, horizon=5)


def test_prepare_task_names_every_unobserved_channel_and_the_columns_to_keep():
    """``tsforge evaluate`` (and any caller of prepare_task) named the first such channel only,
    so a file of late-starting stations failed once per column; now all, as ``train`` does."""
    values = np.ones((200, 4), dtype=np.float32)
    values[:150, [1, 3]] = np.nan
    data = TimeSeriesData(values=values, timestamps=None, channel_ids=("a", "late1", "b", "late2"))
    with pytest.raises(DataValidationError) as err:
        prepare_task(data, input_len=10, horizon=5, file="stations.csv")
    message = str(err.value)
    assert message.startswith("2 channels have no observed value")
    assert "['late1', 'late2']" in message and "rows 0–139 of 200 with split 7:1:2" in message
    assert "--value-cols a,b" in message
    assert err.value.where == {"file": "stations.csv", "column": "late1"}
