"""A forecasting task: a series + input length + horizon + split + the scaler fitted on train.

``prepare_task`` is the single place where the protocol is applied (borders, z-score fitted on
training rows only, causal fill of missing inputs), so every model is trained and scored on
exactly the same windows.

Missing inputs are filled by carrying the last observation forward (causal: a value at ``t``
uses only rows ``<= t``, so nothing from the future leaks into an input window); rows before the
first observation get 0, the channel's training mean after scaling. Missing *targets* are never
filled: they are excluded by ``y_mask``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

from tsforge.data.calendar import calendar_indices
from tsforge.data.frame import TimeSeriesData
from tsforge.data.frequency import steps_per_hour
from tsforge.data.scaling import StandardScaler
from tsforge.data.splits import SplitBorders, split_borders
from tsforge.data.windows import WindowDataset
from tsforge.errors import ConfigError, DataValidationError

__all__ = ["ForecastTask", "prepare_task", "causal_fill", "refuse_channels_unobserved"]


def causal_fill(values: np.ndarray, fill_value: float = 0.0) -> np.ndarray:
    """Forward-fill NaNs along time (axis 0); leading NaNs become ``fill_value``."""
    values = np.asarray(values, dtype=np.float32)
    observed = ~np.isnan(values)
    rows = np.where(observed, np.arange(values.shape[0])[:, None], 0)
    np.maximum.accumulate(rows, axis=0, out=rows)
    filled = values[rows, np.arange(values.shape[1])[None, :]]
    ever = np.maximum.accumulate(observed, axis=0)
    return np.where(ever, filled, np.float32(fill_value)).astype(np.float32)


@dataclass(frozen=True)
class ForecastTask:
    """Everything needed to build train/val/test windows under one protocol."""

    data: TimeSeriesData
    input_len: int
    horizon: int
    split: str
    borders: SplitBorders
    scaler: StandardScaler

    @cached_property
    def normalized(self) -> np.ndarray:
        """``[T, N]`` z-scored values, NaN where missing (not filled)."""
        return self.scaler.transform(self.data.values)

    @cached_property
    def _tensors(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        z = self.normalized
        series = torch.from_numpy(causal_fill(z))
        targets = torch.from_numpy(np.nan_to_num(z, nan=0.0).astype(np.float32))
        mask = torch.from_numpy(self.data.mask.copy())
        cal = None
        if self.data.timestamps is not None:
            cal = torch.from_numpy(calendar_indices(self.data.timestamps))
        return series, targets, mask, cal

    def dataset(self, split: str, stride: int = 1) -> WindowDataset:
        """Windows whose targets lie inside ``split`` (stride 1 = every window)."""
        series, targets, mask, cal = self._tensors
        every = self.borders.window_starts(split, self.input_len, self.horizon)
        starts = np.arange(every.start, every.stop, max(1, int(stride)))
        return WindowDataset(series, mask, cal, starts, self.input_len, self.horizon, raw_targets=targets)

    def train_values(self) -> np.ndarray:
        """Raw ``[T_train, N]`` training rows (for in-sample statistics such as MASE's scale)."""
        a, b = self.borders.train
        return self.data.values[a:b]

    def describe(self) -> dict[str, object]:
        return {
            "dataset": self.data.name,
            "input_len": self.input_len,
            "horizon": self.horizon,
            "split": self.split,
            "borders": self.borders.as_dict(),
            "n_channels": self.data.n_channels,
            "freq": self.data.freq,
        }


def prepare_task(
    data: TimeSeriesData,
    input_len: int,
    horizon: int,
    split: str = "7:1:2",
    *,
    file: str | None = None,
    input_note: str | None = None,
) -> ForecastTask:
    """Apply the protocol: borders, scaler fitted on training rows, window-count checks.

    ``file`` only names the data's source in errors (a channel with no training value);
    ``input_note`` says, in those errors, where an input length the caller did not give came
    from (``"the default for horizon 400"``: :func:`tsforge.data.protocol.default_input_note`).
    """
    if input_len < 1 or horizon < 1:
        raise ConfigError(
            f"input length and horizon must be positive, got input={input_len}, horizon={horizon}",
            field="input_len" if input_len < 1 else "horizon",
        )
    borders = split_borders(data.n_steps, split, steps_per_hour=steps_per_hour(data.freq))
    for name in ("train", "val", "test"):
        if len(borders.window_starts(name, input_len, horizon)) < 1:
            raise _too_short(data, borders, name, input_len, horizon, split, input_note)
    a, b = borders.train
    train_vals = data.values[a:b]
    refuse_channels_unobserved(data, (a, b), split, file=file)
    scaler = StandardScaler.fit(train_vals)
    return ForecastTask(data, int(input_len), int(horizon), split, borders, scaler)


def _too_short(
    data: TimeSeriesData,
    borders: SplitBorders,
    name: str,
    input_len: int,
    horizon: int,
    split: str,
    input_note: str | None,
) -> DataValidationError:
    """The refusal of a split with no window, naming the option that fixes it and by how much.

    Why: it blamed ``--horizon`` always, even where the training split was short of a 4000-step
    ``--input``, and named an input length the user never gave (a default that grows with the
    horizon) where the validation split was short of the horizon alone. The training split (the
    first rows) limits the input: the longest that fits beside this horizon is said, unless even
    input 1 does not fit. A later split limits the horizon: the input is beside the point there
    (the training split, checked first, holds it), so only the largest horizon that fits is said.
    """
    a, b = borders.rows(name)
    total = f"({data.n_steps} rows in total with split {split})"
    given = f"input {input_len}" + (f", {input_note}," if input_note else "")
    later = min(hi - lo for lo, hi in (borders.val, borders.test))  # the horizons they allow
    longest_input = borders.train[1] - horizon
    if name == "train" and longest_input >= 1 and horizon <= later:
        return DataValidationError(
            f"series too short for {given} + horizon {horizon}: the train split has {b - a} rows but "
            f"needs at least {input_len + horizon} {total}; the longest input that fits is {longest_input}",
            field="input_len",
        )
    # the horizon is what does not fit: the largest that does with this input, and with any
    with_this = _largest_horizon(borders, input_len)
    with_any = min(borders.train[1] - 1, later)
    said, need = (
        (f"{given} + horizon {horizon}", input_len + horizon)
        if name == "train"
        else (f"horizon {horizon}", horizon)
    )
    if with_this >= 1:
        fits = f"the largest horizon that fits is {with_this}" + (
            f" ({with_any} with a shorter input)" if with_any > with_this else ""
        )
    elif with_any >= 1:
        fits = f"the largest horizon that fits is {with_any}, with a shorter input"
    else:
        fits = "no horizon fits: choose a split that gives it more rows"
    return DataValidationError(
        f"series too short for {said}: the {name} split has {b - a} rows but needs at least {need} "
        f"{total}; {fits}",
        field="horizon" if with_any >= 1 else "split",
    )


def _largest_horizon(borders: SplitBorders, input_len: int) -> int:
    """The largest horizon every split has a window for with ``input_len``
    (:meth:`SplitBorders.window_starts`: a split's targets lie inside it, its inputs may reach
    back into the rows before it, never before the first row)."""
    return min(hi - max(lo, input_len) for lo, hi in map(borders.rows, ("train", "val", "test")))


def refuse_channels_unobserved(
    data: TimeSeriesData, train_rows: tuple[int, int], split: str, *, file: str | None = None
) -> None:
    """Refuse channels with no observed value in the training rows, naming all of them, the
    rows, and the ``--value-cols`` that leaves them out.

    Why every channel at once: naming the first only (as ``evaluate`` and ``tune`` did) made a
    file of sparse stations — several that start reporting late — fail once per column, with
    no way out but trial and error; ``train`` already listed them all with this advice.
    """
    from tsforge.data.validation import shell_word

    a, b = train_rows
    seen = np.isfinite(data.values[a:b]).any(axis=0)
    if seen.all():
        return
    unseen = [str(c) for c, ok in zip(data.channel_ids, seen, strict=True) if not ok]
    kept = ",".join(str(c) for c, ok in zip(data.channel_ids, seen, strict=True) if ok)
    them, reach = ("them", "they reach") if len(unseen) > 1 else ("it", "it reaches")
    raise DataValidationError(
        f"{len(unseen)} {'channel has' if len(unseen) == 1 else 'channels have'} no observed value in the training split (rows {a}–{b - 1} of "
        f"{data.n_steps} with split {split}): {unseen[:10]}{' ...' if len(unseen) > 10 else ''}; leave "
        f"{them} out (a wide file: --value-cols {shell_word(kept)}, value_cols= in Python) or choose a "
        f"split whose training rows {reach}",
        file=file,
        column=unseen[0],
    )
