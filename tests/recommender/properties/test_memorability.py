"""Batched Hurst R/S against the literal reference, and white noise near 0.5."""

import numpy as np
import pytest

from recommender.properties.memorability import hurst_batch, hurst_window_sizes
from recommender.properties.reference import ref_hurst


def test_window_sizes_for_336():
    assert hurst_window_sizes(336) == [10, 17, 31, 56, 100, 177, 316, 336]


def test_matches_reference():
    rng = np.random.default_rng(0)
    t = np.arange(336)
    x = np.stack(
        [rng.standard_normal(336), np.cumsum(rng.standard_normal(336)), np.sin(2 * np.pi * t / 50), t / 336.0]
    )
    fast = hurst_batch(x)
    for i, row in enumerate(x):
        assert fast[i] == pytest.approx(ref_hurst(row), abs=1e-10)


def test_white_noise_near_half():
    h = hurst_batch(np.random.default_rng(1).standard_normal((50, 336)))
    assert 0.4 < h.mean() < 0.65  # small-sample R/S is biased slightly upwards


def test_constant_chunks_are_dropped():
    x = np.repeat(np.arange(4.0), 84)[None]  # chunks inside a step have R/S = 0 and are skipped
    assert hurst_batch(x)[0] == pytest.approx(ref_hurst(x[0]), abs=1e-12)
    assert hurst_batch(x)[0] > 0
