"""A dataset-level recommendation at a horizon far outside the ones its knowledge base was built
on (more than a doubling) says so (library, CLI table and ``--json``, service): the ranking is
extrapolated. The ranking itself is the same as without the note.

Why: ``tsforge recommend etth1 --horizon 2000`` (or 5) ranked the candidates with no word that
none was ever scored at such a horizon; boosted trees answer there as at the nearest horizon
they learnt, and the numbers read as learnt. Within a doubling nothing is said (the quick tier
learnt at horizon 24 alone, and noted 12 and 48 alike); a recommender saved before its horizons
were recorded tells them from its own boosters, never from the knowledge-base file it names,
which may have been rebuilt since.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from recommender.api import recommend
from recommender.knowledge_base import Candidate, KBSettings, build_knowledge_base
from recommender.ranker import (
    LearntHorizons,
    RankerConfig,
    Recommender,
    make_training_set,
    train_recommender,
)
from tests.conftest import run_cli
from tsforge.data.frame import TimeSeriesData

T = 512
KB_HORIZON = 24
POOL = [Candidate("seasonal_naive", "seasonal_naive"), Candidate("naive", "naive")]
NOTE = "horizon_outside_knowledge_base"


def _corpus(n: int, seed: int, steps: int = T) -> np.ndarray:
    """``n`` periodic (period 24) and ``n`` trending series of ``steps`` steps."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)[None, :]
    wave = rng.uniform(1, 3, (n, 1)) * np.sin(2 * np.pi * t / 24 + rng.uniform(0, 6, (n, 1)))
    trend = rng.choice([-1, 1], (n, 1)) * rng.uniform(0.5, 2.0, (n, 1)) * t
    noise = 0.05 * rng.standard_normal((2 * n, steps))
    return (np.concatenate([wave, trend]) + noise).astype(np.float32)


def _data(seed: int, steps: int = T) -> TimeSeriesData:
    """Four series of ``steps`` hourly steps (long horizons need more than :data:`T` under the
    7:1:2 split: an input window and the horizon in each part)."""
    values = _corpus(2, seed, steps)
    ts = np.datetime64("2020-01-01T00:00", "ns") + np.arange(steps) * np.timedelta64(1, "h")
    return TimeSeriesData(values.T.copy(), ts, tuple(f"s{i}" for i in range(len(values))), freq="h", name="d")


CONFIG = RankerConfig(corpus_groups=60, num_boost_round=30, min_data_in_leaf=3)


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """A knowledge base of horizon 24 only (seconds: training-free pool)."""
    return build_knowledge_base(
        corpus_values=_corpus(10, 1),
        pool=POOL,
        settings=KBSettings(input_len=96, horizon=KB_HORIZON, eval_stride=12),
        real=(),
        cache=tmp_path_factory.mktemp("cache"),
    )


@pytest.fixture(scope="module")
def rec(kb) -> Recommender:
    """A recommender that learnt from horizon 24 only."""
    return train_recommender(kb, CONFIG)


def _with_horizons(rec: Recommender, horizons: list[int] | None) -> Recommender:
    """``rec`` with other recorded horizons (None: none recorded, as a recommender trained before)."""
    meta = {k: v for k, v in rec.meta.items() if k != "horizons"}
    if horizons is not None:
        meta["horizons"] = horizons
    return Recommender(rec.candidates, rec.feature_names, rec.boosters, meta, rec.path)


def test_the_horizons_learnt_from_are_recorded_and_saved(rec, tmp_path):
    assert rec.meta["horizons"] == [KB_HORIZON]
    loaded = Recommender.load(rec.save(tmp_path / "rec"))
    assert loaded.learnt_horizons() == LearntHorizons(KB_HORIZON, KB_HORIZON, (KB_HORIZON,))


@pytest.mark.parametrize("horizon", [4, 60])
def test_a_horizon_far_outside_the_knowledge_base_says_the_ranking_is_extrapolated(rec, horizon):
    data = _data(7, 10 * (96 + horizon))
    out = recommend(data, horizon=horizon, input_len=96, recommender=rec, max_windows=16)
    note = out.notes[NOTE]
    assert f"horizon {horizon} is far {'shorter' if horizon < KB_HORIZON else 'longer'}" in note, note
    assert f"(horizon {KB_HORIZON} only)" in note and "extrapolated" in note, note
    assert out.to_dict()["notes"] == {NOTE: note}
    # the same recommender told it learnt this horizon too ranks the same, without the note
    wide = recommend(
        data,
        horizon=horizon,
        input_len=96,
        recommender=_with_horizons(rec, [horizon, KB_HORIZON]),
        max_windows=16,
    )
    assert wide.notes == {}
    assert [(r.name, r.score) for r in wide.ranking] == [(r.name, r.score) for r in out.ranking]
    assert wide.best.name == out.best.name


@pytest.mark.parametrize("horizon", [KB_HORIZON // 2, KB_HORIZON, 2 * KB_HORIZON])
def test_a_horizon_within_a_doubling_of_the_knowledge_base_has_no_note(rec, horizon):
    """The quick tier learnt at horizon 24 alone and noted 12 and 48 as it noted 2000: noise."""
    assert recommend(_data(8), horizon=horizon, recommender=rec, max_windows=16).notes == {}


def test_a_horizon_between_two_learnt_ones_has_no_note(rec):
    between = _with_horizons(rec, [12, 96])  # between two learnt horizons: interpolated
    assert recommend(_data(8), horizon=48, recommender=between, max_windows=16).notes == {}


def test_an_older_recommender_claims_nothing_from_the_file_its_knowledge_base_was_in(rec, tmp_path):
    """A recommender saved before ``meta["horizons"]`` existed, whose knowledge-base file was
    rebuilt since (here at horizon 96): the note came from today's file and told a ranking at
    the horizon it did learn (24) that it was extrapolated from horizon 96. Its boosters never
    split on the horizon (one horizon learnt), so it cannot tell which: it says nothing."""
    rebuilt = tmp_path / "knowledge_base.parquet"
    pd.DataFrame({"group": list(rec.meta["groups"]), "horizon": 96}).to_parquet(rebuilt)
    old = _with_horizons(rec, None)
    old.meta["kb_path"] = str(rebuilt)
    for horizon in (KB_HORIZON, 4):
        assert recommend(_data(9), horizon=horizon, recommender=old, max_windows=16).notes == {}


def test_an_older_recommender_tells_its_horizons_from_its_boosters(kb, tmp_path):
    """Trained on horizons 12 and 48 (the examples' horizon features set so) and saved without
    the record: the ends come from the range LightGBM kept of ``log_horizon``, not from the
    knowledge-base file (horizon 24 only)."""
    X, E, w, labels = make_training_set(kb, CONFIG)
    h = np.where(np.arange(len(X)) % 2 == 0, 12, 48)
    X = X.assign(log_horizon=np.log10(h), horizon_over_input=h / 96)
    trained = train_recommender(kb, CONFIG, training_set=(X, E, w, labels))
    old = Recommender.load(_with_horizons(trained, None).save(tmp_path / "old"))
    assert "horizons" not in old.meta
    assert old.learnt_horizons() == LearntHorizons(12, 48)
    data = _data(10, 10 * (96 + 200))
    note = recommend(data, horizon=200, input_len=96, recommender=old, max_windows=16).notes[NOTE]
    assert "horizon 200 is far longer" in note and "(horizons 12 to 48)" in note, note
    assert recommend(data, horizon=96, input_len=96, recommender=old, max_windows=16).notes == {}


def test_the_note_names_the_horizons_in_words():
    from recommender.api import horizon_note

    grid = LearntHorizons(96, 720, (96, 192, 336, 720))
    assert horizon_note(96, grid) is None
    assert horizon_note(400, grid) is None
    assert horizon_note(48, grid) is None and horizon_note(1440, grid) is None  # within a doubling
    note = horizon_note(5, grid)
    assert note is not None and "horizons 96, 192, 336 and 720" in note and "far shorter" in note
    many = horizon_note(2000, LearntHorizons(10, 120, tuple(range(10, 130, 10))))
    assert many is not None and "(horizons 10 to 120)" in many and "far longer" in many
    assert horizon_note(2000, None) is None


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
    code, out, err = run_cli(capsys, "recommend", csv, "--horizon", "4", "--split", "7:1:2")
    assert code == 0, err
    said = " ".join(err.split())
    assert "note: horizon 4 is far shorter than the recommender learnt from (horizon 24 only)" in said, err
    assert "Recommended models" in out
    code, out, err = run_cli(capsys, "recommend", csv, "--horizon", "4", "--split", "7:1:2", "--json")
    assert code == 0, err
    assert "extrapolated" in json.loads(out)["notes"][NOTE]
    code, out, err = run_cli(capsys, "recommend", csv, "--horizon", "24", "--split", "7:1:2", "--json")
    assert code == 0 and json.loads(out)["notes"] == {}, err


def test_the_quick_line_names_the_horizon_learnt_where_no_note_is_printed(rec, tmp_path, monkeypatch, capsys):
    """At horizon 48 (within a doubling of 24) no note; the quick recommender's line still says
    which horizon it learnt at, and ``--json`` carries it under ``recommender``."""
    from recommender.ranker import recommender_dir

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    quick = _with_horizons(rec, [KB_HORIZON])
    quick.meta["tier"] = "quick"
    quick.save(recommender_dir())
    csv = _csv(tmp_path, 13)
    code, out, err = run_cli(capsys, "recommend", csv, "--horizon", "48", "--split", "7:1:2")
    assert code == 0, err
    said = " ".join((out + err).split())
    assert "note:" not in said, said
    assert "answered by the quick recommender (2 fast candidates, learnt at horizon 24 only)" in said, said
    code, out, err = run_cli(capsys, "recommend", csv, "--horizon", "48", "--split", "7:1:2", "--json")
    assert code == 0, err
    assert json.loads(out)["recommender"]["horizons"] == {"shortest": 24, "longest": 24, "each": [24]}


def test_the_service_answer_carries_the_note(rec, tmp_path, empty_store_uri):
    from service.main import create_app
    from service.settings import ServiceSettings

    folder = rec.save(tmp_path / "rec")
    settings = ServiceSettings(
        tracking_uri=empty_store_uri, alias_poll_seconds=0, recommender_path=str(folder)
    )
    values = _corpus(1, 12)
    series = [{"id": f"s{i}", "values": values[i].tolist()} for i in range(len(values))]
    with TestClient(create_app(settings)) as client:
        r = client.post("/v1/recommend", json={"series": series, "horizon": 4, "max_windows": 16})
        assert r.status_code == 200, r.text
        notes = r.json()["notes"]
        assert notes and any("horizon 4 is far shorter" in n and "extrapolated" in n for n in notes), notes
        r = client.post("/v1/recommend", json={"series": series, "horizon": KB_HORIZON, "max_windows": 16})
        assert r.status_code == 200 and r.json()["notes"] is None, r.text
