"""Blank lines in a CSV: one between data rows is named as blank, those after the data are no rows.

Found by using it: a long CSV with an empty line (or a line of separators only, ``,,``) between
two rows was refused with "missing series id in column 'unique_id' on line 6": the right line,
but words that sent the user looking for an id; and a file ending in a few blank lines (what
editors and spreadsheet exports leave) was refused alike, on a line after the data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.history import histories_from_frame
from tsforge.data.load import load, load_panel
from tsforge.data.tables import read_table
from tsforge.errors import DataValidationError

DATES = pd.date_range("2020-01-01", periods=12, freq="D")


def _lines(frame: pd.DataFrame) -> list[str]:
    return frame.to_csv(index=False).splitlines()


def _long() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.concat(
        pd.DataFrame({"unique_id": sid, "ds": DATES.strftime("%Y-%m-%d"), "y": rng.normal(size=12).round(3)})
        for sid in ("a", "b")
    )


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("", "line 6 of data.csv is blank"),
        ("   ", "line 6 of data.csv is blank"),
        (",,", "line 6 of data.csv holds only separators (',,'), no value"),
    ],
    ids=["empty", "spaces", "separators"],
)
@pytest.mark.parametrize("reader", ["panel", "series", "history"])
def test_an_empty_line_between_rows_is_named_as_empty(line, said, reader, tmp_path):
    lines = _lines(_long())
    path = _write(tmp_path / "data.csv", [*lines[:5], line, *lines[5:]])
    read = {
        "panel": lambda: load_panel(path),
        "series": lambda: load(path),
        "history": lambda: histories_from_frame(read_table(path, id_columns=("unique_id",)), file=path),
    }[reader]
    with pytest.raises(DataValidationError) as raised:
        read()
    assert raised.value.message == f"{said}: delete it (each line below the header is read as a row)"
    assert (raised.value.where["row"], raised.value.where["line"]) == (4, 6)


def test_a_blank_line_of_a_wide_file_is_named_as_blank(tmp_path):
    """The wide reader said ``unparsable date <missing>`` of it."""
    wide = _long().pivot(index="ds", columns="unique_id", values="y").reset_index()
    lines = _lines(wide)
    path = _write(tmp_path / "wide.csv", [*lines[:3], "", *lines[3:]])
    with pytest.raises(DataValidationError, match=r"^line 4 of wide\.csv is blank: delete it"):
        load_panel(path)


def test_lines_after_the_data_are_no_rows(tmp_path):
    """Blank lines and lines of separators at the end are left out; a line of separators
    between the rows of a wide table without times stays what it was: a step of missing values."""
    lines = _lines(_long())
    path = _write(tmp_path / "ends.csv", [*lines, "", ",,", "  ", ""])
    panel = load_panel(path).panel
    assert list(panel.lengths) == [12, 12]
    steps = _write(tmp_path / "steps.csv", ["a,b", "1,2", ",", "3,4", "5,6", "7,8", ",", ""])
    assert np.isnan(load_panel(steps).panel.series(0)).tolist() == [False, True, False, False, False]


def test_the_command_line_names_the_blank_line_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # the file as typed in its folder: the sentence's name is its path
    lines = _lines(_long())
    _write(tmp_path / "data.csv", [*lines[:5], ",,", *lines[5:]])
    code, _, err = run_cli(capsys, "cv", "data.csv", "-m", "naive", "-H", "2", "--no-track")
    assert code == 2
    assert err == (
        "error: line 6 of data.csv holds only separators (',,'), no value: delete it (each line below "
        "the header is read as a row)\n"  # the file and line said in the sentence: no trailer
    )
