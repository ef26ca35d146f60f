"""Training windows drawn from every series of a ragged panel, for global models.

Why a second window dataset: :class:`~tsforge.data.windows.WindowDataset` cuts windows from one
dense ``[T, C]`` matrix; a panel has thousands of series of different lengths. Here each window
belongs to one series (``C = 1``), so a batch mixes series, and every window is

* **left-padded** when the series has fewer than ``input_len`` values before the target: padded
  inputs repeat the first observed value (missing ones inside carry the last one forward) with
  ``x_mask`` False, so a short series is forecast instead of refused, and models that do not
  read the mask (DLinear, NLinear) see a flat past rather than a jump to 0; a padded position
  never reaches a loss or a metric (targets are never padded);
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

import numpy as np
import torch

from tsforge.data.ragged import abs_values_and_counts, range_sums
from tsforge.data.windows import Batch, BatchedWindows

__all__ = ["PanelWindows", "window_stats", "constant_windows", "SCALING_REVISION"]

#: Raised whenever a change to window scaling changes a global model's forecasts (1: an all-zero
#: window is scaled by its series' earlier mean |y| or the panel's unit, not by 1; 2: a nonzero
#: constant window is forecast at its constant, :func:`constant_windows`), so caches of those
#: forecasts (the recommender's knowledge base) are recomputed instead of served stale.
SCALING_REVISION = 2

#: A window whose inputs are (nearly) constant is scaled by its level instead of its spread.
_MIN_REL_STD = 1e-6


SCALINGS = ("std", "diff")


def window_stats(
    x: np.ndarray, observed: np.ndarray, scaling: str = "std", zero_scale: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Location and scale of the observed values of each row of ``x`` (``[B, L]``).

    ``std``: mean and standard deviation. ``diff``: mean and the mean absolute one-step change
    of the observed inputs — the in-sample naive error that MASE divides by, so an MAE loss on
    the scaled targets is (a window-local) MASE. A constant window (spread at most a millionth of
    its level) is scaled by its level, so a flat series is neither blown up nor divided by zero
    (and, where it is not 0, forecast at its constant: :func:`constant_windows`). Flatness is relative to
    the window's own level, never to a unit: a series measured in millionths (values ~1e-6,
    changes ~1e-7) is a varying series like any other, and an absolute threshold had scaled it
    by 1, so every global model forecast it as the learnt output for a flat window (0.1–0.9
    where the values were 1e-6).

    An all-zero window has no level either. Without ``zero_scale`` it is scaled by 1; with it
    (per row, see :meth:`PanelWindows.arrays`: the series' mean |y| before the window, or the
    panel's typical mean |y| where the series has been nothing but zeros) by that, and where
    that is 0 too — a panel of zeros — by 0: the window has no unit, so it forecasts its level
    (0) and is no training target. Why not 1: 1 is a unit. An intermittent panel in millionths
    then learnt another output after a zero stretch than the same panel in units (LightGBM off
    by 0.12–0.37 of the series' level).
    """
    n = observed.sum(axis=1)
    safe_n = np.maximum(n, 1)
    xs = np.where(observed, x, 0.0)
    loc = xs.sum(axis=1) / safe_n
    if scaling == "diff":
        both = observed[:, 1:] & observed[:, :-1]
        d = np.where(both, np.abs(np.diff(np.where(observed, x, 0.0), axis=1)), 0.0)
        spread = d.sum(axis=1) / np.maximum(both.sum(axis=1), 1)
    else:
        spread = np.sqrt((np.where(observed, x - loc[:, None], 0.0) ** 2).sum(axis=1) / safe_n)
    level = np.abs(loc)
    flat = (spread <= _MIN_REL_STD * level) | ~(spread > 0)
    fallback = np.ones_like(level) if zero_scale is None else np.where(zero_scale > 0, zero_scale, 0.0)
    scale = np.where(flat, np.where(level > 0, level, fallback), spread)
    return loc, scale


def constant_windows(x: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """``[B]`` True where the observed inputs of a row of ``x`` (``[B, L]``) are one nonzero
    value, seen at least twice: a standard deviation at most a millionth of their level (as
    :func:`window_stats` calls a window flat), the level not 0.

    Why: :func:`window_stats` scales such a window by its level, so its normalised input is all
    zeros, and a global model's forecast of it was whatever the network learnt for an all-zero
    input, times the level: a series constant at 50 was forecast at 53–65 by DLinear. The window
    carries no change for the model to scale, so :meth:`PanelWindows.batch_with_units` forecasts
    it at its constant. The standard deviation whatever the scaling: a ``diff`` window with no
    two adjacent observed values has no mean step, yet its values differ. An all-zero window is
    not one of these: it keeps its unit (``zero_scale``), learnt on intermittent demand. Nor is a
    window of one observed value: it shows no constancy, only a start, and every series' first
    value is a training window of that shape (targets start after one input value), so the
    model learnt what follows a start (M1 yearly's growth); holding it would change 51 of M1
    yearly's rolling-origin windows two horizons back, where no value repeated.
    """
    n = observed.sum(axis=1)
    safe_n = np.maximum(n, 1)
    loc = np.where(observed, x, 0.0).sum(axis=1) / safe_n
    std = np.sqrt((np.where(observed, x - loc[:, None], 0.0) ** 2).sum(axis=1) / safe_n)
    level = np.abs(loc)
    return np.asarray((n >= 2) & (level > 0) & (std <= _MIN_REL_STD * level))


def _panel_unit(indptr: np.ndarray, abs_values: np.ndarray, obs_count: np.ndarray) -> float:
    """Median over series of their mean |y| (series with a nonzero value only; 0 if none).

    The unit of a window with nothing but zeros before it (a part not yet sold, a region before
    its first case). Why the panel's and not 1 or none: 1 is a unit (see :func:`window_stats`),
    and leaving those windows out of training cost accuracy (COVID deaths: DLinear test MASE
    4.79 → 5.73; car parts: LightGBM 0.864 → 0.914), while the panel's unit kept it (4.79;
    0.864) and rescales with the panel. Taken over every value the windows are cut from (the
    panel being trained on or forecast; never a test window, which is not in it).
    """
    n = obs_count[indptr[1:]] - obs_count[indptr[:-1]]
    means = range_sums(abs_values, indptr[:-1], indptr[1:]) / np.maximum(n, 1)
    means = means[means > 0]
    return float(np.median(means)) if means.size else 0.0


def _fill_inputs(x: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Carry the last observed input forward; positions before the first observation take the
    first observed value (0 when a window has none). Vectorised over ``[B, L]`` rows."""
    L = x.shape[1]
    pos = np.where(observed, np.arange(L)[None, :], -1)
    last = np.maximum.accumulate(pos, axis=1)
    first = np.where(observed.any(axis=1), observed.argmax(axis=1), 0)
    src = np.where(last >= 0, last, first[:, None])
    out = np.take_along_axis(x, src, axis=1)
    return np.where(np.isfinite(out), out, 0.0)


class PanelWindows(BatchedWindows):
    """Windows ``(series, target start)`` over a ragged panel.

    Args:
        values: concatenated series values (NaN = missing), the panel's CSR ``values``.
        indptr: ``[n + 1]`` offsets of every series in ``values``.
        series: ``[W]`` series index of each window.
        target_start: ``[W]`` position (within its series) of each window's first target.
        input_len, horizon: window shape.
        scaling: how windows are scaled (:func:`window_stats`).
    """

    def __init__(
        self,
        values: np.ndarray,
        indptr: np.ndarray,
        series: np.ndarray,
        target_start: np.ndarray,
        input_len: int,
        horizon: int,
        scaling: str = "std",
        zero_unit: float | None = None,
    ) -> None:
        self.scaling = scaling
        #: a fixed unit for windows with only zeros before them (a trained model's: the panel it
        #: was trained on); None: the unit of the panel these windows are cut from
        self.zero_unit = None if zero_unit is None else float(zero_unit)
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.values = values
        self.series = np.asarray(series, dtype=np.int64)
        self.target_start = np.asarray(target_start, dtype=np.int64)
        self.input_len = int(input_len)
        self.horizon = int(horizon)
        self.n_channels = 1
        # distinct, ascending keys per window (selective learning's bookkeeping reads ``starts``)
        self.starts = torch.arange(len(self.series), dtype=torch.long)

    @property
    def values(self) -> np.ndarray:
        """Concatenated series values; setting them drops what was derived from the old ones."""
        return self._values

    @values.setter
    def values(self, values: np.ndarray) -> None:
        self._values = np.asarray(values, dtype=np.float64)
        self._abs_terms: tuple[np.ndarray, np.ndarray] | None = None
        self._panel_unit: float | None = None

    def _abs_and_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """|y| (0 where missing) and the prefix counts of observed values over ``values``: the
        mean |y| of any stretch, its sum taken over the stretch alone (:func:`range_sums`, so a
        small series after a huge one keeps its digits). Built on the first all-zero window only
        (two arrays as long as the panel: a panel without such a window never pays for them)."""
        if self._abs_terms is None:
            self._abs_terms = abs_values_and_counts(self._values)
        return self._abs_terms

    @property
    def panel_unit(self) -> float:
        """The unit of a window with only zeros before it: ``zero_unit`` when given, else
        :func:`_panel_unit` of these values.

        Why a trained model passes its own: taken from the values being forecast, the unit of a
        series of zeros depended on the other series of the request (forecast 0 alone, 2e8
        beside a series near 1e9); the training panel's is one fixed number, as it is for the
        calibration's zero-history scale."""
        if self.zero_unit is not None:
            return self.zero_unit
        if self._panel_unit is None:
            self._panel_unit = _panel_unit(self.indptr, *self._abs_and_counts())
        return self._panel_unit

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
        unit = None
        if not np.all(np.any(x_mask & (x != 0), axis=1)):  # some window holds only zeros (or nothing)
            # its unit: its series' mean |y| before the first target, else the panel's
            abs_values, obs_count = self._abs_and_counts()
            end = base + np.clip(t, 0, length)
            n_before = obs_count[end] - obs_count[base]
            level_before = range_sums(abs_values, base, end) / np.maximum(n_before, 1)
            unit = np.where(level_before > 0, level_before, self.panel_unit)
        loc, scale = window_stats(x, x_mask, self.scaling, zero_scale=unit)
        y_mask &= (scale > 0)[:, None]  # no unit anywhere (a panel of zeros): no target
        return {"x": x, "x_mask": x_mask, "y": y, "y_mask": y_mask, "loc": loc, "scale": scale}

    def get_batch(self, idx: torch.Tensor | np.ndarray | list[int]) -> Batch:
        """A batch in the shared batch contract, instance-normalised."""
        return self.batch_with_units(idx)[0]

    def batch_with_units(
        self, idx: torch.Tensor | np.ndarray | list[int]
    ) -> tuple[Batch, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`get_batch`, the ``[B]`` float64 ``loc`` and ``scale`` that bring a forecast
        back to its series' units (``pred · scale + loc``; a window without a unit, scale 0,
        forecasts its level, as in :func:`window_stats`), and ``[B]`` which windows are held at
        their constant (below): what a forecast's note names, found where it is decided.

        Why besides the batch's float32 ``loc`` / ``scale``: a float32 ``loc`` is off by up to
        half a float32 step of the level (0.016 near 3e5), which a series with a small spread
        around a large level got added to every forecast.

        A nonzero constant window (:func:`constant_windows`) comes back with scale 0 and its last
        observed value as ``loc``: every forecast of it (point, native quantiles) is its constant,
        whatever the model learnt for an all-zero input. Why here: every global forecast — served,
        calibration (conformal scores), cross-validation, the routed ensemble's members — is
        brought back to units by these two arrays, and training reads only the batch, so training
        is unchanged. The last value, not the mean: the mean of equal floats can be an ulp off
        them."""
        idx_t = torch.as_tensor(np.asarray(idx), dtype=torch.long)
        a = self.arrays(idx_t.numpy())
        loc, scale = a["loc"][:, None], np.where(a["scale"] > 0, a["scale"], 1.0)[:, None]
        filled = _fill_inputs(a["x"], a["x_mask"])
        x = _fill_inputs(np.where(a["x_mask"], (a["x"] - loc) / scale, np.nan), a["x_mask"])
        y = np.where(a["y_mask"], (a["y"] - loc) / scale, 0.0)
        n = idx_t.numel()
        batch: Batch = {
            "idx": idx_t,
            "x": torch.from_numpy(x.astype(np.float32))[:, :, None],
            "x_mask": torch.from_numpy(a["x_mask"])[:, :, None],
            "y": torch.from_numpy(y.astype(np.float32))[:, :, None],
            "y_mask": torch.from_numpy(a["y_mask"])[:, :, None],
            "channels": torch.zeros((n, 1), dtype=torch.long),
            "loc": torch.from_numpy(a["loc"].astype(np.float32)).view(n, 1, 1),
            "scale": torch.from_numpy(a["scale"].astype(np.float32)).view(n, 1, 1),
        }
        held = constant_windows(a["x"], a["x_mask"])
        unit_loc = np.where(held, filled[:, -1], a["loc"])
        return batch, unit_loc, np.where(held, 0.0, a["scale"]), held
