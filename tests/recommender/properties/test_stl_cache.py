"""The STL operator caches are bounded and least-recently-used (issue #18, finding 2: one
``window=1024`` profile request wrote 49 MB of operators and a cache without bound)."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from recommender.properties import _stl_operators as ops


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path))
    mem = ops.memory_cache()
    saved = mem.max_bytes
    mem.clear()
    yield mem
    mem.clear()
    mem.max_bytes = saved


def _size(n: int) -> int:
    return 2 * n * n * 8  # seasonal + trend operators, float64


def test_memory_cache_keeps_at_most_its_bound_evicting_least_recently_used(cache):
    cache.max_bytes = 2 * _size(40)
    a = ops.stl_operator(40, 5, 7, 5)
    ops.stl_operator(40, 4, 7, 5)
    assert ops.stl_operator(40, 5, 7, 5)[0] is a[0]  # a hit, and now the most recently used
    ops.stl_operator(40, 3, 7, 5)  # evicts (40, 4), not (40, 5)
    assert cache.keys() == [(40, 5, 7, 5), (40, 3, 7, 5)]
    assert cache.nbytes <= cache.max_bytes
    cache.max_bytes = _size(40) - 1  # an operator larger than the whole cache is not kept
    cache.clear()
    ops.stl_operator(40, 5, 7, 5)
    assert cache.keys() == [] and cache.nbytes == 0


def test_disk_cache_is_pruned_to_its_bound_oldest_use_first(cache, tmp_path, monkeypatch):
    folder = tmp_path / "stl_operators"
    monkeypatch.setenv("TSFORGE_STL_DISK_CACHE_MB", "1")  # room for a few 40x40 operators only
    for p in (2, 3, 4):
        ops.stl_operator(40, p, 7, 5)
    assert len(list(folder.glob("stl_*.npy"))) == 3
    # make (40, 2) the least recently used, then squeeze the cache below two files
    old = time.time() - 100
    os.utime(folder / "stl_n40_p2_s7_j5.npy", (old, old))
    removed = ops.prune_disk_cache(folder, 2 * (_size(40) + 128) + 64)
    assert [p.name for p in removed] == ["stl_n40_p2_s7_j5.npy"]
    # a load from disk counts as a use: its file becomes the newest
    cache.clear()
    os.utime(folder / "stl_n40_p3_s7_j5.npy", (old, old))
    ops.stl_operator(40, 3, 7, 5)
    assert (folder / "stl_n40_p3_s7_j5.npy").stat().st_mtime > old + 50
    # the cached operator is the same as a fresh build
    seas, trend = ops._build(40, 3, 7, 5)
    np.testing.assert_allclose(ops.stl_operator(40, 3, 7, 5)[0], seas)
