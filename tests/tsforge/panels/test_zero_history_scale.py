"""The scale of a history of zeros is the panel's resolution: its grain, not its level.

A user walk found a monthly panel of decimal demand around 100 with one series of zeros: the
zero series, forecast 0, got an 80 % band up to 431 and a 95 % one up to about 1,000 — the
resolution was read as the smallest nonzero |y|, which on continuous data is the lowest level
in the panel. Counts (car parts, COVID deaths) must keep their scale of 1 exactly.
"""

from __future__ import annotations

import numpy as np

from tsforge.data.panel import Panel
from tsforge.inference import IntervalRequest
from tsforge.panels.calibrate import calibrate_panel
from tsforge.panels.conformal import ConformalCalibration
from tsforge.panels.local_scale import zero_history_scale


def _ptr(series: list[np.ndarray]) -> np.ndarray:
    return np.r_[0, np.cumsum([s.size for s in series])]


def _decimal_demand(seed: int, n: int = 24, length: int = 45) -> list[np.ndarray]:
    """``n`` series of decimal demand around 100 (two decimals) and one series of zeros."""
    rng = np.random.default_rng(seed)
    series = [np.round(100 + rng.normal(0, 10, length), 2) for _ in range(n)]
    return [*series, np.zeros(length)]


def _smallest_nonzero_median(series: list[np.ndarray]) -> float:
    """The old resolution (median over series of their smallest nonzero |y|), as reference."""
    smallest = [np.abs(s[np.isfinite(s) & (s != 0)]).min() for s in series if (np.nan_to_num(s) != 0).any()]
    return float(np.median(smallest)) if smallest else 1.0


def test_continuous_panel_resolution_is_its_grain_not_its_level():
    """Decimal demand around 100: the scale is a fraction of a unit (the smallest change a
    series makes), not the panel's lowest level (about 70 by the old rule)."""
    series = _decimal_demand(seed=3)
    values = np.concatenate(series)
    level = np.median([s.mean() for s in series[:-1]])
    scale = zero_history_scale(values, _ptr(series))
    assert 0 < scale < 0.01 * level, scale  # old rule: the median series' minimum, > 60
    # unit-free: the same panel in thousandths scales by exactly 1/1024 in a power of two
    assert zero_history_scale(np.ldexp(values, -10), _ptr(series)) == np.ldexp(scale, -10)


def test_steps_are_taken_within_a_series_and_skip_missing_values():
    """A step across a series boundary or a missing value is no step: 100 → 100.5 between two
    series, 7 → NaN → 7.25 inside one, do not count."""
    one = np.r_[3.0, 7.0, np.nan, 7.25]  # steps 4 (7 → NaN → 7.25 is none); smallest |y| 3
    assert zero_history_scale(one, np.array([0, 4])) == 3.0
    assert zero_history_scale(np.r_[np.nan, 2.0, 5.0], np.array([0, 3])) == 2.0  # NaN → 2: no step
    two = [np.r_[100.0, 104.0], np.r_[100.5, 110.0]]  # steps 4 and 9.5 (104 → 100.5 is none)
    assert zero_history_scale(np.concatenate(two), _ptr(two)) == (4.0 + 9.5) / 2


def test_counts_keep_the_old_resolution_of_one():
    """Intermittent counts (car-parts-like: mostly 0, a few 1s, 2s, 5s), alone and beside
    larger counts that never reach 0: the scale is exactly the old rule's, 1."""
    rng = np.random.default_rng(7)
    sparse = [np.where(rng.random(50) < 0.7, 0.0, rng.poisson(2.0, 50)) for _ in range(40)]
    sparse += [np.zeros(50), np.r_[np.nan, 0.0, 0.0, 4.0]]
    dense = [rng.poisson(30.0, 60).astype(np.float64) + 1 for _ in range(20)]
    for series in (sparse, sparse + dense):
        values = np.concatenate(series)
        old = _smallest_nonzero_median(series)
        assert zero_history_scale(values, _ptr(series)) == old == 1.0


def test_integer_panels_never_get_a_larger_scale_than_before():
    """On any integer panel a step is an integer ≥ 1 and no larger than the smallest value, so
    the scale is at most the old one and equals it wherever that was 1."""
    rng = np.random.default_rng(11)
    for _ in range(20):
        series = [rng.integers(-3, 40, rng.integers(1, 30)).astype(np.float64) for _ in range(9)]
        new = zero_history_scale(np.concatenate(series), _ptr(series))
        old = _smallest_nonzero_median(series)
        assert 1.0 <= new <= old
        if old == 1.0:
            assert new == 1.0


def test_zero_series_band_on_a_decimal_panel_is_units_wide_and_survives_a_reload(tmp_path):
    """The user walk's panel, calibrated with naive: the zero series' 95 % bound stays below a
    unit or two (it was about the panel's level, 100+), while the demand series' bands are
    unchanged in kind; the saved calibration gives the same bands (the scale is stored)."""
    series = _decimal_demand(seed=5)
    panel = Panel.from_arrays(series, season_length=12, name="demand")
    h = 12
    cal = calibrate_panel(panel, "naive", h)["naive"]
    request = IntervalRequest((80.0, 95.0))
    point = np.repeat(panel.tail(1), h, axis=1)
    histories = [panel.series(i) for i in range(len(panel))]
    bounds = request.bounds(cal.quantiles(point, histories, panel.ids, request.probs))
    zero = len(panel) - 1
    assert np.all(bounds["lo-95"][zero] <= 0) and np.all(bounds["hi-95"][zero] >= 0)
    assert bounds["hi-95"][zero].max() < 3.0, bounds["hi-95"][zero]
    width = bounds["hi-95"][:zero] - bounds["lo-95"][:zero]
    assert np.median(width) > 10.0  # demand moving by ~10 a month keeps its band

    cal.save(tmp_path)
    again = ConformalCalibration.load(tmp_path)
    assert again is not None and again.zero_scale == cal.zero_scale
    reloaded = request.bounds(again.quantiles(point, histories, panel.ids, request.probs))
    for key, b in bounds.items():
        np.testing.assert_array_equal(reloaded[key], b)
