"""Guard: the lag sums of panel scoring (in-sample scale, autocorrelations) are the gathered-pairs
sums bit for bit.

Why: ``insample_scale`` and ``_acf`` pair every row with the row ``k`` before it through shifted
slices, masking the pairs that cross into another series, instead of gathering the pairs by
index (five panel-sized index arrays per lag, the slowest part of scoring a 50,000-series
panel). Published MASE/OWA numbers come from these sums, so the new way must give the same
floats, not merely close ones. The reference below is the gathered-pairs code as it was.
"""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data.ragged import series_index
from tsforge.evaluation.metrics import RELATIVE_SCALE_FLOOR
from tsforge.evaluation.panel_metrics import _acf, insample_scale, naive2_forecast, seasonality_test


def _pairs(indptr: np.ndarray, lag: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sid = series_index(indptr)
    pos = np.arange(indptr[-1], dtype=np.int64)
    prev = pos - lag[sid]
    ok = prev >= indptr[:-1][sid]
    return pos[ok], prev[ok], sid[ok]


def _scale_gathered(values: np.ndarray, indptr: np.ndarray, m: int, power: int) -> np.ndarray:
    n, lens = indptr.size - 1, np.diff(indptr)
    lag = np.where(lens >= m + 1, m, 1)
    cur, prev, sid = _pairs(indptr, lag)
    d = np.abs(values[cur] - values[prev]) ** power
    ok = np.isfinite(d)
    total = np.bincount(sid[ok], weights=d[ok], minlength=n)
    count = np.bincount(sid[ok], minlength=n)
    sid_all, seen = series_index(indptr), np.isfinite(values)
    size = np.bincount(sid_all[seen], weights=np.abs(values[seen]) ** power, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = total / count
        floor = RELATIVE_SCALE_FLOOR**power * size / np.bincount(sid_all[seen], minlength=n)
    return np.where((scale > 0) & ~(scale <= floor), scale, np.nan)


def _acf_gathered(values: np.ndarray, indptr: np.ndarray, max_lag: int) -> np.ndarray:
    n, lens = indptr.size - 1, np.diff(indptr)
    sid = series_index(indptr)
    mean = np.bincount(sid, weights=values, minlength=n) / np.maximum(lens, 1)
    dev = values - mean[sid]
    denom = np.bincount(sid, weights=dev * dev, minlength=n)
    out = np.zeros((n, max_lag))
    for k in range(1, max_lag + 1):
        cur, prev, s = _pairs(indptr, np.full(n, k))
        num = np.bincount(s, weights=dev[cur] * dev[prev], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, k - 1] = np.where(denom > 0, num / denom, 0.0)
    return out


def _ragged(seed: int, n: int, missing: float) -> tuple[np.ndarray, np.ndarray]:
    """A ragged panel (lengths 1..80, some constant or non-positive series) with NaN holes."""
    rng = np.random.default_rng(seed)
    lens = rng.integers(1, 81, n)
    indptr = np.concatenate([[0], np.cumsum(lens)])
    values = rng.normal(50.0, 10.0, indptr[-1]) * rng.choice(
        [1.0, -1.0, 0.0], indptr[-1], p=[0.9, 0.05, 0.05]
    )
    values[indptr[1] : indptr[2]] = 7.0  # a constant history: zero scale
    values[rng.random(values.size) < missing] = np.nan
    return values, indptr


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("m", [1, 4, 12, 200])
@pytest.mark.parametrize("power", [1, 2])
def test_insample_scale_is_the_gathered_pairs_scale(seed: int, m: int, power: int) -> None:
    values, indptr = _ragged(seed, 300, missing=0.05)
    got = insample_scale(values, indptr, m, power=power)
    np.testing.assert_array_equal(got, _scale_gathered(values, indptr, m, power))
    assert np.isfinite(got).sum() > 200  # the comparison covers real scales, not only NaN


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("max_lag", [1, 12, 100])
def test_acf_is_the_gathered_pairs_acf(seed: int, max_lag: int) -> None:
    values, indptr = _ragged(seed, 300, missing=0.0)
    got = _acf(values, indptr, max_lag)
    np.testing.assert_array_equal(got, _acf_gathered(values, indptr, max_lag))
    assert np.count_nonzero(got[:, 0]) > 200  # real correlations, not only the zeros of short series


def test_lags_longer_than_the_whole_panel() -> None:
    """A lag beyond every series (and beyond the panel's length) pairs nothing, as before."""
    values, indptr = np.array([1.0, 2.0, 4.0, 3.0, 5.0]), np.array([0, 2, 5])
    np.testing.assert_array_equal(_acf(values, indptr, 9), _acf_gathered(values, indptr, 9))
    np.testing.assert_array_equal(insample_scale(values, indptr, 9), _scale_gathered(values, indptr, 9, 1))


def test_naive2_matches_a_per_series_reading() -> None:
    """The seasonality test used by Naive2 agrees with r_m computed series by series."""
    rng = np.random.default_rng(5)
    lens = rng.integers(40, 120, 50)
    indptr = np.concatenate([[0], np.cumsum(lens)])
    t = np.arange(indptr[-1])
    values = (
        100 + 20 * np.sin(2 * np.pi * t / 12) * rng.choice([0.0, 1.0], indptr[-1]) + rng.normal(0, 3, t.size)
    )
    seasonal = seasonality_test(values, indptr, 12)
    for i in range(lens.size):
        y = values[indptr[i] : indptr[i + 1]]
        d = y - y.mean()
        r = np.array([np.dot(d[k:], d[: d.size - k]) for k in range(1, 13)]) / np.dot(d, d)
        limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[:11] ** 2)) / y.size)
        assert seasonal[i] == (abs(r[11]) > limit)
    assert naive2_forecast(values, indptr, 12, 6).shape == (50, 6)
