"""Per-channel z-score scaling, fitted on the training rows only (no leakage)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["StandardScaler", "spread_or_level"]

#: a spread at most this share of |mean| is rounding, not variation (a constant channel)
FLAT_SPREAD = 1e-12


def spread_or_level(std: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``std`` where it measures variation; for a flat or undefined one the level ``|mean|``,
    and 1 only where that is 0 too (a channel of zeros or with no values).

    Why relative and why the level: an absolute cut-off (1e-12) took a channel measured in units
    of 1e-13 for constant and scaled it by 1, so its values reached the model as zeros; a fixed 1
    for a constant channel is a unit, so a model's small output for it meant 0.01 of whatever unit
    the data came in. Relative to the level both rescale with the data.
    """
    std = np.asarray(std, dtype=np.float64)
    level = np.abs(np.asarray(mean, dtype=np.float64))
    varies = np.isfinite(std) & (std > 0) & (std > FLAT_SPREAD * level)
    return np.where(varies, std, np.where(np.isfinite(level) & (level > 0), level, 1.0))


@dataclass(frozen=True)
class StandardScaler:
    """``z = (x - mean) / std`` per channel; a channel with no spread is scaled by its level
    (:func:`spread_or_level`)."""

    mean: np.ndarray  # [N] float64
    std: np.ndarray  # [N] float64

    @classmethod
    def fit(cls, values: np.ndarray) -> StandardScaler:
        """Fit on ``[T, N]`` values, ignoring NaNs. All-missing channels get mean 0, std 1."""
        values = np.asarray(values, dtype=np.float64)
        with np.errstate(all="ignore"):
            observed = np.isfinite(values)
            count = observed.sum(axis=0)
            filled = np.where(observed, values, 0.0)
            mean = np.where(count > 0, filled.sum(axis=0) / np.maximum(count, 1), 0.0)
            var = np.where(observed, (values - mean) ** 2, 0.0).sum(axis=0) / np.maximum(count, 1)
        return cls(mean=mean, std=spread_or_level(np.sqrt(var), mean))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return ((np.asarray(values, dtype=np.float64) - self.mean) / self.std).astype(np.float32)

    def inverse(self, values: np.ndarray, channels: np.ndarray | None = None) -> np.ndarray:
        """Undo the scaling on ``[..., N]`` (or on the given channel subset)."""
        mean = self.mean if channels is None else self.mean[channels]
        std = self.std if channels is None else self.std[channels]
        return (np.asarray(values, dtype=np.float64) * std + mean).astype(np.float32)

    def to_dict(self) -> dict[str, list[float]]:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, list[float]]) -> StandardScaler:
        return cls(mean=np.asarray(d["mean"], dtype=np.float64), std=np.asarray(d["std"], dtype=np.float64))
