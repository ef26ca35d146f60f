"""Explanations of a per-series recommendation, in words, from LightGBM contributions.

Why contributions grouped by property: the router scores a candidate with a regression tree
ensemble; ``pred_contrib`` splits *this series'* score exactly into one term per feature plus a
bias, so "strong seasonality (0.91) and short history (36 values) favour auto_theta" is a
statement about the series, and the terms add up to the score that ranked the candidate
(:func:`explain_series` checks nothing away: ``sum(contributions) + bias == score``).
A negative group total lowers the candidate's expected error relative to the other candidates
(it *favours* it); a positive one works against it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from recommender.series_features import FEATURE_GROUPS, SERIES_FEATURES

__all__ = ["SeriesReason", "SeriesExplanation", "describe", "explain_series", "explain_collection"]

#: Group totals smaller than this (in log relative error) are not worth a word.
MIN_EFFECT = 0.01

#: How a group reads in "auto_theta for 12 of 40 series, mostly for their seasonality"; the
#: group "collection" is the collection prior the router pools each series towards.
_GROUP_NOUN = {"collection": "the collection's record"}


@dataclass
class SeriesReason:
    """One property group's part in a candidate's score for one series.

    Attributes:
        group: property group (:data:`recommender.series_features.FEATURE_GROUPS` values).
        contribution: summed contribution (log relative error; < 0 favours the candidate).
        effect: ``"favours"`` or ``"works against"``.
        description: the series' value in words ("strong seasonality (0.91)").
    """

    group: str
    contribution: float
    effect: str
    description: str


@dataclass
class SeriesExplanation:
    """Why ``candidate`` for one series: grouped contributions that sum to its score."""

    candidate: str
    score: float
    bias: float
    contributions: dict[str, float]
    reasons: list[SeriesReason] = field(default_factory=list)
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _word(value: float, cuts: tuple[float, float], words: tuple[str, str, str]) -> str:
    if not math.isfinite(value):
        return words[0]
    return words[2] if value >= cuts[1] else words[1] if value >= cuts[0] else words[0]


def describe(group: str, f: Mapping[str, float]) -> str:
    """The series' value of a property group in words."""
    g = lambda k: float(f.get(k, float("nan")))  # noqa: E731
    if group == "seasonality":
        s = g("season_strength")
        return f"{_word(s, (0.3, 0.6), ('weak', 'moderate', 'strong'))} seasonality ({s:.2f})"
    if group == "trend":
        t = g("tau")
        word = _word(abs(t), (0.3, 0.6), ("weak", "moderate", "strong"))
        direction = "" if word == "weak" else (" upward" if t > 0 else " downward")
        return f"{word}{direction} trend (tau {t:+.2f})"
    if group == "history length":
        n = int(round(math.exp(g("log_length")))) if math.isfinite(g("log_length")) else 0
        word = "short" if n < 40 else "medium-length" if n < 150 else "long"
        return f"{word} history ({n} values)"
    if group == "intermittency":
        z = g("zero_share")
        return f"intermittent demand ({z:.0%} zeros)" if z >= 0.3 else f"few zeros ({z:.0%})"
    if group == "volatility":
        v = g("volatility")
        return f"{_word(v, (0.4, 0.8), ('low', 'medium', 'high'))} volatility ({v:.2f})"
    if group == "stationarity":
        return "a stationary input window" if g("stationarity") >= 0.5 else "a non-stationary input window"
    if group == "memorability":
        return f"memorability (Hurst {g('hurst'):.2f})"
    if group == "scedasticity":
        return "heteroscedastic noise" if g("scedasticity") < 0.5 else "homoscedastic noise"
    if group == "anomaly":
        a = g("anomaly_ratio")
        return f"{_word(a, (0.05, 0.1), ('few', 'some', 'many'))} anomalies ({a:.2f})"
    if group == "missing values":
        return f"{g('missing_share'):.0%} missing values"
    if group == "level shift":
        s = g("level_shift")
        return (
            f"a recent level shift ({s:.1f}× the typical step)"
            if s >= 2
            else f"no recent level shift ({s:.1f}× the typical step)"
        )
    if group == "frequency and horizon":
        return f"season length {int(g('season_length'))} and horizon {int(g('horizon'))}"
    if group == "level":
        return "non-positive values" if g("nonpositive") > 0 else "strictly positive values"
    if group == "collection":
        return "the rest of the collection"
    return group


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def explain_series(
    candidate: str,
    contrib: np.ndarray,
    bias: float,
    features: Mapping[str, float],
    *,
    prior: float | None = None,
    limit: int = 2,
) -> SeriesExplanation:
    """Group one series' contributions (``[F]``, order :data:`SERIES_FEATURES`) and phrase them.

    ``prior``: the collection prior's share of the score (the router pools each series towards
    the collection); it is the group ``collection``, so groups + bias still sum to the score."""
    groups: dict[str, float] = {}
    for name, value in zip(SERIES_FEATURES, contrib, strict=True):
        key = FEATURE_GROUPS.get(name, name)
        groups[key] = groups.get(key, 0.0) + float(value)
    if prior is not None:
        groups["collection"] = float(prior)
    reasons = [
        SeriesReason(g, v, "favours" if v < 0 else "works against", describe(g, features))
        for g, v in groups.items()
        if abs(v) >= MIN_EFFECT
    ]
    pro = sorted((r for r in reasons if r.contribution < 0), key=lambda r: r.contribution)[:limit]
    con = sorted((r for r in reasons if r.contribution > 0), key=lambda r: -r.contribution)[:1]
    parts = []
    if pro:
        parts.append(
            f"{_join([r.description for r in pro])} favour{'s' if len(pro) == 1 else ''} {candidate}"
        )
    if con:
        parts.append(f"{con[0].description} works against it")
    text = "; ".join(parts) or f"{candidate} is the best on average for series like this one"
    score = float(np.sum(contrib) + bias + (prior or 0.0))
    return SeriesExplanation(candidate, score, float(bias), groups, pro + con, text)


def explain_collection(
    per_series: pd.DataFrame, contributions: pd.DataFrame, *, limit: int = 2
) -> dict[str, str]:
    """Per picked candidate, one sentence: how many series pick it and the property groups that
    favour it most on average over those series (``contributions``: one row per series, one
    column per group, for the series' pick)."""
    out = {}
    n = len(per_series)
    for cand, idx in per_series.groupby("pick").groups.items():
        share = len(idx) / max(n, 1)
        mean = contributions.loc[idx].mean().sort_values()
        favour = [g for g, v in mean.items() if v < -MIN_EFFECT][:limit]
        text = f"{cand} for {len(idx)} of {n} series ({share:.0%})"
        if favour:
            text += f", mostly for {_join([_GROUP_NOUN.get(g, f'their {g}') for g in favour])}"
        out[str(cand)] = text
    return out
