"""Forecast histories and long panels name a CSV row by its file line, in the one-line message.

Why: ``tsforge forecast --input h.csv`` said "non-numeric value 'x' in column 'y' at row 1" for
the value an editor shows on line 3, with no ``line`` at all; and a long panel (``tsforge
train``) named the line only in the error's fields, its message saying "in series 'b'" and
nothing about where. A Parquet file or a frame has no lines: its rows keep ``at row N``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.data.load import load_panel
from tsforge.data.panel import Panel
from tsforge.data.tables import read_table
from tsforge.errors import DataValidationError

HEADER = "unique_id,ds,y\n"


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _history_error(path: str) -> DataValidationError:
    """The error of a history file read as ``tsforge forecast --input`` reads it."""
    with pytest.raises(DataValidationError) as err:
        histories_from_frame(read_table(path, id_columns=("unique_id",)), file=path)
    return err.value


def _panel_error(path: str, **options) -> DataValidationError:
    """The error of a long file read as ``tsforge train`` / ``tsforge profile`` read it."""
    with pytest.raises(DataValidationError) as err:
        load_panel(path, **options)
    return err.value


@pytest.mark.parametrize(
    ("rows", "words", "row"),
    [
        ("a,2020-01-01,1\na,2020-01-02,x\n", "non-numeric value 'x' in column 'y' on line 3 of h.csv", 1),
        ("a,2020-01-01,1\n,2020-01-02,2\n", "missing series id in column 'unique_id' on line 3 of h.csv", 1),
        ("a,2020-01-01,1\na,2020-01-02,inf\n", "infinite value in column 'y' on line 3 of h.csv", 1),
        (
            "a,2020-01-01,1\na,2020-01-0Z,2\n",
            "unparsable date '2020-01-0Z' in time column 'ds' on line 3 of h.csv",
            1,
        ),
        ("a,2020-01-01,1\nb,2020-01-01,1\na,2020-01-01,2\n", "for series 'a' on lines 2 and 4 of h.csv", 2),
    ],
)
def test_a_long_history_names_the_line_of_the_row(tmp_path, rows, words, row):
    err = _history_error(_write(tmp_path, "h.csv", HEADER + rows))
    assert words in str(err)
    assert err.where["row"] == row and err.where["line"] == row + 2


def test_a_wide_history_names_the_line_of_a_bad_cell(tmp_path):
    text = "ds,a,b\n2020-01-01,1,2\n2020-01-02,2,3\n2020-01-03,3,oops\n"
    err = _history_error(_write(tmp_path, "w.csv", text))
    assert "non-numeric value 'oops' in column 'b' on line 4 of w.csv" in err.for_cli()
    assert err.where["row"] == 2 and err.where["line"] == 4


def test_a_wide_history_names_the_lines_of_a_repeated_time(tmp_path):
    text = "ds,a\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n"
    err = _history_error(_write(tmp_path, "w.csv", text))
    assert "on lines 3 and 4 of w.csv" in str(err)
    assert err.where["line"] == 4


def test_a_parquet_history_keeps_its_row(tmp_path):
    path = tmp_path / "h.parquet"
    pd.DataFrame({"unique_id": ["a", "a"], "ds": ["2020-01-01", "2020-01-02"], "y": ["1", "x"]}).to_parquet(
        path
    )
    err = _history_error(str(path))
    assert "non-numeric value 'x' in column 'y' at row 1" in str(err)
    assert err.where["row"] == 1 and "line" not in err.where and err.where["file"] == str(path)


def test_a_history_from_a_request_field_keeps_its_row_and_field():
    with pytest.raises(DataValidationError) as err:
        histories_from_frame({"unique_id": ["a", "a"], "y": ["1", "x"]}, field="instances")
    assert "at row 1" in str(err.value)
    assert err.value.where["field"] == "instances" and "line" not in err.value.where


# --- long panels: the message says the line, as the other readers' messages do ---------------

#: two series written interleaved (as a file sorted by date is): the reader groups rows by series
INTERLEAVED = "a,2020-01-01,1\nb,2020-01-01,1\na,2020-01-02,2\nb,{b2},{y}\na,2020-01-03,3\nb,{b3},4\n"


@pytest.mark.parametrize(
    ("b2", "y", "b3", "words", "line"),
    [
        ("2020-01-02", "x", "2020-01-03", "non-numeric value 'x' in series 'b' on line 5 of p.csv", 5),
        (
            "2020-01-01",
            "3",
            "2020-01-03",
            "duplicate timestamp 2020-01-01 in series 'b' on lines 3 and 5 of p.csv",
            5,
        ),
        (
            "2020-01-02",
            "3",
            "2020-01-05",
            "irregular spacing in series 'b' on line 7 of p.csv: 2020-01-02 → 2020-01-05",
            7,
        ),
        ("2020-01-02", "inf", "2020-01-03", "non-finite value inf in series 'b' on line 5 of p.csv", 5),
        ("", "3", "2020-01-03", "missing value in time column 'ds' on line 5 of p.csv", 5),
    ],
)
def test_a_long_panel_message_names_the_line(tmp_path, b2, y, b3, words, line):
    path = _write(tmp_path, "p.csv", HEADER + INTERLEAVED.format(b2=b2, y=y, b3=b3))
    err = _panel_error(path)
    assert words in str(err)
    assert err.where["line"] == line and err.where["row"] == line - 2


def test_an_unreadable_date_in_an_interleaved_file_is_named_by_its_own_line(tmp_path):
    """The times were parsed after the rows were grouped by series, so the row named was the bad
    date's place in the grouped frame (row 4, line 6) — another row of the file."""
    path = _write(tmp_path, "p.csv", HEADER + INTERLEAVED.format(b2="2020-01-0Z", y="3", b3="2020-01-03"))
    err = _panel_error(path)
    assert "unparsable date '2020-01-0Z' in time column 'ds' on line 5 of p.csv" in str(err)
    assert err.where["row"] == 3 and err.where["line"] == 5


def test_a_series_with_one_row_is_named_with_its_line(tmp_path):
    path = _write(tmp_path, "p.csv", HEADER + "a,2020-01-01,1\na,2020-01-02,2\nc,2020-01-01,5\n")
    err = _panel_error(path)
    assert "first 'c' (1 value, on line 4 of p.csv)" in str(err)
    assert err.where["line"] == 4


def test_a_missing_id_in_a_long_panel_names_the_line(tmp_path):
    path = _write(tmp_path, "p.csv", "store,ds,y\na,2020-01-01,1\n,2020-01-02,2\na,2020-01-03,3\n")
    err = _panel_error(path, id_col="store")
    assert "missing series id in column 'store' on line 3 of p.csv" in str(err)


def test_a_long_frame_names_its_row_as_iloc_does():
    frame = pd.DataFrame({"unique_id": ["a", "b", "a", "b"], "ds": [1, 1, 2, 2], "y": [1.0, 2.0, 3.0, "x"]})
    with pytest.raises(DataValidationError) as err:
        Panel.from_long(frame)
    assert "non-numeric value 'x' in series 'b' at row 3" in str(err.value)
    assert "line" not in err.value.where


# --- what to do, in the same line -------------------------------------------------------------

WIDE_WITH_A_TYPO = "ds,a,b,c\n" + "".join(
    f"2020-01-{d:02d},{d},{d + 1},{'x' if d == 3 else d}\n" for d in range(1, 9)
)


def test_a_typo_in_a_wide_value_column_is_a_cell_to_correct_not_a_layout(tmp_path):
    """One 'x' among numbers was answered with "If it is long, give its column names: --id-col c
    --time-col ds --target-col ...": advice for another kind of table."""
    path = _write(tmp_path, "w.csv", WIDE_WITH_A_TYPO)
    for err in (_panel_error(path), _history_error(path)):
        message = err.for_cli()
        assert (
            "non-numeric value 'x' in column 'c' on line 4 of w.csv; correct that cell, or leave it empty"
            in message
        )
        assert "--id-col" not in message and "read as wide" not in message


def test_a_word_in_a_long_value_column_says_what_to_do(tmp_path):
    rows = "".join(f"a,2020-01-{d:02d},{'abc' if d == 5 else d}\n" for d in range(1, 10))
    path = _write(tmp_path, "p.csv", HEADER + rows)
    assert "on line 6 of p.csv; correct that cell, or leave it empty for a missing value" in str(
        _panel_error(path)
    )
    assert "on line 6 of p.csv; correct that cell, or leave it empty for a missing value" in str(
        _history_error(path)
    )


def test_a_wide_history_with_a_text_column_is_told_to_name_its_series_columns(tmp_path):
    text = "ds,a,b,flag\n" + "".join(
        f"2020-01-{d:02d},{d},{d},{'lo' if d % 2 else 'hi'}\n" for d in range(1, 6)
    )
    err = _history_error(_write(tmp_path, "w.csv", text))
    assert "If 'flag' is not a series, name the series columns: --value-cols a,b." in err.for_cli()
    assert "--value-cols" not in str(err)  # the pyfunc and the service take the columns as sent


def test_dates_written_two_ways_are_named_with_a_date_that_was_read(tmp_path):
    days = [f"2020-01-{d:02d}" for d in range(1, 6)] + [f"{d:02d}/01/2020" for d in range(6, 11)]
    path = _write(tmp_path, "p.csv", HEADER + "".join(f"a,{d},{i}\n" for i, d in enumerate(days)))
    for err in (_panel_error(path), _history_error(path)):
        assert "write every date of the column the same way" in str(err)
        assert "written in more than one way (read like '2020-01-01' on line 2 of p.csv)" in str(err)
        assert "unparsable date '06/01/2020' in time column 'ds' on line 7 of p.csv" in str(err)


def test_an_empty_file_and_a_header_alone_say_so_alike_for_training_and_forecasting(tmp_path):
    empty = _write(tmp_path, "empty.csv", "")
    header = _write(tmp_path, "header.csv", HEADER)
    assert "file is empty (no header line, no rows)" in str(_panel_error(empty))
    for err, what in ((_panel_error(header), "the file"), (_history_error(header), "the history")):
        assert f"{what} is empty: no data rows (a header line and nothing below it)" in str(err)
        assert "check that it is the file you meant" in str(err)


def test_a_month_13_typo_is_refused_not_read_as_year_day_month(tmp_path):
    """One typo (month 13) in year-first dates made pandas' day-first reading (year, day, month)
    "parse more rows", so the whole column was read with days and months swapped: the panel
    reader then refused "irregular spacing … 2020-01-01 → 2020-02-01", and a forecast history
    was accepted with its dates silently wrong. A typo is not a second date format either."""
    days = ["2020-01-01", "2020-01-02", "2020-13-03", "2020-01-04"]
    path = _write(tmp_path, "p.csv", HEADER + "".join(f"a,{d},{i}\n" for i, d in enumerate(days)))
    for err in (_panel_error(path), _history_error(path)):
        assert "unparsable date '2020-13-03' in time column 'ds' on line 4 of p.csv" in str(err)
        assert "more than one way" not in str(err)
