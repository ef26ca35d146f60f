"""A wide table's time column is found by the time format the user gives, and a format given for
a table without one is refused by name.

Why: the time column of a wide file (and of a three-column long one, and of a wide forecast
history) was found by pandas' guess alone, so dates it cannot guess (``06-12-2026 13.00``,
``%d-%m-%Y %H.%M``) were read as one more series and refused as "non-numeric", the
``--time-format`` that says how to read them unused; and a format given for a file with no
time column was dropped without a word.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.cli.app import main
from tsforge.data.history import histories_from_frame, with_parsed_times
from tsforge.data.load import load, load_panel
from tsforge.data.long_roles import GuessedRolesWarning
from tsforge.errors import DataValidationError

FORMAT = "%d-%m-%Y %H.%M"
HOURS = pd.date_range("2026-12-06", periods=48, freq="h")


def _wide(path, columns: dict[str, object] | None = None) -> str:
    frame = pd.DataFrame(
        columns
        or {"moment": HOURS.strftime(FORMAT), "a": np.arange(48.0) % 24, "b": 2 * (np.arange(48.0) % 24)}
    )
    frame.to_csv(path, index=False)
    return str(path)


def test_a_wide_file_finds_its_time_column_by_the_format(tmp_path):
    path = _wide(tmp_path / "wide.csv")
    series = load(path, time_format=FORMAT).series
    assert series.channel_ids == ("a", "b")
    assert list(series.timestamps) == list(HOURS.to_numpy())
    assert series.freq == "h"
    panel = load_panel(path, time_format=FORMAT).panel
    assert list(panel.timestamps(1)) == list(HOURS.to_numpy())


def test_an_integer_first_column_of_dates_is_found_by_the_format(tmp_path):
    """``20261230, 20261231, 20270101`` do not count up evenly, and ``day`` names no time column:
    the format says they are dates."""
    days = pd.date_range("2026-12-20", periods=20, freq="D")
    path = _wide(tmp_path / "days.csv", {"day": days.strftime("%Y%m%d").astype(int), "a": np.arange(20.0)})
    series = load(path, time_format="%Y%m%d").series
    assert series.channel_ids == ("a",)
    assert list(series.timestamps) == list(days.to_numpy())


def test_a_three_column_long_table_finds_its_time_column_by_the_format(tmp_path):
    n = HOURS.size
    frame = pd.DataFrame(
        {
            "store": ["s1"] * n + ["s2"] * n,
            "moment": list(HOURS.strftime(FORMAT)) * 2,
            "units": np.arange(2.0 * n),
        }
    )
    path = tmp_path / "stores.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(GuessedRolesWarning, match="id 'store', time 'moment', target 'units'"):
        panel = load_panel(str(path), time_format=FORMAT).panel
    assert [str(i) for i in panel.ids] == ["s1", "s2"]
    assert list(panel.timestamps(0)) == list(HOURS.to_numpy())


def test_a_wide_history_finds_its_time_column_by_the_format():
    """``forecast --time-format`` parses the history's time column first: it was "no time column"."""
    frame = pd.DataFrame({"moment": HOURS.strftime(FORMAT), "a": np.arange(48.0)})
    parsed = with_parsed_times(frame, time_format=FORMAT)
    (series,) = histories_from_frame(parsed)
    assert list(series.timestamps) == list(HOURS.to_numpy())


def test_a_format_for_a_wide_file_without_dates_is_refused_by_name(tmp_path):
    path = _wide(tmp_path / "plain.csv", {"a": np.arange(30.0), "b": np.arange(30.0)})
    with pytest.raises(DataValidationError) as info:
        load(path, time_format="%d.%m.%Y")
    assert info.value.message.startswith(
        "time_format='%d.%m.%Y' was given, but no column of the table reads as dates by it (columns: a, b)"
    )
    assert info.value.where == {"file": path}
    assert "--time-format %d.%m.%Y was given" in info.value.for_cli()
    with pytest.raises(DataValidationError, match="time_format='%d.%m.%Y' was given"):
        load_panel(path, time_format="%d.%m.%Y")


def test_a_format_that_reads_no_column_names_the_text_it_did_not_read(tmp_path):
    path = _wide(tmp_path / "wide.csv")
    with pytest.raises(DataValidationError, match=r"column 'moment' starts '06-12-2026 00.00'"):
        load(path, time_format="%d.%m.%Y %H.%M")


def test_the_command_line_refuses_an_unused_format_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _wide(tmp_path / "plain.csv", {"a": np.arange(30.0), "b": np.arange(30.0)})
    with pytest.raises(SystemExit) as stopped:
        main(
            [
                "cv",
                path,
                "-m",
                "naive",
                "-H",
                "2",
                "--n-windows",
                "2",
                "--no-track",
                "--time-format",
                "%d.%m.%Y",
            ]
        )
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(
        "error: --time-format %d.%m.%Y was given, but no column of the table reads as dates"
    )
    assert "--time-col" in err and "plain.csv" in err


def test_cv_reads_a_wide_file_by_its_format(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "cv.csv"
    main(
        ["cv", _wide(tmp_path / "wide.csv"), "-m", "naive", "-H", "2", "--n-windows", "2", "--no-track"]
        + ["--time-format", FORMAT, "-o", str(out)]
    )
    written = pd.read_csv(out, parse_dates=["ds"])
    assert written["ds"].max() == HOURS[-1]
