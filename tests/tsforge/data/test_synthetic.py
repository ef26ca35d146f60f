"""Synthetic stations: deterministic per seed, structured, and latitude-dependent."""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data import synthetic_stations
from tsforge.data.synthetic import LAT_RANGE, LON_RANGE
from tsforge.errors import ConfigError


def test_deterministic_per_seed():
    a = synthetic_stations(seed=3, anomaly_rate=0.01)
    b = synthetic_stations(seed=3, anomaly_rate=0.01)
    c = synthetic_stations(seed=4, anomaly_rate=0.01)
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.coords, b.coords)
    assert not np.array_equal(a.values, c.values)


def test_shape_metadata_and_coordinates_in_box():
    d = synthetic_stations(n_channels=5, n_steps=300, freq="h", start="2023-06-01")
    assert d.values.shape == (300, 5) and d.values.dtype == np.float32
    assert d.freq == "h" and str(d.timestamps[0])[:10] == "2023-06-01"
    assert d.channel_ids == ("S00", "S01", "S02", "S03", "S04")
    assert d.coords.shape == (5, 2)
    assert ((LAT_RANGE[0] <= d.coords[:, 0]) & (d.coords[:, 0] <= LAT_RANGE[1])).all()
    assert ((LON_RANGE[0] <= d.coords[:, 1]) & (d.coords[:, 1] <= LON_RANGE[1])).all()
    assert np.isfinite(d.values).all()


def test_level_and_daily_amplitude_grow_with_latitude():
    d = synthetic_stations(n_channels=40, n_steps=24 * 28, seed=1, noise=0.1)
    lat = d.coords[:, 0]
    level = d.values.mean(axis=0)
    daily = d.values.reshape(28, 24, -1).mean(axis=0)  # mean daily profile per station
    amplitude = daily.max(axis=0) - daily.min(axis=0)
    assert np.corrcoef(lat, level)[0, 1] > 0.8
    assert np.corrcoef(lat, amplitude)[0, 1] > 0.8


def test_daily_and_weekly_seasonality_present_for_hourly_data():
    d = synthetic_stations(n_channels=1, n_steps=24 * 7 * 8, seed=2, noise=0.05, trend=0.0)
    x = d.values[:, 0] - d.values[:, 0].mean()

    def acf(lag: int) -> float:
        return float(np.corrcoef(x[:-lag], x[lag:])[0, 1])

    assert acf(24) > 0.5 and acf(12) < acf(24)
    one = synthetic_stations(n_channels=1, n_steps=24 * 7 * 8, seed=2, noise=0.05, trend=0.0, n_seasons=1)
    weekly_part = d.values[:, 0] - one.values[:, 0]  # same seed: the difference is the weekly term
    assert weekly_part.std() > 0.3
    np.testing.assert_allclose(weekly_part[:-168], weekly_part[168:], atol=1e-3)  # exactly weekly


def test_anomalies_are_injected_at_the_requested_rate():
    clean = synthetic_stations(n_channels=6, n_steps=3000, seed=7)
    spiky, mask = synthetic_stations(
        n_channels=6, n_steps=3000, seed=7, anomaly_rate=0.01, return_anomalies=True
    )
    assert 0.005 < mask.mean() < 0.015
    jump = np.abs(spiky.values - clean.values)
    np.testing.assert_allclose(jump[~mask], 0.0, atol=1e-5)
    assert (jump[mask] > 1.0).all()


def test_daily_frequency_uses_weekly_and_yearly_periods():
    d = synthetic_stations(n_channels=2, n_steps=800, freq="D", seed=0)
    assert d.freq == "D" and d.values.shape == (800, 2)


@pytest.mark.parametrize(
    ("freq", "k", "period"),
    [
        ("B", 1, 5),
        ("bh", 1, 8),
        ("bh", 2, 40),
        ("SMS", 1, 24),
        ("CBMS", 1, 12),
        ("WOM-1MON", 1, 12),
        ("h", 2, 168),
    ],
)
def test_seasons_are_counted_in_the_frequencys_own_steps(freq, k, period):
    """The k-th season repeats after its length in this frequency's steps: a business week is 5
    business days or 40 business hours (a business day 8), a year 24 half-months or 12 custom
    business months. Earlier business days and hours and custom business months were read as
    yearly steps (no season), half-months as months, week-of-month as weeks."""
    kw = dict(n_channels=1, n_steps=4 * period, freq=freq, seed=5, noise=0.0, trend=0.0, start="2024-01-01")
    # the draws do not depend on n_seasons: the difference is the k-th season alone
    season = (
        synthetic_stations(n_seasons=k, **kw).values[:, 0]
        - synthetic_stations(n_seasons=k - 1, **kw).values[:, 0]
    )
    assert season.std() > 0.1
    repeats = [lag for lag in range(2, 2 * period + 1) if np.allclose(season[:-lag], season[lag:], atol=1e-3)]
    assert repeats[0] == period


def test_bad_arguments():
    with pytest.raises(ConfigError):
        synthetic_stations(n_channels=0)
    with pytest.raises(ConfigError):
        synthetic_stations(anomaly_rate=1.5)
    with pytest.raises(ConfigError, match="unknown frequency"):
        synthetic_stations(freq="fortnightly")
