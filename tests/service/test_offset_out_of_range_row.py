"""``/invocations``: a text time with a UTC offset past what pandas' clock holds
(``2300-01-05T00:00:00+02:00``) is refused naming its row and text, as a time without an offset
out of range is.

Before, pandas' ``OutOfBoundsDatetime`` was answered with the range alone, naming no row.
"""

from __future__ import annotations

import pytest

from service.convert import _parse_ds
from tsforge.errors import DataValidationError


@pytest.mark.parametrize(
    "ds",
    [
        ["2021-01-05T00:00:00+02:00", "2300-01-05T00:00:00+02:00"],
        ["2021-01-05T00:00:00+02:00", "2021-01-06T00:00:00+02:00", "1500-01-07T00:00:00+02:00"],
    ],
)
def test_an_offset_time_out_of_bounds_is_named_by_row(ds):
    with pytest.raises(DataValidationError) as caught:
        _parse_ds(ds, field="dataframe_split.data")
    exc = caught.value
    row = len(ds) - 1
    assert exc.where.get("row") == row, exc.where
    assert f"ds at row {row}: {ds[row]!r} is out of range" in exc.message, exc.message
    assert "the dates tsforge can hold (1677-09-21 to 2262-04-11)" in exc.message
