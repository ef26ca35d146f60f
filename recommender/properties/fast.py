"""Fast batched property set: the same numbers as :mod:`recommender.properties.reference`.

:func:`properties_fast` is a pure function of a chunk of raw windows, so a scheduler (a process
pool here, Ray later) can map it over chunks without any change.
"""

from __future__ import annotations

import numpy as np

from recommender.properties._batch import znormalise
from recommender.properties.anomaly import anomaly_batch
from recommender.properties.memorability import hurst_batch
from recommender.properties.reference import CONSTANT_DEFAULTS
from recommender.properties.scedasticity import arch_lm_batch
from recommender.properties.seasonality import seasonality_batch
from recommender.properties.stationarity import stationarity_batch
from recommender.properties.trend import mann_kendall_batch
from recommender.properties.volatility import volatility_batch

__all__ = ["PROPERTY_KEYS", "properties_fast"]

#: The per-window outputs, in table order (``constant`` and ``periods`` are extra columns).
PROPERTY_KEYS: tuple[str, ...] = tuple(CONSTANT_DEFAULTS)


def properties_fast(windows: np.ndarray) -> dict[str, np.ndarray]:
    """Every property of every raw window in ``windows [B, T]`` (z-normalised here).

    Returns:
        dict of ``[B]`` arrays keyed by :data:`PROPERTY_KEYS`, plus ``constant`` (bool) and
        ``periods`` (list of tuples of the kept seasonal periods).
    """
    x_all, constant = znormalise(windows)
    b = x_all.shape[0]
    out: dict[str, np.ndarray] = {
        k: np.full(b, v, dtype=np.int64 if isinstance(v, int) else np.float64)
        for k, v in CONSTANT_DEFAULTS.items()
    }
    periods: list[tuple[int, ...]] = [()] * b
    idx = np.flatnonzero(~constant)
    if idx.size:
        x = x_all[idx]
        mk = mann_kendall_batch(x)
        season = seasonality_batch(x, mk["tau"])
        arch = arch_lm_batch(x)
        values = {
            "stationarity": stationarity_batch(x),
            "trend_label": mk["label"],
            "tau": mk["tau"],
            "season_count": season["count"],
            "season_strength": season["strength"],
            "volatility": volatility_batch(x),
            "hurst": hurst_batch(x),
            "scedasticity": arch["label"],
            "arch_pvalue": arch["pvalue"],
            "anomaly_ratio": anomaly_batch(x),
        }
        for k, v in values.items():
            out[k][idx] = v
        for j, i in enumerate(idx.tolist()):
            periods[i] = season["periods"][j]
    out["constant"] = constant
    out["periods"] = periods  # type: ignore[assignment]
    return out
