"""A time written with an hours-only UTC offset (``2021-03-01 10:00+01``) among times of another
form is refused by row, not with a traceback.

Found by review: pandas leaves such a column as objects, and reading its ``.dt`` raised
``AttributeError`` (``tsforge profile`` printed a Python traceback); reading the series of the
refused row first made a frame that used to be refused by name crash the same way.
"""

from __future__ import annotations

import warnings

import pytest

from tsforge.data.history import histories_from_frame
from tsforge.errors import DataValidationError

ZONED = "2021-03-01 10:00+01"


def test_one_series_mixing_an_hour_offset_is_refused_naming_the_row():
    frame = {"unique_id": ["b"] * 3, "ds": [ZONED, "05/01/2021", "2021-03-03 10:00+01"], "y": [1.0] * 3}
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # pandas' advice is not the user's to read
        with pytest.raises(DataValidationError, match=r"'2021-03-01 10:00\+01'.*row 0"):
            histories_from_frame(frame)


def test_a_frame_whose_series_differ_is_refused_by_name():
    ds = ["01/01/2021", "01/02/2021", "01/03/2021", ZONED, "05/01/2021", "2021-03-03 10:00+01"]
    frame = {"unique_id": ["a"] * 3 + ["b"] * 3, "ds": ds, "y": [1.0] * 6}
    with pytest.raises(DataValidationError) as err:
        histories_from_frame(frame)
    assert "'b'" in str(err.value) and ZONED in str(err.value), str(err.value)
