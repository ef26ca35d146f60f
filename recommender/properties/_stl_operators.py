"""Exact STL / MSTL as matrices: non-robust STL is a linear map, so we tabulate it once.

Why: statsmodels' STL (Cleveland et al.'s LOESS recipe) is the slowest step of the property set
(~25 ms for period 168 on 336 points) and runs per series. With ``robust=False`` every step —
cycle-subseries LOESS, the low-pass moving averages, the trend LOESS, the jump interpolation —
is linear in the input, so ``seasonal = S @ x`` and ``trend = Tr @ x`` for fixed ``T x T``
matrices that depend only on (length, period, seasonal window, jumps). We obtain S and Tr by
running statsmodels' own STL on the T unit vectors (so the batched result is the reference
result up to float rounding, ~1e-15), keep them in memory and cache them as ``.npy`` files
under ``<cache>/stl_operators/``. MSTL is an iteration of such STL fits, so it is replayed
with the same matrices (:func:`mstl_batch`).

Cost: building one operator takes T STL fits (8 s for period 168 with jump 1, ~0.5 s for a
small period with jump 5); the cache makes that a one-time cost per machine.
"""

from __future__ import annotations

import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["stl_operator", "stl_batch", "mstl_batch", "operator_cache_dir"]

log = logging.getLogger(__name__)


def operator_cache_dir() -> Path:
    """``$TSFORGE_CACHE_DIR/stl_operators`` or ``<repo>/datasets/cache/stl_operators``."""
    env = os.environ.get("TSFORGE_CACHE_DIR")
    base = Path(env).expanduser() if env else Path(__file__).resolve().parents[2] / "datasets" / "cache"
    return base / "stl_operators"


def _build(n: int, period: int, seasonal: int, jump: int) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.tsa.seasonal import STL

    seas = np.empty((n, n))
    trend = np.empty((n, n))
    eye = np.eye(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j in range(n):
            res = STL(eye[j], period=period, seasonal=seasonal, trend_jump=jump, seasonal_jump=jump).fit()
            seas[:, j] = res.seasonal
            trend[:, j] = res.trend
    return seas, trend


@lru_cache(maxsize=512)
def stl_operator(n: int, period: int, seasonal: int = 7, jump: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(S, Tr)``: seasonal and trend matrices of ``STL(period, seasonal, trend/seasonal_jump=jump)``."""
    path = operator_cache_dir() / f"stl_n{n}_p{period}_s{seasonal}_j{jump}.npy"
    if path.exists():
        try:
            both = np.load(path)
            return both[0], both[1]
        except (OSError, ValueError):
            log.warning("unreadable STL operator cache %s; rebuilding", path)
    log.info("building STL operator n=%d period=%d seasonal=%d jump=%d", n, period, seasonal, jump)
    seas, trend = _build(n, period, seasonal, jump)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, np.stack([seas, trend]))
        os.replace(tmp, path)
    except OSError as exc:  # the cache is an optimisation only
        log.warning("could not cache STL operator at %s: %s", path, exc)
    return seas, trend


def stl_batch(x: np.ndarray, period: int, seasonal: int = 7, jump: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal and trend components of every row of ``x [B, T]`` (= statsmodels STL, non-robust)."""
    seas_op, trend_op = stl_operator(x.shape[1], int(period), int(seasonal), int(jump))
    return x @ seas_op.T, x @ trend_op.T


def mstl_batch(
    x: np.ndarray, periods: tuple[int, ...], jump: int = 1, iterate: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Summed seasonal components and residual of ``MSTL(periods, stl_kwargs={jumps})`` per row.

    Replays statsmodels' MSTL: periods sorted ascending with seasonal windows 11, 15, 19, ...;
    ``iterate`` passes (1 when there is a single period); trend from the last STL fit.
    """
    periods = tuple(sorted(int(p) for p in periods))
    windows = tuple(7 + 4 * i for i in range(1, len(periods) + 1))
    passes = 1 if len(periods) == 1 else iterate
    seasonal = np.zeros((len(periods),) + x.shape)
    deseas = x
    trend = np.zeros_like(x)
    for _ in range(passes):
        for i, (p, w) in enumerate(zip(periods, windows, strict=True)):
            deseas = deseas + seasonal[i]
            seasonal[i], trend = stl_batch(deseas, p, w, jump)
            deseas = deseas - seasonal[i]
    return seasonal.sum(axis=0), deseas - trend
