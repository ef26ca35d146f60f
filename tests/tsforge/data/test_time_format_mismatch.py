"""A date the given ``--time-format`` does not read is refused naming the format as the cause.

Why: ``--time-format %Y-%m-%d`` on a file of ``01/01/2018`` dates was answered "unparsable date
'01/01/2018' … (84 unparsable rows in total)", which sent the user looking for a bad cell; the
format was wrong, and the dates read without it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tsforge.cli.app import main
from tsforge.data.load import load_panel
from tsforge.errors import DataValidationError

MONTHS = pd.date_range("2018-01-01", periods=30, freq="MS")


def _long(path, dates: list[str]) -> str:
    pd.DataFrame({"unique_id": "a", "ds": dates, "y": range(len(dates))}).to_csv(path, index=False)
    return str(path)


def test_a_format_no_row_fits_is_named_and_leaving_it_out_advised(tmp_path):
    path = _long(tmp_path / "slashed.csv", list(MONTHS.strftime("%d/%m/%Y")))
    with pytest.raises(DataValidationError) as err:
        load_panel(path, time_format="%Y-%m-%d")
    said = str(err.value)
    assert "does not match time_format='%Y-%m-%d'" in said and "leave the format out" in said
    assert (
        err.value.cli_message is not None and "does not match --time-format %Y-%m-%d" in err.value.cli_message
    )


def test_one_cell_off_the_format_is_named_without_advice_to_drop_the_format(tmp_path):
    dates = list(MONTHS.strftime("%d/%m/%Y"))
    dates[5] = "2018-06-01"
    path = _long(tmp_path / "mixed.csv", dates)
    with pytest.raises(DataValidationError) as err:
        load_panel(path, time_format="%d/%m/%Y")
    said = str(err.value)
    assert "'2018-06-01'" in said and "does not match time_format='%d/%m/%Y'" in said
    assert "leave the format out" not in said


def test_the_command_line_names_the_flag(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _long(tmp_path / "slashed.csv", list(MONTHS.strftime("%d/%m/%Y")))
    with pytest.raises(SystemExit) as exc:
        main(["profile", path, "--time-format", "%Y-%m-%d", "--no-progress"])
    assert exc.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "does not match --time-format %Y-%m-%d; it reads as a date without it" in err
