"""``evaluate --fill-gaps`` of a routed ensemble says each inserted step once, in its members' notes.

A routed ensemble says no note on filled values of its own: each member says it for the series it
forecasts. With the reader's note held back by ``evaluate`` (it counted the inserted steps, and the
members' notes counted them again as missing values), the members' notes must say which of their
missing values are inserted steps. Local members behind the shipped router: no training.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from recommender.per_series import SeriesRouter
from recommender.routed import RoutedPredictor
from recommender.shipped_router import SHIPPED_ROUTER_DIR
from tsforge.data.panel_checks import FilledGapsWarning, FilledValuesWarning
from tsforge.panels.predictor import PanelPredictor
from tsforge.pipeline.panel import evaluate_panel_model


def _routed() -> RoutedPredictor:
    members = {m: PanelPredictor(m, 3, freq="MS", season_length=12) for m in ("naive", "seasonal_naive")}
    router = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    return RoutedPredictor(
        router, members, 3, freq="MS", season_length=12, mode="pick", meta={"name": "routed-pick"}
    )


def test_a_routed_ensemble_s_members_say_the_inserted_steps_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    rows = []
    for i in range(3):
        ds = pd.date_range("2019-01-01", periods=36, freq="MS").strftime("%Y-%m-%d")
        y = 10 + i + np.sin(np.arange(36) * 2 * np.pi / 12) + 0.1 * np.arange(36)
        frame = pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y})
        rows.append(frame.drop(index=[8, 9]) if i == 0 else frame)  # s0 skips two months
    path = tmp_path / "gappy.csv"
    pd.concat(rows).to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_panel_model(_routed(), str(path), load_kwargs={"fill_gaps": True})
    gaps = [str(w.message) for w in caught if issubclass(w.category, FilledGapsWarning)]
    filled = [str(w.message) for w in caught if issubclass(w.category, FilledValuesWarning)]
    assert gaps == [], gaps
    assert len(filled) == 1, filled  # pick mode: s0 is forecast by one member
    assert (
        "2 missing values in 1 of " in filled[0]
        and "2 of them are steps fill_gaps=True inserted" in filled[0]
    ), filled
