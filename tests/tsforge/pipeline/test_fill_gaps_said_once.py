"""``train --fill-gaps`` says the steps it inserted once, and says truly how a trailing gap is filled.

Found by last session's review: the inserted steps were counted by the reader's note ("--fill-gaps
inserted 2 missing steps") and again by the note on filled values; and "linear interpolation
between the observed values around it" was said of a history ending with missing values, which
takes the last observed value instead (there is no value after it).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.panel_checks import FilledGapsWarning, FilledValuesWarning
from tsforge.errors import DataValidationError
from tsforge.pipeline import TrackingOptions, train_panel


def _gappy(tmp_path, skipped: dict[str, list[int]], empty: dict[str, list[int]], periods: int = 40) -> str:
    """Monthly series ``s0..s2``: the rows ``skipped`` left out of the file, the ``y`` of ``empty`` blank."""
    frames = []
    for i, sid in enumerate(("s0", "s1", "s2")):
        frame = pd.DataFrame(
            {
                "unique_id": sid,
                "ds": pd.date_range("2015-01-01", periods=periods, freq="MS"),
                "y": 50 + i + 10 * np.sin(np.arange(periods) * np.pi / 6),
            }
        )
        frame.loc[empty.get(sid, []), "y"] = np.nan
        frames.append(frame.drop(index=skipped.get(sid, [])))
    path = tmp_path / "gappy.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _train_notes(path: str) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_panel(
            path,
            "naive",
            horizon=6,
            tracking=TrackingOptions(track=False),
            load_kwargs={"fill_gaps": True},
            intervals=False,
        )
    return [w for w in caught if issubclass(w.category, (FilledGapsWarning, FilledValuesWarning))]


def test_inserted_steps_are_said_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    notes = _train_notes(_gappy(tmp_path, skipped={"s0": [10, 11]}, empty={"s1": [5]}))
    assert len(notes) == 1, [str(w.message) for w in notes]
    said = str(notes[0].message)
    assert (
        "3 missing values in 2 of 3 series: 's0' (2), 's1' (1), 2 of them are steps fill_gaps=True inserted"
        in said
    ), said
    assert "--fill-gaps inserted" in notes[0].message.cli_message, notes[0].message.cli_message


def test_a_history_ending_in_a_gap_is_said_to_take_the_last_value(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    # s2: 40 months, the test window the last 6 (rows 34..39): row 33 ends the history, row 37 is tested
    (note,) = _train_notes(_gappy(tmp_path, skipped={"s2": [33, 37]}, empty={}))
    said = str(note.message)
    assert "2 missing values in 1 of 3 series: 's2' (2), 2 of them are steps" in said, said
    assert "those after a history's last observed value take that value" in said, said
    assert "1 of them lies in the test window, which is scored without it" in said, said


def test_inner_gaps_only_keep_the_interpolation_words(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    (note,) = _train_notes(_gappy(tmp_path, skipped={"s0": [10]}, empty={}))
    said = str(note.message)
    assert "filled by linear interpolation between the observed values around it" in said, said
    assert "last observed value" not in said and "test window" not in said, said


def test_the_command_line_says_them_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gappy(tmp_path, skipped={"s0": [10, 11]}, empty={"s1": [5]})
    code, _, err = run_cli(capsys, "train", path, "-m", "naive", "-H", "6", "--fill-gaps", "--no-track")
    err = " ".join(err.split())
    assert code == 0, err
    assert err.count("inserted") == 1, err
    assert "2 of them are steps --fill-gaps inserted" in err, err


def test_cv_still_says_the_inserted_steps(tmp_path, capsys, monkeypatch):
    """cv says nothing of filling, so the reader's own note stays its only word on them."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gappy(tmp_path, skipped={"s0": [10, 11]}, empty={})
    code, _, err = run_cli(capsys, "cv", path, "-m", "naive", "-H", "6", "--fill-gaps", "--no-track")
    err = " ".join(err.split())
    assert code == 0, err
    assert "--fill-gaps inserted 2 missing steps as missing values in 1 of 3 series: 's0' (2)" in err, err


def test_a_refused_training_still_says_the_inserted_steps(tmp_path, monkeypatch):
    """The note on filled values never comes when the horizon is refused: the reader's stands."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gappy(tmp_path, skipped={"s0": [10, 11]}, empty={})
    with warnings.catch_warnings(record=True) as caught, pytest.raises(DataValidationError):
        warnings.simplefilter("always")
        train_panel(
            path, "naive", horizon=30, tracking=TrackingOptions(track=False), load_kwargs={"fill_gaps": True}
        )
    gaps = [str(w.message) for w in caught if issubclass(w.category, FilledGapsWarning)]
    assert len(gaps) == 1 and "inserted 2 missing steps" in gaps[0], gaps


def test_steps_inserted_only_into_series_left_out_keep_the_reader_s_note(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    long = _gappy(tmp_path, skipped={}, empty={})
    short = pd.DataFrame(
        {"unique_id": "tiny", "ds": ["2015-01-01", "2015-03-01", "2015-04-01"], "y": [1.0, 2.0, 3.0]}
    )
    pd.concat([pd.read_csv(long), short]).to_csv(long, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_panel(
            long,
            "naive",
            horizon=6,
            tracking=TrackingOptions(track=False),
            load_kwargs={"fill_gaps": True},
            intervals=False,
            drop_short=True,
        )
    gaps = [str(w.message) for w in caught if issubclass(w.category, FilledGapsWarning)]
    filled = [str(w.message) for w in caught if issubclass(w.category, FilledValuesWarning)]
    assert len(gaps) == 1 and "'tiny' (1)" in gaps[0], gaps
    assert filled == [], filled
