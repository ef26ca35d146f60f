"""``evaluate --fill-gaps`` of a routed ensemble in ``weights`` mode says each series' inserted
steps and test-window values once, in one note naming how each member fills them.

In ``weights`` mode a series is forecast by every member weighted into it; each member's note
counted the same inserted steps and test-window values again (three members: three identical
counts). Local members behind the shipped router: no training.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from recommender.per_series import SeriesRouter
from recommender.routed import RoutedPredictor
from recommender.shipped_router import SHIPPED_ROUTER_DIR
from tsforge.data.panel_checks import (
    FilledGapsWarning,
    FilledValuesWarning,
    HeldFilledNote,
    InsertedSteps,
    filled_value_words,
)
from tsforge.panels.predictor import PanelPredictor
from tsforge.pipeline.panel import evaluate_panel_model

MEMBERS = ("naive", "seasonal_naive", "auto_ets")


def _routed() -> RoutedPredictor:
    members = {m: PanelPredictor(m, 3, freq="MS", season_length=12) for m in MEMBERS}
    router = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    return RoutedPredictor(
        router, members, 3, freq="MS", season_length=12, mode="weights", meta={"name": "routed-w"}
    )


def _gappy_csv(tmp_path) -> str:
    """Three monthly series; s0 skips rows 8 and 9 (history) and 34 (test window)."""
    rows = []
    for i in range(3):
        ds = pd.date_range("2019-01-01", periods=36, freq="MS").strftime("%Y-%m-%d")
        y = 10 + i + np.sin(np.arange(36) * 2 * np.pi / 12) + 0.1 * np.arange(36)
        frame = pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y})
        rows.append(frame.drop(index=[8, 9, 34]) if i == 0 else frame)
    path = tmp_path / "gappy.csv"
    pd.concat(rows).to_csv(path, index=False)
    return str(path)


def test_weights_mode_says_the_inserted_steps_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gappy_csv(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_panel_model(_routed(), path, load_kwargs={"fill_gaps": True})
    gaps = [str(w.message) for w in caught if issubclass(w.category, FilledGapsWarning)]
    filled = [str(w.message) for w in caught if issubclass(w.category, FilledValuesWarning)]
    assert gaps == [], gaps
    assert len(filled) == 1, filled  # every member weighted into s0: one note all the same
    note = filled[0]
    assert "3 missing values in 1 of 3 series: 's0' (3)" in note, note
    assert "3 of them are steps fill_gaps=True inserted" in note, note
    assert note.count("test window") == 1 and "1 of them lies in the test window" in note, note
    assert "naive, seasonal_naive and auto_ets are fitted with them filled by linear interpolation" in note


def test_models_that_fill_alike_are_named_together_and_the_others_after():
    """Held notes of two local models and two window models: per series the most any model read,
    the test window once, and the words grouped by how each fills."""
    steps = InsertedSteps(
        "data.csv", {"a": np.array([3, 4]), "b": np.array([], dtype=np.int64)}, {"a": (1, 1)}
    )
    for model, local, missing, inserted in (
        ("naive", True, 2, 2),
        ("theta", True, 2, 2),
        ("nhits", False, 1, 1),
        ("tft", False, 1, 1),
    ):
        how = filled_value_words(model, local, training=False)
        steps.hold(HeldFilledNote(["a", "b"], [missing, 0], [inserted, 0], model, how, None))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        steps.say()
    said = [str(w.message) for w in caught if issubclass(w.category, FilledValuesWarning)]
    assert said == [
        "data.csv: 3 missing values in 1 of 2 series: 'a' (3), 3 of them are steps fill_gaps=True "
        "inserted; naive and theta are fitted with them filled by linear interpolation between the "
        "observed values around them; the input windows of nhits and tft carry the last observed value "
        "over them; "
        "1 of them lies in the test window, which is scored without it"
    ], said
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        steps.say()
    assert again == []  # said once: a second say() is silent
