"""``POST /v1/recommend``: which model to train for the posted series, and why."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator
from pydantic.config import JsonDict, JsonValue

from recommender.series_features import FEATURE_GROUPS
from recommender.series_recommendation import CAVEAT_KINDS, field_key
from service.schemas.common import ReadsTimeFormat, TimeFormat, check_unique_ids, field_error
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

#: the keys of a series' ``contributions`` (property groups as field keys) and of the
#: collection's ``caveats``, named in the descriptions so the OpenAPI document lists them
SERIES_GROUP_KEYS: tuple[str, ...] = (*dict.fromkeys(map(field_key, FEATURE_GROUPS.values())), "collection")
CAVEAT_KEYS: tuple[str, ...] = tuple(map(field_key, CAVEAT_KINDS))

_EXAMPLE_VALUES: list[JsonValue] = [
    [round(10 + 3 * math.sin(2 * math.pi * (t + 5 * k) / 24) + 0.002 * t, 3) for t in range(720)]
    for k in range(2)
]
RECOMMEND_EXAMPLE: JsonDict = {
    "series": [{"id": f"station_{k}", "values": v} for k, v in enumerate(_EXAMPLE_VALUES)],
    "horizon": 24,
    "top": 3,
}


class RecommendSeriesIn(HistoryIn):
    """One series of the dataset (or, with ``per_series``, of the panel)."""

    timestamps: TimeKeys | None = Field(
        None,
        description="Optional, one per value, increasing; the same for every series unless per_series. "
        "As in /v1/forecast: ISO-8601 dates (or as time_format says), or integers in every position "
        "(an integer step index, no calendar; integers that read as dates, 20200131, are those dates).",
    )


class RecommendRequest(ReadsTimeFormat):
    """One dataset: series of equal length (channels observed at the same times)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RECOMMEND_EXAMPLE]})

    series: list[RecommendSeriesIn] = Field(
        min_length=1,
        description="The dataset's series (ids unique): all of one length and with the same timestamps, "
        "or none; with per_series, each of its own length and times (timestamps of one kind and one "
        "frequency).",
    )
    horizon: StrictInt | None = Field(
        None,
        ge=1,
        description="Forecast horizon in steps; absent: one season of the data's frequency, kept within "
        "12..48, or the longest that fits when the data is too short for that (`notes` then says "
        "so; the answer's `horizon` is the one used) (with per_series: the frequency's M4 horizon).",
    )
    input_len: StrictInt | None = Field(
        None,
        ge=8,
        description="Input window in steps (>= 8, shorter than the series); absent: as `tsforge train` "
        "picks it (4 × horizon, at least two seasons, capped by the data's length). Ignored with "
        "per_series.",
    )
    top: StrictInt = Field(
        3,
        ge=1,
        le=20,
        description="How many candidates to list in `top` (1-20, default 3). Ignored with per_series.",
    )
    max_windows: StrictInt = Field(
        64,
        ge=1,
        le=256,
        description="Most windows profiled, a seeded sample (1-256, default 64). Ignored with per_series.",
    )
    per_series: StrictBool = Field(
        False,
        description="Recommend a candidate (and weights) for every series from its own properties; "
        "series may then have different lengths and their own timestamps (a panel).",
    )
    time_format: TimeFormat = None

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
        n = len(self.series[0].values)
        odd = next((i for i, s in enumerate(self.series) if len(s.values) != n), None)
        if odd is not None:  # named at the series that breaks it, as the timestamps below are
            raise field_error(
                f"series {self.series[odd].id!r} has {len(self.series[odd].values)} values and "
                f"series {self.series[0].id!r} {n}: all series must have the same length (one "
                f"dataset; got {_lengths_as_sent(self.series)}) — series of their own lengths are a "
                'panel: send "per_series": true',
                "series",
                odd,
                "values",
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


_NAMED_LENGTHS = 8


def _lengths_as_sent(series: list[RecommendSeriesIn]) -> str:
    """The series' lengths in the order they were sent, each beside its id when few.

    Why: a sorted set of lengths ("[30, 36, 40]") could not be matched back to the series
    that have them; in request order (and named, for a short request) the reader finds them.
    """
    if len(series) <= _NAMED_LENGTHS:
        return "lengths " + ", ".join(f"{s.id!r} {len(s.values)}" for s in series)
    return f"lengths in the order sent {[len(s.values) for s in series]}"


def _timestamp_kind(series: RecommendSeriesIn) -> str | None:
    """``"steps"`` (integer step index), ``"dates"`` or ``None`` (no timestamps)."""
    if series.timestamps is None:
        return None
    return "steps" if isinstance(series.timestamps[0], int) else "dates"


class RankedModelOut(BaseModel):
    """One candidate model in the ranking."""

    rank: int = Field(description="Position in the ranking by predicted error; 1 = predicted best.")
    name: str = Field(description="Candidate id, e.g. 'dlinear' or 'dlinear+selective'.")
    model: str = Field(description="Registered tsforge model to train.")
    strategy: str | None = Field(description="Loss strategy to train it with; null = plain training.")
    expected_relative_error: float | None = Field(
        description="Predicted error ÷ the error of the candidate best on these data in hindsight "
        "(1 would be a sure best, so even rank 1 is usually above 1); null when not finite."
    )
    score: float | None = Field(
        description="Raw score (predicted log relative error); the ranking is ordered by it, lowest "
        "first; null when not finite."
    )
    train_kwargs: dict[str, Any] = Field(description="Keyword arguments for tsforge.pipeline.train.")
    recommended: bool = Field(
        default=False, description="The pick: rank 1 unless a rule chose another candidate (see 'rule')."
    )


class ReasonOut(BaseModel):
    """One property group's part in the recommended candidate's score."""

    group: str = Field(description="Property group, e.g. seasonality, trend, stationarity.")
    contribution: float | None = Field(
        description="The group's summed contribution to the score (log relative error; < 0 favours "
        "the candidate); null when not finite."
    )
    effect: str = Field(description="'favours' or 'works against'.")
    description: str = Field(
        description="The dataset's value in words, e.g. 'strong seasonality (strength 0.82)'."
    )
    top_features: list[list[Any]] = Field(
        default_factory=list,
        description="The group's largest features, each [name, value, contribution].",
    )


class AvoidOut(BaseModel):
    """A candidate expected to do clearly worse (at least 1.25 × the best's error)."""

    name: str = Field(description="Candidate id.")
    expected_relative_error: float | None = Field(
        description="Predicted error ÷ the best candidate's; null when not finite."
    )
    reason: str = Field(description="Why, in words.")


class RecommendResponse(BaseModel):
    """Which candidate model to train for the posted dataset, the full ranking and the reasons."""

    dataset: str = Field(description="The data's name: always 'request' here.")
    input_len: int = Field(description="Input window (steps) the recommendation is for.")
    horizon: int = Field(
        description="Horizon (steps) the recommendation is for: the request's or the default."
    )
    top: list[RankedModelOut] = Field(
        description="The first `top` of ranking (plus the pick when a rule chose one further down)."
    )
    ranking: list[RankedModelOut] = Field(description="Every candidate, best predicted first.")
    reasons: list[ReasonOut] = Field(
        description="Property groups behind the recommended candidate, those favouring it first."
    )
    explanation: str = Field(description="The reasons as one sentence.")
    avoid: list[AvoidOut] = Field(
        description="At most 3 candidates expected to do clearly worse; empty when none."
    )
    properties: dict[str, Any] = Field(description="The dataset's property summary, in words and numbers.")
    timings: dict[str, float | None] = Field(
        description="Seconds spent: load_seconds, recommender_seconds, profile_seconds, "
        "predict_seconds, total_seconds."
    )
    rule: str | None = Field(
        default=None, description="Why the pick is not the predicted best, when a rule chose it."
    )
    notes: list[str] | None = Field(
        default=None,
        description="What limits the answer, in words (null when nothing does): e.g. data too short "
        "for the default horizon, answered for the longest horizon that fits.",
    )
    contributions: dict[str, float | None] = Field(
        default_factory=dict,
        description="The recommended candidate's score split by property group (log relative error; "
        "< 0 lowers its expected error), one entry for every group: stationarity, trend, "
        "seasonality, volatility, memorability, scedasticity, anomaly, data_shape (the data's "
        "length, channels and horizon) and candidate (a lambdarank recommender's own average "
        "standing of the candidate; 0 otherwise); `reasons` are the largest. With `bias` they add "
        "up to the recommended candidate's `score` in `ranking`. null when not finite.",
    )
    bias: float | None = Field(
        default=None,
        description="The part of the recommended candidate's score no property explains (the "
        "recommender's average for it); `contributions` + `bias` = its `score`. null when not finite.",
    )


class SeriesPickOut(BaseModel):
    """One series' recommendation."""

    id: str = Field(
        description="The posted series' id (series[i].id), named as the request and /v1/forecast name it "
        "(earlier answers called it unique_id)."
    )
    pick: str = Field(description="The candidate with the lowest expected MASE for this series.")
    expected_mase: float | None = Field(
        description="The pick's expected MASE on this series; null when not finite."
    )
    best_single: str = Field(
        description="The collection's best single candidate (lowest mean expected MASE)."
    )
    best_single_clear: bool = Field(
        default=True,
        description="Whether best_single stands out: its mean expected MASE leads the next "
        "candidate's by the margin a clear pick needs (false: the candidates are about level and "
        "the weights blend them; the CLI says 'none stands out').",
    )
    expected_mase_best_single: float | None = Field(
        description="best_single's expected MASE on this series; null when not finite."
    )
    gain: float | None = Field(description="1 − expected_mase / expected_mase_best_single.")
    top_weights: str = Field(
        description="The largest weights in words, e.g. 'seasonal_naive 0.70, naive 0.30' (those >= 0.005)."
    )
    explanation: str = Field(description="Why this pick, in one sentence.")
    caveat: str = Field(
        default="",
        description="Why this series' answer means less than the others' (a flat history, too short "
        "to profile); empty when it doesn't.",
    )
    weights: dict[str, float] = Field(description="Weights of the weighted combination (non-zero only).")
    expected_mase_by_candidate: dict[str, float | None] = Field(
        description="Expected MASE of every candidate on this series (null when not finite)."
    )
    reasons: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The property groups behind the pick: {group (a key of `contributions`), "
        "contribution (log relative error; < 0 favours it), effect ('favours' or 'works against'), "
        "description (the series' value in words)}.",
    )
    contributions: dict[str, float | None] = Field(
        default_factory=dict,
        description="The pick's score split by property group (log relative error; < 0 favours it). "
        "Keys: " + ", ".join(SERIES_GROUP_KEYS) + " (the share of the collection prior the score is "
        "pooled towards), every one present. With `bias` they add up to `score`.",
    )
    bias: float | None = Field(
        default=None,
        description="The part of the pick's score no property explains (scaled as the contributions "
        "are); `contributions` + `bias` = `score`. null when not finite.",
    )
    score: float | None = Field(
        default=None,
        description="The pick's score for this series: its predicted log error relative to the "
        "candidates' mean, pooled towards the collection prior (the lowest of the allowed "
        "candidates' scores picks it). null when not finite.",
    )


class PerSeriesRecommendResponse(BaseModel):
    """``per_series: true``: a recommendation for every series plus the collection view."""

    dataset: str = Field(description="The data's name: always 'request' here.")
    horizon: int = Field(
        description="Horizon (steps) the recommendation is for: the request's or the default."
    )
    n_series: int = Field(description="Number of series recommended for.")
    candidates: list[str] = Field(
        description="The router's candidates (the keys of weights and expected MASEs)."
    )
    pooling: str | None = Field(
        default=None,
        description="Where the router pools every series fully towards the collection (every "
        "series then gets the collection's weights), the sentence that says so and how to route "
        "series apart; null otherwise.",
    )
    collection: dict[str, Any] = Field(
        description="best_single, best_single_clear (whether it stands out: see the series' "
        "field), pick_distribution, clear_pick_share (per pick, the share of series "
        "whose weights it clearly dominates: at least twice the next weight), weight_shares, expected "
        "errors, expected_gain, "
        "explanations, and caveats (per kind of caveat, the ids of the series with it: "
        + ", ".join(f"`{k}`" for k in CAVEAT_KEYS)
        + "; each series' `caveat` says why in words)."
    )
    series: list[SeriesPickOut] = Field(
        description="One per posted series, in the order posted, each named by its id."
    )
    timings: dict[str, float | None] = Field(
        description="Seconds spent on loading, profiling, predicting, explaining and in total."
    )
    router: dict[str, Any] = Field(
        description="Where the per-series recommender came from and how it weights."
    )
    short_for_holdout: list[str] = Field(
        default_factory=list,
        description="Ids of the series shorter than `holdout_length`: recommended for like the "
        "others, but training the recommendation on the panel (`tsforge recommend --per-series "
        "--train`) refuses them unless `--drop-short` leaves them out.",
    )
    holdout_length: int = Field(
        0, description="Values per series that training on the panel's holdout needs at this horizon."
    )
    notes: list[str] | None = Field(
        default=None,
        description="What limits the answer, in words (null when nothing does): e.g. series whose "
        "timestamps skip steps of their frequency, read as missing values.",
    )
