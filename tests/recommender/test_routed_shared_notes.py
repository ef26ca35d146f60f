"""A routed ensemble says a fact its members share once, naming the members.

Before, each global member weighted into a series' forecast said its own note of that series:
a constant input window ("dlinear forecasts it at that value") and a missing value ("dlinear's
input window carries the last observed value over it") were each said three times for dlinear,
nlinear and lightgbm, one line per member for one fact. Notes that differ (another input
window, other series) are still said per member.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from recommender.per_series import SeriesRouter
from recommender.routed import RoutedPredictor
from recommender.shipped_router import SHIPPED_ROUTER_DIR
from tsforge.data.history import SeriesInput
from tsforge.data.panel import Panel
from tsforge.errors import TsforgeWarning
from tsforge.panels.global_models import fit_global
from tsforge.panels.predictor import PanelPredictor

H = 6
#: tiny training budgets: the notes do not depend on what was learnt
CONFIGS: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "dlinear": ({}, {"max_epochs": 1}),
    "nlinear": ({}, {"max_epochs": 1}),
}


@pytest.fixture(scope="module")
def panel() -> Panel:
    """Ten rising seasonal monthly series of 48 values; ``s05`` is 50.0 throughout and ``s02``
    misses one value inside its input window."""
    rng = np.random.default_rng(0)
    t = np.arange(48)
    arrays = [
        20.0 * (1 + i) + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12 + i) + rng.standard_normal(48)
        for i in range(10)
    ]
    arrays[5] = np.full(48, 50.0)
    arrays[2][40] = np.nan
    return Panel.from_arrays(arrays, ids=[f"s{i:02d}" for i in range(10)], freq="MS", name="walk")


def _routed(panel: Panel, input_lens: dict[str, int]) -> RoutedPredictor:
    members = {}
    for name, (model_config, train_config) in CONFIGS.items():
        fitted = fit_global(
            panel,
            name,
            H,
            input_len=input_lens[name],
            model_config=model_config,
            train_config=train_config,
            seed=1,
        )[0]
        members[name] = PanelPredictor(name, H, freq="MS", season_length=12, global_model=fitted)
    router = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    return RoutedPredictor(router, members, H, freq="MS", season_length=12, meta={"name": "walk-routed"})


def _notes(routed: RoutedPredictor, panel: Panel) -> list[str]:
    series = [SeriesInput(str(sid), panel.series(i)) for i, sid in enumerate(panel.ids)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        routed.predict_series(series)
    return [" ".join(str(w.message).split()) for w in caught if issubclass(w.category, TsforgeWarning)]


def _weighted_into_both(routed: RoutedPredictor, panel: Panel) -> None:
    """The premise: both members forecast every series (else their notes are of other series)."""
    series = [SeriesInput(str(sid), panel.series(i)) for i, sid in enumerate(panel.ids)]
    weights, _ = routed.route(series)
    base_w, base = routed.router.base_weights(weights)
    assert set(base) >= set(CONFIGS)
    assert all((base_w[:, base.index(name)] > 0).all() for name in CONFIGS), base_w


def test_a_fact_the_members_share_is_said_once_naming_them(panel):
    routed = _routed(panel, {"dlinear": 24, "nlinear": 24})
    _weighted_into_both(routed, panel)
    notes = _notes(routed, panel)
    constant = [n for n in notes if "one constant value" in n]
    filled = [n for n in notes if "missing value" in n]
    assert len(constant) == 1, notes
    assert constant[0].startswith("routed model 'walk-routed', members dlinear and nlinear (weighted into")
    assert "is one constant value: s05; dlinear and nlinear forecast it at that value" in constant[0]
    assert len(filled) == 1, notes
    assert "the input windows of dlinear and nlinear carry the last observed value over it" in filled[0]


def test_notes_that_differ_are_said_per_member(panel):
    routed = _routed(panel, {"dlinear": 24, "nlinear": 12})
    _weighted_into_both(routed, panel)
    constant = [n for n in _notes(routed, panel) if "one constant value" in n]
    assert len(constant) == 2, constant
    assert any("member dlinear (" in n and "(its last 24 values)" in n for n in constant), constant
    assert any("member nlinear (" in n and "(its last 12 values)" in n for n in constant), constant
