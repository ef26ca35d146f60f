"""The zero-width note tolerates floating-point residue, and a level or quantile out of range is
refused naming its position in the caller's list.

Why: a flat history's native interval came back 8.9e-16 wide at one step (one ulp of its level
5.0), so the documented "zero width at every step" note never fired; and ``level=[80, 150]``
was refused without the index that ``level=[80, nan]`` names.
"""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.errors import ConfigError
from tsforge.inference import IntervalRequest, SeriesForecast, zero_width_note


def _forecast(point: np.ndarray, width: np.ndarray, sid: str = "flat") -> SeriesForecast:
    return SeriesForecast(sid, point, bounds={"lo-80": point.copy(), "hi-80": point + width})


def test_a_width_of_one_ulp_counts_as_zero():
    point = np.full(6, 5.0)
    residue = np.array([0, 0, 0, 0, np.spacing(5.0), 0])  # 8.88e-16, as a flat history's native band
    note = zero_width_note([_forecast(point, residue)], "native")
    assert note is not None and "('flat') has zero width at every step" in note


def test_the_tolerance_is_relative_to_the_values():
    """A genuinely narrow interval of a series on a tiny scale is no residue."""
    point = np.full(6, 1e-9)
    assert zero_width_note([_forecast(point, np.full(6, 1e-12))], "native") is None
    big = np.full(6, 1e9)  # one ulp there is 1.2e-7: still residue
    assert zero_width_note([_forecast(big, np.full(6, np.spacing(1e9)))]) is not None


def test_a_native_band_stopped_at_0_is_not_said_to_be_an_error_free_fit():
    zero = np.zeros(6)
    down = _forecast(zero, zero, "down")
    down.raised = frozenset({"lo-80", "hi-80"})  # raised to the floor of 0 (floor_points): it was below 0
    note = zero_width_note([down], "native")
    assert note is not None and "at or below 0" in note and "without error" not in note
    flat = zero_width_note([_forecast(np.full(6, 5.0), np.zeros(6))], "native")
    assert flat is not None and "without error" in flat


@pytest.mark.parametrize(
    ("level", "quantiles", "said"),
    [
        ([80, 150], None, r"level must be between 0 and 100 \(exclusive\), got 150 at position 1"),
        ([0, 80], None, r"level must be between 0 and 100 \(exclusive\), got 0 at position 0"),
        (None, [0.1, 0.5, 1.5], r"quantiles must be between 0 and 1 \(exclusive\), got 1.5 at position 2"),
    ],
)
def test_an_out_of_range_level_or_quantile_names_its_position(level, quantiles, said):
    with pytest.raises(ConfigError, match=said) as err:
        IntervalRequest.parse(level, quantiles)
    assert err.value.where.get("field") == ("level" if level is not None else "quantiles")
