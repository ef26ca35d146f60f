"""The fast batched property set reproduces the reference implementation window by window."""

import numpy as np
import pytest

from recommender.properties.fast import PROPERTY_KEYS, properties_fast
from recommender.properties.reference import CONSTANT_DEFAULTS, reference_batch


def _windows():
    rng = np.random.default_rng(7)
    t = np.arange(336)
    rows = [
        rng.standard_normal(336),
        np.cumsum(rng.standard_normal(336)),
        np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(336),
        np.sin(2 * np.pi * t / 24) + 0.6 * np.sin(2 * np.pi * t / 7) + 0.2 * rng.standard_normal(336),
        0.02 * t + np.sin(2 * np.pi * t / 48),
        t.astype(float),
        np.full(336, 3.0),
        np.round(np.cumsum(rng.standard_normal(336))),
    ]
    return np.stack(rows)


def test_fast_equals_reference():
    w = _windows()
    fast, ref = properties_fast(w), reference_batch(w)
    for key in PROPERTY_KEYS:
        np.testing.assert_allclose(fast[key].astype(float), ref[key].astype(float), atol=1e-8, err_msg=key)
    assert fast["periods"] == ref["periods"]
    assert fast["constant"].tolist() == ref["constant"].tolist()


def test_constant_window_gets_spec_defaults():
    out = properties_fast(np.full((1, 336), 2.5))
    assert {k: out[k][0] for k in CONSTANT_DEFAULTS} == pytest.approx(CONSTANT_DEFAULTS)
    assert out["constant"][0]
