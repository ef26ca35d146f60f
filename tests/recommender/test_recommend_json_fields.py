"""The per-series recommendation's JSON (``tsforge recommend --per-series --json``, the service's
``per_series`` answer): each series carries the score its contributions add up to, field keys
without spaces, and an ``available`` list naming no model of the router is refused naming it.

Why: the explanations "sum to the prediction (contributions + bias)", but the JSON carried only
the contributions, so no reader could check it; its keys were phrases ("frequency and
horizon", "flat history") that a rewording of a sentence would change.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from recommender.series_features import series_features
from recommender.series_recommendation import recommend_series
from tests.conftest import run_cli as _cli
from tsforge.errors import ConfigError

KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_sums(series: list[dict]) -> None:
    for s in series:
        assert s["score"] is not None and s["bias"] is not None, s
        total = sum(s["contributions"].values()) + s["bias"]
        assert total == pytest.approx(s["score"], abs=1e-9), s.get("unique_id", s.get("id"))


def test_per_series_json_contributions_and_bias_add_up_to_the_score(capsys, halves_csv, saved_router):
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    series = json.loads(out)["series"]
    assert len(series) == 12
    _check_sums(series)


def test_each_series_score_is_the_routers_score_of_its_pick(halves_router, make_halves):
    """Not only the sum of what is shown: the score that ranked the pick, from the router."""
    panel = make_halves(10, seed=8)
    out = recommend_series(panel, 6, router=halves_router).to_dict()
    score = halves_router.scores(series_features(panel, 6))  # pooled towards the collection prior
    cands = list(halves_router.candidates)
    for i, s in enumerate(out["series"]):
        assert s["score"] == pytest.approx(score[i, cands.index(s["pick"])], abs=1e-9)
    _check_sums(out["series"])


def _with_odd_series(make_halves) -> pd.DataFrame:
    frame = make_halves(8, seed=52).to_long()
    dates = pd.date_range(end=pd.to_datetime(frame["ds"]).max(), periods=40, freq="MS")
    flat = pd.DataFrame({"unique_id": "flat", "ds": dates, "y": 4.0})
    short = pd.DataFrame({"unique_id": "three", "ds": dates[-3:], "y": [5.0, 7.0, 6.0]})
    return pd.concat([frame, flat, short], ignore_index=True)


def test_json_keys_are_field_keys_and_the_words_stay_in_the_text(halves_router, make_halves):
    rec = recommend_series(_with_odd_series(make_halves), 6, router=halves_router)
    out = rec.to_dict()
    assert out["collection"]["caveats"] == {"flat_history": ["flat"], "too_short_to_profile": ["three"]}
    for s in out["series"]:
        assert all(KEY.match(k) for k in s["contributions"]), list(s["contributions"])
        assert {"history_length", "frequency_and_horizon", "collection"} <= set(s["contributions"])
        for r in s["reasons"]:  # a reason names the entry of contributions it is
            assert s["contributions"][r["group"]] == pytest.approx(r["contribution"], abs=1e-12)
            assert r["description"]  # the words, for people
    flat = next(s for s in out["series"] if s["unique_id"] == "flat")
    assert flat["caveat"].startswith("flat history")
    # the library's own objects keep the words the CLI prints
    assert rec.collection["caveats"]["flat history"] == ["flat"]


@pytest.mark.parametrize("available", [["nope"], ["naive", "nope"]])
def test_an_unknown_model_in_available_is_named_with_the_known_ones(halves_router, make_halves, available):
    with pytest.raises(ConfigError) as info:
        recommend_series(make_halves(6, seed=9), 6, router=halves_router, available=available)
    message = str(info.value)
    assert "'nope' is not a model of the per-series recommender" in message
    assert "naive" in message.split("built from")[1] and "seasonal_naive" in message
    assert info.value.where.get("field") == "available"


def test_available_as_a_string_is_refused_saying_to_pass_a_list(halves_router, make_halves):
    with pytest.raises(ConfigError, match=r"pass \['naive'\]"):
        recommend_series(make_halves(6, seed=9), 6, router=halves_router, available="naive")


def test_known_models_in_available_still_restrict_the_picks(halves_router, make_halves):
    rec = recommend_series(make_halves(6, seed=9), 6, router=halves_router, available=["naive"])
    assert set(rec.per_series["pick"]) == {"naive"}
    assert np.isfinite(rec.per_series["expected_mase"]).all()
