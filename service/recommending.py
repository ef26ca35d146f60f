"""Recommendations for ``POST /v1/recommend``: posted series → one dataset → ``recommender.recommend``.

The recommender is loaded from disk once per (path, modification time) and reused by the CPU
worker process that runs the request (:mod:`service.cpu_pool`); the service never *builds* one
inside a request (that takes minutes): without a saved recommender the endpoint answers 503
and says how to build it.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import numpy as np

from recommender.api import recommend
from recommender.ranker import Recommender, recommender_dir
from service.convert import _TIME_ERRORS, Limits, _timestamps_array
from service.errors import ServiceUnavailableError
from service.schemas.recommend import RecommendRequest
from tsforge.data.frame import TimeSeriesData
from tsforge.data.frequency import infer_freq
from tsforge.errors import DataValidationError

__all__ = ["recommend_request", "check_recommend", "load_recommender"]

_lock = threading.Lock()
_cache: dict[tuple[str, float], Recommender] = {}


def load_recommender(path: str | Path | None) -> Recommender:
    """The saved recommender at ``path`` (default location when ``None``), cached until it changes."""
    folder = Path(path) if path else recommender_dir()
    meta = folder / "meta.json"
    if not meta.exists():
        raise ServiceUnavailableError(
            f"no recommender saved at {folder}; build one with `tsforge recommender build`",
            field="recommender",
        )
    key = (str(folder.resolve()), meta.stat().st_mtime)
    with _lock:
        rec = _cache.get(key)
        if rec is None:
            _cache.clear()
            rec = _cache[key] = Recommender.load(folder)
        return rec


def _clean(obj: Any) -> Any:
    """NaN/inf → None, numpy scalars → Python (JSON carries neither NaN nor numpy types)."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def check_recommend(req: RecommendRequest, limits: Limits) -> tuple[np.ndarray | None, str | None]:
    """Check a request against the limits and parse its timestamps → ``(timestamps, freq)``.

    Cheap: the server runs it before handing the request to a worker. Timestamps a nanosecond
    clock cannot hold (outside 1700–2200) are a 422 naming the field, as in ``/v1/forecast``.
    """
    limits.check(
        len(req.series), [(f"series[{i}].values", len(s.values)) for i, s in enumerate(req.series)], None
    )
    if req.series[0].timestamps is None:
        return None, None
    try:
        ts = _timestamps_array(req.series[0].timestamps)
        return ts, infer_freq(ts)
    except _TIME_ERRORS as exc:
        raise DataValidationError(f"unusable timestamps: {exc}", field="series[0].timestamps") from None


def recommend_request(req: RecommendRequest, limits: Limits, recommender_path: str | None) -> dict[str, Any]:
    """Build the dataset from the request and rank the candidate models for it (in a CPU worker)."""
    ts, freq = check_recommend(req, limits)
    rec = load_recommender(recommender_path)
    values = np.array([s.values for s in req.series], dtype=np.float64).T  # [T, N], None → NaN
    data = TimeSeriesData(
        values=values.astype(np.float32),
        timestamps=ts,
        channel_ids=tuple(s.id for s in req.series),
        freq=freq,
        name="request",
    )
    result = recommend(
        data,
        req.horizon,
        req.top,
        input_len=req.input_len,
        recommender=rec,
        max_windows=req.max_windows,
        seed=0,
        build_if_missing=False,
    )
    out = _clean(result.to_dict())
    out.pop("features", None)
    out.pop("recommender", None)
    return out
