"""Fast batched property set: the same numbers as :mod:`recommender.properties.reference`.

:func:`properties_fast` is a pure function of a chunk of raw windows, so a scheduler (a process
pool here, Ray later) can map it over chunks without any change.
"""

from __future__ import annotations

import numpy as np

from recommender.properties._batch import as_windows, znormalise
from recommender.properties.anomaly import anomaly_batch
from recommender.properties.memorability import hurst_batch
from recommender.properties.reference import CONSTANT_DEFAULTS, MIN_LENGTH, PropertyColumns, check_length
from recommender.properties.scedasticity import arch_lm_batch
from recommender.properties.seasonality import seasonality_batch
from recommender.properties.stationarity import stationarity_batch
from recommender.properties.trend import mann_kendall_batch
from recommender.properties.volatility import volatility_batch

__all__ = ["MIN_LENGTH", "PROPERTY_KEYS", "check_length", "properties_fast"]

#: The per-window outputs, in table order (``constant`` and ``periods`` are extra columns).
PROPERTY_KEYS: tuple[str, ...] = tuple(CONSTANT_DEFAULTS)


def properties_fast(windows: np.ndarray) -> PropertyColumns:
    """Every property of every raw window in ``windows [B, T]`` (z-normalised here).

    A window holding a NaN or ±inf has no properties: every key is NaN for it (so the integer
    keys of that chunk come back as float64), ``constant`` is False and ``periods`` empty.
    Why not guess: z-normalising such a window makes every value NaN, which used to read as a
    perfect downward trend (tau = -1) with made-up labels; :func:`~recommender.properties.profile`
    interpolates short gaps before it gets here, and other callers get an honest "unknown".

    Returns:
        dict of ``[B]`` arrays keyed by :data:`PROPERTY_KEYS`, plus ``constant`` (bool) and
        ``periods`` (list of tuples of the kept seasonal periods).
    """
    raw = as_windows(windows)
    check_length(raw.shape[1])
    finite = np.isfinite(raw).all(axis=1)
    x_all, constant = znormalise(np.where(finite[:, None], raw, 0.0))
    constant &= finite
    b = x_all.shape[0]
    out: dict[str, np.ndarray] = {
        k: np.full(b, v, dtype=np.int64 if isinstance(v, int) else np.float64)
        for k, v in CONSTANT_DEFAULTS.items()
    }
    periods: list[tuple[int, ...]] = [()] * b
    idx = np.flatnonzero(~constant & finite)
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
    if not finite.all():
        for k in PROPERTY_KEYS:
            out[k] = out[k].astype(np.float64)
            out[k][~finite] = np.nan
    columns: PropertyColumns = {**out, "constant": constant, "periods": periods}
    return columns
