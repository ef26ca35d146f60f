"""Synthetic panel collections: calendar, season, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.synth import BaseKernel, Composite, sample_gp
from recommender.synth_panels import SYNTHETIC_PROFILES, _exact_season, _season_bank, synthetic_collection
from tsforge.errors import ConfigError


def test_a_collection_has_its_rate_season_and_ragged_positive_series():
    panel = synthetic_collection("monthly", n_series=30, seed=1)
    p = SYNTHETIC_PROFILES["monthly"]
    assert (panel.name, panel.freq, panel.season_length, len(panel)) == ("synthetic_monthly", "MS", 12, 30)
    assert p.min_length <= panel.lengths.min() and panel.lengths.max() <= p.max_length
    assert len(set(panel.lengths.tolist())) > 1  # ragged, like real panels
    assert np.isfinite(panel.values).all() and (panel.values > 0).all()


@pytest.mark.parametrize("profile", list(SYNTHETIC_PROFILES))
def test_every_rate_places_its_timestamps_on_its_grid(profile):
    panel = synthetic_collection(profile, n_series=2)
    times = panel.times_at(np.array([0, 1]), np.array([0, 3]))  # a weekly start off its weekday failed here
    assert len(times) == 2 and times[1] > times[0]


def test_collections_are_rebuilt_identically_and_differ_by_seed_and_rate():
    a, b = synthetic_collection("daily", 10, seed=3), synthetic_collection("daily", 10, seed=3)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.array_equal(a.values[:50], synthetic_collection("daily", 10, seed=4).values[:50])
    assert not np.array_equal(a.values[:50], synthetic_collection("weekly", 10, seed=3).values[:50])


def test_the_periodic_kernels_carry_the_collections_season():
    bank = _season_bank(12)
    periodic = [k for k in bank if k.kind == "periodic"]
    assert periodic and {k.a for k in periodic} == {12.0}
    assert not [k for k in _season_bank(1) if k.kind == "periodic"]
    # a cycle is exactly 12 steps whatever the series' length: a purely periodic draw repeats
    for length in (40, 150):
        z = sample_gp(_exact_season(Composite((periodic[0],), ()), length), length, np.random.default_rng(0))
        np.testing.assert_allclose(z[:-12], z[12:], atol=1e-8)
        assert not np.allclose(z[:-7], z[7:], atol=1e-3)
    assert BaseKernel("rbf", 1.0) in bank  # the non-periodic kernels are the ARIES bank's


def test_an_unknown_profile_is_refused_by_name():
    with pytest.raises(ConfigError, match="fortnightly"):
        synthetic_collection("fortnightly")
