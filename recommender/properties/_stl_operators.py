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

Both caches are bounded, least-recently-used first out: an operator is ``2 T²`` float64 values
(16 MB at T = 1024), so an unbounded cache let one request for long windows fill memory and
disk. In memory at most ``TSFORGE_STL_CACHE_MB`` (default 256) MB are kept; on disk at most
``TSFORGE_STL_DISK_CACHE_MB`` (default 1024) MB, a file's modification time marking its last
use (it is touched on every load).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from tsforge.paths import cache_root
from tsforge.quiet import quiet_libraries

__all__ = [
    "stl_operator",
    "stl_batch",
    "mstl_batch",
    "operator_cache_dir",
    "OperatorCache",
    "memory_cache",
    "prune_disk_cache",
]

log = logging.getLogger(__name__)

_MB = 1024 * 1024


def _env_mb(name: str, default: int) -> int:
    try:
        return max(0, int(os.environ.get(name, default))) * _MB
    except ValueError:
        return default * _MB


class OperatorCache:
    """Operators kept in memory, at most ``max_bytes`` of them, least recently used evicted first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = int(max_bytes)
        self._items: OrderedDict[tuple[int, int, int, int], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()
        self.nbytes = 0

    def get(self, key: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple[int, int, int, int], value: tuple[np.ndarray, np.ndarray]) -> None:
        size = value[0].nbytes + value[1].nbytes
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return
            if size > self.max_bytes:
                return  # larger than the whole cache: used once, never kept
            self._items[key] = value
            self.nbytes += size
            while self.nbytes > self.max_bytes:
                _, (a, b) = self._items.popitem(last=False)
                self.nbytes -= a.nbytes + b.nbytes

    def keys(self) -> list[tuple[int, int, int, int]]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.nbytes = 0


_memory = OperatorCache(_env_mb("TSFORGE_STL_CACHE_MB", 256))


def memory_cache() -> OperatorCache:
    """The process's in-memory operator cache (its ``max_bytes`` may be changed)."""
    return _memory


def disk_cache_limit() -> int:
    """Bytes the on-disk operator cache may hold (``TSFORGE_STL_DISK_CACHE_MB``, default 1024 MB)."""
    return _env_mb("TSFORGE_STL_DISK_CACHE_MB", 1024)


def prune_disk_cache(folder: Path | None = None, max_bytes: int | None = None) -> list[Path]:
    """Delete the least recently used operator files until the folder holds at most ``max_bytes``.

    Returns the deleted files. Files vanishing under us (another process pruning) are skipped.
    """
    folder = folder or operator_cache_dir()
    limit = disk_cache_limit() if max_bytes is None else int(max_bytes)
    files = []
    for path in folder.glob("stl_*.npy"):
        try:
            st = path.stat()
        except OSError:
            continue
        files.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in files)
    removed = []
    for _, size, path in sorted(files):
        if total <= limit:
            break
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
        removed.append(path)
    return removed


def operator_cache_dir() -> Path:
    """``<cache root>/stl_operators`` (:func:`tsforge.paths.cache_root`; never inside an installed package)."""
    base = cache_root()
    return base / "stl_operators"


def _build(n: int, period: int, seasonal: int, jump: int) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.tsa.seasonal import STL

    seas = np.empty((n, n))
    trend = np.empty((n, n))
    eye = np.eye(n)
    with quiet_libraries():
        for j in range(n):
            res = STL(eye[j], period=period, seasonal=seasonal, trend_jump=jump, seasonal_jump=jump).fit()
            seas[:, j] = res.seasonal
            trend[:, j] = res.trend
    return seas, trend


def stl_operator(n: int, period: int, seasonal: int = 7, jump: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(S, Tr)``: seasonal and trend matrices of ``STL(period, seasonal, trend/seasonal_jump=jump)``.

    From the memory cache, else the disk cache, else built (and kept in both, within their
    bounds).
    """
    key = (int(n), int(period), int(seasonal), int(jump))
    hit = _memory.get(key)
    if hit is not None:
        return hit
    path = operator_cache_dir() / f"stl_n{n}_p{period}_s{seasonal}_j{jump}.npy"
    if path.exists():
        try:
            both = np.load(path)
            value = (both[0], both[1])
            _touch(path)
            _memory.put(key, value)
            return value
        except (OSError, ValueError):
            log.warning("unreadable STL operator cache %s; rebuilding", path)
    log.info("building STL operator n=%d period=%d seasonal=%d jump=%d", n, period, seasonal, jump)
    value = _build(n, period, seasonal, jump)
    _memory.put(key, value)
    _save(path, value)
    return value


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # mark as recently used for the disk cache's pruning
    except OSError:
        pass


def _save(path: Path, value: tuple[np.ndarray, np.ndarray]) -> None:
    """Write an operator to the disk cache, then prune the cache to its bound."""
    limit = disk_cache_limit()
    if 2 * value[0].nbytes > limit:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, np.stack(value))
        os.replace(tmp, path)
        prune_disk_cache(path.parent, limit)
    except OSError as exc:  # the cache is an optimisation only
        log.warning("could not cache STL operator at %s: %s", path, exc)


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
