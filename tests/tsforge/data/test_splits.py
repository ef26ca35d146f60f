"""Split borders: the ETT convention, 7:1:2 arithmetic, borrowed context, targets inside borders."""

from __future__ import annotations

import pytest

from tsforge.data.splits import parse_split, split_borders
from tsforge.errors import ConfigError, DataValidationError


def test_etth1_borders_match_the_protocol():
    b = split_borders(17420, "ett", steps_per_hour=1)
    assert (b.train, b.val, b.test) == ((0, 8640), (8640, 11520), (11520, 14400))
    sizes = [hi - lo for lo, hi in (b.train, b.val, b.test)]
    assert sizes == [8640, 2880, 2880]


def test_ettm1_borders_scale_with_steps_per_hour():
    b = split_borders(69680, "ett", steps_per_hour=4)
    assert (b.train, b.val, b.test) == ((0, 34560), (34560, 46080), (46080, 57600))


def test_ett_split_needs_twenty_months_and_a_sub_daily_frequency():
    with pytest.raises(DataValidationError, match="needs 14400 rows"):
        split_borders(10000, "ett", steps_per_hour=1)
    with pytest.raises(ConfigError, match="hourly or sub-hourly"):
        split_borders(17420, "ett", steps_per_hour=None)


@pytest.mark.parametrize(
    "n, expected",
    [
        # n_train = int(0.7 n), n_test = int(0.2 n), n_val = the rest
        (52696, (36887, 5270, 10539)),  # Weather
        (7588, (5311, 760, 1517)),  # Exchange
        (966, (676, 97, 193)),  # ILI
        (10, (7, 1, 2)),
    ],
)
def test_seven_one_two_arithmetic(n, expected):
    b = split_borders(n, "7:1:2")
    n_train, n_val, n_test = expected
    assert b.train == (0, n_train)
    assert b.val == (n_train, n_train + n_val)
    assert b.test == (n - n_test, n)
    assert b.val[1] == b.test[0]


def test_window_starts_borrow_at_most_input_len_and_targets_stay_inside():
    L, H = 96, 24
    b = split_borders(2000, "7:1:2")
    for split in ("train", "val", "test"):
        lo, hi = b.rows(split)
        starts = b.window_starts(split, L, H)
        assert len(starts) > 0
        assert starts[0] >= lo - L and starts[0] >= 0
        for s in (starts[0], starts[-1]):
            assert lo <= s + L and s + L + H <= hi  # targets fully inside the split
        assert starts[-1] + L + H == hi  # the last window ends exactly at the border
    val = b.window_starts("val", L, H)
    assert val[0] == b.val[0] - L  # borrowed context: exactly L rows from train
    assert b.window_starts("train", L, H)[0] == 0


def test_parse_split():
    assert parse_split("7:1:2") == pytest.approx((0.7, 0.1, 0.2))
    assert parse_split("6:2:2") == pytest.approx((0.6, 0.2, 0.2))
    assert parse_split("ETTh") == "ett"
    with pytest.raises(ConfigError, match="split must look like"):
        parse_split("70/10/20")
