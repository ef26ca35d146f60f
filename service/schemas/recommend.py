"""``POST /v1/recommend``: which model to train for the posted series, and why."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.schemas.forecast import ValueOrMissing

__all__ = [
    "RecommendSeriesIn",
    "RecommendRequest",
    "RankedModelOut",
    "ReasonOut",
    "AvoidOut",
    "RecommendResponse",
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
        None, description="Optional; must be the same for every series."
    )


class RecommendRequest(BaseModel):
    """One dataset: series of equal length (channels observed at the same times)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RECOMMEND_EXAMPLE]})

    series: list[RecommendSeriesIn] = Field(min_length=1)
    horizon: int | None = Field(None, ge=1, description="Forecast horizon (default: one season of the data).")
    input_len: int | None = Field(None, ge=8, description="Input window (default as in `tsforge train`).")
    top: int = Field(3, ge=1, le=20)
    max_windows: int = Field(64, ge=1, le=256, description="Windows profiled (seeded sample).")

    @model_validator(mode="after")
    def _one_dataset(self) -> RecommendRequest:
        ids = [s.id for s in self.series]
        if len(set(ids)) != len(ids):
            raise ValueError("series ids must be unique within a request")
        lengths = {len(s.values) for s in self.series}
        if len(lengths) > 1:
            raise ValueError(
                f"all series must have the same length (one dataset); got lengths {sorted(lengths)}"
            )
        with_ts = [s.timestamps for s in self.series if s.timestamps is not None]
        if with_ts and (len(with_ts) != len(self.series) or any(t != with_ts[0] for t in with_ts)):
            raise ValueError("give the same timestamps for every series, or none")
        if with_ts and len(with_ts[0]) != len(self.series[0].values):
            raise ValueError("one timestamp per value")
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
