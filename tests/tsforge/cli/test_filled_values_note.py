"""Training on a panel whose history holds empty ``y`` cells says how many were filled, in which
series, and how.

Why: a local model fitted each series with its gaps interpolated and a global model's windows
carried the last value over them, without a word; the ``--fill-gaps`` note said how many steps it
inserted, but an empty cell in the file was trained on as a value the user never wrote.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tests.conftest import run_cli
from tsforge.pipeline import TrackingOptions, train_panel

_UNTRACKED = TrackingOptions(track=False)


def _long(tmp_path, blanks: list[int], n_series: int = 4, periods: int = 36) -> str:
    """A monthly long file of ``n_series`` series, the ``y`` of rows ``blanks`` left empty."""
    dates = pd.date_range("2018-01-01", periods=periods, freq="MS")
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i}" for i in range(n_series)], periods),
            "ds": np.tile(dates.strftime("%Y-%m-%d"), n_series),
            "y": 10.0 + np.arange(n_series * periods, dtype=float) % 12,
        }
    )
    frame.loc[blanks, "y"] = np.nan
    path = tmp_path / "blanks.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _notes(record) -> list[str]:
    return [str(w.message) for w in record if w.category.__name__ == "FilledValuesWarning"]


def _trained_notes(path: str, model: str, **options) -> list[str]:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        train_panel(path, model, horizon=6, tracking=_UNTRACKED, intervals=False, **options)
    return _notes(record)


def test_one_interpolated_value_is_said_in_the_singular(tmp_path):
    path = _long(tmp_path, blanks=[10])
    (note,) = _trained_notes(path, "naive")
    assert note == (
        f"{path}: 1 missing value in 1 of 4 series: 's0' (1); naive is fitted with it filled by "
        "linear interpolation between the observed values around it"
    )


def test_several_values_are_counted_by_series(tmp_path):
    path = _long(tmp_path, blanks=[10, 11, 36 + 5])
    (note,) = _trained_notes(path, "seasonal_naive")
    assert "3 missing values in 2 of 4 series: 's0' (2), 's1' (1)" in note
    assert "filled by linear interpolation between the observed values around them" in note


def test_a_global_model_says_what_its_windows_do(tmp_path):
    path = _long(tmp_path, blanks=[10, 11])
    (note,) = _trained_notes(path, "dlinear", input_len=12, train_config={"max_epochs": 1})
    assert "2 missing values in 1 of 4 series: 's0' (2)" in note
    assert "dlinear's input windows carry the last observed value over them" in note


def test_nothing_is_said_without_missing_values_in_the_history(tmp_path):
    """An empty cell in the test window is not filled (it is left unscored), so not counted."""
    assert _trained_notes(_long(tmp_path, blanks=[]), "naive") == []
    assert _trained_notes(_long(tmp_path, blanks=[33]), "naive") == []


def test_the_cli_prints_one_note_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _long(tmp_path, blanks=[10])
    code, out, err = run_cli(capsys, "train", path, "--model", "naive", "-H", "6", "--no-track")
    assert code == 0, out + err
    # compared without whitespace: the console wraps a long temporary path anywhere, even at its dot
    said = "".join(err.split())
    note = f"note: {path}: 1 missing value in 1 of 4 series: 's0' (1); naive is fitted"
    assert said.count("".join(note.split())) == 1, err
