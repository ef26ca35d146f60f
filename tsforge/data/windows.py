"""Sliding windows over a series as a torch Dataset, without copying the series.

A window with input start ``s`` is inputs ``[s, s+L)`` and targets ``[s+L, s+L+H)``. The
dataset keeps a strided ``unfold`` view of the full (normalised) series and gathers only the
rows of the requested batch. Every batch is a dict with these keys (the *batch contract* shared
by the training loop, every model's ``forward`` and every loss strategy):

========== ============== ==================================================================
key        shape / dtype  meaning
========== ============== ==================================================================
idx        [B] long       sample index within this dataset (selective learning's buffer key)
x          [B, L, C] f32  normalised inputs, missing values filled causally (see task.py)
x_mask     [B, L, C] bool True where the input value was observed
y          [B, H, C] f32  normalised targets, missing targets set to 0
y_mask     [B, H, C] bool True where the target was observed (losses/metrics ignore the rest)
x_cal      [B, L, 4] long calendar indices (hour, dow, dom, month) of the inputs; only when
                          the series has timestamps
y_cal      [B, H, 4] long same for the target steps
channels   [B, C] long    row of each column in the model's channel table (-1: a channel the
                          model was not trained on; only at inference)
coords     [B, C, k] f32  optional, inference only: raw lat/lon[/alt] of channels sent with
                          coordinates
========== ============== ==================================================================
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = ["WindowDataset", "BatchedWindows", "Batch"]

Batch = dict[str, torch.Tensor]


class BatchedWindows:
    """Batch iteration for any window collection with ``__len__`` and ``get_batch(idx)``.

    Shared by :class:`WindowDataset` (one dense matrix) and the panel windows
    (``tsforge.panels.windows.PanelWindows``), so the training loop sees one interface.
    """

    def __len__(self) -> int:  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def get_batch(self, idx: torch.Tensor | np.ndarray | list[int]) -> Batch:  # pragma: no cover
        raise NotImplementedError

    def __getitem__(self, i: int) -> Batch:
        b = self.get_batch([i])
        return {k: v[0] for k, v in b.items()}

    def batches(
        self, batch_size: int, *, shuffle: bool = False, generator: torch.Generator | None = None
    ) -> Iterator[Batch]:
        """Iterate over batches (all windows, last batch may be smaller)."""
        n = len(self)
        order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        for lo in range(0, n, batch_size):
            yield self.get_batch(order[lo : lo + batch_size])

    def n_batches(self, batch_size: int) -> int:
        return (len(self) + batch_size - 1) // batch_size


class WindowDataset(BatchedWindows, Dataset):
    """Windows of a ``[T, C]`` series at the given input starts."""

    def __init__(
        self,
        series: torch.Tensor,
        mask: torch.Tensor,
        calendar: torch.Tensor | None,
        starts: np.ndarray | range,
        input_len: int,
        horizon: int,
        raw_targets: torch.Tensor | None = None,
    ) -> None:
        """
        Args:
            series: ``[T, C]`` float32, normalised and filled (inputs are read from here).
            mask: ``[T, C]`` bool observation mask.
            calendar: ``[T, 4]`` long calendar indices or ``None``.
            starts: input-start rows of the windows (ascending).
            input_len, horizon: input and target lengths (a window spans ``input_len + horizon``
                rows from its start).
            raw_targets: ``[T, C]`` float32 targets with missing set to 0 (defaults to ``series``);
                separate because a causal fill is fine for inputs but must never become a target.
        """
        self.input_len = int(input_len)
        self.horizon = int(horizon)
        self.starts = torch.as_tensor(np.asarray(starts, dtype=np.int64))
        width = self.input_len + self.horizon
        # unfold = strided views, no copy: [W, C, L+H]
        self._x = series.unfold(0, width, 1)
        self._y = (series if raw_targets is None else raw_targets).unfold(0, width, 1)
        self._m = mask.unfold(0, width, 1)
        self._cal = None if calendar is None else calendar.unfold(0, width, 1)
        self.n_channels = int(series.shape[1])
        self.channels = torch.arange(self.n_channels)

    def __len__(self) -> int:
        return int(self.starts.numel())

    def get_batch(self, idx: torch.Tensor | np.ndarray | list[int]) -> Batch:
        """Gather a batch of windows by dataset index."""
        idx = torch.as_tensor(idx, dtype=torch.long)
        s = self.starts[idx]
        L = self.input_len
        m = self._m[s].transpose(1, 2)  # [B, L+H, C]
        batch: Batch = {
            "idx": idx,
            "x": _gather(self._x[:, :, :L], s),
            "x_mask": m[:, :L].contiguous(),
            "y": _gather(self._y[:, :, L:], s),
            "y_mask": m[:, L:].contiguous(),
            "channels": self.channels.expand(idx.numel(), -1),
        }
        if self._cal is not None:
            cal = self._cal[s].transpose(1, 2)  # [B, L+H, 4]
            batch["x_cal"] = cal[:, :L].contiguous()
            batch["y_cal"] = cal[:, L:].contiguous()
        return batch


def _gather(windows: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
    """``[B, T, C]`` contiguous copy of the windows ``windows[starts]`` (``[W, C, T]`` view).

    Why the view is narrowed before the gather: gathering whole ``L+H`` windows to keep only
    the inputs (or only the targets) copied a ``[B, C, L+H]`` float32 block per key and batch
    (110 MB for 256 windows of 300 channels × 360 steps) of which half the batch was thrown away.
    """
    return windows[starts].transpose(1, 2).contiguous()
