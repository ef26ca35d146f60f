"""A series' conformal scale is its own, whatever the magnitude of the series stored before it:
the scales were differences of prefix sums over the whole panel, and a 3e9 series before a
2e-6 one left the small series' scale wrong (or zero, then the panel's zero-history scale)."""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data.ragged import range_sums
from tsforge.panels.local_scale import trailing_scale


def test_a_tiny_series_after_a_huge_one_gets_its_own_scale():
    rng = np.random.default_rng(0)
    huge = 3e9 + np.cumsum(rng.normal(0, 1e7, 200))
    tiny = 2e-6 + 5e-7 * np.sin(np.arange(48) * 2 * np.pi / 12 + 0.3) + rng.normal(0, 1e-8, 48)
    values = np.concatenate([huge, tiny])
    for fraction in (0.0, 0.25):
        alone = trailing_scale(tiny, np.array([0]), np.array([48]), 12, 24, fraction, 1.0)
        mixed = trailing_scale(values, np.array([0, 200]), np.array([200, 248]), 12, 24, fraction, 1.0)
        assert mixed[1] == pytest.approx(alone[0], rel=1e-9)
        assert mixed[0] == pytest.approx(
            trailing_scale(huge, np.array([0]), np.array([200]), 12, 24, fraction)[0]
        )


def test_range_sums_are_the_sums_of_overlapping_and_empty_ranges():
    x = np.array([1e12, 1.0, 2.0, 3.0, 4e-9, 5.0])
    lo = np.array([1, 0, 3, 2, 6, 4])
    hi = np.array([4, 6, 3, 5, 6, 5])
    got = range_sums(x, lo, hi)
    expected = np.array([x[a:b].sum() for a, b in zip(lo, hi, strict=True)])
    assert got[0] == 6.0 and got[3] == 5.000000004 and got[4] == 0.0 and got[2] == 0.0
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_an_all_zero_window_of_a_tiny_series_after_a_huge_one_keeps_its_earlier_level():
    """The unit of an all-zero window is its series' mean |y| before it, summed over that
    series alone: from panel-wide prefix sums a 3e9 series before it erased a 2e-6 level."""
    from tsforge.data.panel import Panel
    from tsforge.panels.windows import PanelWindows

    huge = 3e9 + np.arange(40) * 1e7
    tiny = np.array([2e-6, 0.0, 1e-6, 0.0, 0.0, 0.0, 0.0, 3e-6])
    panel = Panel.from_arrays([huge, tiny], freq="MS")
    windows = PanelWindows(panel.values, panel.indptr, np.array([1]), np.array([6]), 3, 1)
    # target at 6: inputs 0, 0, 0; earlier values 2e-6, 0, 1e-6, 0, 0, 0 → mean |y| 5e-7
    assert windows.arrays(np.array([0]))["scale"][0] == pytest.approx(5e-7, rel=1e-9)
