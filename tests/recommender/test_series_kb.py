"""Per-series knowledge base: rows read only their input window, errors only the window after it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.series_features import SERIES_FEATURES, profile_length, series_features
from recommender.series_kb import SeriesKBSettings, collection_cases
from tsforge.data.panel import Panel

H = 6
HALVES_CANDIDATES = ("naive", "seasonal_naive")
SETTINGS = SeriesKBSettings(n_windows=2, base=HALVES_CANDIDATES, combinations=(("mean", HALVES_CANDIDATES),))


def _with_future_scrambled(panel: Panel, keep: np.ndarray) -> Panel:
    """The panel with every value after position ``keep[i]`` of series ``i`` replaced by noise."""
    rng = np.random.default_rng(9)
    arrays = []
    for i in range(len(panel)):
        y = panel.series(i).copy()
        y[keep[i] :] = rng.normal(1e3, 50, y.size - keep[i])
        arrays.append(y)
    return Panel.from_arrays(arrays, ids=panel.ids, starts=panel.starts, freq=panel.freq, name=panel.name)


@pytest.fixture(scope="module")
def cases(make_halves):
    return collection_cases(make_halves(16, seed=5), SETTINGS, horizon=H, n_jobs=1, cache=False)


def test_rows_cover_every_window_before_the_test_window_and_never_the_test_window(cases, make_halves):
    panel = make_halves(16, seed=5)
    rows = cases.kb_rows()
    assert set(rows["window"]) == {0, 1} and cases.test_window == 2
    assert len(rows) == 2 * len(panel)
    length = pd.Series(panel.lengths, index=panel.ids.astype(str))
    # a knowledge-base row's target window ends before the series' official test window starts
    assert (rows["cutoff_length"] + H <= rows["unique_id"].map(length) - H).all()
    assert {f"err_{c}" for c in ("naive", "seasonal_naive", "mean")} <= set(rows.columns)
    assert set(SERIES_FEATURES) <= set(rows.columns)


def test_features_come_from_the_input_window_only(cases, make_halves):
    panel = make_halves(16, seed=5)
    kb = cases.kb()
    for j in (0, 5, 17, 30):
        sid = int(np.flatnonzero(panel.ids == kb.ids[j])[0])
        cut = int(kb.history.lengths[j])
        np.testing.assert_array_equal(kb.history.series(j), panel.series(sid)[:cut])
        alone = series_features(panel.take([sid]).head_cut(int(panel.lengths[sid]) - cut), H)
        pd.testing.assert_frame_equal(
            alone.reset_index(drop=True), kb.features.iloc[[j]].reset_index(drop=True)
        )
    # scrambling every value after the earliest cutoff changes no feature of the first window
    first = cases.subset(cases.window == 0)
    keep = np.asarray(first.history.lengths)
    scrambled = _with_future_scrambled(panel, keep)
    again = collection_cases(scrambled, SETTINGS, horizon=H, n_jobs=1, cache=False).subset(cases.window == 0)
    pd.testing.assert_frame_equal(again.features, first.features)
    assert not np.allclose(again.errors.to_numpy(), first.errors.to_numpy())  # errors read the future


def test_errors_are_the_mase_of_the_window_after_the_cutoff(cases, make_halves):
    panel = make_halves(16, seed=5)
    kb = cases.kb()
    for j in (2, 11, 20):
        sid = int(np.flatnonzero(panel.ids == kb.ids[j])[0])
        cut = int(kb.history.lengths[j])
        y_all = panel.series(sid)
        hist, future = y_all[:cut], y_all[cut : cut + H]
        np.testing.assert_allclose(kb.y[j], future)
        scale = np.mean(np.abs(hist[12:] - hist[:-12]))
        naive = np.mean(np.abs(future - hist[-1])) / scale
        snaive = np.mean(np.abs(future - hist[cut - 12 : cut - 12 + H])) / scale
        assert kb.errors["naive"].iloc[j] == pytest.approx(naive, rel=1e-9)
        assert kb.errors["seasonal_naive"].iloc[j] == pytest.approx(snaive, rel=1e-9)
        mean = np.mean(np.abs(future - 0.5 * (hist[-1] + hist[cut - 12 : cut - 12 + H]))) / scale
        assert kb.errors["mean"].iloc[j] == pytest.approx(mean, rel=1e-9)


def test_short_series_are_profiled_on_the_ladder_rung_below_their_length():
    assert profile_length(np.array([5, 12, 15, 30, 70, 500])).tolist() == [0, 12, 12, 24, 64, 96]
    panel = Panel.from_arrays([np.arange(8.0), np.sin(np.arange(40.0))], ids=["a", "b"], freq="MS")
    f = series_features(panel, 6)
    assert np.isnan(f.loc["a", "season_strength"]) and f.loc["a", "profile_length"] == 0
    assert f.loc["b", "profile_length"] == 32 and np.isfinite(f.loc["b", "season_strength"])


def test_the_cache_reuses_cross_validation_forecasts(tmp_path, make_halves):
    panel = make_halves(8, seed=7)
    first = collection_cases(panel, SETTINGS, horizon=H, n_jobs=1, cache=tmp_path)
    files = sorted(p.name for p in (tmp_path / "series_kb").glob("*.parquet"))
    assert len(files) == 2  # one per fitted candidate
    again = collection_cases(panel, SETTINGS, horizon=H, n_jobs=1, cache=tmp_path)
    pd.testing.assert_frame_equal(first.errors, again.errors)
    changed = SeriesKBSettings(n_windows=1, base=HALVES_CANDIDATES, combinations=())
    collection_cases(panel, changed, horizon=H, n_jobs=1, cache=tmp_path)
    assert len(list((tmp_path / "series_kb").glob("*.parquet"))) == 4  # other settings, other keys


def test_a_local_model_whose_forecasts_changed_gets_a_new_cache_key(make_halves, monkeypatch):
    """A cached cross-validation of a local model is not served after its forecasts change:
    raising its ``revision`` changes its key, and no other model's."""
    import dataclasses

    from recommender import series_kb
    from tsforge.models.statistical import LOCAL_MODELS

    panel = make_halves(8, seed=7)
    before = {m: series_kb._model_key(panel, H, m, SETTINGS) for m in ("naive", "seasonal_naive")}
    bumped = dataclasses.replace(LOCAL_MODELS["naive"], revision=LOCAL_MODELS["naive"].revision + 1)
    monkeypatch.setitem(LOCAL_MODELS, "naive", bumped)
    after = {m: series_kb._model_key(panel, H, m, SETTINGS) for m in ("naive", "seasonal_naive")}
    assert after["naive"] != before["naive"]
    assert after["seasonal_naive"] == before["seasonal_naive"]


def test_a_collection_given_as_a_file_is_named_and_cached_by_its_stem(tmp_path, make_halves):
    """A held-out collection passed as a path: reported under the file's stem and cached under
    the cache folder, never next to the data (a path used as the key wrote the cache there)."""
    data = tmp_path / "data" / "shop_sales.csv"
    data.parent.mkdir()
    make_halves(8, seed=11).to_long().to_csv(data, index=False)
    cases = collection_cases(str(data), SETTINGS, horizon=H, n_jobs=1, cache=tmp_path / "cache")
    assert cases.name == "shop_sales"
    cached = sorted(p.name for p in (tmp_path / "cache" / "series_kb").glob("*.parquet"))
    assert [name.split("__")[:2] for name in cached] == [["shop_sales", m] for m in sorted(HALVES_CANDIDATES)]
    assert sorted(p.name for p in data.parent.iterdir()) == ["shop_sales.csv"]


def test_same_phase_cases_are_the_test_window_one_season_earlier(make_halves):
    """The window a trained routed model also pools towards where the season is longer than the
    horizon: values ``[L − H − m, L − m)`` of every series, forecast from the values before them
    only (seasonal naive repeats the season before the window); none where ``m ≤ H``."""
    from recommender.series_kb import build_series_kb, same_phase_cases
    from tsforge.errors import ConfigError

    panel = make_halves(8, seed=3)
    m = int(panel.season_length)
    assert m > H
    phase = same_phase_cases(panel, SETTINGS, horizon=H, n_jobs=1, cache=False)
    assert phase is not None and phase.kb_rows().empty  # the one window is its test window
    test = phase.test()
    assert list(test.ids) == list(panel.ids)
    for i in range(len(panel)):
        y = panel.series(i)
        end = y.size - m
        np.testing.assert_array_equal(test.y[i], y[end - H : end])
        np.testing.assert_array_equal(test.history.series(i), y[: end - H])
        np.testing.assert_array_equal(test.forecasts["seasonal_naive"][i], y[end - H - m : end - m])
    assert same_phase_cases(panel, SETTINGS, horizon=m, n_jobs=1, cache=False) is None
    with pytest.raises(ConfigError, match="n_windows"):
        build_series_kb([panel], SeriesKBSettings(n_windows=0, base=HALVES_CANDIDATES, combinations=()))
