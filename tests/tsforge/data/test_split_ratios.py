"""``--split`` ratios that are not finite numbers are refused by name, not by a traceback."""

from __future__ import annotations

import pytest

from tsforge.data.splits import parse_split, split_borders
from tsforge.errors import ConfigError


@pytest.mark.parametrize("spec", ["nan:1:2", "inf:1:2", "7:1:nan", "1e400:1:1", "7:-inf:2"])
def test_a_ratio_that_is_not_a_finite_number_is_a_config_error(spec):
    """``float("nan")`` passed every check (comparisons with NaN are false), and the borders
    then failed with ``ValueError: cannot convert float NaN to integer``."""
    with pytest.raises(ConfigError, match="split must look like") as err:
        split_borders(3000, spec)
    assert err.value.where["field"] == "split"


def test_finite_ratios_still_parse():
    assert parse_split("0.7:0.1:0.2") == pytest.approx((0.7, 0.1, 0.2))
    assert split_borders(1000, "7:1:2").as_dict() == {
        "train": [0, 700],
        "val": [700, 800],
        "test": [800, 1000],
    }
