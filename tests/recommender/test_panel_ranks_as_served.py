"""``recommend_panel`` ranks AutoETS by its validation forecast as served.

Why: on a short seasonal panel (20 monthly series of 48 values, horizon 12) AutoETS refitted on
the 24 values before the validation window chooses no season, while the AutoETS served, fitted
on 36, is seasonal and the best model on the test window; the ranking by the plain refit put it
behind seasonal naive and the linear models.
"""

from __future__ import annotations

import warnings

import pytest

import tsforge.panels.calibrate as calibrate_mod
from recommender.panel import recommend_panel
from tests.conftest import seasonal_monthly_panel

H = 12
CANDIDATES = ("seasonal_naive", "naive", "auto_ets")


def _rank(lengths: list[int]):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return recommend_panel(seasonal_monthly_panel(lengths, seed=5), H, CANDIDATES)


def _no_second_form_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The forms are read off the served fits (``PanelOutcome.forms``), never fitted again."""

    def refuse(*args, **kwargs):
        raise AssertionError("a seasonal form was fitted a second time")

    monkeypatch.setattr(calibrate_mod, "selected_forms", refuse)


def test_a_short_seasonal_panel_ranks_the_served_auto_ets_first(monkeypatch):
    _no_second_form_fit(monkeypatch)
    rec = _rank([48] * 20)
    assert rec.best == "auto_ets"
    row = rec.ranking[0]
    assert row["val_forms_held"] >= 10  # most series' served AutoETS is seasonal
    assert "kept the seasonal form" in rec.explanation
    others = {r["model"]: r["val_mase"] for r in rec.ranking[1:]}
    assert row["val_mase"] < min(others.values())


def test_refits_that_see_three_seasons_are_ranked_as_they_are():
    rec = _rank([96] * 6)  # the validation refit sees 72 values: it chooses its own form
    assert all("val_forms_held" not in r for r in rec.ranking)
    assert "kept the seasonal form" not in rec.explanation
