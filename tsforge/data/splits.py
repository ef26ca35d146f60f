"""Chronological train/val/test borders, in the convention of the published LTSF tables.

Each split is defined by the rows its *targets* may occupy, ``[start, stop)``. A window with
input start ``s`` reads inputs ``[s, s+L)`` and targets ``[s+L, s+L+H)``; a window belongs to a
split when all its targets lie inside that split. Val and test windows may therefore read up to
``L`` input steps from the previous split ("borrowed context", Time-Series-Library convention);
targets never cross a border. See ``../shared/specs/protocol.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from tsforge.errors import ConfigError, DataValidationError

__all__ = ["SplitBorders", "split_borders", "parse_split"]


@dataclass(frozen=True)
class SplitBorders:
    """Target-row ranges ``[start, stop)`` per split."""

    train: tuple[int, int]
    val: tuple[int, int]
    test: tuple[int, int]

    def rows(self, split: str) -> tuple[int, int]:
        if split not in ("train", "val", "test"):
            raise ConfigError(f"unknown split {split!r}; use train, val or test", field="split")
        return getattr(self, split)

    def window_starts(self, split: str, input_len: int, horizon: int) -> range:
        """Input-start positions of all stride-1 windows whose targets lie inside ``split``."""
        a, b = self.rows(split)
        first = max(a - input_len, 0)
        last = b - input_len - horizon  # inclusive
        return range(first, last + 1)

    def as_dict(self) -> dict[str, list[int]]:
        return {"train": list(self.train), "val": list(self.val), "test": list(self.test)}


def parse_split(spec: str) -> tuple[float, float, float] | Literal["ett"]:
    """``"7:1:2"`` → (0.7, 0.1, 0.2); ``"ett"`` stays the named ETT convention."""
    spec = spec.strip().lower()
    if spec in ("ett", "etth", "ettm"):
        return "ett"
    parts = spec.split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        nums = []
    # a ratio must be a finite number: "nan:1:2" or "inf:1:2" passed the checks below (every
    # comparison with NaN is false) and failed later as a bare "cannot convert float NaN"
    if (
        len(nums) != 3
        or not all(math.isfinite(n) for n in nums)
        or min(nums) < 0
        or sum(nums) <= 0
        or nums[0] == 0
    ):
        raise ConfigError(f"split must look like '7:1:2', '6:2:2' or 'ett', got {spec!r}", field="split")
    total = sum(nums)
    return (nums[0] / total, nums[1] / total, nums[2] / total)


def split_borders(n_steps: int, split: str, *, steps_per_hour: float | None = None) -> SplitBorders:
    """Borders for ``n_steps`` rows.

    Args:
        split: ``"7:1:2"``-style ratios, or ``"ett"`` for the ETT 12/4/4-month borders (first 20
            months only; needs ``steps_per_hour``: 1 for ETTh, 4 for ETTm).
    """
    kind = parse_split(split)
    if isinstance(kind, str):  # "ett", the only name parse_split answers with
        if not steps_per_hour:
            raise ConfigError("the 'ett' split needs an hourly or sub-hourly frequency", field="split")
        month = int(30 * 24 * steps_per_hour)
        train, val, test = 12 * month, 16 * month, 20 * month
        if n_steps < test:
            raise DataValidationError(
                f"the 'ett' split needs {test} rows (20 months), the series has {n_steps}", field="split"
            )
        return SplitBorders((0, train), (train, val), (val, test))
    r_train, _r_val, r_test = kind
    n_train = int(r_train * n_steps)
    n_test = int(r_test * n_steps)
    n_val = n_steps - n_train - n_test
    return SplitBorders((0, n_train), (n_train, n_train + n_val), (n_steps - n_test, n_steps))
