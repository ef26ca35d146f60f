"""Recommender: knowledge base → LightGBM recommender → recommend() on a tiny two-pattern corpus.

The corpus has two clear patterns: pure periodic series (period 24), where seasonal naive is
exact, and strong linear trends, where naive (last value) beats seasonal naive by lagging one
step instead of a whole season. Both candidates are training-free, so the knowledge base is
built for real (fit, score, profile) in seconds.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from recommender.api import Recommendation, recommend
from recommender.explain import PROPERTY_GROUPS, feature_group, group_contributions
from recommender.knowledge_base import Candidate, KBSettings, build_knowledge_base, load_knowledge_base
from recommender.ranker import RankerConfig, Recommender, train_recommender
from tsforge.data.frame import TimeSeriesData
from tsforge.errors import ConfigError, DataValidationError, TsforgeError

T = 512
POOL = [Candidate("seasonal_naive", "seasonal_naive"), Candidate("naive", "naive")]
SETTINGS = KBSettings(input_len=96, horizon=24, eval_stride=12)
RANKER = RankerConfig(corpus_groups=80, num_boost_round=40, min_data_in_leaf=3, num_leaves=7)


def periodic(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(T)[None, :]
    amp = rng.uniform(1, 3, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    return (amp * np.sin(2 * np.pi * t / 24 + phase) + 0.01 * rng.standard_normal((n, T))).astype(np.float32)


def trending(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(T)[None, :]
    slope = rng.choice([-1, 1], (n, 1)) * rng.uniform(0.5, 2.0, (n, 1))
    return (slope * t + 0.3 * rng.standard_normal((n, T))).astype(np.float32)


def as_data(values: np.ndarray, name: str) -> TimeSeriesData:
    ts = np.datetime64("2020-01-01T00:00", "ns") + np.arange(values.shape[1]) * np.timedelta64(1, "h")
    return TimeSeriesData(
        values.T.copy(), ts, tuple(f"s{i}" for i in range(values.shape[0])), freq="h", name=name
    )


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    corpus = np.concatenate([periodic(12, 1), trending(12, 2)])
    cache = tmp_path_factory.mktemp("cache")
    return build_knowledge_base(corpus_values=corpus, pool=POOL, settings=SETTINGS, real=(), cache=cache)


@pytest.fixture(scope="module")
def rec(kb) -> Recommender:
    return train_recommender(kb, RANKER)


def test_knowledge_base_rows_join_errors_and_properties(kb):
    table = kb.table
    assert kb.candidates == ["seasonal_naive", "naive"]
    # one row per (channel, scored test window), every candidate scored, properties attached
    assert not table.duplicated(["group", "channel", "window_start"]).any()
    assert table.groupby("channel").size().nunique() == 1
    assert np.isfinite(kb.errors().to_numpy()).all()
    for col in ("season_strength", "tau", "hurst", "trend_strength_bucket", "n_steps", "horizon"):
        assert col in table
    periodic_rows, trend_rows = table["channel"] < 12, table["channel"] >= 12
    err = kb.errors()
    assert err.loc[periodic_rows, "seasonal_naive"].mean() < 0.01 * err.loc[periodic_rows, "naive"].mean()
    assert err.loc[trend_rows, "naive"].mean() < 0.5 * err.loc[trend_rows, "seasonal_naive"].mean()
    # trends are visible in the properties
    assert (
        table.loc[trend_rows, "trend_strength"].mean()
        > 0.8
        > table.loc[periodic_rows, "trend_strength"].mean()
    )
    # stored and readable
    again = load_knowledge_base(kb.path)
    assert again.candidates == kb.candidates and len(again.table) == len(table)


def test_pattern_is_recommended(rec):
    r_season = recommend(as_data(periodic(4, 11), "new-periodic"), horizon=24, recommender=rec)
    r_trend = recommend(as_data(trending(4, 12), "new-trend"), horizon=24, recommender=rec)
    assert isinstance(r_season, Recommendation)
    assert r_season.best.name == "seasonal_naive"
    assert r_trend.best.name == "naive"
    assert r_season.ranking[1].expected_relative_error > 1.5
    assert r_trend.ranking[1].expected_relative_error > 1.5


def test_equal_seeds_give_equal_recommendations(kb, rec):
    data = as_data(np.concatenate([periodic(2, 5), trending(2, 6)]), "mixed")
    a = recommend(data, horizon=24, recommender=rec, seed=3)
    b = recommend(data, horizon=24, recommender=train_recommender(kb, RANKER), seed=3)
    assert [m.name for m in a.ranking] == [m.name for m in b.ranking]
    assert [m.score for m in a.ranking] == [m.score for m in b.ranking]
    assert a.features == pytest.approx(b.features, nan_ok=True)


def test_contributions_sum_to_the_score_and_name_real_features(rec):
    r = recommend(as_data(periodic(3, 21), "p"), horizon=24, recommender=rec)
    scores = rec.scores(r.features).iloc[0]
    for cand in rec.candidates:
        contrib, bias = rec.contributions(cand, r.features)
        assert set(contrib) == set(rec.feature_names)
        assert sum(contrib.values()) + bias == pytest.approx(float(scores[cand]), abs=1e-9)
        assert sum(group_contributions(contrib).values()) == pytest.approx(sum(contrib.values()), abs=1e-9)
    assert r.reasons, "the top choice should come with reasons"
    for reason in r.reasons:
        assert reason.group in PROPERTY_GROUPS
        assert reason.effect in ("favours", "works against")
        for name, _value, _c in reason.top_features:
            assert name in rec.feature_names and feature_group(name) == reason.group
    assert r.best.name in r.explanation
    assert r.best.expected_relative_error == pytest.approx(np.exp(r.best.score))


def test_lambdarank_mode_contributions_and_ranking(kb):
    rk = train_recommender(
        kb, RankerConfig(mode="lambdarank", corpus_groups=80, num_boost_round=40, min_data_in_leaf=3)
    )
    r = recommend(as_data(periodic(4, 31), "p"), horizon=24, recommender=rk)
    assert r.best.name == "seasonal_naive"
    contrib, bias = rk.contributions("naive", r.features)
    assert sum(contrib.values()) + bias == pytest.approx(
        -float(rk.scores(r.features).iloc[0]["naive"]), abs=1e-9
    )


def test_save_load_roundtrip(rec, tmp_path):
    rec.save(tmp_path / "rec")
    loaded = Recommender.load(tmp_path / "rec")
    r1 = recommend(as_data(trending(2, 41), "t"), horizon=24, recommender=rec)
    r2 = recommend(as_data(trending(2, 41), "t"), horizon=24, recommender=tmp_path / "rec")
    assert [m.score for m in r1.ranking] == pytest.approx([m.score for m in r2.ranking], abs=1e-12)
    assert loaded.candidates == rec.candidates
    json.dumps(r1.to_dict(), default=str)  # the typed result serialises


def test_bad_input_gets_clear_errors(rec, tmp_path):
    with pytest.raises(DataValidationError, match="too short"):
        recommend(as_data(periodic(2, 1)[:, :60], "short"), horizon=48, recommender=rec)
    allnan = np.full((2, T), np.nan, dtype=np.float32)
    with pytest.raises(DataValidationError, match="missing"):
        recommend(as_data(allnan, "empty"), horizon=24, recommender=rec)
    with pytest.raises(DataValidationError, match="numeric"):
        recommend(np.array([["a", "b"]] * 200), horizon=24, recommender=rec)
    csv = tmp_path / "text.csv"
    csv.write_text("ds,y\n" + "\n".join(f"2020-01-{1 + i % 28:02d},abc" for i in range(50)))
    with pytest.raises(TsforgeError):
        recommend(str(csv), horizon=4, recommender=rec)
    with pytest.raises(ConfigError):
        recommend(as_data(periodic(2, 1), "p"), horizon=0, recommender=rec)


def _periodic_csv(folder, seed: int):
    """Two hourly periodic channels as a wide CSV (``ds,a,b``) the CLI can read."""
    vals = periodic(2, seed)
    lines = ["ds,a,b"] + [
        f"{np.datetime64('2020-01-01T00:00') + np.timedelta64(i, 'h')},{vals[0, i]},{vals[1, i]}"
        for i in range(T)
    ]
    csv = folder / "p.csv"
    csv.write_text("\n".join(lines))
    return csv


def test_cli_recommend_json_and_error_exit(rec, tmp_path, monkeypatch, capsys):
    from recommender.ranker import recommender_dir
    from tsforge.cli.app import main

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path))
    rec.save(recommender_dir())
    csv = _periodic_csv(tmp_path, 51)
    main(["recommend", str(csv), "--horizon", "24", "--json", "--split", "7:1:2"])
    out = json.loads(capsys.readouterr().out)
    assert out["ranking"][0]["name"] == "seasonal_naive"
    assert out["horizon"] == 24 and out["reasons"]
    with pytest.raises(SystemExit) as exc:
        main(["recommend", str(csv), "--horizon", "5000", "--split", "7:1:2"])
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_ranking_numbers_agree_with_the_order_and_a_rule_is_said_in_words(kb, capsys):
    """When the best-on-average rule overrides the predicted best, the table keeps the predicted
    order (numbers ascending with rank) and the pick carries the rule in words."""
    import copy

    rk = copy.deepcopy(train_recommender(kb, RANKER))
    data = as_data(periodic(4, 41), "p")  # seasonal naive is predicted far better here
    plain = recommend(data, horizon=24, recommender=rk)
    assert plain.rule is None and plain.best.rank == 1
    rk.meta.setdefault("config", {})["anchor_margin"] = 100.0  # any gap is "within the margin"
    rk.meta["anchor"] = "naive"
    ruled = recommend(data, horizon=24, recommender=rk)
    errors = [m.expected_relative_error for m in ruled.ranking]
    assert errors == sorted(errors)
    assert [m.rank for m in ruled.ranking] == list(range(1, len(errors) + 1))
    assert ruled.best.name == "naive" and ruled.best.rank == 2 and ruled.best.recommended
    assert ruled.rule is not None and "naive" in ruled.rule and "seasonal_naive" in ruled.rule
    assert ruled.rule in ruled.explanation
    assert [m.name for m in ruled.top].count("naive") == 1
    from tsforge.cli.recommend import render_recommendation

    capsys.readouterr()
    render_recommendation(ruled, "p")
    printed = " ".join(capsys.readouterr().out.split())  # rich wraps lines
    assert printed.count(" ".join(ruled.rule.split())) == 1  # said once, not again under "why"


def test_first_use_builds_the_quick_recommender_and_says_so(tmp_path, monkeypatch, capsys):
    """No saved recommender: the first ``recommend`` builds the quick tier (fast candidates on a
    small corpus), marks it, and the CLI tells the user how to build the full one."""
    import recommender.api as api
    from tsforge.cli.app import main

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    from recommender.knowledge_base import default_pool

    keep = {"seasonal_naive", "naive", "mean"}  # the test's cheap pool: everything else is "slow"
    monkeypatch.setattr(api, "SLOW_CANDIDATES", frozenset(c.name for c in default_pool()) - keep)
    monkeypatch.setattr(api, "QUICK_CORPUS_SIZE", 6)
    built = api.default_recommender()
    assert built.meta["tier"] == "quick" and list(built.candidates) == ["seasonal_naive", "naive", "mean"]
    assert api.default_recommender(build_if_missing=False).meta["tier"] == "quick"  # saved, reused
    csv = _periodic_csv(tmp_path, 52)
    main(["recommend", str(csv), "--horizon", "24", "--split", "7:1:2"])
    assert "quick recommender" in capsys.readouterr().out


def test_the_quick_build_is_announced_once_and_only_for_data_it_will_rank(tmp_path, monkeypatch, capsys):
    """The first dataset-level ``recommend`` built the quick recommender under a progress bar
    alone: nothing said it happens once or that the time line's seconds were mostly the build.
    It is now announced before the build, after the data are checked (a refused file waits
    for nothing and hears nothing of it), and not again once saved."""
    import recommender.api as api
    from tests.conftest import run_cli

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    from recommender.knowledge_base import default_pool

    keep = {"seasonal_naive", "naive", "mean"}
    monkeypatch.setattr(api, "SLOW_CANDIDATES", frozenset(c.name for c in default_pool()) - keep)
    monkeypatch.setattr(api, "QUICK_CORPUS_SIZE", 6)
    csv = _periodic_csv(tmp_path, 52)
    code, _, err = run_cli(capsys, "recommend", str(csv), "--horizon", "5000", "--split", "7:1:2")
    assert code == 2 and "building the quick one" not in err, err
    assert not (api.recommender_dir() / "meta.json").exists()
    code, out, err = run_cli(capsys, "recommend", str(csv), "--horizon", "24", "--split", "7:1:2")
    assert code == 0, out + err
    assert " ".join(err.split()).count("note: no recommender is saved at") == 1, err
    code, out, err = run_cli(capsys, "recommend", str(csv), "--horizon", "24", "--split", "7:1:2")
    assert code == 0 and "no recommender is saved" not in err, err


def test_a_short_horizon_gets_an_input_long_enough_to_profile(rec):
    """Horizon 4 on a 160-step series: the default input (4 × H = 16) was shorter than the
    profile's 32-step windows, so ``/v1/recommend`` answered 422 to a series with plenty of
    history. The default input now rises to 32 where the data allows; an explicit short input
    is still refused, naming ``input_len``, and a history shorter than the profile's window too."""
    values = trending(1, 7)[:, :160]
    ts = np.datetime64("2020-01-01", "ns") + np.arange(160) * np.timedelta64(1, "D")  # daily: m = 7
    data = TimeSeriesData(values.T.copy(), ts, ("s0",), freq="D", name="d4")
    out = recommend(data, horizon=4, recommender=rec)
    assert out.input_len == 32 and out.horizon == 4
    with pytest.raises(DataValidationError) as exc:
        recommend(data, horizon=4, input_len=16, recommender=rec)
    assert exc.value.where["field"] == "input_len"
    # a default input too short to profile is profiled on the shortest window the data hold
    # (test_recommend_defaults.py); only a history shorter than that window is refused
    with pytest.raises(DataValidationError, match="has 31 steps, too short to recommend from"):
        recommend(as_data(trending(1, 7)[:, :31], "short"), horizon=1, recommender=rec)


def _next_commands(out: str) -> list[list[str]]:
    """The commands of the printed ``next:`` hint, as argument lists (``tsforge`` dropped)."""
    import shlex

    hint = " ".join(out.split()).split("next: ", 1)[1]
    return [shlex.split(part.strip())[1:] for part in hint.split(", or ")]


def test_recommend_next_commands_keep_the_split_and_run(rec, tmp_path, monkeypatch, capsys):
    """A file ranked with ``--split`` (long multichannel data): the printed next commands dropped
    the split, so they ran the per-series holdout protocol instead, and with ``--coords`` the
    printed ``tsforge train`` failed ("option(s) ['coords'] do not apply ... with a split")."""
    from recommender.ranker import recommender_dir
    from tests.conftest import run_cli

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path))
    rec.save(recommender_dir())
    csv = _periodic_csv(tmp_path, 53)
    coords = tmp_path / "stations.csv"
    coords.write_text("id,lat,lon\na,50.0,8.0\nb,51.0,9.0\n")
    code, out, err = run_cli(
        capsys, "recommend", str(csv), "--split", "6:2:2", "-H", "24", "--coords", str(coords)
    )
    assert code == 0, err[-2000:]
    again, train = _next_commands(out)
    assert again[again.index("--split") + 1] == "6:2:2" and again[-1] == "--train", again
    assert train[0] == "train" and train[train.index("--split") + 1] == "6:2:2", train
    assert train[train.index("--coords") + 1] == str(coords)
    code, out, err = run_cli(capsys, *train, "--no-track")
    assert code == 0, err[-2000:]


def test_recommend_train_uses_the_split_given(rec, tmp_path, monkeypatch, tracking_uri, capsys):
    """``--split 6:2:2 --train`` trained with ``params.split`` 7:1:2; a malformed split is refused
    before the ranking instead of ignored."""
    import mlflow

    from recommender.ranker import recommender_dir
    from tests.conftest import run_cli

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path))
    rec.save(recommender_dir())
    csv = _periodic_csv(tmp_path, 54)
    args = ("recommend", str(csv), "-H", "24", "--train", "--register-as", "rec-622", "--json")
    code, out, err = run_cli(capsys, *args, "--split", "6:2:2")
    assert code == 0, err[-2000:]
    run = mlflow.get_run(json.loads(out)["training"]["run_id"])
    assert run.data.params["split"] == "6:2:2"
    code, out, err = run_cli(capsys, "recommend", str(csv), "-H", "24", "--split", "6:2")
    assert code == 2 and "split must look like" in err and out == "", (out, err)


def test_recommend_checks_the_length_under_the_split_it_is_given(rec):
    """175 steps hold input 96 + horizon 12 in 7:1:2's training rows (122) but not in 6:2:2's
    (105): the split given decides, and the ranking itself does not depend on it."""
    from tests.conftest import make_series

    series = make_series(175, 2)
    ranked = recommend(series, horizon=12, input_len=96, recommender=rec, split="7:1:2", max_windows=8)
    assert ranked.ranking
    with pytest.raises(DataValidationError, match=r"split 6:2:2: its training part has 105 of the 175 steps"):
        recommend(series, horizon=12, input_len=96, recommender=rec, split="6:2:2", max_windows=8)
