"""Volatility and anomaly ratio on known series."""

import numpy as np
import pytest

from recommender.properties._batch import znormalise
from recommender.properties.anomaly import anomaly_batch
from recommender.properties.reference import ref_anomaly, ref_volatility
from recommender.properties.volatility import volatility_batch


def test_sine_and_noise_reference_values():
    t = np.arange(336)
    sine = np.sin(2 * np.pi * t / 24)
    noise = np.random.default_rng(0).standard_normal((40, 336))
    assert volatility_batch(sine[None])[0] == pytest.approx(0.7071, abs=1e-3)
    assert anomaly_batch(sine[None])[0] == 0.0
    assert anomaly_batch(noise).mean() == pytest.approx(0.10, abs=0.01)


def test_cv_is_inverse_abs_min_on_z_scale():
    x, _ = znormalise(np.random.default_rng(1).standard_normal((5, 200)))
    np.testing.assert_allclose(volatility_batch(x), np.round(1 / np.abs(x.min(axis=1)), 4), atol=1e-4)


def test_batched_equals_reference():
    rng = np.random.default_rng(2)
    x = np.vstack([rng.standard_normal((5, 100)), rng.exponential(size=(5, 100)), np.ones((1, 100))])
    assert volatility_batch(x).tolist() == [ref_volatility(r) for r in x]
    assert anomaly_batch(x).tolist() == [ref_anomaly(r) for r in x]
