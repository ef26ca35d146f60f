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

from recommender.explain import VOLATILITY_CUTS, as_shown, level_word, verb_for
from recommender.properties.memorability import HURST_MIN_LENGTH
from recommender.series_features import FEATURE_GROUPS, SERIES_FEATURES

__all__ = [
    "SeriesReason",
    "SeriesExplanation",
    "describe",
    "explain_series",
    "explain_collection",
    "collection_properties",
]

#: Group totals smaller than this (in log relative error) are not worth a word.
MIN_EFFECT = 0.01

#: How a group reads in "auto_theta for 12 of 40 series, mostly for their seasonality"; the
#: group "collection" is the collection prior the router pools each series towards: the mean of
#: the router's estimates over *every* series of the collection, this one included, so neither
#: "the rest of the collection" nor "the collection's record" (no error was measured). A group
#: whose name states a property ("intermittency", "level shift") is named by what it measures:
#: a group favours a pick whatever its value, and "mostly for their intermittency" read as if
#: series without a single zero were intermittent.
_GROUP_NOUN = {
    "collection": "the collection as a whole",
    "intermittency": "their share of zeros",
    "missing values": "their share of missing values",
    "level shift": "the size of their recent level shift",
    "anomaly": "their anomaly ratio",
    "level": "the sign of their values",
}


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


def describe(group: str, f: Mapping[str, float], *, history_note: str | None = None) -> str:
    """The series' value of a property group in words.

    ``history_note``: what the history's count of values is of, where it is not the whole
    series the user gave (``"before the test window"`` after ``--train``, which profiles the
    series less their test windows: "(65 values)" for a 77-value series read as a miscount).

    The level word is chosen from the number as shown (see :func:`as_shown`); a missing or NaN
    value is said to be "not measured" rather than given the lowest level, and so is a Hurst
    exponent of exactly 0 (the lineage's value when there is no estimate, e.g. a profile shorter
    than :data:`~recommender.properties.memorability.HURST_MIN_LENGTH` values).
    """
    g = lambda k: float(f.get(k, float("nan")))  # noqa: E731
    if group == "seasonality":
        s = g("season_strength")
        if not math.isfinite(s):
            return "seasonality not measured"
        text, shown = as_shown(s, ".2f")
        return f"{level_word(shown, (0.3, 0.6), ('weak', 'moderate', 'strong'))} seasonality ({text})"
    if group == "trend":
        t = g("tau")
        if not math.isfinite(t):
            return "trend not measured"
        text, shown = as_shown(t, "+.2f")
        if shown == 0:  # "tau -0.00" gave a direction to a trend the number says is none
            text = "0.00"
        word = level_word(abs(shown), (0.3, 0.6), ("weak", "moderate", "strong"))
        direction = "" if word == "weak" else (" upward" if shown > 0 else " downward")
        return f"{word}{direction} trend (tau {text})"
    if group == "history length":
        n = int(round(math.exp(g("log_length")))) if math.isfinite(g("log_length")) else 0
        word = "short" if n < 40 else "medium-length" if n < 150 else "long"
        return f"{word} history ({n} values{f' {history_note}' if history_note else ''})"
    if group == "intermittency":
        z = g("zero_share")
        if not math.isfinite(z):
            return "intermittency not measured"
        text, shown = as_shown(z, ".0%")
        if shown >= 0.3:
            return f"intermittent demand ({text} zeros)"
        # "few zeros (0%)" spoke of zeros a series does not have (every CIF 2016 series)
        if z == 0:
            return "no zero values"
        return f"few zeros ({text if shown > 0 else 'under 1%'})"
    if group == "volatility":
        v = g("volatility")
        if not math.isfinite(v):
            return "volatility not measured"
        text, shown = as_shown(v, ".2f")
        return f"{level_word(shown, VOLATILITY_CUTS, ('low', 'medium', 'high'))} volatility ({text})"
    if group == "stationarity":
        st = g("stationarity")
        if not math.isfinite(st):
            return "stationarity not measured"
        return "a stationary input window" if st >= 0.5 else "a non-stationary input window"
    if group == "memorability":
        h, length = g("hurst"), g("profile_length")
        if not math.isfinite(h) or h == 0.0:
            if math.isfinite(length) and length < HURST_MIN_LENGTH:
                return (
                    f"memorability not measured (Hurst needs {HURST_MIN_LENGTH} values, "
                    f"the profile has {int(length)})"
                )
            return "memorability not measured (no Hurst estimate)"
        return f"memorability (Hurst {h:.2f})"
    if group == "scedasticity":
        sc = g("scedasticity")
        if not math.isfinite(sc):
            return "scedasticity not measured"
        # what the ARCH test on the detrended window shows, not "noise": a strong season fires it too
        return "heteroscedastic (ARCH test)" if sc < 0.5 else "homoscedastic (ARCH test)"
    if group == "anomaly":
        a = g("anomaly_ratio")
        if not math.isfinite(a):
            return "anomalies not measured"
        text, shown = as_shown(a, ".3f")
        return f"{level_word(shown, (0.05, 0.1), ('few', 'some', 'many'))} anomalies ({text})"
    if group == "missing values":
        m = g("missing_share")
        return f"{m:.0%} missing values" if math.isfinite(m) else "missing values not measured"
    if group == "level shift":
        s = g("level_shift")
        if not math.isfinite(s):
            return "level shift not measured (too few values)"
        text, shown = as_shown(s, ".1f")
        return (
            f"a recent level shift ({text}× the typical step)"
            if shown >= 2
            # "no recent level shift (1.8× the typical step)" named a shift and denied it at once
            else f"no large recent level shift ({text}× the typical step)"
        )
    if group == "frequency and horizon":
        m, h = g("season_length"), g("horizon")
        m_text = str(int(m)) if math.isfinite(m) else "?"
        h_text = str(int(h)) if math.isfinite(h) else "?"
        return f"season length {m_text} and horizon {h_text}"
    if group == "level":
        # "non-positive values" read as negative values on demand data whose lowest value is 0
        return "zero or negative values" if g("nonpositive") > 0 else "strictly positive values"
    if group == "collection":
        return "the collection as a whole"
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
    prior_label: str | None = None,
    limit: int = 2,
    history_note: str | None = None,
) -> SeriesExplanation:
    """Group one series' contributions (``[F]``, order :data:`SERIES_FEATURES`) and phrase them.

    ``prior``: the collection prior's share of the score (the router pools each series towards
    the collection); it is the group ``collection``, so groups + bias still sum to the score.
    ``prior_label``: what that prior is, in words, when it is not the router's mean over the
    collection (``"this panel's validation-window errors"`` for a routed model's validation
    prior): a reason must name what actually favoured the candidate.
    ``history_note``: what the history's length counts (:func:`describe`)."""
    groups: dict[str, float] = {}
    for name, value in zip(SERIES_FEATURES, contrib, strict=True):
        key = FEATURE_GROUPS.get(name, name)
        groups[key] = groups.get(key, 0.0) + float(value)
    if prior is not None:
        groups["collection"] = float(prior)

    def words(group: str) -> str:
        if group == "collection" and prior_label:
            return prior_label
        return describe(group, features, history_note=history_note)

    reasons = [
        SeriesReason(g, v, "favours" if v < 0 else "works against", words(g))
        for g, v in groups.items()
        if abs(v) >= MIN_EFFECT
    ]
    pro = sorted((r for r in reasons if r.contribution < 0), key=lambda r: r.contribution)[:limit]
    con = sorted((r for r in reasons if r.contribution > 0), key=lambda r: -r.contribution)[:1]
    parts = []
    if pro:
        subjects = [r.description for r in pro]
        parts.append(f"{_join(subjects)} {verb_for(subjects, 'favours')} {candidate}")
    if con:
        # "it" only reads right after "favours <candidate>"; alone, the sentence names it
        against = verb_for([con[0].description], "works against")
        parts.append(f"{con[0].description} {against} {'it' if pro else candidate}")
    text = "; ".join(parts) or f"{candidate} is the best on average for series like this one"
    score = float(np.sum(contrib) + bias + (prior or 0.0))
    return SeriesExplanation(candidate, score, float(bias), groups, pro + con, text)


def collection_properties(
    candidate: str, contrib: np.ndarray, features: pd.DataFrame, *, limit: int = 2
) -> str:
    """The property groups behind the router's collection prior of ``candidate``, in words
    (``""`` when none is worth a word).

    Why: the router's prior is the mean of its estimates over every series, and each estimate
    splits exactly into per-feature contributions, so the prior splits into their means
    (``contrib``: ``[n, F]`` over *every* series, order :data:`SERIES_FEATURES`). Without this,
    a fully pooled router explained every pick with "the collection" alone, the same words on
    seasonal retail and on intermittent demand.

    Each group is worded at the median values of the series where it favours ``candidate``
    (and says on how many, where that is not all of them): worded at every series' median, a
    panel of 20 trending, 20 seasonal and 10 intermittent series read "weak trend (tau +0.04)
    … favour lightgbm", where the trend favoured lightgbm on the 20 trending series (tau +0.93)
    and worked against it on the other 30.
    """
    if len(contrib) == 0:
        return ""
    per_group: dict[str, np.ndarray] = {}
    for name, column in zip(SERIES_FEATURES, np.asarray(contrib, dtype=np.float64).T, strict=True):
        key = FEATURE_GROUPS.get(name, name)
        per_group[key] = per_group.get(key, 0.0) + column
    means = {g: float(np.mean(v)) for g, v in per_group.items()}
    favour = sorted((g for g, v in means.items() if v < -MIN_EFFECT), key=means.__getitem__)[:limit]
    if not favour:
        return ""
    n = len(features)
    subjects, partial = [], False
    for group in favour:
        where = per_group[group] < -MIN_EFFECT  # never empty: their mean is below -MIN_EFFECT
        rows = features.iloc[np.flatnonzero(where)]
        median = {k: float(v) for k, v in rows.median(numeric_only=True).items()}
        text = describe(group, median)
        if where.sum() < n:
            partial = True
            text += f" in {int(where.sum())} of {n} series"
        subjects.append(text)
    at = (
        f"each at the median of the series where it favours {candidate}"
        if partial
        else "at their median values"
    )
    return f"across its series ({at}), {_join(subjects)} {verb_for(subjects, 'favours')} {candidate}"


def explain_collection(
    per_series: pd.DataFrame,
    contributions: pd.DataFrame,
    *,
    limit: int = 2,
    prior_label: str | None = None,
    pooled: Mapping[str, str] | None = None,
    clear: Sequence[bool] | np.ndarray | None = None,
) -> dict[str, str]:
    """Per picked candidate, one sentence: how many series pick it and the property groups that
    favour it most on average over those series (``contributions``: one row per series, one
    column per group, for the series' pick; ``prior_label`` as in :func:`explain_series`).
    ``pooled``: per candidate, :func:`collection_properties`' words, added where the collection
    prior is among the groups named (what "the collection as a whole" stands for).
    ``clear``: per series, whether its pick clearly dominates its weights
    (:func:`recommender.per_series.clear_picks`); where some of a candidate's series do not, the
    sentence says it is weighted highest there, not picked, and how many are near-even blends
    (a summary of "100 %" for weights of 0.22/0.20/0.20/0.19/0.19 read as a decisive choice)."""
    nouns = {**_GROUP_NOUN, **({"collection": prior_label} if prior_label else {})}
    out = {}
    n = len(per_series)
    firm = np.ones(n, dtype=bool) if clear is None else np.asarray(clear, dtype=bool)
    for cand, idx in per_series.groupby("pick").groups.items():
        share = len(idx) / max(n, 1)
        mean = contributions.loc[idx].mean().sort_values()
        favour = [g for g, v in mean.items() if v < -MIN_EFFECT][:limit]
        rows = per_series.index.get_indexer(idx)
        n_clear = int(firm[rows].sum())
        verb = "" if n_clear == len(idx) else " weighted highest"
        text = f"{cand}{verb} for {len(idx)} of {n} series ({share:.0%})"
        if favour:
            text += f", mostly for {_join([nouns.get(g, f'their {g}') for g in favour])}"
        if "collection" in favour and pooled and pooled.get(str(cand)):
            text += f"; {pooled[str(cand)]}"
        if n_clear < len(idx):
            text += "; " + _blend_words(per_series.iloc[rows[~firm[rows]]], n_clear)
        out[str(cand)] = text
    return out


def _blend_words(blends: pd.DataFrame, n_clear: int) -> str:
    """ "a clear pick for none of them: near-even weights (a 0.22, b 0.20, …), a blend" — the
    series of a candidate whose weights it does not clearly dominate, in words; their weights
    are quoted when they are the same on every such series (a fully pooled router)."""
    lead = (
        "a clear pick for none of them"
        if n_clear == 0
        else f"a clear pick for {n_clear} of them (weight at least twice the next's)"
    )
    shown = set(blends["top_weights"]) if "top_weights" in blends else set()
    weights = f" ({next(iter(shown))})" if len(shown) == 1 else ""
    rest = "the rest have" if n_clear else "their"
    if n_clear:
        return f"{lead}; {rest} near-even weights{weights}, a blend more than a pick"
    return f"{lead}: {rest} weights are near-even{weights}, a blend more than a pick"
