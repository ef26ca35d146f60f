"""Per-series router: learns a known routing, explains exactly, weights sanely, saves and loads."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from recommender.per_series import SeriesRouter, select_weighting, softmax_weights
from recommender.series_explain import explain_series
from recommender.series_features import series_features
from recommender.series_recommendation import recommend_series
from tsforge.errors import ConfigError, DataValidationError


def test_the_router_sends_each_half_to_its_winner(halves_router, make_halves):
    panel = make_halves(40, seed=11, prefix="new-")  # another draw: series never seen in training
    rec = recommend_series(panel, 6, router=halves_router)
    seasonal = rec.per_series["unique_id"].str.contains("seas")
    picks = rec.per_series["pick"]
    assert (picks[seasonal] == "seasonal_naive").mean() >= 0.9
    assert (picks[~seasonal] == "naive").mean() >= 0.9
    assert rec.collection["pick_distribution"]["naive"] == pytest.approx((picks == "naive").mean())
    assert (rec.per_series["gain"] >= -1e-12).all()  # the pick is never expected worse than the best single


def test_the_knowledge_base_confirms_the_halves(halves_kb):
    """The synthetic task is what the router test assumes: each candidate wins its half."""
    for cases in halves_kb.values():
        kb = cases.kb()
        seasonal = pd.Series(kb.ids).str.contains("seas").to_numpy()
        wins = kb.errors["seasonal_naive"].to_numpy() < kb.errors["naive"].to_numpy()
        assert wins[seasonal].mean() > 0.95 and (~wins[~seasonal]).mean() > 0.95


def test_contributions_plus_bias_sum_to_the_score(halves_router, make_halves):
    feats = series_features(make_halves(10, seed=3), 6)
    rel = halves_router.relative(feats)
    for j, c in enumerate(halves_router.candidates):
        contrib, bias = halves_router.contributions(c, feats)
        np.testing.assert_allclose(contrib.sum(axis=1) + bias, rel[:, j], rtol=1e-9, atol=1e-9)
        ex = explain_series(c, contrib[0], float(bias[0]), feats.iloc[0].to_dict())
        assert ex.score == pytest.approx(rel[0, j], abs=1e-9)
        assert sum(ex.contributions.values()) + ex.bias == pytest.approx(rel[0, j], abs=1e-9)


def test_recommendation_explanations_sum_to_the_picks_score(halves_router, make_halves):
    panel = make_halves(12, seed=4)
    rec = recommend_series(panel, 6, router=halves_router)
    score = halves_router.scores(series_features(panel, 6))  # pooled towards the collection prior
    cands = list(halves_router.candidates)
    for i, ex in enumerate(rec.explanations):
        assert ex["candidate"] == rec.per_series["pick"].iloc[i]
        assert "collection" in ex["contributions"]  # the prior's share is its own group
        total = sum(ex["contributions"].values()) + ex["bias"]
        assert total == pytest.approx(score[i, cands.index(ex["candidate"])], abs=1e-9)
        assert ex["score"] == pytest.approx(total, abs=1e-12)
    seasonal = rec.per_series[rec.per_series["unique_id"].str.contains("seas")]
    assert seasonal["explanation"].str.contains("seasonal_naive").all()


def test_softmax_weights_keep_the_top_k_and_sum_to_one():
    rel = np.array([[0.3, -0.2, 0.1, 0.5], [0.0, 0.0, -1.0, 2.0]])
    w = softmax_weights(rel, 0.2, 2)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert (np.count_nonzero(w, axis=1) == 2).all()
    assert w[0, 1] > w[0, 2] > 0 and w[0, 0] == 0 and w[0, 3] == 0
    pick = softmax_weights(rel, 1.0, 1)
    np.testing.assert_array_equal(pick.argmax(axis=1), rel.argmin(axis=1))
    np.testing.assert_array_equal(pick.max(axis=1), [1.0, 1.0])


def test_restricting_candidates_never_picks_an_unavailable_one(halves_router, make_halves):
    feats = series_features(make_halves(10, seed=6), 6)
    only = halves_router.pick(feats, available=["naive"])
    assert {halves_router.candidates[j] for j in only} == {"naive"}
    w = halves_router.weights(feats, available=["naive"])
    assert (w[:, halves_router.candidates.index("seasonal_naive")] == 0).all()
    with pytest.raises(ConfigError, match="candidates"):
        halves_router.pick(feats, available=["auto_ets"])


def test_router_round_trips_through_its_folder(halves_router, tmp_path, make_halves):
    feats = series_features(make_halves(10, seed=8), 6)
    halves_router.save(tmp_path / "router")
    loaded = SeriesRouter.load(tmp_path / "router")
    assert loaded.candidates == halves_router.candidates
    np.testing.assert_allclose(loaded.relative(feats), halves_router.relative(feats))
    np.testing.assert_allclose(loaded.expected_mase(feats), halves_router.expected_mase(feats))


def test_weighting_is_chosen_on_knowledge_base_windows_only(halves_kb):
    kb = {k: v.kb() for k, v in halves_kb.items()}
    from recommender.per_series import RouterConfig

    config, info = select_weighting(
        kb, ("naive", "seasonal_naive"), {}, RouterConfig(n_estimators=30, min_child_samples=10, n_threads=1),
        grid=[(0.1, 2, 0.5), (1.0, 1, 0.0)],
    )  # fmt: skip
    assert (config.temperature, config.top_k, config.shrink) in [(0.1, 2, 0.5), (1.0, 1, 0.0)]
    assert set(info["held_out"]) == set(halves_kb)
    assert all(np.isfinite(v) for v in info["mean_ratio_to_best_single"].values())


def test_cached_inner_routers_are_reused_and_change_nothing(halves_kb, monkeypatch) -> None:
    """A second selection over the same collections (another prior source) trains no router and
    chooses what an uncached selection chooses."""
    import recommender.per_series as ps

    kb = {k: v.kb() for k, v in halves_kb.items()}
    config = ps.RouterConfig(n_estimators=30, min_child_samples=10, n_threads=1)
    grid = [(0.1, 2, 0.5), (1.0, 1, 0.0), (0.4, 5, 1.0)]
    args: tuple[Any, ...] = (kb, ("naive", "seasonal_naive"), {}, config)
    plain, plain_info = select_weighting(*args, grid=grid, prior_source="validation")
    cache: dict = {}
    select_weighting(*args, grid=grid, routers=cache)
    assert set(cache) == {(k, False) for k in kb}
    trained: list[int] = []
    real = ps.train_router

    def counting_train_router(*a: Any, **k: Any) -> Any:
        trained.append(1)
        return real(*a, **k)

    monkeypatch.setattr(ps, "train_router", counting_train_router)
    cached, cached_info = select_weighting(*args, grid=grid, prior_source="validation", routers=cache)
    assert not trained
    assert cached == plain
    assert cached_info["mean_ratio_to_best_single"] == plain_info["mean_ratio_to_best_single"]


def test_pooling_blends_each_series_with_the_collection_prior(halves_router, make_halves):
    feats = series_features(make_halves(10, seed=12), 6)
    rel = halves_router.relative(feats)
    np.testing.assert_allclose(halves_router.scores(feats, shrink=0.0), rel)
    pooled = halves_router.scores(feats, shrink=1.0)
    np.testing.assert_allclose(pooled, np.repeat(rel.mean(axis=0, keepdims=True), len(rel), axis=0))
    prior = np.array([0.3, -0.3])
    np.testing.assert_allclose(
        halves_router.scores(feats, prior=prior, shrink=0.25), 0.75 * rel + 0.25 * prior
    )
    # with full pooling every series gets the collection's choice
    assert len(set(halves_router.pick(feats, shrink=1.0).tolist())) == 1


def test_validation_prior_ranks_candidates_by_their_observed_mean_error():
    from recommender.per_series import validation_prior

    errors = np.array([[1.0, 2.0, np.nan], [1.0, 4.0, np.inf], [1.0, 2.0, 3.0]])
    prior = validation_prior(errors)
    assert prior.shape == (3,) and abs(prior.sum()) < 1e-12
    assert prior[0] < prior[1] <= prior[2]  # a candidate with an unusable error is never favoured
    np.testing.assert_allclose(prior[1] - prior[0], np.log(8 / 3))


def test_validation_prior_with_a_same_phase_window_averages_the_two_windows():
    """Where the season is longer than the horizon the served prior also weighs the forecast
    window's phase one season earlier: a candidate best on the validation window but poor on the
    same-phase window loses its lead (electricity weekly's December test window)."""
    from recommender.per_series import validation_prior

    val = np.array([[1.0, 1.2], [1.0, 1.2]])  # the season-blind candidate 0 leads on validation
    phase = np.array([[3.0, 1.0], [3.0, 1.0], [3.0, 1.0]])  # and fails at the test window's phase
    prior = validation_prior(val, same_phase=phase)
    np.testing.assert_allclose(prior, (validation_prior(val) + validation_prior(phase)) / 2)
    assert validation_prior(val)[0] < validation_prior(val)[1] and prior[1] < prior[0]
    # the mean of the two logs: the geometric mean of the two windows' mean errors
    np.testing.assert_allclose(prior[1] - prior[0], np.log(np.sqrt(1.2 * 1.0) / np.sqrt(1.0 * 3.0)))


def test_default_router_is_rebuilt_when_trained_on_other_collections(
    halves_router, tmp_path, monkeypatch, no_shipped_router
):
    """A default router that an earlier release built on other development collections is
    rebuilt; one built on today's collections, or saved there by hand (no knowledge-base
    settings in its meta), is loaded as it is."""
    from dataclasses import replace

    import recommender.series_recommendation as sr
    from recommender.series_kb import DEV_COLLECTIONS

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path))
    built = []
    monkeypatch.setattr(sr, "build_default_router", lambda **kw: built.append(kw) or "rebuilt")
    # what the CLI announces before a build (the note) follows the same rule as the build itself
    assert "no per-series recommender is saved" in sr.default_router_pending()
    with pytest.raises(DataValidationError, match="recommender build --per-series"):
        sr.default_router(build_if_missing=False)
    replace(halves_router).save(sr.router_dir())  # saved by hand, trained on the synthetic halves
    assert sr.default_router_pending() is None
    assert sr.default_router().candidates == halves_router.candidates and not built
    stale = replace(halves_router, meta={"collections": {"m1_yearly": 1, "hospital": 1}, "kb_settings": {}})
    stale.save(sr.router_dir())
    assert "earlier release's collections" in sr.default_router_pending()
    assert sr.default_router(build_if_missing=False).candidates == halves_router.candidates
    assert not built
    assert sr.default_router() == "rebuilt" and len(built) == 1
    current = replace(stale, meta={"collections": {name: 1 for name in DEV_COLLECTIONS}, "kb_settings": {}})
    current.save(sr.router_dir())
    assert sr.default_router_pending() is None
    assert isinstance(sr.default_router(), SeriesRouter) and len(built) == 1


def test_expected_scale_is_the_median_held_out_ratio_of_observed_to_expected_mase(halves_kb):
    """The scale comes from collections the inner router did not learn from: on each held-out
    collection, the pick's mean observed MASE over its mean raw expected MASE."""
    from recommender.per_series import RouterConfig, train_router

    kb = {k: v.kb() for k, v in halves_kb.items()}
    cands = ("naive", "seasonal_naive")
    config = RouterConfig(n_estimators=30, min_child_samples=10, n_threads=1)
    chosen, info = select_weighting(kb, cands, {}, config, grid=[(1.0, 1, 0.0)])
    ratios = info["observed_over_expected_mase"]
    assert set(ratios) == set(kb)
    for held, cases in kb.items():
        other = pd.concat([c.kb_rows() for k, c in halves_kb.items() if k != held], ignore_index=True)
        router = train_router(other, cands, {}, config)
        rel = router.relative(cases.features)
        pick = rel.argmin(axis=1)  # shrink 0: the series' own scores
        rows = np.arange(len(pick))
        raw = router.raw_expected_mase(cases.features, rel)[rows, pick]
        observed = cases.errors[list(cands)].to_numpy()[rows, pick]
        assert ratios[held] == pytest.approx(observed.mean() / raw.mean(), rel=1e-9)
    assert chosen.expected_scale == pytest.approx(np.median(list(ratios.values())))
    assert info["selected"]["expected_scale"] == chosen.expected_scale


def test_expected_scale_rescales_the_reported_error_but_not_the_choice(halves_router, make_halves):
    from dataclasses import replace

    panel = make_halves(12, seed=5)
    scaled = replace(halves_router, config=halves_router.config.with_selection({"expected_scale": 1.5}))
    assert scaled.config.temperature == halves_router.config.temperature  # other fields kept
    plain, rescaled = (
        recommend_series(panel, 6, router=halves_router),
        recommend_series(panel, 6, router=scaled),
    )
    pd.testing.assert_series_equal(plain.per_series["pick"], rescaled.per_series["pick"])
    np.testing.assert_allclose(rescaled.per_series["expected_mase"], 1.5 * plain.per_series["expected_mase"])
    np.testing.assert_allclose(rescaled.per_series["gain"], plain.per_series["gain"])
    np.testing.assert_allclose(rescaled.weights.to_numpy(), plain.weights.to_numpy())


def test_a_router_saved_before_the_expected_scale_loads_unscaled(halves_router, tmp_path, make_halves):
    import json

    folder = halves_router.save(tmp_path / "router")
    meta = json.loads((folder / "router.json").read_text())
    del meta["config"]["expected_scale"]
    (folder / "router.json").write_text(json.dumps(meta))
    old = SeriesRouter.load(folder)
    feats = series_features(make_halves(6, seed=9), 6)
    assert old.config.expected_scale == 1.0
    np.testing.assert_allclose(old.expected_mase(feats), old.raw_expected_mase(feats))


def test_no_build_is_announced_without_the_development_collections(
    tmp_path, monkeypatch, capsys, no_shipped_router
):
    """Without the development collections' files (an installed package, a clone without
    ``../shared``) the default router cannot be built: refused at once, naming the missing
    collections and ``TSFORGE_DATA_DIR``, before the 15–25 minute build was announced and
    before any collection was cross-validated."""
    import recommender.series_recommendation as sr
    from recommender.series_kb import DEV_COLLECTIONS
    from tests.conftest import monthly_frame, run_cli
    from tsforge.errors import DatasetNotAvailableError

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(tmp_path / "no-data-here"))
    started = []
    monkeypatch.setattr(sr, "build_series_kb", lambda *a, **k: started.append(a))
    with pytest.raises(DatasetNotAvailableError, match="TSFORGE_DATA_DIR") as err:
        sr.default_router_pending()
    assert all(name in err.value.message for name in DEV_COLLECTIONS)
    with pytest.raises(DatasetNotAvailableError, match=f"{len(DEV_COLLECTIONS)} are not available"):
        sr.build_default_router()
    assert not started

    data = tmp_path / "mine.csv"
    monthly_frame().to_csv(data, index=False)
    code, out, err_text = run_cli(capsys, "recommend", str(data), "--horizon", "6", "--per-series")
    assert code == 2 and not started
    assert "TSFORGE_DATA_DIR" in err_text and "building it once" not in out + err_text
