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


def _pool_ranking():
    from recommender.panel import PANEL_CANDIDATES, PanelRecommendation

    rows = [{"model": "naive", "val_mase": 1.0, "val_smape": 1.0, "phase_mase": None, "score": 1.0}]
    return PanelRecommendation("p", 6, rows, "", 3, candidates=list(PANEL_CANDIDATES))


def test_not_ranked_names_the_routers_candidates_outside_the_pool_and_why():
    """``--json``'s reasons: a model outside the fixed pool, with a Python call that runs as
    copied (``[..., 'lightgbm']`` was an Ellipsis); a combination, with its members."""
    import ast

    from recommender.panel import not_ranked

    why = not_ranked(_pool_ranking(), ROUTER_CANDIDATES, COMBINATIONS)
    assert set(why) == {"lightgbm", "auto_ets+auto_theta", "auto_ets+auto_theta+dlinear"}, why
    assert "outside this ranking's 6 fast candidates" in why["lightgbm"]
    call = why["lightgbm"][why["lightgbm"].index("recommend_panel(") :].removesuffix(" ranks it")
    args = ast.parse(call, mode="eval").body
    assert isinstance(args, ast.Call) and "Ellipsis" not in ast.dump(args), call
    assert "candidates=[*PANEL_CANDIDATES, 'lightgbm']" in call, call
    assert (
        why["auto_ets+auto_theta"].startswith("a combination")
        and "(auto_ets, auto_theta)" in (why["auto_ets+auto_theta"])
    )


def test_the_not_ranked_line_names_each_candidate_once_in_cli_words():
    from recommender.panel import not_ranked, not_ranked_line

    rec = _pool_ranking()
    line = not_ranked_line(rec, not_ranked(rec, ROUTER_CANDIDATES, COMBINATIONS), COMBINATIONS)
    assert line == (
        "not ranked here: lightgbm (outside this ranking's 6 fast candidates) and 2 combinations "
        "(auto_ets+auto_theta, auto_ets+auto_theta+dlinear); --per-series --train weighs all of them "
        "and may pick one"
    )
    assert not_ranked_line(rec, {}, COMBINATIONS) is None


def test_the_ranking_names_what_it_did_not_rank_and_what_its_numbers_are(
    capsys, halves_csv, nine_candidate_router
):
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6")
    assert code == 0, err
    text = " ".join(out.split())
    assert "validation MASE: measured on each series' last 6 values before its test window" in text, text
    assert "not ranked here: lightgbm (outside this ranking's 6 fast candidates) and 2 combinations" in text
    # each candidate it left out is named once: the hint under it does not list them again
    for name in ("lightgbm", "auto_ets+auto_theta,", "auto_ets+auto_theta+dlinear"):
        assert text.count(name) == 1, (name, text)
    assert "recommend_panel" not in text and "[..." not in text, text  # no Python in CLI words
    # the hint quotes the untrained router, and says --train may pick another (lightgbm did)
    hint = text[text.index("--per-series weighs auto_ets highest") :]
    assert "; that is the untrained router's view (--per-series --train may pick another)" in hint, hint


def test_with_a_same_phase_window_the_caption_names_the_test_windows_phase():
    """The same-phase window is the test window's phase a season earlier (``same_phase_panel``:
    each series' values ``[L - H - m, L - m)``), not the validation window's."""
    from tsforge.cli.recommend import ranking_caption

    said = ranking_caption(6, phase=True)
    assert said.startswith("validation MASE: measured on each series' last 6 values before its test window")
    assert "same phase MASE: on the 6 values a season before its test window" in said, said
    assert "geometric mean" in said and "same phase" not in ranking_caption(6)


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


def test_the_ranking_json_says_null_where_no_router_was_asked(
    capsys, halves_csv, nine_candidate_router, monkeypatch
):
    """``{}`` read as "every candidate of the router was ranked", where none was compared."""
    import recommender.series_recommendation as series_mod

    monkeypatch.setattr(series_mod, "default_router_pending", lambda: "the router would be built first")
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["not_ranked"] is None and "not_ranked" not in payload["notes"], payload


def test_per_series_names_its_candidates_and_says_its_numbers_are_expected(capsys, halves_csv, saved_router):
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    text = " ".join(out.split())
    assert "candidates: the router's 2 models (naive, seasonal_naive), none fitted on these data" in text, (
        text
    )
    assert text.count("none fitted on these data") == 1, text
    assert "expected MASE: not a measurement but the router's estimate" in text, text
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["considered"] == ["naive", "seasonal_naive"] and payload["combinations"] == {}
    assert payload["numbers"]["kind"] == "expected" and payload["numbers"]["metric"] == "expected_mase"
    assert "no candidate is fitted or scored on these data" in payload["numbers"]["what"]


def test_the_scaled_caveat_says_what_is_scaled_outside_any_parenthesis():
    """ "properties (no candidate fitted …), scaled (×1.61)" read as if the parenthesis were scaled."""
    from tsforge.cli.recommend import expected_mase_caveat

    said = expected_mase_caveat(1.61)
    assert said.startswith("expected MASE: not a measurement but the router's estimate"), said
    assert "series' properties, scaled (×1.61) to what held-out collections showed" in said, said


def test_the_candidates_count_models_and_combinations_apart(halves_csv):
    """The shipped router's combinations are made of its members' forecasts: "the 9 the routed
    ensemble fitted" counted two that no one fits."""
    from recommender.per_series import SeriesRouter
    from recommender.series_recommendation import recommend_series
    from recommender.shipped_router import SHIPPED_ROUTER_DIR
    from tsforge.cli.recommend import candidates_words

    router = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    rec = recommend_series(halves_csv, 6, router=router)
    combos = {k: list(v) for k, v in router.combinations.items() if k in rec.considered}
    assert combos and rec.to_dict()["combinations"] == combos
    models = [c for c in rec.considered if c not in combos]
    assert set(models) <= set(router.base)
    names = f"{', '.join(models)}; {', '.join(combos)}"
    assert candidates_words(rec) == (
        f"candidates: the router's {len(models)} models and {len(combos)} combinations ({names}), "
        "none fitted on these data"
    )
    rec.router["shrink"] = 1.0
    assert candidates_words(rec, trained=True) == (
        f"candidates: the {len(models)} models the routed ensemble fitted and its {len(combos)} "
        f"combinations ({names})"
    )


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
    caveat = expected_mase_caveat(1.46, trained=True)
    assert "not a ranking's validation MASE" in caveat and label in caveat, caveat
    # pooled fully towards it, as the walk's --train was: the caveat names the prior, this line not again
    rec.router["shrink"] = 1.0
    said = candidates_words(rec, trained=True)
    assert said == "candidates: the 2 models the routed ensemble fitted (naive, seasonal_naive)", said
    rec.router["shrink"] = 0.5  # pooled part-way (--adapt): the caveat does not name it, so this line does
    assert candidates_words(rec, trained=True).endswith(f", set apart in part by {label}")
