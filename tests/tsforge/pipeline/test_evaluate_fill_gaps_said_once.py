"""``evaluate --fill-gaps`` says the steps it inserted once, and ``--drop-short`` notes come in order.

Found by last session's review: ``tsforge evaluate --model M FILE --fill-gaps`` said the inserted
steps in the reader's note ("--fill-gaps inserted 2 missing steps") and counted them again in the
forecast's note on the missing values it fills (``train`` already said them once). And with
``--drop-short``, where only a series left out had inserted steps, the reader's note came after
the note that left that series out, naming a series the user had just been told was gone.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.load import load_panel
from tsforge.data.panel_checks import FilledGapsWarning, FilledValuesWarning
from tsforge.errors import ShortSeriesWarning
from tsforge.panels.predictor import PanelPredictor
from tsforge.pipeline import TrackingOptions, train_panel
from tsforge.pipeline.panel import evaluate_panel_model

_H = 6


def _gappy(tmp_path, skipped: dict[str, list[int]], empty: dict[str, list[int]], periods: int = 40) -> str:
    """Monthly series ``s0..s2``: the rows ``skipped`` left out of the file, the ``y`` of ``empty`` blank."""
    frames = []
    for i, sid in enumerate(("s0", "s1", "s2")):
        frame = pd.DataFrame(
            {
                "unique_id": sid,
                "ds": pd.date_range("2015-01-01", periods=periods, freq="MS").strftime("%Y-%m-%d"),
                "y": 50 + i + 10 * np.sin(np.arange(periods) * np.pi / 6),
            }
        )
        frame.loc[empty.get(sid, []), "y"] = np.nan
        frames.append(frame.drop(index=skipped.get(sid, [])))
    path = tmp_path / "gappy.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _with_tiny(path: str) -> None:
    """Add a series ``tiny`` of 4 months with one skipped: too short for the holdout, one step inserted."""
    tiny = pd.DataFrame(
        {"unique_id": "tiny", "ds": ["2015-01-01", "2015-03-01", "2015-04-01", "2015-05-01"], "y": 1.0}
    )
    pd.concat([pd.read_csv(path), tiny]).to_csv(path, index=False)


@pytest.fixture
def naive_model(tmp_path) -> str:
    """A saved local model folder ``evaluate --model`` reads (nothing to train)."""
    return str(PanelPredictor("naive", _H, freq="MS", season_length=12).save(tmp_path / "naive"))


def _evaluated_notes(path: str, **options) -> list[warnings.WarningMessage]:
    predictor = PanelPredictor("naive", _H, freq="MS", season_length=12)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_panel_model(predictor, path, load_kwargs={"fill_gaps": True}, **options)
    return [
        w
        for w in caught
        if issubclass(w.category, (FilledGapsWarning, FilledValuesWarning, ShortSeriesWarning))
    ]


def test_evaluate_says_the_inserted_steps_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    notes = _evaluated_notes(_gappy(tmp_path, skipped={"s0": [10, 11]}, empty={"s1": [5]}))
    assert len(notes) == 1, [str(w.message) for w in notes]
    said = str(notes[0].message)
    assert "gappy.csv: 3 missing values in 2 of 3 series: 's0' (2), 's1' (1), 2 of them are steps" in said, (
        said
    )
    assert "naive is fitted with them filled by linear interpolation" in said, said
    assert "--fill-gaps inserted" in notes[0].message.cli_message, notes[0].message.cli_message


def test_an_inserted_step_in_the_test_window_is_said_as_unscored(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    # s2: 40 months, the test window the last 6 (rows 34..39): rows 10 and 37 skipped
    (note,) = _evaluated_notes(_gappy(tmp_path, skipped={"s2": [10, 37]}, empty={}))
    said = str(note.message)
    assert "2 missing values in 1 of 3 series: 's2' (2), 2 of them are steps" in said, said
    assert "1 of them lies in the test window, which is scored without it" in said, said


def test_the_command_line_says_them_once(tmp_path, capsys, monkeypatch, naive_model):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gappy(tmp_path, skipped={"s0": [10, 11]}, empty={})
    code, out, err = run_cli(capsys, "evaluate", path, "--model", naive_model, "--fill-gaps")
    err = " ".join(err.split())
    assert code == 0, out + err
    assert err.count("inserted") == 1, err
    assert "2 missing values in 1 of 3 series: 's0' (2), 2 of them are steps --fill-gaps inserted" in err, err


def test_evaluate_without_inserted_steps_keeps_its_notes(tmp_path, monkeypatch):
    """No step inserted: the forecast's note is as before (no test-window count is added)."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    (note,) = _evaluated_notes(_gappy(tmp_path, skipped={}, empty={"s1": [5, 36]}))
    said = str(note.message)
    assert "1 missing value in 1 of 3 series: 's1' (1); naive" in said, said
    assert "inserted" not in said and "test window" not in said, said


def _order(notes: list[warnings.WarningMessage]) -> list[str]:
    return ["gaps" if issubclass(w.category, FilledGapsWarning) else "left out" for w in notes]


def test_train_says_steps_inserted_only_into_dropped_series_before_leaving_them_out(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gappy(tmp_path, skipped={}, empty={})
    _with_tiny(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_panel(
            path,
            "naive",
            horizon=_H,
            tracking=TrackingOptions(track=False),
            load_kwargs={"fill_gaps": True},
            intervals=False,
            drop_short=True,
        )
    notes = [w for w in caught if issubclass(w.category, (FilledGapsWarning, ShortSeriesWarning))]
    assert _order(notes) == ["gaps", "left out"], [str(w.message) for w in notes]


def test_evaluate_says_steps_inserted_only_into_dropped_series_before_leaving_them_out(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gappy(tmp_path, skipped={}, empty={})
    _with_tiny(path)
    notes = _evaluated_notes(path, drop_short=True)
    assert _order(notes) == ["gaps", "left out"], [str(w.message) for w in notes]
    assert "'tiny' (1)" in str(notes[0].message), str(notes[0].message)


def test_a_series_long_by_its_cells_but_left_out_for_its_history_is_said_before_it_goes(
    tmp_path, monkeypatch
):
    """``lone`` has 40 months of cells but one observed value before its test window, and the
    one inserted step: ``--drop-short`` leaves it out for that one value of history
    (:func:`~tsforge.panels.protocol.short_for_holdout`); the note on its inserted step came
    after the note that left it out, its length having counted it as kept."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gappy(tmp_path, skipped={}, empty={})
    dates = pd.date_range("2015-01-01", periods=40, freq="MS")
    y = np.full(40, np.nan)
    y[0], y[-_H:] = 5.0, 6.0
    lone = pd.DataFrame({"unique_id": "lone", "ds": dates.strftime("%Y-%m-%d"), "y": y}).drop(index=[1])
    pd.concat([pd.read_csv(path), lone]).to_csv(path, index=False)
    notes = _evaluated_notes(path, drop_short=True)
    assert _order(notes) == ["gaps", "left out"], [str(w.message) for w in notes]
    assert "'lone'" in str(notes[1].message), str(notes[1].message)


def test_a_wide_column_counts_only_the_rows_inserted_inside_its_span(tmp_path):
    """Rows inserted before a column's first value are no part of its series (the panel cuts
    them): counting them there said steps the model never sees, and a count the note on filled
    values could not match."""
    dates = pd.date_range("2020-01-01", periods=30, freq="D")
    late = np.where(np.arange(30) < 10, np.nan, 2.0)  # b starts on day 10, after the gap (days 4, 5)
    frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "a": 1.0, "b": late}).drop(index=[4, 5])
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        panel = load_panel(str(path), fill_gaps=True).panel
    (note,) = [w.message for w in caught if isinstance(w.message, FilledGapsWarning)]
    assert "2 missing steps as missing values in 1 of 2 series: 'a' (2)" in str(note), str(note)
    assert list(note.inserted_at["a"]) == [4, 5]
    assert np.isnan(panel.series(0)[[4, 5]]).all()


def test_steps_before_a_global_model_s_window_are_said_once_as_unread(tmp_path, monkeypatch):
    """A global model reads the last ``input_len`` values of a history: a step inserted before
    them is not filled by it, so the forecast's note does not count it; it is said on its own,
    once, instead of not at all."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    clean = _gappy(tmp_path, skipped={}, empty={})
    predictor = train_panel(
        clean,
        "dlinear",
        horizon=_H,
        input_len=12,
        train_config={"max_epochs": 1},
        tracking=TrackingOptions(track=False),
        intervals=False,
    ).predictor
    # s0 skips month 3 (before the 12 values read) and month 30 (inside them; history 0..33)
    path = _gappy(tmp_path, skipped={"s0": [3, 30]}, empty={})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_panel_model(predictor, path, load_kwargs={"fill_gaps": True})
    notes = [
        str(w.message) for w in caught if issubclass(w.category, (FilledGapsWarning, FilledValuesWarning))
    ]
    assert len(notes) == 2, notes
    filled = next(n for n in notes if "input window carries" in n)
    unread = next(n for n in notes if "does not read" in n)
    assert "1 missing value in 1 of 3 series: 's0' (1), 1 of them is a step" in filled, filled
    assert (
        "inserted 1 missing step as missing values in 1 of 3 series: 's0' (1); the model does not read it"
        in unread
    ), unread
