"""Edge cases of the property set: flat windows at any level, constant stretches inside a
window, exactly periodic windows, non-finite values and extreme scales.

Why these: each one once gave an answer decided by floating-point rounding (so it changed with
the scale of the data, and the fast path disagreed with the reference) or a silently wrong
answer (a window with a NaN read as a perfect downward trend).
"""

import warnings

import numpy as np
import pytest

from recommender.properties import profile
from recommender.properties.fast import PROPERTY_KEYS, properties_fast
from recommender.properties.memorability import hurst_batch
from recommender.properties.reference import (
    CONSTANT_DEFAULTS,
    ref_hurst,
    ref_stationarity,
    reference_batch,
    reference_properties,
)
from recommender.properties.stationarity import stationarity_batch

T = 336


@pytest.mark.parametrize("level", [0.1, 0.3, 7.7, -0.7, 5e-9, 0.0, 1e12 / 3])
def test_flat_window_at_any_level_gets_the_constant_defaults(level):
    """np.std of a flat window of 0.1 is 2.8e-17 (its mean rounds), not 0: it must still be flat."""
    w = np.full((1, T), level)
    fast = properties_fast(w)
    ref = reference_properties(w[0])
    assert fast["constant"][0] and ref["constant"]
    assert {k: fast[k][0] for k in CONSTANT_DEFAULTS} == pytest.approx(CONSTANT_DEFAULTS)
    assert {k: ref[k] for k in CONSTANT_DEFAULTS} == pytest.approx(CONSTANT_DEFAULTS)
    assert fast["periods"] == [()]


def _scaled(y: np.ndarray) -> np.ndarray:
    return np.stack([y, y * 1e12, y * 1e-9, 3 * y + 7])


@pytest.mark.parametrize(
    "name",
    ["spike", "step_on_chunk_edge", "intermittent"],
)
def test_hurst_does_not_depend_on_rounding_in_flat_chunks(name):
    """A chunk of equal values has R = S = 0 and is skipped (spec §1.2 (5)); computed in floats
    both are ~1e-17 and their ratio (~ the chunk length) used to enter the average, so H changed
    with the scale of the data."""
    t = np.arange(T)
    y = {
        "spike": np.where(t == 100, 10.0, 0.0),
        "step_on_chunk_edge": np.where(t < 168, 0.0, 1.0),  # every 56-chunk is flat: no estimate
        "intermittent": np.where(np.random.default_rng(3).random(T) < 0.05, 4.0, 0.0),
    }[name]
    h = properties_fast(_scaled(y))["hurst"]
    ref = reference_batch(_scaled(y))["hurst"]
    np.testing.assert_allclose(h, h[0], atol=1e-9)
    np.testing.assert_allclose(ref, h, atol=1e-9)


def test_step_on_a_chunk_edge_has_no_hurst_estimate():
    """At chunk size 56 every chunk of a step at 168 is flat, so that size has no R/S: the
    lineage's failure value 0, in both paths."""
    x = np.where(np.arange(T) < 168, -1.0, 1.0)[None] + 0.0
    assert hurst_batch(x)[0] == 0.0
    assert ref_hurst(x[0]) == 0.0


@pytest.mark.parametrize("length", [48, 96, 336])
def test_exactly_periodic_windows_agree_with_statsmodels(length):
    """An exactly periodic window is a perfect fit of the ADF regression (and its lag columns are
    collinear); statsmodels' pinv answer decides, the batched Cholesky/QR one is rounding noise."""
    rng = np.random.default_rng(3)
    t = np.arange(length)
    rows = [rng.integers(0, 5, p).astype(float)[t % p] for p in range(2, 12)]
    rows += [(t % 7) * 1.0, (t % 3 == 0) * 1.0]
    x = np.stack(rows)
    x = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = [ref_stationarity(row) for row in x]
    assert stationarity_batch(x).tolist() == ref


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_window_with_a_non_finite_value_has_no_properties(bad):
    """A NaN or ±inf used to give tau = -1 ('decreasing', the top trend bucket) and a NaN cv;
    now every property of that window is NaN, the other windows are unaffected."""
    rng = np.random.default_rng(0)
    good = np.sin(2 * np.pi * np.arange(T) / 24) + 0.1 * rng.standard_normal(T)
    broken = good.copy()
    broken[10] = bad
    w = np.stack([good, broken, np.full(T, bad)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no numpy warnings on the way
        fast = properties_fast(w)
    ref = reference_batch(w)
    alone = properties_fast(good[None])
    for key in PROPERTY_KEYS:
        assert np.isnan(fast[key][1:]).all(), key
        assert np.isnan(ref[key][1:].astype(float)).all(), key
        assert fast[key][0] == pytest.approx(alone[key][0]), key
        assert ref[key][0] == pytest.approx(alone[key][0], abs=1e-8), key
    assert fast["periods"][1:] == [(), ()]
    assert not fast["constant"][1:].any()


def test_profile_treats_infinite_values_as_missing():
    """An inf in the data is interpolated over like a NaN (or drops its window past 10 %)."""
    rng = np.random.default_rng(0)
    y = np.sin(2 * np.pi * np.arange(500) / 24) + 0.2 * rng.standard_normal(500)
    with_inf, with_nan = y.copy(), y.copy()
    with_inf[100] = np.inf
    with_nan[100] = np.nan
    a, b = profile(with_inf).table, profile(with_nan).table
    assert np.isfinite(a["volatility"]).all()
    assert a.drop(columns="periods").equals(b.drop(columns="periods"))


def test_extreme_scales_give_the_same_properties():
    """z-normalisation is exact under power-of-two rescaling, so 1e200 does not overflow the
    variance (it used to: std = inf, every window read as all zeros)."""
    rng = np.random.default_rng(5)
    y = np.cumsum(rng.standard_normal(T)) + np.sin(2 * np.pi * np.arange(T) / 24)
    w = np.stack([y, y * 1e200, y * 1e-200, y * 1e12, y * 1e-9])
    out = properties_fast(w)
    for key in PROPERTY_KEYS:
        np.testing.assert_allclose(out[key].astype(float), float(out[key][0]), atol=1e-6, err_msg=key)
    ref = reference_properties(y * 1e200)
    assert {k: ref[k] for k in PROPERTY_KEYS} == pytest.approx({k: out[k][0] for k in PROPERTY_KEYS})


@pytest.mark.parametrize("length", [2, 3, 4, 11])
def test_too_short_windows_are_refused_with_a_clear_message(length):
    """Below 12 values the STL period T//2 drops under 2 (statsmodels: 'period must be a positive
    integer >= 2') and the ARCH test loses its lags (p = NaN); say so instead."""
    w = np.random.default_rng(0).standard_normal((2, length))
    with pytest.raises(ValueError, match="at least 12 values"):
        properties_fast(w)
    with pytest.raises(ValueError, match="at least 12 values"):
        reference_batch(w)


def test_shortest_profile_rung_is_long_enough():
    from recommender.properties.fast import MIN_LENGTH
    from recommender.properties.profile import MIN_WINDOW, PANEL_LADDER

    assert PANEL_LADDER[0] >= MIN_LENGTH and MIN_WINDOW >= MIN_LENGTH
    properties_fast(np.random.default_rng(0).standard_normal((1, MIN_LENGTH)))


@pytest.mark.parametrize("name", ["memorability", "volatility", "stationarity", "trend_strength"])
def test_bucketize_refuses_nan(name):
    """NaN used to land in the top bucket of a continuous property (searchsorted puts NaN last)."""
    from recommender.properties.buckets import bucketize

    with pytest.raises(ValueError, match="NaN"):
        bucketize(name, np.array([0.3, np.nan]))


def test_reference_and_fast_share_the_minimum_length():
    from recommender.properties import fast, reference

    assert reference.MIN_LENGTH == fast.MIN_LENGTH


@pytest.mark.parametrize("key", ["hurst", "stationarity"])
def test_blast_vector_refuses_nan(key):
    """np.digitize puts NaN in the last bin (Hurst NaN read as H >= 0.9); a NaN label hit a bare
    'cannot convert float NaN to integer'. Both now name the property."""
    from recommender.properties.features import blast_feature_vector

    props = {k: np.zeros(2) for k in PROPERTY_KEYS}
    props[key] = np.array([0.5, np.nan])
    with pytest.raises(ValueError, match=f"NaN.*{key}"):
        blast_feature_vector(props)
