"""ARIES bucket functions: turn raw property values into the discrete classes of the paper's tables.

Bucket edges are the ARIES README/``ARIES_TEST`` ones (spec §1.2); intervals are closed on the
right (``(0.1, 0.5]``), values beyond the outer edges fall into the first or last bucket (e.g.
a Hurst exponent above 1 is in the top bucket). Labels are short, file- and MLflow-key-safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["BucketSpec", "BUCKETS", "SIGNATURE_KEYS", "bucketize", "bucket_all", "bucket_words", "signature"]


@dataclass(frozen=True)
class BucketSpec:
    """How one property is bucketed.

    Attributes:
        source: the raw column the bucket is computed from.
        labels: one label per bucket id 0..k-1.
        edges: right-closed inner edges for continuous values (``None`` for categorical ones).
        values: the raw value of each bucket for categorical properties (``None`` for continuous).
        absolute: bucket ``|value|`` (trend strength is |τ|).
    """

    source: str
    labels: tuple[str, ...]
    edges: tuple[float, ...] | None = None
    values: tuple[int, ...] | None = None
    absolute: bool = False


BUCKETS: dict[str, BucketSpec] = {
    "stationarity": BucketSpec("stationarity", ("non_stationary", "stationary"), values=(0, 1)),
    "trend_label": BucketSpec("trend_label", ("decreasing", "no_trend", "increasing"), values=(-1, 0, 1)),
    "trend_strength": BucketSpec(
        "tau", ("0-0.1", "0.1-0.5", "0.5-0.9", "0.9-1"), edges=(0.1, 0.5, 0.9), absolute=True
    ),
    "season_count": BucketSpec("season_count", ("0", "1", "2+"), edges=(0.5, 1.5)),
    "season_strength": BucketSpec(
        "season_strength", ("0-0.25", "0.25-0.5", "0.5-0.75", "0.75-1"), edges=(0.25, 0.5, 0.75)
    ),
    "volatility": BucketSpec("volatility", ("0-0.4", "0.4-0.6", "0.6-0.8", "gt0.8"), edges=(0.4, 0.6, 0.8)),
    "memorability": BucketSpec(
        "hurst", ("0-0.25", "0.25-0.5", "0.5-0.75", "0.75-1"), edges=(0.25, 0.5, 0.75)
    ),
    "scedasticity": BucketSpec("scedasticity", ("heteroscedastic", "homoscedastic"), values=(0, 1)),
    "anomaly": BucketSpec(
        "anomaly_ratio", ("0-0.05", "0.05-0.1", "0.1-0.15", "gt0.15"), edges=(0.05, 0.1, 0.15)
    ),
}


def bucket_words(name: str, index: int) -> str:
    """How bucket ``index`` of property ``name`` reads to a person: ``≤ 0.4``, ``0.4 – 0.6``,
    ``> 0.8`` for continuous buckets, ``non-stationary`` / ``no trend`` for coded ones.

    Why not the label: labels are keys (file- and MLflow-safe ``gt0.8``, ``non_stationary``), and
    the top label of a bounded-looking range misleads where values go past it: ``0.75-1`` held
    Hurst exponents of 1.1 (CIF 2016's mean is 1.05), because outer values fall in the outer buckets.
    """
    spec = BUCKETS[name]
    label = spec.labels[index]
    if spec.edges is None:
        return label.replace("non_", "non-").replace("_", " ")
    if label.rstrip("+").isdigit():  # counts ("0", "1", "2+") read as they are
        return label
    edges = spec.edges
    if index == 0:
        return f"≤ {edges[0]:g}"
    if index == len(edges):
        return f"> {edges[-1]:g}"
    return f"{edges[index - 1]:g} – {edges[index]:g}"


def bucketize(name: str, values: np.ndarray) -> np.ndarray:
    """Bucket ids (int64) of ``values`` for property ``name`` (a key of :data:`BUCKETS`).

    Raises:
        ValueError: a value is NaN (an unknown property has no bucket).
    """
    spec = BUCKETS[name]
    v = np.asarray(values, dtype=np.float64)
    if np.isnan(v).any():
        # searchsorted sorts NaN last, so an unknown value used to land in the top bucket
        raise ValueError(
            f"{int(np.isnan(v).sum())} NaN value(s) of {spec.source!r} have no {name} bucket; "
            "drop or mask those rows first"
        )
    if spec.absolute:
        v = np.abs(v)
    if spec.edges is not None:
        # side="left": v <= edge[0] -> 0, edge[0] < v <= edge[1] -> 1, ... (right-closed intervals)
        return np.searchsorted(np.asarray(spec.edges), v, side="left").astype(np.int64)
    lookup = {val: i for i, val in enumerate(spec.values or ())}
    return np.asarray([lookup[int(x)] for x in v], dtype=np.int64)


def bucket_all(props: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Bucket ids of every property in :data:`BUCKETS` from a dict/table of raw values."""
    return {name: bucketize(name, np.asarray(props[spec.source])) for name, spec in BUCKETS.items()}


#: Properties of the recommender signature (spec §4.3), in order.
SIGNATURE_KEYS: tuple[str, ...] = (
    "stationarity",
    "trend_strength",
    "season_count",
    "season_strength",
    "volatility",
    "memorability",
    "scedasticity",
    "anomaly",
)


def signature(buckets: Mapping[str, np.ndarray]) -> np.ndarray:
    """``[B, 8]`` int matrix of bucket ids in :data:`SIGNATURE_KEYS` order (2·4·3·4·4·4·2·4 cells)."""
    return np.stack([np.asarray(buckets[k]) for k in SIGNATURE_KEYS], axis=1)
