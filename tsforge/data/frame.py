"""The one internal representation of a (multivariate) time series: :class:`TimeSeriesData`.

Why one representation: every reader (CSV/Parquet long or wide, pandas/polars frames, the
catalogue, the synthetic generator) converts *into* this, and every consumer (windows, models,
properties, the service) reads *from* it. Values are a dense ``[T, N]`` float32 matrix with NaN
for missing points; the mask is derived once and kept alongside so nobody re-derives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from tsforge.errors import DataValidationError

__all__ = ["TimeSeriesData"]


@dataclass(frozen=True)
class TimeSeriesData:
    """A regular multivariate series.

    Attributes:
        values: ``[T, N]`` float32, NaN where missing.
        timestamps: ``[T]`` ``datetime64[ns]`` or ``None`` when the source has no time axis
            (then calendar features are unavailable).
        channel_ids: ``N`` names (``unique_id`` values in long format, column names in wide).
        freq: pandas offset alias (``"h"``, ``"15min"``, ``"D"``, ``"W-SUN"``, ...) or ``None``.
        coords: ``[N, 2]`` (lat, lon) or ``[N, 3]`` (lat, lon, alt) in degrees/metres, or ``None``.
        name: a short dataset name (used for MLflow experiment names).
        mask: ``[T, N]`` bool, True where a value is observed (derived from ``values``).
    """

    values: np.ndarray
    timestamps: np.ndarray | None
    channel_ids: tuple[str, ...]
    freq: str | None = None
    coords: np.ndarray | None = None
    name: str = "data"
    mask: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float32)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise DataValidationError(f"values must be 2-D [time, channel], got shape {values.shape}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "channel_ids", tuple(str(c) for c in self.channel_ids))
        if len(self.channel_ids) != values.shape[1]:
            raise DataValidationError(
                f"{len(self.channel_ids)} channel ids for {values.shape[1]} value columns"
            )
        if len(set(self.channel_ids)) != len(self.channel_ids):
            raise DataValidationError("channel ids must be unique")
        if self.timestamps is not None:
            ts = np.asarray(self.timestamps).astype("datetime64[ns]")
            if ts.shape != (values.shape[0],):
                raise DataValidationError(f"{ts.shape[0]} timestamps for {values.shape[0]} rows")
            object.__setattr__(self, "timestamps", ts)
        if self.coords is not None:
            c = np.asarray(self.coords, dtype=np.float64)
            if c.ndim != 2 or c.shape[0] != values.shape[1] or c.shape[1] not in (2, 3):
                raise DataValidationError(
                    f"coordinates must be [N, 2|3] (lat, lon[, alt]) for N={values.shape[1]} channels, got {c.shape}"
                )
            if not np.isfinite(c).all():
                raise DataValidationError("coordinates contain missing or non-finite values")
            object.__setattr__(self, "coords", c)
        object.__setattr__(self, "mask", ~np.isnan(values))

    @property
    def n_steps(self) -> int:
        return int(self.values.shape[0])

    @property
    def n_channels(self) -> int:
        return int(self.values.shape[1])

    @property
    def missing_share(self) -> float:
        return float(1.0 - self.mask.mean()) if self.values.size else 0.0

    def select_channels(self, ids: list[str] | tuple[str, ...]) -> TimeSeriesData:
        """Sub-select channels by id (keeps coordinates aligned)."""
        index = {c: i for i, c in enumerate(self.channel_ids)}
        missing = [c for c in ids if c not in index]
        if missing:
            raise DataValidationError(f"unknown channel(s) {missing[:5]}", column=missing[0])
        cols = [index[c] for c in ids]
        return replace(
            self,
            values=self.values[:, cols],
            channel_ids=tuple(ids),
            coords=None if self.coords is None else self.coords[cols],
        )
