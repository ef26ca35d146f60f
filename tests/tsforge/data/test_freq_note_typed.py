"""The note on ``--freq M`` over month-start dates names the alias the user typed.

Found by last session's review: ``--freq M`` said "not the month ends that --freq ME names", and
``--freq Q`` said "--freq QE-DEC": pandas' renamed aliases, which the user never typed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.calendar_grid import PeriodLabelsWarning
from tsforge.data.load import load_panel


def _starts(tmp_path, freq: str, periods: int) -> str:
    frames = [
        pd.DataFrame(
            {
                "unique_id": sid,
                "ds": pd.date_range("2015-01-01", periods=periods, freq=freq),
                "y": 1.0 + np.arange(periods) * (i + 1),
            }
        )
        for i, sid in enumerate(("a", "b"))
    ]
    path = tmp_path / f"starts_{freq}.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _period_note(path: str, freq: str) -> PeriodLabelsWarning:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_panel(path, freq=freq)
    notes = [w.message for w in caught if isinstance(w.message, PeriodLabelsWarning)]
    assert len(notes) == 1, [str(w.message) for w in caught]
    return notes[0]


@pytest.mark.parametrize(("typed", "dates"), [("M", "MS"), ("ME", "MS"), ("Q", "QS"), ("Q-DEC", "QS")])
def test_the_note_names_the_frequency_as_typed(tmp_path, monkeypatch, typed, dates):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    note = _period_note(_starts(tmp_path, dates, 24), typed)
    assert f"that freq={typed!r} names" in str(note), str(note)
    assert f"that --freq {typed} names" in note.cli_message, note.cli_message


def test_the_command_line_note_names_it_too(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _starts(tmp_path, "MS", 30)
    code, _, err = run_cli(capsys, "cv", path, "-m", "naive", "-H", "3", "--freq", "M", "--no-track")
    err = " ".join(err.split())
    assert code == 0, err
    assert "not the month ends that --freq M names" in err, err
    assert "--freq ME" not in err, err
