"""``POST /v1/recommend``: which model to train for the posted series, and why."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.schemas.common import check_timestamps
from service.schemas.forecast import ValueOrMissing

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


class RecommendSeriesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=256)
    values: list[ValueOrMissing] = Field(
        min_length=1, description="Observations, oldest first; null = missing."
    )
    timestamps: list[datetime] | None = Field(
        None, description="Optional, one per value, increasing; the same for every series unless per_series."
    )

    @model_validator(mode="after")
    def _one_timestamp_per_value(self) -> RecommendSeriesIn:
        check_timestamps(self.timestamps, len(self.values))
        return self


class RecommendRequest(BaseModel):
    """One dataset: series of equal length (channels observed at the same times)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RECOMMEND_EXAMPLE]})

    series: list[RecommendSeriesIn] = Field(min_length=1)
    horizon: int | None = Field(None, ge=1, description="Forecast horizon (default: one season of the data).")
    input_len: int | None = Field(None, ge=8, description="Input window (default as in `tsforge train`).")
    top: int = Field(3, ge=1, le=20)
    max_windows: int = Field(64, ge=1, le=256, description="Windows profiled (seeded sample).")
    per_series: bool = Field(
        False,
        description="Recommend a candidate (and weights) for every series from its own properties; "
        "series may then have different lengths and their own timestamps (a panel).",
    )

    @model_validator(mode="after")
    def _one_dataset(self) -> RecommendRequest:
        ids = [s.id for s in self.series]
        if len(set(ids)) != len(ids):
            raise ValueError("series ids must be unique within a request")
        if self.per_series:
            if any(s.timestamps is None for s in self.series) and any(
                s.timestamps is not None for s in self.series
            ):
                raise ValueError("give timestamps for every series, or none")
            return self
        lengths = {len(s.values) for s in self.series}
        if len(lengths) > 1:
            raise ValueError(
                f"all series must have the same length (one dataset); got lengths {sorted(lengths)} — "
                'series of their own lengths are a panel: send "per_series": true'
            )
        with_ts = [s.timestamps for s in self.series if s.timestamps is not None]
        if with_ts and (len(with_ts) != len(self.series) or any(t != with_ts[0] for t in with_ts)):
            raise ValueError("give the same timestamps for every series, or none")
        return self


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
        description="best_single, pick_distribution, weight_shares, expected errors, expected_gain, explanations."
    )
    series: list[SeriesPickOut]
    timings: dict[str, float | None]
    router: dict[str, Any]
