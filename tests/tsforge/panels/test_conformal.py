"""Conformal intervals: coverage on series with known noise, monotone quantiles, no leakage,
persistence, and the per-series / pooled rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import ConfigError
from tsforge.inference import IntervalRequest, SeriesInput
from tsforge.panels.calibrate import (
    calibrate_panel,
    calibration_windows,
    conformal_cv,
    global_calibration_windows,
)
from tsforge.panels.conformal import ConformalCalibration
from tsforge.panels.cv import cross_validation
from tsforge.panels.local_scale import history_scales, trailing_scale
from tsforge.panels.predictor import PanelPredictor, load_predictor_dir
from tsforge.pipeline import TrackingOptions
from tsforge.pipeline.panel import train_panel


def _random_walks(n: int, length: int, seed: int) -> tuple[Panel, np.ndarray]:
    """Random walks with a different, known step s.d. per series (heteroscedastic panel)."""
    rng = np.random.default_rng(seed)
    sigma = rng.uniform(0.5, 5.0, n)
    values = 100 + np.cumsum(rng.normal(size=(n, length)) * sigma[:, None], axis=1)
    return Panel.from_arrays(list(values), season_length=1, name="walks"), sigma


def test_coverage_matches_nominal_on_random_walks_with_known_noise():
    """Naive on random walks: the h-step error is N(0, h σ²) with σ different per series. Over
    1,000 held-out windows the conformal intervals cover within sampling error of nominal,
    and their width is close to the oracle's (the true Gaussian quantiles)."""
    panel, sigma = _random_walks(1000, 60, seed=1)
    h = 4
    history = panel.head_cut(h)
    test = panel.tail(h)
    cal = calibrate_panel(history, "naive", h)["naive"]
    assert cal.info["windows"] == calibration_windows(history, h) == 1  # 1,000 series: one window
    request = IntervalRequest((80.0, 95.0))
    point = np.repeat(history.tail(1), h, axis=1)
    q = cal.quantiles(point, [history.series(i) for i in range(len(history))], history.ids, request.probs)
    bounds = request.bounds(q)
    steps = np.sqrt(np.arange(1, h + 1))[None, :]
    for level, z in ((80, 1.2816), (95, 1.9600)):
        lo, hi = bounds[f"lo-{level}"], bounds[f"hi-{level}"]
        cover = ((test >= lo) & (test <= hi)).mean()
        # steps of one series share their path: count series, not points, for the standard error
        se = np.sqrt(level / 100 * (1 - level / 100) / len(panel))
        assert abs(cover - level / 100) < 4 * se, (level, cover)
        oracle = 2 * z * sigma[:, None] * steps
        ratio = np.median((hi - lo) / oracle)
        assert 0.8 < ratio < 1.35, (level, ratio)


def test_quantiles_are_monotone_and_intervals_contain_the_median():
    rng = np.random.default_rng(0)
    scores = rng.standard_t(3, size=(40, 6)) + rng.normal(size=(40, 1))  # skewed-ish, few cases
    cal = ConformalCalibration.from_scores(
        scores, [f"s{i % 4}" for i in range(40)], season_length=1, scale_window=8
    )
    predictor = PanelPredictor("naive", 6, freq=None, season_length=1, calibration=cal)
    series = [SeriesInput(f"s{i}", rng.normal(size=30).cumsum()) for i in range(5)]
    levels = [10, 50, 80, 90, 95, 99]
    qs = [0.01, 0.05, 0.2, 0.5, 0.7, 0.95, 0.99]
    for method in ("conformal", "native"):
        predictor.method = method
        for f in predictor.predict_series(series, level=levels, quantiles=qs):
            q = np.stack([f.bounds[f"q-{x:g}"] for x in qs])
            assert (np.diff(q, axis=0) >= -1e-12).all(), method
            median = f.bounds["q-0.5"]
            for a, b in zip(levels, levels[1:], strict=False):  # nested: wider levels contain narrower
                assert (f.bounds[f"lo-{b}"] <= f.bounds[f"lo-{a}"] + 1e-12).all()
                assert (f.bounds[f"hi-{b}"] >= f.bounds[f"hi-{a}"] - 1e-12).all()
            for lv in levels:
                assert (f.bounds[f"lo-{lv}"] <= median + 1e-12).all() and (
                    median <= f.bounds[f"hi-{lv}"] + 1e-12
                ).all()


def test_per_series_scores_only_where_they_resolve_the_level():
    """A series with 20 windows uses its own scores for an 80 % interval (needs 9) but the
    pooled ones for 95 % (needs 39)."""
    own = np.full((20, 1), 10.0)  # series "a": all errors exactly 10 scales
    other = np.linspace(-1, 1, 200)[:, None]
    cal = ConformalCalibration.from_scores(
        np.vstack([own, other]), ["a"] * 20 + ["b"] * 200, season_length=1, scale_window=4
    )
    assert list(cal.own_ids) == ["a", "b"]
    scale = np.ones(1)
    p80 = IntervalRequest((80.0,)).probs
    assert np.allclose(cal.quantiles_from_scale(np.zeros((1, 1)), scale, ["a"], p80), 10.0)
    p95 = IntervalRequest((95.0,)).probs
    pooled = cal.quantiles_from_scale(np.zeros((1, 1)), scale, ["a"], p95)
    assert pooled[0, 0, 0] < 0  # lower bound from the pooled scores (a's own are all 10)


def test_trailing_scale_uses_the_last_window_and_falls_back_when_flat():
    v = np.r_[np.arange(10.0) * 5, np.arange(10.0)]  # steep, then slope 1
    assert trailing_scale(v, np.array([0]), np.array([20]), 1, 5)[0] == pytest.approx(1.0)
    assert history_scales([np.zeros(5)], 1, 4)[0] == 1.0  # all zero: unit scale, not a point interval
    assert history_scales([np.zeros(5)], 1, 4, zero_scale=0.25)[0] == 0.25  # ... or the panel's
    flat_end = np.r_[0.0, 3.0, 6.0, 6.0, 6.0, 6.0]
    assert history_scales([flat_end], 1, 3)[0] == pytest.approx(6 / 5)  # whole-history lag-1 fallback


def test_trailing_scale_floor_is_a_fraction_of_the_whole_historys_scale():
    """A series nearly flat before the origin keeps at least ``floor_fraction`` of its usual change."""
    v = np.r_[np.arange(10.0) * 4, np.full(10, 36.0) + np.arange(10) * 0.01]  # steps of 4, then 0.01
    starts, ends = np.array([0]), np.array([20])
    local = trailing_scale(v, starts, ends, 1, 5)[0]
    whole = trailing_scale(v, starts, ends, 1, 10**9)[0]
    assert local == pytest.approx(0.01) and whole == pytest.approx((9 * 4 + 0 + 9 * 0.01) / 19)
    assert trailing_scale(v, starts, ends, 1, 5, floor_fraction=0.5)[0] == pytest.approx(0.5 * whole)
    steep = np.arange(20.0) * 4  # the local scale above the floor is kept
    assert trailing_scale(steep, starts, ends, 1, 5, floor_fraction=0.5)[0] == pytest.approx(4.0)
    assert history_scales([v], 1, 5, floor_fraction=0.25)[0] == pytest.approx(0.25 * whole)


def test_no_leakage_conformal_cv_window_ignores_its_own_and_later_targets():
    panel, _ = _random_walks(60, 50, seed=2)
    h = 5
    cv = cross_validation(panel, ["naive"], h, n_windows=4, progress=False)
    out = conformal_cv(cv, panel, ["naive"], h, level=[80])
    first = cv.groupby("unique_id").head(h).index  # every series' first window: nothing before it
    assert out.loc[first, "naive-lo-80"].isna().all()
    # change every target of the last window: its bounds must not move (earlier windows only)
    last = cv.groupby("unique_id").tail(h).index
    moved = cv.copy()
    moved.loc[last, "y"] = moved.loc[last, "y"] + 1e3
    out2 = conformal_cv(moved, panel, ["naive"], h, level=[80])
    np.testing.assert_allclose(out2.loc[last, "naive-hi-80"], out.loc[last, "naive-hi-80"])


def test_no_leakage_train_panel_calibrates_on_the_history_only():
    """Two panels that differ only in their test windows get identical calibrations."""
    panel, _ = _random_walks(40, 40, seed=3)
    h = 4
    values = panel.values.copy()
    last = panel.indptr[1:, None] - h + np.arange(h)[None, :]
    values[last.ravel()] += 500.0
    changed = Panel(panel.ids, panel.indptr, values, season_length=1, name="walks")
    opts = TrackingOptions(track=False, progress=False)
    a = train_panel(panel, "naive", horizon=h, tracking=opts).predictor.calibration
    b = train_panel(changed, "naive", horizon=h, tracking=opts).predictor.calibration
    np.testing.assert_array_equal(a.pooled, b.pooled)
    np.testing.assert_array_equal(a.pooled_n, b.pooled_n)


def test_train_panel_scores_and_stores_intervals_and_a_saved_model_returns_them(tmp_path):
    panel, _ = _random_walks(120, 40, seed=4)
    out = train_panel(panel, "naive", horizon=4, tracking=TrackingOptions(track=False, progress=False))
    for key in ("test_coverage_80", "test_coverage_95", "test_msis_80", "test_width_95", "test_wql"):
        assert np.isfinite(out.metrics[key]), key
    assert out.metrics["test_coverage_80"] <= out.metrics["test_coverage_95"]
    assert {"naive-lo-80", "naive-hi-95"} <= set(out.forecasts.columns)
    history = pd.DataFrame({"unique_id": "x", "y": panel.series(0)})
    expected = out.predictor.predict_frame(history, level=[80, 95], quantiles=[0.1, 0.9])
    out.predictor.save(tmp_path / "bundle")
    loaded = load_predictor_dir(tmp_path / "bundle")
    assert loaded.interval_method == "conformal"
    got = loaded.predict_frame(history, level=[80, 95], quantiles=[0.1, 0.9])
    assert list(got.columns[-6:]) == [
        "y_hat-lo-80", "y_hat-hi-80", "y_hat-lo-95", "y_hat-hi-95", "y_hat-q-0.1", "y_hat-q-0.9",
    ]  # fmt: skip
    pd.testing.assert_frame_equal(got, expected, rtol=1e-6)


def test_bad_levels_and_quantiles_name_the_field():
    predictor = PanelPredictor("naive", 3, freq=None, season_length=1)
    series = [SeriesInput("a", np.arange(10.0))]
    for level in (0, 100, 150, "x", True):
        with pytest.raises(ConfigError) as err:
            predictor.predict_series(series, level=[level])
        assert err.value.to_dict()["field"] == "level"
    with pytest.raises(ConfigError) as err:
        predictor.predict_series(series, quantiles=[1.0])
    assert err.value.to_dict()["field"] == "quantiles"
    glob = PanelPredictor("croston", 3, freq=None, season_length=1)  # no level support, no calibration
    with pytest.raises(ConfigError, match="neither"):
        glob.predict_series(series, level=[80])


def test_calibration_round_trips_through_its_file(tmp_path):
    rng = np.random.default_rng(5)
    cal = ConformalCalibration.from_scores(
        rng.normal(size=(700, 3)), [f"s{i % 50}" for i in range(700)], season_length=7, scale_window=14
    )
    cal.save(tmp_path)
    back = ConformalCalibration.load(tmp_path)
    assert back is not None and back.horizon == 3 and back.scale_window == 14
    probs = IntervalRequest((80.0, 95.0), (0.3,)).probs
    hist = [rng.normal(size=30) for _ in range(3)]
    np.testing.assert_allclose(
        back.quantiles(np.zeros((3, 3)), hist, ["s1", "zz", "s2"], probs),
        cal.quantiles(np.zeros((3, 3)), hist, ["s1", "zz", "s2"], probs),
        rtol=1e-5,
    )
    assert ConformalCalibration.load(tmp_path / "nothing") is None


def _drop_header_key(folder, key: str) -> None:
    """Rewrite the saved calibration as a bundle from before ``key`` existed: the same file, no key."""
    import json

    with np.load(folder / "calibration.npz") as z:
        arrays = {k: z[k] for k in z.files}
    header = json.loads(str(arrays["header"]))
    del header[key]
    arrays["header"] = np.array(json.dumps(header))
    np.savez_compressed(folder / "calibration.npz", **arrays)


def test_the_scale_floor_widens_a_series_flat_before_the_origin_and_is_kept_in_the_file(tmp_path):
    """A series that moved by 4 a step and then stood still: without the floor its interval
    shrinks to the flat stretch's 0.01; with it, a quarter of the whole history's change. A
    bundle saved before the floor existed (no ``scale_floor`` in its header) keeps none."""

    rng = np.random.default_rng(6)
    scores, ids = rng.normal(size=(300, 2)), [f"s{i % 100}" for i in range(300)]
    plain = ConformalCalibration.from_scores(scores, ids, season_length=1, scale_window=5)
    floored = ConformalCalibration.from_scores(scores, ids, season_length=1, scale_window=5, scale_floor=0.25)
    hist = [np.r_[np.arange(10.0) * 4, np.full(10, 36.0) + np.arange(10) * 0.01]]
    probs = IntervalRequest((80.0,)).probs
    width = lambda cal: np.ptp(cal.quantiles(np.zeros((1, 2)), hist, ["new"], probs)[0, 0])  # noqa: E731
    whole = (9 * 4 + 9 * 0.01) / 19
    assert width(floored) / width(plain) == pytest.approx(0.25 * whole / 0.01)
    floored.save(tmp_path)
    back = ConformalCalibration.load(tmp_path)
    assert back.scale_floor == 0.25 and width(back) == pytest.approx(width(floored), rel=1e-5)
    _drop_header_key(tmp_path, "scale_floor")
    assert ConformalCalibration.load(tmp_path).scale_floor == 0.0


def test_panel_calibrations_scale_by_the_whole_history():
    """A panel's scale is every value before the origin (``benchmarks/coverage_spread.py``): two
    histories with the same changes in another order get the same band, however calm or volatile
    their last values; under the two-horizon window the calm end gave the narrower band."""
    from tsforge.panels.calibrate import calibrate_forecasts
    from tsforge.panels.local_scale import PANEL_SCALE_WINDOW

    panel, _ = _random_walks(40, 30, seed=4)
    errors = np.random.default_rng(5).normal(size=(40, 3))
    cal = calibrate_forecasts(panel, errors, np.zeros((40, 3)))
    assert cal.scale_window == PANEL_SCALE_WINDOW and cal.scale_floor == 0.0
    steps = np.r_[np.full(30, 3.0), np.full(20, 0.1)]  # volatile, then calm
    calm_end, volatile_end = np.r_[0.0, np.cumsum(steps)], np.r_[0.0, np.cumsum(steps[::-1])]
    probs = IntervalRequest((80.0,)).probs
    bands = cal.quantiles(np.zeros((2, 3)), [calm_end, volatile_end], ["a", "b"], probs)
    width = np.ptp(bands, axis=-1)
    assert (width > 0).all() and width[0] == pytest.approx(width[1])


def test_levels_the_scores_cannot_resolve_are_named_in_a_warning_not_silently_clamped():
    """Ten series, one window each: an 80 % interval needs 9 scores (resolved), a 95 % one 39
    (not: its bounds would be the extreme scores). Only the 95 % request warns, naming both counts."""
    import warnings

    from tsforge.errors import IntervalResolutionWarning

    rng = np.random.default_rng(3)
    cal = ConformalCalibration.from_scores(
        rng.standard_normal((10, 3)), [f"s{i}" for i in range(10)], season_length=1, scale_window=6
    )
    point, scale, ids = np.zeros((2, 3)), np.ones(2), ["s0", "new"]
    eighty, ninety_five = IntervalRequest((80.0,)).probs, IntervalRequest((95.0,)).probs
    assert cal.shortfall(eighty) is None
    note = cal.shortfall(ninety_five)
    assert note is not None and "95 %" in note and "39" in note and "has 10" in note
    # 10 scores resolve 100 · (1 − 2/11) = 81.8 %: said rounded down, so never the level asked
    assert "resolves up to 81.8 %" in note, note
    cal38 = ConformalCalibration.from_scores(
        rng.standard_normal((38, 3)), [f"s{i}" for i in range(38)], season_length=1, scale_window=6
    )
    note = cal38.shortfall(ninety_five)  # 38 scores resolve 94.87 %: "95 %" would contradict the note
    assert note is not None and "has 38" in note and "resolves up to 94.8 %" in note, note
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the resolved level must stay silent
        cal.quantiles_from_scale(point, scale, ids, eighty)
    with pytest.warns(IntervalResolutionWarning, match="95 %"):
        q = cal.quantiles_from_scale(point, scale, ids, ninety_five)
    assert np.allclose(q[0, :, -1], cal.pooled[:3, 9])  # clamped: the largest of the ten scores


@pytest.mark.parametrize("level", [50, 60, 80, 90, 95, 98, 99, 99.9, 99.99])
def test_the_scores_a_level_needs_are_the_fewest_whose_conformal_rank_exists(level):
    """With n scores the upper bound is the ⌈(n + 1) p⌉-th: it exists at the count ``_needed``
    gives (95 % → 39) and not at one fewer, including levels whose odds are not exact in binary."""
    from tsforge.panels.conformal import _needed

    probs = IntervalRequest((float(level),)).probs
    n = _needed(probs)
    top = probs.max()
    assert np.ceil(np.round((n + 1) * top, 9)) <= n
    assert np.ceil(np.round(n * top, 9)) > n - 1


def _counts(n: int, length: int, seed: int) -> Panel:
    """Poisson counts with small means: many zeros, so unbounded lower bounds fall below 0."""
    rng = np.random.default_rng(seed)
    mean = rng.uniform(0.3, 3.0, n)
    return Panel.from_arrays(
        list(rng.poisson(mean[:, None], size=(n, length)).astype(float)), season_length=1
    )


def test_non_negative_training_data_floor_lower_bounds_at_zero_without_losing_coverage():
    """Counts: the calibration learns the floor 0 from its data; bounds of non-negative
    histories stop there, coverage is unchanged (the outcomes are >= 0) and intervals narrow.
    A history with a negative value is not clipped, and a model calibrated on data that went
    below 0 never clips."""
    panel = _counts(300, 40, seed=6)
    h = 4
    history, test = panel.head_cut(h), panel.tail(h)
    cal = calibrate_panel(history, "naive", h)["naive"]
    assert cal.floor == 0.0
    probs = IntervalRequest((80.0, 95.0)).probs
    point = np.repeat(history.tail(1), h, axis=1)
    hists = [history.series(i) for i in range(len(history))]
    q = cal.quantiles(point, hists, history.ids, probs)
    raw = cal.quantiles_from_scale(point, history_scales(hists, 1, cal.scale_window), history.ids, probs)
    assert (raw < 0).any() and (q >= 0).all()

    def inside(v: np.ndarray, k: int) -> float:  # central interval k: probabilities k and -1-k
        return float(((test >= v[..., k]) & (test <= v[..., -1 - k])).mean())

    for k in range(probs.size // 2):
        assert inside(q, k) == inside(raw, k)
    assert (q[..., -1] - q[..., 0]).sum() < (raw[..., -1] - raw[..., 0]).sum()
    negative = [*hists[:1], hists[1] - 5.0]
    two = cal.quantiles(point[:2], negative, history.ids[:2], probs)
    assert (two[1] < 0).any()  # a history below 0: no floor for that series
    shifted = Panel(history.ids, history.indptr, history.values - 1.0, season_length=1)
    assert calibrate_panel(shifted, "naive", h)["naive"].floor is None


def test_floor_round_trips_and_reaches_native_bounds(tmp_path):
    panel = _counts(120, 40, seed=7)
    cal = calibrate_panel(panel, "naive", 3)["naive"]
    cal.save(tmp_path)
    assert ConformalCalibration.load(tmp_path).floor == 0.0
    predictor = PanelPredictor(
        "naive", 3, freq=None, season_length=1, calibration=cal, interval_method="native"
    )
    series = [SeriesInput(str(i), panel.series(i)) for i in range(20)]
    lows = np.concatenate([f.bounds["lo-95"] for f in predictor.predict_series(series, level=[95])])
    assert lows.min() == 0.0  # statsforecast's naive intervals reach below 0 on these counts
    unbounded = PanelPredictor("naive", 3, freq=None, season_length=1, interval_method="native")
    raw = np.concatenate([f.bounds["lo-95"] for f in unbounded.predict_series(series, level=[95])])
    assert raw.min() < 0


def test_conformal_cv_floor_reads_only_values_before_the_first_cutoff():
    """A negative outcome inside a scored window does not remove the floor of earlier windows'
    calibrations (it was not known then); one in the history before every window does."""
    panel = _counts(80, 40, seed=8)
    h = 4
    cv = cross_validation(panel, ["naive"], h, n_windows=3, progress=False)
    base = conformal_cv(cv, panel, ["naive"], h, level=[95])
    assert np.nanmin(base["naive-lo-95"]) == 0.0
    late = panel.values.copy()
    late[panel.indptr[1] - 1] = -3.0  # last value of series 0: inside its last CV window only
    later = Panel(panel.ids, panel.indptr, late, season_length=1)
    cv_late = cross_validation(later, ["naive"], h, n_windows=3, progress=False)
    out = conformal_cv(cv_late, later, ["naive"], h, level=[95])
    others = out["unique_id"] != panel.ids[0]
    assert np.nanmin(out.loc[others, "naive-lo-95"]) == 0.0
    early = panel.values.copy()
    early[panel.indptr[1] - 30] = -3.0  # in series 0's history before its first window
    earlier = Panel(panel.ids, panel.indptr, early, season_length=1)
    cv_early = cross_validation(earlier, ["naive"], h, n_windows=3, progress=False)
    out = conformal_cv(cv_early, earlier, ["naive"], h, level=[95])
    assert np.nanmin(out.loc[out["unique_id"] != panel.ids[0], "naive-lo-95"]) < 0


def test_a_panel_of_few_series_calibrates_on_enough_windows_to_resolve_95_percent():
    """Four random walks: five windows gave 4 effective scores (series counted once), so the 80
    and 95 % bounds were both the extreme scores (89 % coverage for each). Now the panel gets the
    windows a 95 % interval needs (10 × 4 = 40 scores), no warning, and coverage over 100
    independent panels is within sampling error of nominal at both levels."""
    import warnings

    h = 4
    request = IntervalRequest((80.0, 95.0))
    covered = {80: [], 95: []}
    for r in range(100):
        rng = np.random.default_rng(100 + r)
        sigma = rng.uniform(0.5, 5.0, 4)
        panel = Panel.from_arrays(list(100 + np.cumsum(rng.normal(size=(4, 200)) * sigma[:, None], axis=1)))
        history, test = panel.head_cut(h), panel.tail(h)
        assert calibration_windows(history, h) == 10
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an IntervalResolutionWarning fails the test
            cal = calibrate_panel(history, "naive", h)["naive"]
            hists = [history.series(i) for i in range(4)]
            q = cal.quantiles(np.repeat(history.tail(1), h, axis=1), hists, history.ids, request.probs)
        assert cal.pooled_n.min() == pytest.approx(40.0)
        bounds = request.bounds(q)
        for lv in covered:
            covered[lv].append(((test >= bounds[f"lo-{lv}"]) & (test <= bounds[f"hi-{lv}"])).mean())
    for lv, c in covered.items():
        se = np.sqrt(lv / 100 * (1 - lv / 100) / 400)  # 100 panels x 4 series (steps share a path)
        assert abs(np.mean(c) - lv / 100) < 3 * se, (lv, np.mean(c))  # the old 89.4 % / 89.4 % fails both


def test_window_count_rule_and_effective_scores():
    """≥ 300 scores in at most 5 windows where the panel allows, else the windows 39 scores need
    (at most 39); weighted scores count their Kish effective size."""

    def panel(n: int, length: int) -> Panel:
        return Panel.from_arrays([np.arange(length, dtype=float)] * n)

    assert calibration_windows(panel(300, 50), 4) == 1
    assert calibration_windows(panel(150, 50), 4) == 2  # 300 scores
    assert calibration_windows(panel(80, 50), 4) == 4  # 320 scores
    assert calibration_windows(panel(30, 50), 4) == 5  # 150 scores: at most 5 windows
    assert calibration_windows(panel(30, 50), 4, min_scores=100) == 4  # 120 scores
    assert calibration_windows(panel(10, 50), 4) == 5  # 50 scores >= 39
    assert calibration_windows(panel(6, 80), 4) == 7  # 42 scores
    assert calibration_windows(panel(1, 400), 4) == 39  # one series: its own 39 windows
    assert calibration_windows(panel(1, 30), 4) == 7  # as many as the series has
    # a global model refit per window needs more than 2 h values before the earliest cutoff
    assert global_calibration_windows(panel(1, 30), 4, 7) == 5
    assert global_calibration_windows(panel(6, 80), 4, 7) == 7
    assert global_calibration_windows(panel(3, 8), 4, 2) == 1  # the validation window only
    assert global_calibration_windows(panel(1, 30), 4) == 5  # default: calibration_windows, capped
    assert global_calibration_windows(panel(39, 80), 4) == 1  # enough series: no refit
    scores = np.random.default_rng(0).normal(size=(12, 1))
    even = ConformalCalibration.from_scores(scores, ["a", "b", "c"] * 4, season_length=1, scale_window=4,
                                            weight_series_equally=True)  # fmt: skip
    assert even.pooled_n[0] == pytest.approx(12.0)  # equal windows: every case counts
    lopsided = ConformalCalibration.from_scores(scores, ["a"] * 10 + ["b", "c"], season_length=1, scale_window=4,
                                                weight_series_equally=True)  # fmt: skip
    assert lopsided.pooled_n[0] == pytest.approx(9 / (10 * 0.01 + 2))  # (Σw)² / Σw² with w = 0.1 ×10, 1, 1


def test_a_global_model_on_few_series_refits_per_window_and_covers_near_nominal():
    """A global model on four series was calibrated on its one validation window: 4 scores, both
    80 and 95 % bounds the extreme scores, 62 % of test values covered at both over 20 such
    panels. Now it is refit per rolling-origin window (10 windows, 40 scores): coverage within
    sampling error of nominal at both levels over independent panels, and the test windows never
    reach the calibration."""
    h, n, reps = 4, 4, 8
    opts = TrackingOptions(track=False, progress=False)
    covered = {80: [], 95: []}
    for r in range(reps):
        rng = np.random.default_rng(100 + r)
        sigma = rng.uniform(0.5, 5.0, n)
        panel = Panel.from_arrays(list(100 + np.cumsum(rng.normal(size=(n, 80)) * sigma[:, None], axis=1)))
        out = train_panel(panel, "dlinear", horizon=h, tracking=opts)
        cal = out.predictor.calibration
        assert cal.info["windows"] == 10 and cal.pooled_n.min() == pytest.approx(40.0)
        f = out.forecasts
        for lv in covered:
            covered[lv].append(((f["y"] >= f[f"dlinear-lo-{lv}"]) & (f["y"] <= f[f"dlinear-hi-{lv}"])).mean())
        if r == 0:  # no leakage: a panel that differs only in its test windows calibrates the same
            values = panel.values.copy()
            values[(panel.indptr[1:, None] - h + np.arange(h)[None, :]).ravel()] += 500.0
            changed = Panel(panel.ids, panel.indptr, values, season_length=1, name=panel.name)
            other = train_panel(changed, "dlinear", horizon=h, tracking=opts).predictor.calibration
            np.testing.assert_array_equal(other.pooled, cal.pooled)
    for lv, c in covered.items():
        se = np.sqrt(lv / 100 * (1 - lv / 100) / (reps * n))
        assert abs(np.mean(c) - lv / 100) < 3 * se, (lv, np.mean(c))  # the old 62 % fails at 95 %


def test_a_case_forecast_from_one_value_is_no_calibration_case():
    """Its local scale has no change to be measured by (it falls back to its level times the
    panel's change-to-level ratio): a series that starts at 5 and then runs in the thousands
    scored ~10,000 in its earliest window and set every series' pooled 95 % bound."""
    from tsforge.panels.calibrate import calibrate_panel, calibration_cv, case_scores
    from tsforge.panels.local_scale import flat_history_ratio

    rng = np.random.default_rng(0)
    walks = [100 + np.cumsum(rng.normal(size=25)) for _ in range(5)]
    arrays = [*walks, np.r_[5.0, 8000.0 * np.arange(1, 19)]]
    history = Panel.from_arrays(
        arrays,
        ids=[f"s{i}" for i in range(6)],
        starts=np.full(6, np.datetime64("2000-01-01", "ns")),
        freq="MS",
    )
    frame = calibration_cv(history, ["naive"], 6, 3)  # cuts 13, 7 and 1 of the jump's 19 values
    scores, scale, sid = case_scores(frame, history, "naive", 6)
    flat = 5.0 * flat_history_ratio(history.values, history.indptr)  # one value: a flat history
    one = (sid == 5) & np.isclose(scale, flat)  # the jump series' earliest case
    assert one.sum() == 1 and np.isnan(scores[one]).all()
    assert np.isfinite(scores[~one]).all() and np.abs(scores[~one]).max() < 50
    cal = calibrate_panel(history, "naive", 6, 3, frame=frame)["naive"]
    assert np.nanmax(np.abs(cal.pooled)) < 50 and cal.info["cases"] == 17  # 18 rows, 17 scored


def test_a_scale_is_none_relative_to_the_historys_size_not_below_an_absolute_epsilon():
    """Steps of 1e-15 are a series' change, not rounding: its scale is 1e-15 (an absolute 1e-12
    threshold took it for flat and fell back to the level); a constant series is flat."""
    tiny = np.arange(10.0) * 1e-15
    assert history_scales([tiny], 1, 4)[0] == pytest.approx(1e-15)
    assert history_scales([np.full(6, 3e-20)], 1, 4)[0] == pytest.approx(3e-20)  # flat: its level


def _intermittent_panel(scale: float) -> Panel:
    """Counts with a stretch of zeros at the start of some series (parts not yet sold)."""
    rng = np.random.default_rng(11)
    arrays = []
    for i in range(120):
        y = rng.poisson(3.0, 40).astype(float) * (rng.random(40) < 0.6)
        y[: (i % 4) * 9] = 0.0  # a quarter of the series start with 27 zeros
        arrays.append(np.ldexp(y, int(np.log2(scale))))
    return Panel.from_arrays(arrays, ids=[f"s{i}" for i in range(120)], season_length=1, name="parts")


def test_intervals_of_a_history_of_zeros_rescale_with_the_panels_unit(tmp_path):
    """The same counts in units and in 2^-20 units calibrate to the same intervals, ×2^-20,
    also for a new series with nothing but zeros (it was given the fixed scale 1: an interval
    a million times too wide in the small unit); the saved calibration keeps the scale."""

    h, c = 4, 2.0**-20
    probs = IntervalRequest((80.0, 95.0)).probs
    cals = [calibrate_panel(_intermittent_panel(u), "naive", h, 3)["naive"] for u in (1.0, c)]
    # the zero-history scale is the panel's typical change (its median series' scale), in its unit
    assert cals[1].zero_scale == cals[0].zero_scale * c and 0 < cals[0].zero_scale < 10
    point = np.full((2, h), 0.0)
    hists = [np.zeros(12), np.r_[np.zeros(8), 2.0, 0.0, 1.0, 3.0]]
    big = cals[0].quantiles(point, hists, ["new", "s1"], probs)
    small = cals[1].quantiles(point * c, [x * c for x in hists], ["new", "s1"], probs)
    assert np.ptp(big[0, 0]) > 0
    np.testing.assert_allclose(small, big * c, rtol=1e-12, atol=0)
    cals[1].save(tmp_path)
    back = ConformalCalibration.load(tmp_path)
    assert back.zero_scale == cals[1].zero_scale
    _drop_header_key(tmp_path, "zero_scale")
    assert ConformalCalibration.load(tmp_path).zero_scale == 1.0  # as it was calibrated


def test_conformal_cv_bounds_rescale_with_the_panel_unit_on_histories_of_zeros():
    h, c = 3, 2.0**-20
    outs = []
    for u in (1.0, c):
        panel = _intermittent_panel(u)
        cv = cross_validation(panel, ["naive"], h, n_windows=4, progress=False)
        outs.append(conformal_cv(cv, panel, ["naive"], h, level=[80]))
    zero_rows = outs[0]["naive"].to_numpy() == 0  # naive of a zero: many from histories of zeros
    assert zero_rows.sum() > 0
    for col in ("naive-lo-80", "naive-hi-80"):
        np.testing.assert_allclose(outs[1][col].to_numpy(), outs[0][col].to_numpy() * c, rtol=1e-12)
