"""``tsforge recommend DATA``, ``--per-series`` and ``--per-series --train`` say which candidates
they chose among and what their numbers are, so that their three answers can be read together.

Why: on one 8-series panel (session 69's walk) the ranking put dlinear first (validation MASE
0.422) without lightgbm, with a hint that ``--per-series`` weighs auto_ets highest; ``--per-series``
said auto_ets (expected MASE 0.919); ``--per-series --train`` routed every series to lightgbm
("next dlinear 0.793"). The candidate sets differed and the numbers were of different kinds
(measured against the router's expectation), and nothing said so.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from tests.conftest import run_cli as _cli

ROUTER_CANDIDATES = (
    "naive",
    "seasonal_naive",
    "auto_ets",
    "auto_theta",
    "dlinear",
    "nlinear",
    "lightgbm",
    "auto_ets+auto_theta",
    "auto_ets+auto_theta+dlinear",
)
COMBINATIONS = {"auto_ets+auto_theta": ["auto_ets", "auto_theta"], "auto_ets+auto_theta+dlinear": ["auto_ets", "auto_theta", "dlinear"]}  # fmt: skip


def _ranking(panel, horizon, *args, **kwargs):
    """A ``recommend_panel`` stand-in over the CLI's pool (no fit): dlinear first, auto_ets next."""
    import recommender.panel as panel_mod

    rows = [
        {"model": m, "val_mase": v, "val_smape": 4.0, "phase_mase": None, "score": v}
        for m, v in (("dlinear", 0.422), ("auto_ets", 0.440))
    ]
    return panel_mod.PanelRecommendation(
        panel.name,
        horizon,
        rows,
        "dlinear: the lowest",
        len(panel),
        candidates=list(panel_mod.PANEL_CANDIDATES),
    )


@pytest.fixture
def nine_candidate_router(monkeypatch, saved_router):
    """The default router as one of the shipped router's 9 candidates (lightgbm and two
    combinations among them), its view of the panel near-even between auto_ets and dlinear."""
    import recommender.panel as panel_mod
    import recommender.series_recommendation as series_mod

    router = SimpleNamespace(candidates=list(ROUTER_CANDIDATES), combinations=COMBINATIONS)
    view = SimpleNamespace(
        collection={"best_single": "auto_ets", "expected_mase_best_single": 0.919},
        weights=pd.DataFrame({"auto_ets": [0.21] * 12, "dlinear": [0.20] * 12}),
    )
    monkeypatch.setattr(series_mod, "default_router", lambda **kwargs: router)
    monkeypatch.setattr(series_mod, "recommend_series", lambda *args, **kwargs: view)
    monkeypatch.setattr(panel_mod, "recommend_panel", _ranking)


def test_not_ranked_names_the_routers_candidates_outside_the_pool_and_why():
    from recommender.panel import PANEL_CANDIDATES, PanelRecommendation, not_ranked

    rows = [{"model": "naive", "val_mase": 1.0, "val_smape": 1.0, "phase_mase": None, "score": 1.0}]
    rec = PanelRecommendation("p", 6, rows, "", 3, candidates=list(PANEL_CANDIDATES))
    why = not_ranked(rec, ROUTER_CANDIDATES, COMBINATIONS)
    assert set(why) == {"lightgbm", "auto_ets+auto_theta", "auto_ets+auto_theta+dlinear"}, why
    assert "fixed pool of 6 fast candidates" in why["lightgbm"]
    assert "candidates=[..., 'lightgbm']" in why["lightgbm"]  # how to rank it after all
    assert (
        why["auto_ets+auto_theta"].startswith("a combination")
        and "--per-series --train" in why["auto_ets+auto_theta"]
    )


def test_the_ranking_names_what_it_did_not_rank_and_what_its_numbers_are(
    capsys, halves_csv, nine_candidate_router
):
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6")
    assert code == 0, err
    text = " ".join(out.split())
    assert "measured on this panel's validation window (the 6 values before each series' test window)" in text
    assert "not ranked here, but weighed by --per-series — lightgbm: not in this ranking's fixed pool" in text
    assert "auto_ets+auto_theta, auto_ets+auto_theta+dlinear: each a combination" in text, text
    # the hint quotes the untrained router, and says --train may pick another (lightgbm did)
    hint = text[text.index("--per-series weighs auto_ets highest") :]
    assert "that is the untrained router's view" in hint, hint
    assert (
        "--per-series --train weighs the candidates again by their errors on this validation window" in hint
    )
    assert "among them lightgbm" in hint and "may pick another" in hint, hint


def test_the_ranking_json_carries_the_candidates_and_the_kind_of_number(
    capsys, halves_csv, nine_candidate_router
):
    from recommender.panel import PANEL_CANDIDATES

    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["candidates"] == list(PANEL_CANDIDATES)
    assert payload["numbers"]["kind"] == "measured" and payload["numbers"]["metric"] == "val_mase"
    assert set(payload["not_ranked"]) == {"lightgbm", "auto_ets+auto_theta", "auto_ets+auto_theta+dlinear"}
    assert payload["notes"]["not_ranked"].startswith("not ranked here")


def test_per_series_names_its_candidates_and_says_its_numbers_are_expected(capsys, halves_csv, saved_router):
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    text = " ".join(out.split())
    assert "candidates: the router's 2 (naive, seasonal_naive), none fitted on these data" in text, text
    assert "not a measurement on their validation window" in text, text
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["considered"] == ["naive", "seasonal_naive"]
    assert payload["numbers"]["kind"] == "expected" and payload["numbers"]["metric"] == "expected_mase"
    assert "no candidate is fitted or scored on these data" in payload["numbers"]["what"]


def test_after_train_the_numbers_name_the_prior_and_are_not_a_rankings_validation_mase(
    halves_csv, saved_router
):
    from recommender.series_recommendation import recommend_series
    from tsforge.cli.recommend import candidates_words, expected_mase_caveat

    label = "this panel's validation-window errors"
    rec = recommend_series(halves_csv, 6, router=saved_router, prior=[0.0, 0.1], prior_label=label)
    numbers = rec.to_dict()["numbers"]
    assert numbers["kind"] == "expected" and label in numbers["what"], numbers
    assert "not the validation MASE a ranking measures" in numbers["what"], numbers
    rec.router["shrink"] = 1.0  # pooled fully towards it, as the walk's --train was
    said = candidates_words(rec, trained=True)
    assert (
        said == f"candidates: the 2 the routed ensemble fitted (naive, seasonal_naive), set apart by {label}"
    )
    assert "not its validation MASE in a ranking" in expected_mase_caveat(1.46, trained=True)
