"""``POST /v1/profile``: the ARIES property set (stationarity, trend, seasonality, ...) of posted series."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from service.schemas.common import check_unique_ids
from service.schemas.forecast import HistoryIn, TimeKeys

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


class ProfileSeriesIn(HistoryIn):
    timestamps: TimeKeys | None = Field(
        None,
        description="Optional, one per value: accepted so that a series posted to /v1/forecast or "
        "/v1/recommend profiles as it is (ISO-8601 dates or an integer step index, as there); the "
        "properties are computed from the values alone.",
    )


class ProfileRequest(BaseModel):
    """Series to profile; each is cut into windows (default: min(336, its length)) and summarised."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PROFILE_EXAMPLE]})

    series: list[ProfileSeriesIn] = Field(min_length=1)
    window: StrictInt | None = Field(None, ge=32, le=4096, description="Window length (ARIES: 336).")
    stride: StrictInt | None = Field(None, ge=1, description="Step between windows (default window // 14).")
    max_windows: StrictInt = Field(
        64, ge=1, le=1000, description="Seeded random subset of at most this many windows per series."
    )

    @field_validator("series")
    @classmethod
    def _unique_ids(cls, series: list[ProfileSeriesIn]) -> list[ProfileSeriesIn]:
        check_unique_ids([s.id for s in series])
        return series


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
