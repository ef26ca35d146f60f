"""A count of one takes a singular verb: "1 series has no value left", not "1 series have".

Why: the notes and errors are read by people; "1 of 24 series have …" reads as a slip and makes
the reader wonder whether the count is right.
"""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data import Panel
from tsforge.errors import DataValidationError


def _panel(lengths: list[int]) -> Panel:
    arrays = [np.arange(float(n)) for n in lengths]
    return Panel.from_arrays(arrays, starts=[np.datetime64("2020-01-01")] * len(lengths), freq="D", name="p")


@pytest.mark.parametrize(
    ("lengths", "said"),
    [([10, 3], "1 series has no value left"), ([2, 10, 3], "2 series have no value left")],
)
def test_cutting_a_series_to_nothing_agrees_with_its_count(lengths, said):
    with pytest.raises(DataValidationError) as err:
        _panel(lengths).head_cut(3)
    assert str(err.value).startswith(said)
