"""Per-channel z-score scaling, fitted on the training rows only (no leakage)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["StandardScaler"]


@dataclass(frozen=True)
class StandardScaler:
    """``z = (x - mean) / std`` per channel; a channel with zero spread gets ``std = 1``."""

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
        std = np.sqrt(var)
        std = np.where((std > 1e-12) & np.isfinite(std), std, 1.0)
        return cls(mean=mean, std=std)

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
