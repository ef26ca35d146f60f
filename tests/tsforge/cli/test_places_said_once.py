"""A command-line error says each place once.

Why (README walk, L1): ``tsforge train demand_missing.csv …`` answered "irregular spacing in
series 'S3' on line 199 of demand_missing.csv: … (file='demand_missing.csv', column='ds',
row=197, line=199, series='S3')" — the file, line and series said twice, and the 0-based data
row beside the line a user opens. ``str(err)`` and the service's fields keep every key.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.cli.app import flag_worded
from tsforge.data.file_lines import row_where, row_words, rows_words
from tsforge.errors import DataValidationError, cli_where


def _monthly_csv(path: Path, months: pd.DatetimeIndex) -> str:
    """Series A (36 regular months) then series S3 on ``months``."""
    regular = pd.date_range("2015-01-01", periods=36, freq="MS")
    frame = pd.concat(
        [
            pd.DataFrame({"unique_id": "A", "ds": regular, "y": range(36)}),
            pd.DataFrame({"unique_id": "S3", "ds": months, "y": range(len(months))}),
        ]
    )
    frame.to_csv(path, index=False)
    return str(path)


def _error_line(capsys, *args: str) -> str:
    code, out, err = run_cli(capsys, *args)
    assert code == 2, out + err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    return errors[0]


def test_a_skipped_month_names_its_file_line_and_series_once(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _monthly_csv(tmp_path / "gaps.csv", pd.date_range("2015-01-01", periods=37, freq="MS").delete(20))
    said = _error_line(
        capsys, "train", "gaps.csv", "--model", "seasonal_naive", "--horizon", "4", "--no-track"
    )
    line = 36 + 20 + 2  # S3's row 20 (after A's 36 rows) below the header, 1-based
    assert f"series 'S3' on line {line} of gaps.csv" in said, said
    assert said.endswith("(column='ds')"), said  # the one place the sentence does not say
    for repeated in ("file=", "line=", "row=", "series="):
        assert repeated not in said, said


def test_a_duplicate_says_its_two_lines_once(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    months = pd.date_range("2015-01-01", periods=36, freq="MS")
    _monthly_csv(tmp_path / "dup.csv", months.insert(30, months[4]))
    said = _error_line(
        capsys, "cv", "dup.csv", "--model", "naive", "--horizon", "4", "--n-windows", "1", "--no-track"
    )
    assert "on lines 42 and 68 of dup.csv" in said, said
    assert "line=" not in said and "row=" not in said and "file=" not in said, said


def test_python_and_the_service_keep_every_key():
    exc = DataValidationError(
        "irregular spacing in series 'S3' on line 199 of d.csv",
        file="d.csv",
        column="ds",
        row=197,
        line=199,
        series="S3",
    )
    assert str(exc).endswith("(file='d.csv', column='ds', row=197, line=199, series='S3')"), str(exc)
    assert {"file", "column", "row", "line", "series"} <= set(exc.to_dict())
    assert exc.for_cli() == "irregular spacing in series 'S3' on line 199 of d.csv (column='ds')"


def test_a_row_beside_an_unsaid_line_gives_way_to_the_line():
    exc = DataValidationError("bad value", file="d.csv", row=4, line=6)
    assert exc.for_cli() == "bad value (file='d.csv', line=6)", exc.for_cli()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("series 'S31' on line 19 of d.csv", {"series": "S3", "line": 199, "file": "a.csv"}),
        ("in data.csv at rows [12, 40]", {"file": "a.csv", "row": 4}),
        ("written to d.csv.gz", {"file": "d.csv"}),
        ("in column 'dsx'", {"column": "ds"}),
    ],
)
def test_a_place_the_sentence_does_not_say_is_kept(text, where):
    """Near misses are not the place: another series, line, row, file or column stays named."""
    assert cli_where(text, where) == where


@pytest.mark.parametrize(
    ("text", "where", "kept"),
    [
        (
            "value 'line 7' in column 'y' cannot be read",
            {"file": "d.csv", "column": "y", "row": 5, "line": 7},
            {"file": "d.csv", "line": 7},
        ),
        ("unparsable date 'rows [5]' in column 'ds'", {"column": "ds", "row": 5}, {"row": 5}),
        ("bad id \"line 3, row 3\" in column 'id'", {"column": "id", "line": 3, "row": 1}, {"line": 3}),
        ("missing value in series 'row 3'", {"series": "row 3", "row": 3}, {"row": 3}),
        ("value \"series 'S3'\" is not a number", {"series": "S3"}, {"series": "S3"}),
    ],
)
def test_a_place_said_only_inside_a_users_value_is_kept(text, where, kept):
    """A line, row or series inside a quoted value is the user's text, not the place."""
    assert cli_where(text, where) == kept


def test_a_place_said_outside_quotes_beside_a_quoted_one_is_dropped():
    """The real line after a value that quotes a line number is still said once."""
    where = {"file": "d.csv", "column": "ds", "row": 1, "line": 3, "series": "a"}
    text = "unparsable date 'line 9' for series 'a' in column 'ds' on line 3 of d.csv"
    assert cli_where(text, where) == {}


def test_a_file_said_by_its_name_only_keeps_its_folder():
    """``d/sub/dup.csv`` is said ``of dup.csv`` in the sentence: the parenthesis says which one."""
    where = {"file": "d/sub/dup.csv", "column": "ds", "row": 1, "line": 3, "series": "a"}
    text = "duplicate timestamp 2020-01-01 in series 'a' on lines 2 and 3 of dup.csv"
    assert cli_where(text, where) == {"file": "d/sub/dup.csv", "column": "ds"}
    assert cli_where(text, {**where, "file": "dup.csv"}) == {"column": "ds"}  # the README's example
    assert cli_where("bad row in d/sub/dup.csv", {"file": "d/sub/dup.csv"}) == {}


def test_the_command_line_names_a_files_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    months = pd.date_range("2015-01-01", periods=36, freq="MS")
    _monthly_csv(tmp_path / "sub" / "dup.csv", months.insert(30, months[4]))
    said = _error_line(
        capsys, "cv", "sub/dup.csv", "--model", "naive", "--horizon", "4", "--n-windows", "1", "--no-track"
    )
    assert "on lines 42 and 68 of dup.csv" in said and "file='sub/dup.csv'" in said, said
    assert "line=" not in said and "row=" not in said, said


@pytest.mark.parametrize("rows", [[3], [3, 9], [3, 9, 14]])
def test_the_readers_words_for_rows_are_recognised(tmp_path, rows, monkeypatch):
    """Pinned to :mod:`tsforge.data.file_lines`'s own words, so a change of them shows here."""
    monkeypatch.chdir(tmp_path)  # a file in the working folder: its name is the path as given
    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(20)))
    words = row_words(rows[-1], "t.csv") if len(rows) == 1 else rows_words(rows, "t.csv")
    where = {"file": "t.csv", "series": "x", **row_where(rows[len(rows) // 2], "t.csv")}
    assert cli_where(f"bad value for series 'x' {words}", where) == {}, words
    parquet = {"file": "t.parquet", **row_where(rows[0], "t.parquet")}
    said = row_words(rows[0], parquet["file"]) if len(rows) == 1 else rows_words(rows, parquet["file"])
    assert cli_where(f"bad value {said} of t.parquet", parquet) == {}, said
    absolute = {**where, "file": str(path)}  # said by its name only: the folder stays
    assert cli_where(f"bad value for series 'x' {words}", absolute) == {"file": str(path)}, words


def test_a_flag_worded_refusal_says_its_places_once_too():
    exc = DataValidationError(
        "horizon 40 is too long for series 'a' on line 7 of w.csv",
        field="horizon",
        file="w.csv",
        series="a",
        line=7,
        row=5,
    )
    said = flag_worded(exc, ["train", "w.csv", "-m", "naive", "--horizon", "40"])
    assert said == "--horizon 40 is too long for series 'a' on line 7 of w.csv", said
