"""Windows equal slices of the series, and the dataset holds views, not copies."""

from __future__ import annotations

import numpy as np
import torch

from tsforge.data import prepare_task, synthetic_stations
from tsforge.data.windows import WindowDataset


def test_window_equals_the_slice_of_the_normalised_series():
    data = synthetic_stations(n_channels=3, n_steps=500, seed=0)
    L, H = 48, 12
    task = prepare_task(data, input_len=L, horizon=H, split="7:1:2")
    z = task.normalized
    for split in ("train", "val", "test"):
        ds = task.dataset(split)
        starts = task.borders.window_starts(split, L, H)
        assert len(ds) == len(starts)
        idx = [0, len(ds) // 2, len(ds) - 1]
        batch = ds.get_batch(idx)
        assert batch["x"].shape == (3, L, 3) and batch["y"].shape == (3, H, 3)
        for row, i in enumerate(idx):
            s = starts[i]
            np.testing.assert_allclose(batch["x"][row].numpy(), z[s : s + L], atol=1e-6)
            np.testing.assert_allclose(batch["y"][row].numpy(), z[s + L : s + L + H], atol=1e-6)
        assert batch["x_cal"].shape == (3, L, 4)
        assert (
            batch["x_cal"][0, 0, 0].item()
            == data.timestamps[starts[0]].astype("datetime64[h]").astype(int) % 24
        )


def test_stride_subsamples_windows():
    data = synthetic_stations(n_channels=2, n_steps=400, seed=0)
    task = prepare_task(data, input_len=24, horizon=6, split="7:1:2")
    full, strided = task.dataset("train"), task.dataset("train", stride=5)
    assert len(strided) == (len(full) + 4) // 5
    np.testing.assert_array_equal(strided.get_batch([1])["x"].numpy(), full.get_batch([5])["x"].numpy())


def test_unfold_views_share_storage_with_the_series():
    series = torch.arange(60, dtype=torch.float32).reshape(30, 2)
    mask = torch.ones(30, 2, dtype=torch.bool)
    ds = WindowDataset(series, mask, None, range(0, 20), input_len=8, horizon=3)
    assert ds._x.untyped_storage().data_ptr() == series.untyped_storage().data_ptr()
    assert ds._m.untyped_storage().data_ptr() == mask.untyped_storage().data_ptr()
    series[10, 1] = -999.0  # a change to the series is visible through the dataset: no copy was made
    batch = ds.get_batch([5])  # inputs rows 5..12
    assert batch["x"][0, 5, 1].item() == -999.0


def test_missing_targets_are_zero_and_masked():
    data = synthetic_stations(n_channels=2, n_steps=300, seed=0)
    values = data.values.copy()
    values[250, 0] = np.nan
    from dataclasses import replace

    task = prepare_task(replace(data, values=values), input_len=24, horizon=6, split="7:1:2")
    ds = task.dataset("test")
    starts = task.borders.window_starts("test", 24, 6)
    i = next(k for k, s in enumerate(starts) if s + 24 <= 250 < s + 30)
    b = ds.get_batch([i])
    pos = 250 - (starts[i] + 24)
    assert b["y"][0, pos, 0].item() == 0.0 and not b["y_mask"][0, pos, 0].item()
