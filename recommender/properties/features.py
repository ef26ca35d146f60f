"""Numeric feature vectors built from property values and profile summaries.

Three consumers, three shapes:
- :func:`window_features`: the raw continuous/categorical values of each window, for models.
- :func:`blast_feature_vector`: the 61-dim one-hot/bin encoding of the BLAST lineage (spec §1.3).
- :func:`summary_features`: a flat ``{name: float}`` of dataset-level statistics and bucket shares,
  the recommender's per-dataset input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["WINDOW_FEATURES", "window_features", "blast_feature_vector", "summary_features"]

#: Columns of :func:`window_features`, in order.
WINDOW_FEATURES: tuple[str, ...] = (
    "stationarity",
    "trend_label",
    "tau",
    "season_count",
    "season_strength",
    "volatility",
    "hurst",
    "scedasticity",
    "arch_pvalue",
    "anomaly_ratio",
)


def window_features(props: Mapping[str, Any]) -> np.ndarray:
    """``[B, 10]`` float matrix of the raw property values (columns :data:`WINDOW_FEATURES`)."""
    return np.stack([np.asarray(props[k], dtype=np.float64) for k in WINDOW_FEATURES], axis=1)


def _bins(values: np.ndarray, low: float, high: float, step: float) -> np.ndarray:
    """One-hot bins of width ``step`` on ``[low, high)``; outside values go to the end bins."""
    n_bins = int(round((high - low) / step))
    edges = low + step * np.arange(1, n_bins)
    idx = np.digitize(values, edges)
    return np.eye(n_bins)[np.clip(idx, 0, n_bins - 1)]


def _onehot(values: np.ndarray, categories: tuple[int, ...]) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(categories)}
    idx = np.asarray([lookup.get(int(v), 0) for v in values])
    return np.eye(len(categories))[idx]


#: The properties the BLAST encoding reads (every window feature but the ARCH p-value).
_BLAST_KEYS: tuple[str, ...] = tuple(k for k in WINDOW_FEATURES if k != "arch_pvalue")


def _refuse_nan(props: Mapping[str, Any], key: str) -> None:
    """Raise where ``props[key]`` has a NaN: an unknown value has no bin."""
    if np.isnan(np.asarray(props[key], dtype=np.float64)).any():
        raise ValueError(f"NaN value(s) of {key!r} have no BLAST encoding; drop or mask those rows first")


def blast_feature_vector(props: Mapping[str, Any]) -> np.ndarray:
    """``[B, 61]`` BLAST-style encoding: stationarity 2, MK label 3, τ 20, count-1 4, strength 10,
    cv 6, Hurst 10, LM 2, anomaly ratio 4 (spec §1.3; count is clipped to 3 before the shift).

    Raises:
        ValueError: a property is NaN (e.g. a window with a gap, or a Hurst exponent masked for
            a short window): ``np.digitize`` would put it in the last bin, i.e. read it as the
            largest value.
    """
    for key in _BLAST_KEYS:
        _refuse_nan(props, key)
    count = np.minimum(np.asarray(props["season_count"]), 3) - 1
    blocks = [
        _onehot(np.asarray(props["stationarity"]), (0, 1)),
        _onehot(np.asarray(props["trend_label"]), (-1, 0, 1)),
        _bins(np.asarray(props["tau"], dtype=np.float64), -1.0, 1.0, 0.1),
        _onehot(count, (-1, 0, 1, 2)),
        _bins(np.asarray(props["season_strength"], dtype=np.float64), 0.0, 1.0, 0.1),
        _bins(np.asarray(props["volatility"], dtype=np.float64), 0.0, 1.2, 0.2),
        _bins(np.asarray(props["hurst"], dtype=np.float64), 0.0, 1.0, 0.1),
        _onehot(np.asarray(props["scedasticity"]), (0, 1)),
        _bins(np.asarray(props["anomaly_ratio"], dtype=np.float64), 0.0, 0.16, 0.04),
    ]
    return np.concatenate(blocks, axis=1)


def summary_features(summary: Mapping[str, Any]) -> dict[str, float]:
    """Flatten a profile summary into ``{"<prop>_<stat>": x, "share_<bucket>_<label>": x}``.

    Key order is deterministic (properties, then buckets, in the summary's order), so vectors
    built from different datasets line up.
    """
    out: dict[str, float] = {}
    for prop, stats in summary.get("properties", {}).items():
        for stat, value in stats.items():
            out[f"{prop}_{stat}"] = float(value)
    for bucket, shares in summary.get("buckets", {}).items():
        for label, share in shares.items():
            out[f"share_{bucket}_{label}"] = float(share)
    return out
