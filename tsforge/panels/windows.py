"""Training windows drawn from every series of a ragged panel, for global models.

Why a second window dataset: :class:`~tsforge.data.windows.WindowDataset` cuts windows from one
dense ``[T, C]`` matrix; a panel has thousands of series of different lengths. Here each window
belongs to one series (``C = 1``), so a batch mixes series, and every window is

* **left-padded** when the series has fewer than ``input_len`` values before the target: padded
  inputs are 0 with ``x_mask`` False, so a short series is forecast instead of refused (and a
  padded position never reaches a loss or a metric: targets are never padded);
* **instance-normalised**: inputs and targets are scaled by the mean and standard deviation of
  the window's *observed inputs*. Why this rather than one scaler per series fitted on its
  training part: the statistics come only from values before the forecast origin (no target
  can leak into its own scaling), the same rule applies unchanged to a series never seen in
  training (a new product at serving time), and series of very different levels share one
  scale-free model. ``loc`` / ``scale`` ride along in the batch so predictions can be mapped
  back to original units.

Batches follow the batch contract of :mod:`tsforge.data.windows` (``idx, x, x_mask, y, y_mask,
channels``) plus ``loc`` and ``scale`` (``[B, 1, 1]``), so the one training loop, every neural
model and LightGBM train on them unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from tsforge.data.windows import Batch

__all__ = ["PanelWindows", "window_stats"]

#: A window whose inputs are (nearly) constant is scaled by its level instead of its spread.
_MIN_REL_STD = 1e-6


def window_stats(x: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and scale of the observed values of each row of ``x`` (``[B, L]``).

    The scale is the standard deviation, or ``max(|mean|, 1)`` for a constant window, so a
    flat series is neither blown up nor divided by zero.
    """
    n = observed.sum(axis=1)
    safe_n = np.maximum(n, 1)
    xs = np.where(observed, x, 0.0)
    loc = xs.sum(axis=1) / safe_n
    var = (np.where(observed, x - loc[:, None], 0.0) ** 2).sum(axis=1) / safe_n
    std = np.sqrt(var)
    flat = std <= _MIN_REL_STD * np.maximum(np.abs(loc), 1.0)
    scale = np.where(flat, np.maximum(np.abs(loc), 1.0), std)
    return loc, scale


class PanelWindows:
    """Windows ``(series, target start)`` over a ragged panel.

    Args:
        values: concatenated series values (NaN = missing), the panel's CSR ``values``.
        indptr: ``[n + 1]`` offsets of every series in ``values``.
        series: ``[W]`` series index of each window.
        target_start: ``[W]`` position (within its series) of each window's first target.
        input_len, horizon: window shape.
    """

    def __init__(
        self,
        values: np.ndarray,
        indptr: np.ndarray,
        series: np.ndarray,
        target_start: np.ndarray,
        input_len: int,
        horizon: int,
    ) -> None:
        self.values = np.asarray(values, dtype=np.float64)
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.series = np.asarray(series, dtype=np.int64)
        self.target_start = np.asarray(target_start, dtype=np.int64)
        self.input_len = int(input_len)
        self.horizon = int(horizon)
        self.n_channels = 1
        # distinct, ascending keys per window (selective learning's bookkeeping reads ``starts``)
        self.starts = torch.arange(len(self.series), dtype=torch.long)

    def __len__(self) -> int:
        return int(self.series.size)

    def arrays(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        """Raw (original-unit) inputs/targets of windows ``idx`` with their masks and statistics."""
        idx = np.asarray(idx, dtype=np.int64)
        s, t = self.series[idx], self.target_start[idx]
        base, length = self.indptr[s], self.indptr[s + 1] - self.indptr[s]
        rel_x = t[:, None] - self.input_len + np.arange(self.input_len)[None, :]
        rel_y = t[:, None] + np.arange(self.horizon)[None, :]
        in_x = rel_x >= 0
        in_y = rel_y < length[:, None]
        x = np.where(in_x, self.values[np.where(in_x, base[:, None] + rel_x, 0)], np.nan)
        y = np.where(in_y, self.values[np.where(in_y, base[:, None] + rel_y, 0)], np.nan)
        x_mask, y_mask = np.isfinite(x), np.isfinite(y)
        loc, scale = window_stats(x, x_mask)
        return {"x": x, "x_mask": x_mask, "y": y, "y_mask": y_mask, "loc": loc, "scale": scale}

    def get_batch(self, idx: torch.Tensor | np.ndarray | list[int]) -> Batch:
        """A batch in the shared batch contract, instance-normalised."""
        idx_t = torch.as_tensor(np.asarray(idx), dtype=torch.long)
        a = self.arrays(idx_t.numpy())
        loc, scale = a["loc"][:, None], a["scale"][:, None]
        x = np.where(a["x_mask"], (a["x"] - loc) / scale, 0.0)
        y = np.where(a["y_mask"], (a["y"] - loc) / scale, 0.0)
        n = idx_t.numel()
        return {
            "idx": idx_t,
            "x": torch.from_numpy(x.astype(np.float32))[:, :, None],
            "x_mask": torch.from_numpy(a["x_mask"])[:, :, None],
            "y": torch.from_numpy(y.astype(np.float32))[:, :, None],
            "y_mask": torch.from_numpy(a["y_mask"])[:, :, None],
            "channels": torch.zeros((n, 1), dtype=torch.long),
            "loc": torch.from_numpy(a["loc"].astype(np.float32)).view(n, 1, 1),
            "scale": torch.from_numpy(a["scale"].astype(np.float32)).view(n, 1, 1),
        }

    def __getitem__(self, i: int) -> Batch:
        b = self.get_batch([i])
        return {k: v[0] for k, v in b.items()}

    def batches(
        self, batch_size: int, *, shuffle: bool = False, generator: torch.Generator | None = None
    ) -> Iterator[Batch]:
        n = len(self)
        order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        for lo in range(0, n, batch_size):
            yield self.get_batch(order[lo : lo + batch_size])

    def n_batches(self, batch_size: int) -> int:
        return (len(self) + batch_size - 1) // batch_size
