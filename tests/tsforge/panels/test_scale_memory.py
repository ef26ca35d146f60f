"""The conformal local scale of many histories is computed in bounded pieces, with the same floats.

Why: calibrating a window model's intervals measures the scale of every (window, channel)
history of a batch at once: 256 windows × 300 channels × 336 steps = 26M values, whose lag terms
(five arrays of that size) took ``tsforge train wide.csv --model dlinear`` to 3.3 GB of memory
for a 48 MB table. ``trailing_scale`` now works on slices of about ``SCALE_CHUNK_VALUES`` values;
each history's scale reads only its own values, so the result must be the whole-array one bit
for bit (the interval numbers runs log must not move).
"""

from __future__ import annotations

import numpy as np
import pytest

import tsforge.panels.local_scale as local_scale
from tsforge.panels.local_scale import trailing_scale


def _whole(values, starts, ends, m, window, floor_fraction, zero_scale) -> np.ndarray:
    """The scale computed on the whole array in one pass (what ``trailing_scale`` did)."""
    sums = local_scale._ScaleSums(np.asarray(values, dtype=np.float64))
    local = local_scale._windowed_scale(sums, starts, ends, m, window, zero_scale)
    if floor_fraction <= 0:
        return local
    whole = local_scale._windowed_scale(sums, starts, ends, m, np.iinfo(np.int64).max // 4, zero_scale)
    return np.maximum(local, floor_fraction * whole)


def _histories(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ragged histories with gaps, flat stretches, zeros and mixed magnitudes."""
    rng = np.random.default_rng(seed)
    lens = rng.integers(1, 120, n)
    ends = np.cumsum(lens)
    starts = ends - lens
    values = (
        rng.normal(0, 1, ends[-1]) * 10.0 ** rng.integers(-6, 9, ends[-1] // 40 + 1).repeat(40)[: ends[-1]]
    )
    values[rng.random(values.size) < 0.05] = np.nan
    flat = rng.choice(n, n // 5, replace=False)
    for i in flat:  # flat just before the origin, or all zeros: the fallback paths
        values[max(starts[i], ends[i] - 30) : ends[i]] = 0.0 if i % 2 else 3.0
    return values, starts, ends


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("m", "window", "floor_fraction"), [(1, 8, 0.0), (12, 24, 0.0), (7, 14, 0.25)])
@pytest.mark.parametrize("chunk", [1, 50, 997])
def test_sliced_scale_is_the_whole_array_scale(
    monkeypatch: pytest.MonkeyPatch, seed: int, m: int, window: int, floor_fraction: float, chunk: int
) -> None:
    values, starts, ends = _histories(seed, 400)
    expected = _whole(values, starts, ends, m, window, floor_fraction, 0.5)
    monkeypatch.setattr(local_scale, "SCALE_CHUNK_VALUES", chunk)
    got = trailing_scale(values, starts, ends, m, window, floor_fraction, 0.5)
    np.testing.assert_array_equal(got, expected)


def test_overlapping_cases_of_one_series(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calibration cases: the same series cut at several origins (ranges that overlap)."""
    values, starts, ends = _histories(3, 50)
    origin = np.repeat(starts, 3)
    cut = np.repeat(ends, 3) - np.tile([0, 5, 11], 50)
    keep = cut > origin
    expected = _whole(values, origin[keep], cut[keep], 12, 24, 0.1, 1.0)
    monkeypatch.setattr(local_scale, "SCALE_CHUNK_VALUES", 64)
    np.testing.assert_array_equal(trailing_scale(values, origin[keep], cut[keep], 12, 24, 0.1, 1.0), expected)


def test_no_histories() -> None:
    assert (
        trailing_scale(np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), 12, 24).size
        == 0
    )


def test_a_big_batch_is_measured_in_bounded_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """6M values of 336-step histories: no pass holds all of them at once (it did: one pass)."""
    rng = np.random.default_rng(0)
    L, rows = 336, 18_000
    values = rng.normal(size=L * rows)
    ends = np.arange(1, rows + 1) * L
    sizes: list[int] = []
    real = local_scale._ScaleSums.__init__

    def recording(self, v: np.ndarray) -> None:
        sizes.append(int(v.size))
        real(self, v)

    monkeypatch.setattr(local_scale._ScaleSums, "__init__", recording)
    got = trailing_scale(values, ends - L, ends, 24, 48)
    assert max(sizes) <= values.size * 3 // 4, f"one pass held {max(sizes)} of {values.size} values"
    assert sum(sizes) == values.size  # every history measured once
    monkeypatch.setattr(local_scale._ScaleSums, "__init__", real)
    np.testing.assert_array_equal(got, _whole(values, ends - L, ends, 24, 48, 0.0, 1.0))
