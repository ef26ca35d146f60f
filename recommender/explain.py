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

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "PROPERTY_GROUPS",
    "Reason",
    "feature_group",
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
    """The property group of a feature name (``"data shape"`` for shape and candidate-id features)."""
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


def _level(value: float, cuts: tuple[float, float], words: tuple[str, str, str]) -> str:
    if value != value:  # NaN
        return words[0]
    return words[2] if value >= cuts[1] else words[1] if value >= cuts[0] else words[0]


def describe_group(group: str, f: Mapping[str, float]) -> str:
    """The dataset's value of one property group in words, from its features."""
    g = lambda k: float(f.get(k, float("nan")))  # noqa: E731
    if group == "stationarity":
        share = g("share_stationarity_stationary")
        word = _level(share, (0.2, 0.5), ("mostly non-stationary", "partly stationary", "mostly stationary"))
        return f"{word} windows ({share:.0%} pass the stationarity tests)"
    if group == "trend":
        s = g("trend_strength_mean")
        return f"{_level(s, (0.3, 0.6), ('weak', 'moderate', 'strong'))} trend (|tau| {s:.2f})"
    if group == "seasonality":
        s = g("season_strength_q50")
        multi = g("share_season_count_2+")
        extra = f", {multi:.0%} of windows with several periods" if multi >= 0.2 else ""
        return (
            f"{_level(s, (0.3, 0.6), ('weak', 'moderate', 'strong'))} seasonality (strength {s:.2f}{extra})"
        )
    if group == "volatility":
        s = g("volatility_mean")
        return f"{_level(s, (0.4, 0.6), ('low', 'medium', 'high'))} volatility (cv {s:.2f})"
    if group == "memorability":
        s = g("hurst_mean")
        return f"{_level(s, (0.5, 0.75), ('low', 'medium', 'high'))} memorability (Hurst {s:.2f})"
    if group == "scedasticity":
        share = g("share_scedasticity_homoscedastic")
        word = "mostly homoscedastic" if share >= 0.5 else "mostly heteroscedastic"
        return f"{word} windows ({share:.0%} homoscedastic)"
    if group == "anomaly":
        s = g("anomaly_ratio_mean")
        return f"{_level(s, (0.05, 0.1), ('few', 'some', 'many'))} anomalies (ratio {s:.3f})"
    n_ch = round(10 ** g("log_n_channels")) if f.get("log_n_channels") is not None else "?"
    n_steps = round(10 ** g("log_n_steps")) if f.get("log_n_steps") is not None else "?"
    horizon = round(10 ** g("log_horizon")) if f.get("log_horizon") is not None else "?"
    miss = g("missing_share")
    return f"the data shape ({n_ch} channels, {n_steps} steps, horizon {horizon}, {miss:.0%} missing)"


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


def sentence(model: str, reasons: list[Reason]) -> str:
    """ "strong seasonality (strength 0.82) and high memorability (Hurst 0.91) favour dlinear"."""
    pro = [r.description for r in reasons if r.effect == "favours"]
    con = [r.description for r in reasons if r.effect != "favours"]
    parts = []
    if pro:
        parts.append(f"{_join(pro)} favour{'s' if len(pro) == 1 else ''} {model}")
    if con:
        parts.append(f"{_join(con[:1])} works against it")
    return "; ".join(parts) if parts else f"{model} is ranked first on the data shape alone"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
