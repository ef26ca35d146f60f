"""``POST /v1/profile``: the ARIES property set (stationarity, trend, seasonality, ...) of posted series."""

from __future__ import annotations

import math
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.schemas.common import check_timestamps
from service.schemas.forecast import ValueOrMissing

__all__ = ["ProfileSeriesIn", "ProfileRequest", "SeriesProfile", "ProfileResponse", "PROFILE_EXAMPLE"]

PROFILE_EXAMPLE = {
    "series": [
        {
            "id": "daily_cycle",
            "values": [round(10 + 3 * math.sin(2 * math.pi * t / 24) + 0.01 * t, 3) for t in range(480)],
        }
    ],
    "window": 336,
    "max_windows": 16,
}


class ProfileSeriesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=256)
    values: list[ValueOrMissing] = Field(
        min_length=1, description="Observations, oldest first; null = missing."
    )
    timestamps: list[datetime] | None = Field(
        None,
        description="Optional, one per value: accepted so that a series posted to /v1/forecast or "
        "/v1/recommend profiles as it is; the properties are computed from the values alone.",
    )

    @model_validator(mode="after")
    def _one_timestamp_per_value(self) -> ProfileSeriesIn:
        check_timestamps(self.timestamps, len(self.values))
        return self


class ProfileRequest(BaseModel):
    """Series to profile; each is cut into windows (default: min(336, its length)) and summarised."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PROFILE_EXAMPLE]})

    series: list[ProfileSeriesIn] = Field(min_length=1)
    window: int | None = Field(None, ge=32, le=4096, description="Window length (ARIES: 336).")
    stride: int | None = Field(None, ge=1, description="Step between windows (default window // 14).")
    max_windows: int = Field(
        64, ge=1, le=1000, description="Seeded random subset of at most this many windows per series."
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> ProfileRequest:
        ids = [s.id for s in self.series]
        if len(set(ids)) != len(ids):
            raise ValueError("series ids must be unique within a request")
        return self


class SeriesProfile(BaseModel):
    id: str
    window: int
    n_windows: int = Field(description="Windows profiled (after dropping those with > 10 % missing).")
    properties: dict[str, dict[str, float | None]] = Field(
        description="Per property: mean, std, q10, q50, q90."
    )
    buckets: dict[str, dict[str, float]] = Field(
        description="Per ARIES bucket: share of windows in each label."
    )


class ProfileResponse(BaseModel):
    profiles: list[SeriesProfile]
