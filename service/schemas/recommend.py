"""``POST /v1/recommend``: which model to train for the posted series, and why."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from service.schemas.common import check_unique_ids, field_error
from service.schemas.forecast import HistoryIn, TimeKeys

__all__ = [
    "RecommendSeriesIn",
    "RecommendRequest",
    "RankedModelOut",
    "ReasonOut",
    "AvoidOut",
    "RecommendResponse",
    "SeriesPickOut",
    "PerSeriesRecommendResponse",
]

_EXAMPLE_VALUES = [
    [round(10 + 3 * math.sin(2 * math.pi * (t + 5 * k) / 24) + 0.002 * t, 3) for t in range(720)]
    for k in range(2)
]
RECOMMEND_EXAMPLE = {
    "series": [{"id": f"station_{k}", "values": v} for k, v in enumerate(_EXAMPLE_VALUES)],
    "horizon": 24,
    "top": 3,
}


class RecommendSeriesIn(HistoryIn):
    timestamps: TimeKeys | None = Field(
        None,
        description="Optional, one per value, increasing; the same for every series unless per_series. "
        "As in /v1/forecast: ISO-8601 dates, or integers in every position (an integer step index, "
        "no calendar).",
    )


class RecommendRequest(BaseModel):
    """One dataset: series of equal length (channels observed at the same times)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RECOMMEND_EXAMPLE]})

    series: list[RecommendSeriesIn] = Field(min_length=1)
    horizon: StrictInt | None = Field(
        None, ge=1, description="Forecast horizon (default: one season of the data)."
    )
    input_len: StrictInt | None = Field(
        None, ge=8, description="Input window (default as in `tsforge train`)."
    )
    top: StrictInt = Field(3, ge=1, le=20)
    max_windows: StrictInt = Field(64, ge=1, le=256, description="Windows profiled (seeded sample).")
    per_series: StrictBool = Field(
        False,
        description="Recommend a candidate (and weights) for every series from its own properties; "
        "series may then have different lengths and their own timestamps (a panel).",
    )

    @field_validator("series")
    @classmethod
    def _unique_ids(cls, series: list[RecommendSeriesIn]) -> list[RecommendSeriesIn]:
        check_unique_ids([s.id for s in series])
        return series

    @model_validator(mode="after")
    def _one_dataset(self) -> RecommendRequest:
        kinds = [_timestamp_kind(s) for s in self.series]
        odd = next((i for i, k in enumerate(kinds) if k != kinds[0]), None)
        if odd is not None:
            raise field_error(
                "give timestamps of one kind (dates or integer steps) for every series, or none",
                "series",
                odd,
                "timestamps",
            )
        if self.per_series:
            return self
        lengths = {len(s.values) for s in self.series}
        if len(lengths) > 1:
            raise ValueError(
                f"all series must have the same length (one dataset); got lengths {sorted(lengths)} — "
                'series of their own lengths are a panel: send "per_series": true'
            )
        first = self.series[0].timestamps
        odd = next((i for i, s in enumerate(self.series) if s.timestamps != first), None)
        if odd is not None:
            raise field_error(
                "give the same timestamps for every series, or none (one dataset); series observed "
                'at their own times are a panel: send "per_series": true',
                "series",
                odd,
                "timestamps",
            )
        return self


def _timestamp_kind(series: RecommendSeriesIn) -> str | None:
    """``"steps"`` (integer step index), ``"dates"`` or ``None`` (no timestamps)."""
    if series.timestamps is None:
        return None
    return "steps" if isinstance(series.timestamps[0], int) else "dates"


class RankedModelOut(BaseModel):
    rank: int
    name: str = Field(description="Candidate id, e.g. 'dlinear' or 'dlinear+selective'.")
    model: str = Field(description="Registered tsforge model to train.")
    strategy: str | None
    expected_relative_error: float | None = Field(
        description="Predicted error ÷ the best candidate's (1 = best)."
    )
    score: float | None
    train_kwargs: dict[str, Any] = Field(description="Keyword arguments for tsforge.pipeline.train.")
    recommended: bool = Field(
        default=False, description="The pick: rank 1 unless a rule chose another candidate (see 'rule')."
    )


class ReasonOut(BaseModel):
    group: str
    contribution: float | None
    effect: str
    description: str
    top_features: list[list[Any]] = Field(default_factory=list)


class AvoidOut(BaseModel):
    name: str
    expected_relative_error: float | None
    reason: str


class RecommendResponse(BaseModel):
    dataset: str
    input_len: int
    horizon: int
    top: list[RankedModelOut]
    ranking: list[RankedModelOut]
    reasons: list[ReasonOut]
    explanation: str
    avoid: list[AvoidOut]
    properties: dict[str, Any]
    timings: dict[str, float | None]
    rule: str | None = Field(
        default=None, description="Why the pick is not the predicted best, when a rule chose it."
    )


class SeriesPickOut(BaseModel):
    """One series' recommendation."""

    unique_id: str
    pick: str = Field(description="The candidate with the lowest expected MASE for this series.")
    expected_mase: float | None
    best_single: str = Field(
        description="The collection's best single candidate (lowest mean expected MASE)."
    )
    expected_mase_best_single: float | None
    gain: float | None = Field(description="1 − expected_mase / expected_mase_best_single.")
    top_weights: str
    explanation: str
    caveat: str = Field(
        default="",
        description="Why this series' answer means less than the others' (a flat history, too short "
        "to profile); empty when it doesn't.",
    )
    weights: dict[str, float] = Field(description="Weights of the weighted combination (non-zero only).")
    expected_mase_by_candidate: dict[str, float | None]
    reasons: list[dict[str, Any]] = Field(default_factory=list)
    contributions: dict[str, float] = Field(
        default_factory=dict,
        description="The pick's score split by property group (log relative error; sums with the bias).",
    )


class PerSeriesRecommendResponse(BaseModel):
    """``per_series: true``: a recommendation for every series plus the collection view."""

    dataset: str
    horizon: int
    n_series: int
    candidates: list[str]
    collection: dict[str, Any] = Field(
        description="best_single, pick_distribution, weight_shares, expected errors, expected_gain, "
        "explanations, and caveats (the ids of the series with each kind of caveat)."
    )
    series: list[SeriesPickOut]
    timings: dict[str, float | None]
    router: dict[str, Any]
