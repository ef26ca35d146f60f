"""Series profiles for ``POST /v1/profile``: one call of ``recommender.properties.profile`` per series.

Each series is an independent task (a function over one history), so a scheduler could map it;
here they run in the request's worker thread, bounded by the request limits and ``max_windows``.
"""

from __future__ import annotations

import math

import numpy as np

from recommender.properties import profile
from recommender.properties.profile import MIN_WINDOW
from service.convert import Limits
from service.schemas.profile import ProfileRequest, SeriesProfile
from tsforge.errors import DataValidationError, ResourceLimitError

__all__ = ["profile_request"]


def _clean(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def profile_request(req: ProfileRequest, limits: Limits) -> list[SeriesProfile]:
    """Profile every series of ``req``; refuses series shorter than a window (naming the field)."""
    limits.check(
        len(req.series), [(f"series[{i}].values", len(s.values)) for i, s in enumerate(req.series)], None
    )
    plans = []
    total = 0
    for i, s in enumerate(req.series):
        values = np.array(s.values, dtype=np.float64)
        window = req.window or min(336, values.size)
        if values.size < max(window, MIN_WINDOW):
            raise DataValidationError(
                f"series {s.id!r} has {values.size} values; profiling needs at least {max(window, MIN_WINDOW)}",
                field=f"series[{i}].values",
            )
        stride = req.stride or max(1, window // 14)
        total += min(req.max_windows, (values.size - window) // stride + 1)
        plans.append((s.id, values, window))
    if total > limits.max_profile_windows:
        raise ResourceLimitError(
            f"this request would profile {total} windows; the service profiles at most "
            f"{limits.max_profile_windows} per request (lower max_windows, raise stride, or send fewer series)",
            field="max_windows",
        )
    out = []
    for sid, values, window in plans:
        result = profile(values, window=window, stride=req.stride, max_windows=req.max_windows, seed=0)
        summ = result.summary
        out.append(
            SeriesProfile(
                id=sid,
                window=window,
                n_windows=int(summ["n_windows"]),
                properties={p: {k: _clean(v) for k, v in st.items()} for p, st in summ["properties"].items()},
                buckets=summ["buckets"],
            )
        )
    return out
