"""The time reader words a place by the path its caller gives (a list in a request:
``at series[4].timestamps[3]``), and by rows or a file's lines otherwise.

Why: the service used to rewrite the reader's sentences ("in time column 'timestamps' at row 3")
with a regular expression; told the place, the reader says it once, in the caller's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from tsforge.data.file_lines import ListPlace
from tsforge.data.timeaxis import parse_time_column
from tsforge.errors import DataValidationError

PLACE = ListPlace(path="series[4].timestamps", noun="timestamps")
QUARTERS = [f"{t.year}-Q{t.quarter}" for t in pd.date_range("2015-01-01", periods=12, freq="QS")]


def _refusal(values: Sequence[object], *, fmt: str | None = None, place: ListPlace | None = PLACE) -> str:
    with pytest.raises(DataValidationError) as caught:
        parse_time_column(
            pl.Series("timestamps", values), column="timestamps", file=None, fmt=fmt, place=place
        )
    return caught.value.message


def test_an_unread_value_and_the_count_are_said_by_the_path():
    text = list(QUARTERS)
    text[3], text[7] = "2015-Q9", "2016-Q7"
    assert (
        _refusal(text)
        == "unparsable date '2015-Q9' at series[4].timestamps[3] (2 unparsable timestamps in total)"
    )


def test_the_value_read_another_way_is_named_by_the_path():
    message = _refusal(["2020-Q1", "2020-Q2", "30/05/2020"])
    assert message.startswith("unparsable date '30/05/2020' at series[4].timestamps[2];"), message
    assert "(read like '2020-Q1' at series[4].timestamps[0])" in message, message


def test_a_date_out_of_range_is_named_by_the_path():
    message = _refusal(["2020-01-01", "1500-01-01"], fmt="%Y-%m-%d")
    assert message.startswith("date '1500-01-01' at series[4].timestamps[1] is outside"), message


def test_the_whole_list_is_named_by_its_path():
    assert _refusal([None, None]) == "series[4].timestamps is empty (all values missing)"


def test_a_missing_step_number_is_named_by_the_path():
    assert _refusal([1, None, 3]) == "missing value at series[4].timestamps[1]"


def test_a_value_written_like_the_place_words_is_quoted_as_written():
    message = _refusal(["2020", "2021", "in time column 'timestamps' at row 2"], fmt="%Y")
    assert message.startswith(
        "unparsable date \"in time column 'timestamps' at row 2\" at series[4].timestamps[2]:"
    ), message


def test_without_a_place_rows_of_a_frame_and_lines_of_a_file_are_named(tmp_path: Path):
    """The CLI's and Python's words are unchanged: a row of a frame, a line of a CSV file."""
    text = list(QUARTERS)
    text[3], text[7] = "2015-Q9", "2016-Q7"
    assert _refusal(text, place=None) == (
        "unparsable date '2015-Q9' in time column 'timestamps' at row 3 (2 unparsable rows in total)"
    )
    csv = tmp_path / "q.csv"
    csv.write_text("ds,y\n" + "".join(f"{t},1\n" for t in text))
    with pytest.raises(DataValidationError) as caught:
        parse_time_column(pl.read_csv(csv)["ds"], column="ds", file=str(csv))
    assert caught.value.message == (
        "unparsable date '2015-Q9' in time column 'ds' on line 5 of q.csv (2 unparsable rows in total)"
    )
