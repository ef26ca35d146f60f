"""``--fill-gaps`` says how many steps it inserted and in which series.

Why: the fill was silent; a file with a few skipped months and a file that is mostly holes (a
typo'd year opening a gap of a decade) trained alike, without a word to tell them apart.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.load import load, load_panel
from tsforge.data.panel_checks import FilledGapsWarning


def _long(tmp_path, drop: list[int], n_series: int = 8) -> str:
    """A monthly long file of ``n_series`` stores, 36 months each, rows ``drop`` left out."""
    dates = pd.date_range("2018-01-01", periods=36, freq="MS")
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i}" for i in range(n_series)], dates.size),
            "ds": np.tile(dates.strftime("%Y-%m-%d"), n_series),
            "y": np.arange(n_series * dates.size, dtype=float) % 11 + 1.0,
        }
    ).drop(index=drop)
    path = tmp_path / "gappy.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _notes(record: list[warnings.WarningMessage]) -> list[FilledGapsWarning]:
    return [w.message for w in record if isinstance(w.message, FilledGapsWarning)]


def test_a_long_panel_names_the_series_filled_most_first(tmp_path):
    # s0 loses 1 month, s2 3 months, s5 2 months (none at a series' ends: those are no gaps)
    path = _long(tmp_path, drop=[5, 72 + 4, 72 + 5, 72 + 6, 180 + 10, 180 + 20])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        panel = load_panel(path, fill_gaps=True).panel
    assert list(panel.lengths) == [36] * 8
    notes = _notes(record)
    assert len(notes) == 1
    assert str(notes[0]) == (
        f"{path}: fill_gaps=True inserted 6 missing steps as missing values in 3 of 8 series: "
        "'s2' (3), 's5' (2), 's0' (1)"
    )
    assert notes[0].cli_message is not None and "--fill-gaps inserted 6 missing steps" in notes[0].cli_message


def test_more_than_five_series_are_counted_not_named(tmp_path):
    path = _long(tmp_path, drop=[36 * i + 3 for i in range(7)])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        load_panel(path, fill_gaps=True)
    (note,) = _notes(record)
    assert "7 missing steps as missing values in 7 of 8 series: 's0' (1)" in str(note)
    assert str(note).endswith("'s4' (1), and 2 more")


def test_nothing_is_said_when_nothing_was_filled(tmp_path):
    path = _long(tmp_path, drop=[])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        load_panel(path, fill_gaps=True)
        load(path, fill_gaps=True)
    assert _notes(record) == []


@pytest.mark.parametrize("reader", [load, load_panel])
def test_a_wide_file_says_the_rows_inserted_in_every_series(tmp_path, reader):
    dates = pd.date_range("2020-01-01", periods=30, freq="D").delete([4, 5])
    path = tmp_path / "wide.csv"
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "a": 1.0, "b": 2.0}).to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        reader(str(path), fill_gaps=True)
    (note,) = _notes(record)
    assert "4 missing steps as missing values in 2 of 2 series: 'a' (2), 'b' (2)" in str(note)


def test_train_prints_one_note_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _long(tmp_path, drop=[5, 6])
    code, out, err = run_cli(
        capsys, "train", path, "--model", "naive", "-H", "4", "--no-track", "--fill-gaps"
    )
    assert code == 0, out + err
    said = "".join(err.split())
    # train says the inserted steps in its one note on the values it fills, not in the reader's
    # note as well (tests/tsforge/pipeline/test_fill_gaps_said_once.py)
    needle = "".join(
        f"note: {path}: 2 missing values in 1 of 8 series: 's0' (2), 2 of them are steps --fill-gaps inserted".split()
    )
    assert said.count(needle) == 1, err
    assert said.count("inserted") == 1, err
