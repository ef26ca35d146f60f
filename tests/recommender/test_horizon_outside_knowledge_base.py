"""A dataset-level recommendation at a horizon outside the ones its knowledge base was built on
says so (library, CLI table and ``--json``, service): the ranking is extrapolated. The ranking
itself is the same as without the note.

Why: ``tsforge recommend etth1 --horizon 2000`` (or 5) ranked the candidates with no word that
none was ever scored at such a horizon; boosted trees answer there as at the nearest horizon
they learnt, and the numbers read as learnt.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from recommender.api import recommend
from recommender.knowledge_base import Candidate, KBSettings, build_knowledge_base
from recommender.ranker import RankerConfig, Recommender, train_recommender
from tests.conftest import run_cli
from tsforge.data.frame import TimeSeriesData

T = 512
KB_HORIZON = 24
POOL = [Candidate("seasonal_naive", "seasonal_naive"), Candidate("naive", "naive")]
NOTE = "horizon_outside_knowledge_base"


def _corpus(n: int, seed: int) -> np.ndarray:
    """``n`` periodic (period 24) and ``n`` trending series of :data:`T` steps."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)[None, :]
    wave = rng.uniform(1, 3, (n, 1)) * np.sin(2 * np.pi * t / 24 + rng.uniform(0, 6, (n, 1)))
    trend = rng.choice([-1, 1], (n, 1)) * rng.uniform(0.5, 2.0, (n, 1)) * t
    noise = 0.05 * rng.standard_normal((2 * n, T))
    return (np.concatenate([wave, trend]) + noise).astype(np.float32)


def _data(seed: int) -> TimeSeriesData:
    values = _corpus(2, seed)
    ts = np.datetime64("2020-01-01T00:00", "ns") + np.arange(T) * np.timedelta64(1, "h")
    return TimeSeriesData(values.T.copy(), ts, tuple(f"s{i}" for i in range(len(values))), freq="h", name="d")


@pytest.fixture(scope="module")
def rec(tmp_path_factory) -> Recommender:
    """A recommender whose knowledge base holds horizon 24 only (seconds: training-free pool)."""
    kb = build_knowledge_base(
        corpus_values=_corpus(10, 1),
        pool=POOL,
        settings=KBSettings(input_len=96, horizon=KB_HORIZON, eval_stride=12),
        real=(),
        cache=tmp_path_factory.mktemp("cache"),
    )
    return train_recommender(kb, RankerConfig(corpus_groups=60, num_boost_round=30, min_data_in_leaf=3))


def _with_horizons(rec: Recommender, horizons: list[int] | None) -> Recommender:
    """``rec`` with other recorded horizons (None: none recorded, as a recommender trained before)."""
    meta = {k: v for k, v in rec.meta.items() if k != "horizons"}
    if horizons is not None:
        meta["horizons"] = horizons
    return Recommender(rec.candidates, rec.feature_names, rec.boosters, meta, rec.path)


def test_the_horizons_learnt_from_are_recorded_and_saved(rec, tmp_path):
    assert rec.meta["horizons"] == [KB_HORIZON]
    assert Recommender.load(rec.save(tmp_path / "rec")).knowledge_base_horizons() == [KB_HORIZON]


@pytest.mark.parametrize("horizon", [4, 48])
def test_a_horizon_outside_the_knowledge_base_says_the_ranking_is_extrapolated(rec, horizon):
    out = recommend(_data(7), horizon=horizon, recommender=rec, max_windows=16)
    note = out.notes[NOTE]
    assert f"horizon {horizon} is {'shorter' if horizon < KB_HORIZON else 'longer'}" in note, note
    assert f"horizon {KB_HORIZON} only" in note and "extrapolated" in note, note
    assert out.to_dict()["notes"] == {NOTE: note}
    # the same recommender told it learnt this horizon too ranks the same, without the note
    wide = recommend(
        _data(7), horizon=horizon, recommender=_with_horizons(rec, [horizon, KB_HORIZON]), max_windows=16
    )
    assert wide.notes == {}
    assert [(r.name, r.score) for r in wide.ranking] == [(r.name, r.score) for r in out.ranking]
    assert wide.best.name == out.best.name


def test_a_horizon_inside_the_knowledge_base_has_no_note(rec):
    assert recommend(_data(8), horizon=KB_HORIZON, recommender=rec, max_windows=16).notes == {}
    between = _with_horizons(rec, [12, 96])  # between two learnt horizons: interpolated, no note
    assert recommend(_data(8), horizon=48, recommender=between, max_windows=16).notes == {}


def test_a_recommender_trained_before_the_record_reads_its_knowledge_base(rec):
    """A recommender saved before ``meta["horizons"]`` existed still says it, from the knowledge
    base it names; with that file gone it cannot tell, and says nothing."""
    old = _with_horizons(rec, None)
    assert old.knowledge_base_horizons() == [KB_HORIZON]
    assert (
        NOTE in recommend(_data(9), horizon=48, recommender=_with_horizons(rec, None), max_windows=16).notes
    )
    gone = _with_horizons(rec, None)
    gone.meta["kb_path"] = str(rec.meta["kb_path"]) + ".gone"
    assert gone.knowledge_base_horizons() == []


def test_the_note_names_the_horizons_in_words():
    from recommender.api import horizon_note

    assert horizon_note(96, [96, 192, 336, 720]) is None
    assert horizon_note(400, [96, 192, 336, 720]) is None
    note = horizon_note(5, [96, 192, 336, 720])
    assert note is not None and "horizons 96, 192, 336 and 720" in note and "shorter" in note
    many = horizon_note(2000, list(range(10, 130, 10)))
    assert many is not None and "horizons 10 to 120, 12 of them" in many and "longer" in many
    assert horizon_note(2000, []) is None


def _csv(tmp_path, seed: int) -> str:
    values = _corpus(1, seed)
    times = np.datetime64("2020-01-01T00:00") + np.arange(T) * np.timedelta64(1, "h")
    lines = ["ds,a,b"] + [f"{t},{values[0, i]:.4f},{values[1, i]:.4f}" for i, t in enumerate(times)]
    path = tmp_path / "two.csv"
    path.write_text("\n".join(lines))
    return str(path)


def test_the_cli_prints_the_note_and_json_carries_it(rec, tmp_path, monkeypatch, capsys):
    from recommender.ranker import recommender_dir

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    rec.save(recommender_dir())
    csv = _csv(tmp_path, 11)
    code, out, err = run_cli(capsys, "recommend", csv, "--horizon", "48", "--split", "7:1:2")
    assert code == 0, err
    said = " ".join(err.split())
    assert "note: horizon 48 is longer than any" in said and "(horizon 24 only)" in said, err
    assert "Recommended models" in out
    code, out, err = run_cli(capsys, "recommend", csv, "--horizon", "48", "--split", "7:1:2", "--json")
    assert code == 0, err
    assert "extrapolated" in json.loads(out)["notes"][NOTE]
    code, out, err = run_cli(capsys, "recommend", csv, "--horizon", "24", "--split", "7:1:2", "--json")
    assert code == 0 and json.loads(out)["notes"] == {}, err


def test_the_service_answer_carries_the_note(rec, tmp_path):
    from service.main import create_app
    from service.settings import ServiceSettings

    folder = rec.save(tmp_path / "rec")
    settings = ServiceSettings(
        tracking_uri=f"sqlite:///{tmp_path}/empty.db", alias_poll_seconds=0, recommender_path=str(folder)
    )
    values = _corpus(1, 12)
    series = [{"id": f"s{i}", "values": values[i].tolist()} for i in range(len(values))]
    with TestClient(create_app(settings)) as client:
        r = client.post("/v1/recommend", json={"series": series, "horizon": 48, "max_windows": 16})
        assert r.status_code == 200, r.text
        notes = r.json()["notes"]
        assert notes and any("horizon 48 is longer than any" in n and "extrapolated" in n for n in notes), (
            notes
        )
        r = client.post("/v1/recommend", json={"series": series, "horizon": KB_HORIZON, "max_windows": 16})
        assert r.status_code == 200 and r.json()["notes"] is None, r.text
