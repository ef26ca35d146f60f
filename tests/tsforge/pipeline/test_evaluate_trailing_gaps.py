"""``evaluate`` scores each forecast step against the test step of its own time.

Found by last session's review: a history that ends in missing values before its test window
(empty cells, or steps ``--fill-gaps`` inserted) is forecast from its last observed value, so its
forecast starts that many steps before the test window; ``evaluate_panel_model`` compared it
with the test window position by position, two months off for a series that skipped two. Its
note told the user to "leave the trailing nulls out", of values in the middle of the file.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.history import SeriesInput
from tsforge.data.panel_checks import FilledGapsWarning, FilledValuesWarning
from tsforge.inference.predictor import TrimmedHistoryWarning
from tsforge.panels.predictor import PanelPredictor
from tsforge.pipeline import TrackingOptions, train_panel
from tsforge.pipeline.panel import evaluate_panel_model

_H = 6
_PERIODS = 40


def _trend(tmp_path, skipped: dict[str, list[int]], empty: dict[str, list[int]]) -> str:
    """Monthly straight lines ``s0..s2`` (slopes 1, 2, 3): the rows ``skipped`` left out of the
    file, the ``y`` of ``empty`` blank. A straight line is what a drift forecast continues
    exactly, so a forecast scored against the wrong months shows as an error."""
    frames = []
    for i, sid in enumerate(("s0", "s1", "s2")):
        frame = pd.DataFrame(
            {
                "unique_id": sid,
                "ds": pd.date_range("2015-01-01", periods=_PERIODS, freq="MS").strftime("%Y-%m-%d"),
                "y": 100.0 + (i + 1) * np.arange(_PERIODS),
            }
        )
        frame.loc[empty.get(sid, []), "y"] = np.nan
        frames.append(frame.drop(index=skipped.get(sid, [])))
    path = tmp_path / "trend.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _evaluate(predictor, path: str, **load) -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, table = evaluate_panel_model(predictor, path, load_kwargs=load or None)
    return table.set_index("unique_id"), list(caught)


# s2's history is rows 0..33 (the test window is rows 34..39): rows 32 and 33 end it
_BEFORE_TEST = [32, 33]


@pytest.mark.parametrize("how", ["empty", "skipped"])
def test_a_local_model_is_scored_on_the_months_it_forecast(tmp_path, monkeypatch, how):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    gaps = {"s2": _BEFORE_TEST}
    path = _trend(tmp_path, skipped=gaps if how == "skipped" else {}, empty=gaps if how == "empty" else {})
    predictor = PanelPredictor("rw_drift", _H, freq="MS", season_length=12)
    table, _ = _evaluate(predictor, path, **({"fill_gaps": True} if how == "skipped" else {}))
    # drift continues each line exactly: every test month scored, none of them off
    assert table.loc["s2", "n_observed"] == _H, table
    assert table.loc["s2", "mase"] == pytest.approx(0.0, abs=1e-9), table
    assert table.loc["s0", "mase"] == pytest.approx(0.0, abs=1e-9), table


@pytest.fixture(scope="module")
def dlinear(tmp_path_factory) -> PanelPredictor:
    """A global model of horizon 6 (one epoch: its forecasts need not be good, only its own)."""
    tmp = tmp_path_factory.mktemp("dlinear")
    clean = _trend(tmp, skipped={}, empty={})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return train_panel(
            clean,
            "dlinear",
            horizon=_H,
            input_len=12,
            train_config={"max_epochs": 1},
            tracking=TrackingOptions(track=False),
            intervals=False,
        ).predictor


def test_a_fixed_horizon_model_leaves_the_steps_it_does_not_reach_unscored(tmp_path, monkeypatch, dlinear):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _trend(tmp_path, skipped={}, empty={"s2": _BEFORE_TEST})
    table, caught = _evaluate(dlinear, path)
    # its own forecast of s2 from the observed history (rows 0..31): steps 3..6 are rows 34..37
    y = 100.0 + 3 * np.arange(_PERIODS)
    ts = pd.date_range("2015-01-01", periods=32, freq="MS").to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (own,) = dlinear.predict_series([SeriesInput("s2", y[:32], ts)], _H)
    scale = np.abs(y[12:34] - y[:22]).mean()  # MASE's seasonal scale over the history's values
    expected = np.abs(own.values[2:] - y[34:38]).mean() / scale
    assert table.loc["s2", "n_observed"] == _H - 2, table
    assert table.loc["s2", "mase"] == pytest.approx(expected, rel=1e-6), table
    assert table.loc["s0", "n_observed"] == _H, table
    (note,) = [str(w.message) for w in caught if issubclass(w.category, TrimmedHistoryWarning)]
    assert "the last test steps, as many as those missing values, are left unscored" in note, note


def test_the_note_says_the_inserted_steps_before_the_test_window_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _trend(tmp_path, skipped={"s2": _BEFORE_TEST}, empty={})
    predictor = PanelPredictor("rw_drift", _H, freq="MS", season_length=12)
    _, caught = _evaluate(predictor, path, fill_gaps=True)
    kinds = (FilledGapsWarning, FilledValuesWarning, TrimmedHistoryWarning)
    notes = [w.message for w in caught if issubclass(w.category, kinds)]
    assert len(notes) == 1, [str(n) for n in notes]
    said = str(notes[0])
    assert "trend.csv: 1 of 3 series ends its history before the test window with missing values" in said
    assert "'s2' (2)), 2 of them are steps fill_gaps=True inserted" in said, said
    assert "trailing nulls" not in said and "leave" not in said, said
    assert "2 of them are steps --fill-gaps inserted" in notes[0].cli_message


def test_the_command_line_scores_the_months_forecast(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    model = str(PanelPredictor("rw_drift", _H, freq="MS", season_length=12).save(tmp_path / "drift"))
    path = _trend(tmp_path, skipped={"s2": _BEFORE_TEST}, empty={})
    code, out, err = run_cli(capsys, "evaluate", path, "--model", model, "--fill-gaps", "--json")
    assert code == 0, out + err
    flat = json.loads(out)
    assert flat["test_mase"] == pytest.approx(0.0, abs=1e-9), out
    err = " ".join(err.split())
    assert err.count("inserted") == 1, err


def test_a_gap_as_long_as_the_horizon_is_said_to_leave_none_of_the_test_window_scored(
    tmp_path, monkeypatch, dlinear
):
    """Found by review: s2's last 7 values before its 6-step test window are empty, so the
    forecast of a 6-step model ends before the test window starts; the note said the last test
    steps, "as many as those missing values", were unscored, where none of them is."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _trend(tmp_path, skipped={}, empty={"s2": list(range(27, 34))})
    table, caught = _evaluate(dlinear, path)
    (note,) = [str(w.message) for w in caught if issubclass(w.category, TrimmedHistoryWarning)]
    assert "'s2' ends 6 or more steps before the test window, so none of its test steps is scored" in note
    assert np.isnan(table.loc["s2", "mase"]) and np.isfinite(table.loc["s0", "mase"])


def test_no_step_reached_in_any_series_is_refused(tmp_path, monkeypatch, dlinear):
    """Every series' history ends in 7 missing values before its 6-step test window: every score
    was NaN, with nothing said; nothing can be scored, and the refusal says why."""
    from tsforge.errors import ConfigError

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    gap = list(range(27, 34))
    path = _trend(tmp_path, skipped={}, empty={"s0": gap, "s1": gap, "s2": gap})
    with pytest.raises(ConfigError, match="no forecast step reaches the test window"):
        _evaluate(dlinear, path)
