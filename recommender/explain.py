"""Reasons for a recommendation, from LightGBM's per-feature contributions grouped by property.

Why contributions: ``Booster.predict(X, pred_contrib=True)`` splits a candidate's score (its
predicted log relative error) exactly into one term per feature plus a bias (TreeSHAP), so a
reason is a statement about *this* dataset, not a global importance. Features are grouped by
the ARIES property they describe (stationarity, trend, seasonality, volatility, memorability,
scedasticity, anomaly) plus the data shape; a group with a negative total lowers the expected
error (it *favours* the model), a positive one works against it. Each group is phrased with the
dataset's own value, e.g. "strong seasonality (strength 0.82)".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "PROPERTY_GROUPS",
    "Reason",
    "VOLATILITY_CUTS",
    "as_shown",
    "level_word",
    "verb_for",
    "feature_group",
    "field_key",
    "group_contributions",
    "describe_group",
    "reasons_for",
    "sentence",
]

#: Property groups in display order.
PROPERTY_GROUPS: tuple[str, ...] = (
    "stationarity",
    "trend",
    "seasonality",
    "volatility",
    "memorability",
    "scedasticity",
    "anomaly",
    "data shape",
    "candidate",
)

_PREFIXES: tuple[tuple[str, str], ...] = (
    ("share_stationarity_", "stationarity"),
    ("share_trend_", "trend"),
    ("tau_", "trend"),
    ("trend_strength_", "trend"),
    ("share_season_", "seasonality"),
    ("season_strength_", "seasonality"),
    ("share_volatility_", "volatility"),
    ("volatility_", "volatility"),
    ("share_memorability_", "memorability"),
    ("hurst_", "memorability"),
    ("share_scedasticity_", "scedasticity"),
    ("arch_pvalue_", "scedasticity"),
    ("share_anomaly_", "anomaly"),
    ("anomaly_ratio_", "anomaly"),
)


def feature_group(name: str) -> str:
    """The property group of a feature name: ``"candidate"`` for a lambdarank recommender's
    candidate-id columns (``candidate=<name>``), ``"data shape"`` for the rest of the shape.

    Why a group of its own: the candidate-id columns say how the model ranks on average, not
    what these data are like; grouped with the shape, a lambdarank reason read "the data shape
    (7 channels, …) favours it" for what was the model's own average standing.
    """
    if name.startswith("candidate="):
        return "candidate"
    for prefix, group in _PREFIXES:
        if name.startswith(prefix):
            return group
    return "data shape"


@dataclass
class Reason:
    """One property group's part in a candidate's score.

    Attributes:
        group: property group (:data:`PROPERTY_GROUPS`).
        contribution: summed contribution to the score (log relative error; < 0 favours).
        effect: ``"favours"`` or ``"works against"``.
        description: the dataset's value in words ("strong seasonality (strength 0.82)").
        top_features: the group's largest features as ``(name, value, contribution)``.
    """

    group: str
    contribution: float
    effect: str
    description: str
    top_features: list[tuple[str, float, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def group_contributions(contrib: Mapping[str, float]) -> dict[str, float]:
    """Sum feature contributions per property group (every group present, 0 when unused)."""
    out = dict.fromkeys(PROPERTY_GROUPS, 0.0)
    for name, value in contrib.items():
        out[feature_group(name)] += float(value)
    return out


#: Where a coefficient of variation reads "medium" and "high" volatility, for a dataset and for
#: one series alike (they used different cuts, so one cv of 0.7 read "high" in the dataset's
#: words and "medium" in a series'); the upper cut is the ARIES top bucket's edge ("gt0.8").
VOLATILITY_CUTS: tuple[float, float] = (0.4, 0.8)


def as_shown(value: float, spec: str) -> tuple[str, float]:
    """``(text, number)``: ``value`` formatted with ``spec`` and the number that text shows.

    Why: the level word must follow the number the reader sees. Picked from the raw value,
    0.2996 read "weak trend (|tau| 0.30)" while 0.3001 read "moderate trend (|tau| 0.30)".
    The dataset-level and the per-series explanations both word their numbers through it.
    """
    text = format(value, spec)
    if text.endswith("%"):
        return text, float(text[:-1]) / 100.0
    return text, float(text)


def level_word(shown: float, cuts: tuple[float, float], words: tuple[str, str, str]) -> str:
    """The word for a shown value: ``words[i]`` once ``shown`` reaches ``cuts[i - 1]``."""
    return words[2] if shown >= cuts[1] else words[1] if shown >= cuts[0] else words[0]


def _finite(value: float) -> bool:
    return math.isfinite(value)


def field_key(words: str) -> str:
    """A property group's or caveat kind's name as a JSON field key: ``"frequency and horizon"``
    → ``"frequency_and_horizon"``.

    Why: the names are phrases chosen for the sentences they appear in, and a client reading
    ``contributions`` or ``collection.caveats`` by key needs identifiers that a rewording of a
    sentence does not change and that every JSON path syntax can address.
    """
    return "_".join(words.split())


def describe_group(group: str, f: Mapping[str, float]) -> str:
    """The dataset's value of one property group in words, from its features.

    The level word is chosen from the number as shown (see :func:`as_shown`); a value that is
    missing or NaN is said to be "not measured" rather than given the lowest level.
    """
    g = lambda k: float(f.get(k, float("nan")))  # noqa: E731
    if group == "stationarity":
        share = g("share_stationarity_stationary")
        if not _finite(share):
            return "stationarity not measured"
        text, shown = as_shown(share, ".0%")
        word = (
            "mostly stationary"
            if shown > 0.5
            else "partly stationary"
            if shown >= 0.2
            else "mostly non-stationary"
        )
        return f"{word} windows ({text} pass the stationarity tests)"
    if group == "trend":
        s = g("trend_strength_mean")
        if not _finite(s):
            return "trend not measured"
        text, shown = as_shown(s, ".2f")
        return f"{level_word(shown, (0.3, 0.6), ('weak', 'moderate', 'strong'))} trend (|tau| {text})"
    if group == "seasonality":
        s = g("season_strength_q50")
        if not _finite(s):
            return "seasonality not measured"
        text, shown = as_shown(s, ".2f")
        multi = g("share_season_count_2+")
        extra = ""
        if _finite(multi):
            multi_text, multi_shown = as_shown(multi, ".0%")
            extra = f", {multi_text} of windows with several periods" if multi_shown >= 0.2 else ""
        word = level_word(shown, (0.3, 0.6), ("weak", "moderate", "strong"))
        return f"{word} seasonality (strength {text}{extra})"
    if group == "volatility":
        s = g("volatility_mean")
        if not _finite(s):
            return "volatility not measured"
        text, shown = as_shown(s, ".2f")
        return f"{level_word(shown, VOLATILITY_CUTS, ('low', 'medium', 'high'))} volatility (cv {text})"
    if group == "memorability":
        s = g("hurst_mean")
        # 0 exactly is the lineage's failure value (every window under 100 values, or without a
        # usable chunk), not a measured "no memory"
        if not _finite(s) or s == 0.0:
            return "memorability not measured (no Hurst estimate: windows need 100 values)"
        text, shown = as_shown(s, ".2f")
        return f"{level_word(shown, (0.5, 0.75), ('low', 'medium', 'high'))} memorability (Hurst {text})"
    if group == "scedasticity":
        share = g("share_scedasticity_homoscedastic")
        if not _finite(share):
            return "scedasticity not measured"
        text, shown = as_shown(share, ".0%")
        if shown == 0.5:
            return f"as many homoscedastic as heteroscedastic windows ({text} homoscedastic)"
        word = "mostly homoscedastic" if shown > 0.5 else "mostly heteroscedastic"
        return f"{word} windows ({text} homoscedastic)"
    if group == "anomaly":
        s = g("anomaly_ratio_mean")
        if not _finite(s):
            return "anomalies not measured"
        text, shown = as_shown(s, ".3f")
        return f"{level_word(shown, (0.05, 0.1), ('few', 'some', 'many'))} anomalies (ratio {text})"

    if group == "candidate":
        return "its average standing across the recommender's training data"

    def count(key: str) -> int | str:
        v = g(key)
        return round(10**v) if _finite(v) else "?"

    miss = g("missing_share")
    miss_text = f"{miss:.0%}" if _finite(miss) else "?"
    return (
        f"the data shape ({count('log_n_channels')} channels, {count('log_n_steps')} steps, "
        f"horizon {count('log_horizon')}, {miss_text} missing)"
    )


def reasons_for(
    contrib: Mapping[str, float], features: Mapping[str, float], *, limit: int = 3
) -> list[Reason]:
    """Property groups ordered by |contribution|, favouring ones first (at most ``limit`` of each kind)."""
    totals = group_contributions(contrib)
    reasons: list[Reason] = []
    for group, total in totals.items():
        if abs(total) < 1e-9:
            continue
        members = sorted(
            (
                (n, float(features.get(n, float("nan"))), float(c))
                for n, c in contrib.items()
                if feature_group(n) == group
            ),
            key=lambda t: -abs(t[2]),
        )[:3]
        reasons.append(
            Reason(
                group,
                float(total),
                "favours" if total < 0 else "works against",
                describe_group(group, features),
                members,
            )
        )
    favour = sorted((r for r in reasons if r.contribution < 0), key=lambda r: r.contribution)[:limit]
    against = sorted((r for r in reasons if r.contribution >= 0), key=lambda r: -r.contribution)[:limit]
    return favour + against


def verb_for(subjects: list[str], verb: str) -> str:
    """``verb`` ("favours", "works against") agreeing with ``subjects`` joined by "and".

    Why: the descriptions are noun phrases, some plural ("mostly stationary windows (61 % …)",
    "few zeros (3 %)"), and "mostly heteroscedastic windows favours it" read wrong. A single
    subject is plural when the last word before its parenthesis is a plural noun.
    """
    head = subjects[0].split(" (")[0].split()[-1] if len(subjects) == 1 and subjects[0].strip() else ""
    plural = len(subjects) > 1 or (head.endswith("s") and not head.endswith("ss") and head.isalpha())
    if not plural:
        return verb
    first, _, rest = verb.partition(" ")
    return " ".join(x for x in (first.removesuffix("s"), rest) if x)


def sentence(model: str, reasons: list[Reason]) -> str:
    """ "strong seasonality (strength 0.82) and high memorability (Hurst 0.91) favour dlinear"."""
    pro = [r.description for r in reasons if r.effect == "favours"]
    con = [r.description for r in reasons if r.effect != "favours"]
    parts = []
    if pro:
        parts.append(f"{_join(pro)} {verb_for(pro, 'favours')} {model}")
    if con:
        # "it" only reads right after "favours <model>"; on its own the sentence names the model
        parts.append(f"{_join(con[:1])} {verb_for(con[:1], 'works against')} {'it' if pro else model}")
    return "; ".join(parts) if parts else f"{model} is ranked first on the data shape alone"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
