"""A dataset-level recommendation's reasons add up to the score that ranked its pick, in every
ranker mode, and its numbers are worded as they are shown.

Why: the reasons are the pick's LightGBM contributions grouped by property, and "explanations sum
to the prediction (contributions + bias)" was checked on the ranker alone: the answer carried only
the largest groups (no bias), and a ``lambdarank`` recommender's contributions, which sum to
*minus* its score, were worded as they came, every "favours" turned around.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from recommender.api import recommend
from recommender.explain import group_contributions
from recommender.knowledge_base import Candidate, KBSettings, build_knowledge_base
from recommender.ranker import RankerConfig, Recommender, train_recommender
from tsforge.data.frame import TimeSeriesData

T = 512
POOL = [Candidate("seasonal_naive", "seasonal_naive"), Candidate("naive", "naive")]
SETTINGS = KBSettings(input_len=96, horizon=24, eval_stride=12)
SMALL = {"corpus_groups": 80, "num_boost_round": 40, "min_data_in_leaf": 3, "num_leaves": 7}


def _periodic(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(T)[None, :]
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    return (np.sin(2 * np.pi * t / 24 + phase) + 0.01 * rng.standard_normal((n, T))).astype(np.float32)


def _trending(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    slope = rng.choice([-1, 1], (n, 1)) * rng.uniform(0.5, 2.0, (n, 1))
    return (slope * np.arange(T)[None, :] + 0.3 * rng.standard_normal((n, T))).astype(np.float32)


def _data(values: np.ndarray, name: str) -> TimeSeriesData:
    ts = np.datetime64("2020-01-01T00:00", "ns") + np.arange(values.shape[1]) * np.timedelta64(1, "h")
    names = tuple(f"s{i}" for i in range(values.shape[0]))
    return TimeSeriesData(values.T.copy(), ts, names, freq="h", name=name)


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    corpus = np.concatenate([_periodic(12, 1), _trending(12, 2)])
    cache = tmp_path_factory.mktemp("cache")
    return build_knowledge_base(corpus_values=corpus, pool=POOL, settings=SETTINGS, real=(), cache=cache)


@pytest.mark.parametrize("mode", ["per_model", "lambdarank"])
def test_the_answer_carries_contributions_and_bias_that_sum_to_the_picks_score(kb, mode):
    rk = train_recommender(kb, RankerConfig(mode=mode, **SMALL))
    r = recommend(_data(_periodic(3, 21), "p"), horizon=24, recommender=rk)
    # the score that ranked the pick, from the ranker itself (not from the contributions)
    score = float(rk.scores(r.features).iloc[0][r.best.name])
    assert r.best.score == pytest.approx(score, abs=1e-9)
    assert sum(r.contributions.values()) + r.bias == pytest.approx(score, abs=1e-9)
    for reason in r.reasons:  # the reasons are the answer's own groups, as they are
        assert reason.contribution == pytest.approx(r.contributions[reason.group], abs=1e-12)
    assert r.to_dict()["bias"] == pytest.approx(r.bias)


def test_a_lambdarank_reason_favours_what_lowers_the_score(kb):
    """Its ranking score is minus the score (higher ranks first): a group that raises the
    ranking score favours the candidate, and was worded as working against it."""
    rk = train_recommender(kb, RankerConfig(mode="lambdarank", **SMALL))
    r = recommend(_data(_periodic(3, 21), "p"), horizon=24, recommender=rk)
    raw, _bias = rk.contributions(r.best.name, r.features)  # sums to the ranking score
    ranking_score = group_contributions(raw)
    assert r.reasons
    for reason in r.reasons:
        assert reason.contribution == pytest.approx(-ranking_score[reason.group], abs=1e-12)
        assert reason.effect == ("favours" if ranking_score[reason.group] > 0 else "works against")
    # the candidate-id columns are the model's own standing, not "the data shape (… channels …)"
    own = -sum(v for k, v in raw.items() if k.startswith("candidate="))
    assert r.contributions["candidate"] == pytest.approx(own, abs=1e-12)


class _Fixed(Recommender):
    """A recommender with given expected relative errors (anchor ``b``, margin 10 %)."""

    def __init__(self, errors: dict[str, float]) -> None:
        meta = {"anchor": "b", "config": {"anchor_margin": 0.1}}
        super().__init__(list(errors), ["tau_mean"], {}, meta)
        self._scores = {k: math.log(v) for k, v in errors.items()}

    def scores(self, features):
        return pd.DataFrame([self._scores])

    def contributions(self, candidate, features):
        return {"tau_mean": self._scores[candidate]}, 0.0


def test_the_rules_gap_is_the_gap_between_the_numbers_shown():
    """1.0142× against 1.0601× read "predicted 4% better (1.01× vs 1.06×)": 5% from the numbers shown."""
    r = recommend(_data(_periodic(3, 22), "p"), horizon=24, recommender=_Fixed({"a": 1.0142, "b": 1.0601}))
    assert r.best.name == "b" and r.rule is not None
    assert "a is predicted 5% better (1.01× vs 1.06×)" in r.rule, r.rule


def test_a_rule_over_numbers_shown_alike_says_so():
    r = recommend(_data(_periodic(3, 22), "p"), horizon=24, recommender=_Fixed({"a": 1.0201, "b": 1.0204}))
    assert r.best.name == "b" and r.rule is not None
    assert "predicted 0% better" not in r.rule, r.rule
    assert "a is predicted about as good (1.02× vs 1.02×, the same to 2 decimals)" in r.rule, r.rule


def test_a_lambdarank_answer_claims_no_error_ratio(kb):
    """Its score orders the candidates and predicts no error: exp of it was printed as
    "expected 1.92× the best error", and candidates were put on the avoid list by it."""
    rk = train_recommender(kb, RankerConfig(mode="lambdarank", **SMALL))
    r = recommend(_data(_periodic(3, 21), "p"), horizon=24, recommender=rk, top=1)
    assert all(math.isnan(m.expected_relative_error) for m in r.ranking)
    assert [m.name for m in r.ranking] == sorted(
        rk.candidates, key=lambda c: rk.scores(r.features).iloc[0][c]
    )
    assert r.avoid == []
