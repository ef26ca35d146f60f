"""Dates whose day and month could be either way round, and both ways a regular series.

Why: twelve daily values ``01/01/2017`` … ``12/01/2017`` (1–12 January, day first) were read as
twelve months (slashed dates are month first) without a word, and ``tsforge cv`` dated its
windows July to December 2017. The reading stays as it was; a note names both readings and the
format that picks the other one. Where a day past the 12th settles the order, or the user gave a
format, there is nothing to say.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest

from tsforge.cli.app import main
from tsforge.data.load import load_panel
from tsforge.data.validation import AmbiguousDatesWarning

VALUES = [3.0, 5.0, 4.0, 6.0, 7.0, 5.0, 8.0, 9.0, 7.0, 10.0, 11.0, 9.0, 8.0, 10.0, 12.0]


def _daily(path, days: int, *, sep: str = "/", fmt: str = "%d/%m/%Y") -> str:
    """``days`` days from 1 January 2017 written day first (``fmt``), one series."""
    dates = pd.date_range("2017-01-01", periods=days, freq="D").strftime(fmt.replace("/", sep))
    pd.DataFrame({"unique_id": "a", "ds": dates, "y": VALUES[:days]}).to_csv(path, index=False)
    return str(path)


def _ambiguous(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, AmbiguousDatesWarning)]


def _read(path: str, **options: Any) -> tuple[list[pd.Timestamp], list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        panel = load_panel(path, **options).panel
    return [pd.Timestamp(t) for t in panel.timestamps(0)], _ambiguous(caught)


def test_twelve_slashed_days_read_as_months_come_with_a_note_naming_both_readings(tmp_path):
    times, notes = _read(_daily(tmp_path / "twelve.csv", 12))
    assert times == list(pd.date_range("2017-01-01", periods=12, freq="MS"))  # the reading is unchanged
    assert notes == [
        "dates in column 'ds' such as '01/01/2017' are regular both month first and day first: "
        "read month first (2017-01-01 … 2017-12-01); day first they would be 2017-01-01 … 2017-01-12; "
        "to read them day first pass time_format='%d/%m/%Y' "
        "(time_format='%m/%d/%Y' keeps this reading without this note)"
    ]


def test_the_format_the_note_offers_reads_the_days_without_a_note(tmp_path):
    path = _daily(tmp_path / "twelve.csv", 12)
    times, notes = _read(path, time_format="%d/%m/%Y")
    assert times == list(pd.date_range("2017-01-01", periods=12, freq="D"))
    assert notes == []
    assert _read(path, time_format="%m/%d/%Y") == (
        list(pd.date_range("2017-01-01", periods=12, freq="MS")),
        [],
    )


def test_a_day_past_the_12th_settles_the_order_without_a_note(tmp_path):
    times, notes = _read(_daily(tmp_path / "fifteen.csv", 15))
    assert times == list(pd.date_range("2017-01-01", periods=15, freq="D"))
    assert notes == []


def test_dotted_dates_are_read_day_first_with_the_month_first_format_offered(tmp_path):
    times, notes = _read(_daily(tmp_path / "dotted.csv", 12, sep="."))
    assert times == list(pd.date_range("2017-01-01", periods=12, freq="D"))  # dotted: day first, as before
    assert len(notes) == 1
    assert (
        "read day first (2017-01-01 … 2017-01-12); month first they would be 2017-01-01 … 2017-12-01"
        in notes[0]
    )
    assert "pass time_format='%m.%d.%Y'" in notes[0]


def test_the_note_survives_pickling_in_both_wordings():
    import pickle

    note = AmbiguousDatesWarning("python words", cli_message="cli words")
    back = pickle.loads(pickle.dumps(note))
    assert (str(back), back.cli_message) == ("python words", "cli words")


def test_cv_prints_the_note_once_in_the_command_lines_words(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    path, out = _daily(tmp_path / "twelve.csv", 12), tmp_path / "cv.csv"
    main(["cv", path, "--model", "naive", "--horizon", "2", "-o", str(out), "--no-track"])
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert err.count("note: dates in column 'ds' such as '01/01/2017' are regular both") == 1
    assert (
        "to read them day first pass --time-format %d/%m/%Y "
        "(--time-format %m/%d/%Y keeps this reading without this note)" in err
    )
    assert "time_format=" not in err
    assert pd.read_csv(out, parse_dates=["ds"])["ds"].max() == pd.Timestamp("2017-12-01")

    main(
        [
            "cv",
            path,
            "--model",
            "naive",
            "--horizon",
            "2",
            "-o",
            str(out),
            "--no-track",
            "--time-format",
            "%d/%m/%Y",
        ]
    )
    assert "regular both month first and day first" not in capsys.readouterr().err
    written = pd.read_csv(out, parse_dates=["ds"])["ds"]
    assert sorted(set(written)) == list(pd.date_range("2017-01-07", "2017-01-12", freq="D"))


def test_the_note_is_a_tsforge_warning(tmp_path):
    """The CLI prints every :class:`TsforgeWarning` as a ``note:`` line, and Python code filters them."""
    from tsforge.errors import TsforgeWarning

    with pytest.warns(TsforgeWarning, match="regular both month first and day first"):
        load_panel(_daily(tmp_path / "twelve.csv", 12))
