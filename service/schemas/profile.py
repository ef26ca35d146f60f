"""``POST /v1/profile``: the ARIES property set (stationarity, trend, seasonality, ...) of posted series."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator
from pydantic.config import JsonDict

from service.schemas.common import OmitsEmptyNotes, ReadsTimeFormat, TimeFormat, check_unique_ids
from service.schemas.forecast import HistoryIn, TimeKeys

__all__ = ["ProfileSeriesIn", "ProfileRequest", "SeriesProfile", "ProfileResponse", "PROFILE_EXAMPLE"]

PROFILE_EXAMPLE: JsonDict = {
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
    """One series to profile: id, values (``null`` = missing) and optional timestamps."""

    timestamps: TimeKeys | None = Field(
        None,
        description="Optional, one per value: ISO-8601 dates (or as time_format says), or an integer "
        "step index, read as /v1/forecast reads them. The properties are computed from the values; "
        "steps the timestamps skip (a month not sent) are profiled as missing values, and `notes` "
        "says which series skipped how many.",
    )


class ProfileRequest(ReadsTimeFormat):
    """Series to profile; each is cut into windows (default: min(336, its length)) and summarised."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PROFILE_EXAMPLE]})

    series: list[ProfileSeriesIn] = Field(
        min_length=1,
        description="One or more series, ids unique; each needs at least max(window, 32) values.",
    )
    window: StrictInt | None = Field(
        None,
        ge=32,
        le=4096,
        description="Window length in steps (ARIES: 336); absent: min(336, the series' length, the "
        "service's TSFORGE_MAX_PROFILE_WINDOW). Over that limit is a 413.",
    )
    stride: StrictInt | None = Field(
        None, ge=1, description="Steps between window starts; absent: max(1, window // 14)."
    )
    max_windows: StrictInt = Field(
        64,
        ge=1,
        le=1000,
        description="Profile a seeded random subset of at most this many windows per series (default "
        "64); the request's total is capped by TSFORGE_MAX_PROFILE_WINDOWS (413 past it).",
    )
    time_format: TimeFormat = None

    @field_validator("series")
    @classmethod
    def _unique_ids(cls, series: list[ProfileSeriesIn]) -> list[ProfileSeriesIn]:
        check_unique_ids([s.id for s in series])
        return series


class SeriesProfile(BaseModel):
    """The ARIES property summary of one series over its profiled windows."""

    id: str = Field(description="The posted series' id.")
    window: int = Field(description="Window length used (steps): the request's, or the default.")
    n_windows: int = Field(description="Windows profiled (after dropping those with > 10 % missing).")
    properties: dict[str, dict[str, float | None]] = Field(
        description="Per property (e.g. stationarity, trend, seasonality measures): its mean, std, q10, "
        "q50 and q90 over the windows; null where a window cannot have it (e.g. a Hurst exponent "
        "of a window under 100 values)."
    )
    buckets: dict[str, dict[str, float]] = Field(
        description="Per ARIES bucket: share of windows in each label."
    )


class ProfileResponse(OmitsEmptyNotes):
    """The profiles of one ``/v1/profile`` request, and what limits them (``notes``, absent when
    nothing does, so an answer without notes is the one sent before the field existed)."""

    profiles: list[SeriesProfile] = Field(description="One per posted series, in the order posted.")
    notes: list[str] | None = Field(
        None,
        description="What limits this answer, in words: series whose timestamps skip steps of their "
        "frequency (or of their integer step index), profiled with those steps as missing values. "
        "Absent when there is nothing to say.",
    )
