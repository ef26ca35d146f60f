"""The per-series features (the knowledge base's and ``recommend --per-series``'s) are the same to
the last bit with one profiling process or two: the chunks a rung's windows were profiled in
used to be cut by ``n_jobs``, and the batched properties differ in the last bits with a window's
batch-mates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.series_features import series_features
from tsforge.data.panel import Panel


def _panel(n: int = 1100, length: int = 60) -> Panel:
    """``n`` noisy seasonal series of one length (one profile rung holds them all, > 2 × 256)."""
    rng = np.random.default_rng(5)
    t = np.arange(length)
    arrays = [
        100
        + rng.uniform(0, 3) * t / 10
        + rng.uniform(1, 20) * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6))
        + rng.normal(0, rng.uniform(0.5, 10), length)
        for _ in range(n)
    ]
    return Panel.from_arrays(arrays, ids=[f"s{i}" for i in range(n)], season_length=12, name="toy")


def test_features_are_identical_with_one_or_two_processes():
    panel = _panel()
    one = series_features(panel, 6, n_jobs=1)
    two = series_features(panel, 6, n_jobs=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
