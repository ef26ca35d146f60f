"""Guard: a batch holds exactly the rows of its windows (inputs ``[s, s+L)``, targets
``[s+L, s+L+H)``) after the gather was narrowed to the part each key keeps."""

from __future__ import annotations

import numpy as np
import torch

from tsforge.data.windows import WindowDataset


def test_a_batch_is_the_rows_of_its_windows():
    rng = np.random.default_rng(0)
    T, C, L, H = 80, 5, 12, 4
    series = torch.from_numpy(rng.normal(size=(T, C)).astype(np.float32))
    targets = torch.from_numpy(rng.normal(size=(T, C)).astype(np.float32))
    mask = torch.from_numpy(rng.random((T, C)) > 0.2)
    cal = torch.from_numpy(rng.integers(0, 24, (T, 4)))
    starts = np.arange(3, T - L - H + 1, 2)
    ds = WindowDataset(series, mask, cal, starts, L, H, raw_targets=targets)
    idx = np.array([5, 0, 7, 7, len(starts) - 1])
    batch = ds.get_batch(idx)
    for b, i in enumerate(idx):
        s = int(starts[i])
        assert torch.equal(batch["x"][b], series[s : s + L])
        assert torch.equal(batch["y"][b], targets[s + L : s + L + H])
        assert torch.equal(batch["x_mask"][b], mask[s : s + L])
        assert torch.equal(batch["y_mask"][b], mask[s + L : s + L + H])
        assert torch.equal(batch["x_cal"][b], cal[s : s + L])
        assert torch.equal(batch["y_cal"][b], cal[s + L : s + L + H])
    assert all(batch[k].is_contiguous() for k in ("x", "y", "x_mask", "y_mask"))
