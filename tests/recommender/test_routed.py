"""The routed ensemble: routes unseen series, round-trips as a registered pyfunc in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from recommender.routed import RoutedPredictor
from recommender.routed_training import train_routed
from recommender.series_features import series_features
from tsforge.data.history import SeriesInput
from tsforge.errors import ConfigError
from tsforge.panels.predictor import PanelPredictor, load_predictor_dir
from tsforge.panels.protocol import holdout_split
from tsforge.pipeline import TrackingOptions


def _members(h: int = 6) -> dict[str, PanelPredictor]:
    return {m: PanelPredictor(m, h, freq="MS", season_length=12) for m in ("naive", "seasonal_naive")}


def _inputs(panel) -> list[SeriesInput]:
    return [
        SeriesInput(
            str(panel.ids[i]),
            panel.series(i),
            panel.times_at(np.full(panel.lengths[i], i), np.arange(panel.lengths[i])),
        )
        for i in range(len(panel))
    ]


def test_an_unseen_series_is_routed_to_its_winner(halves_router, make_halves):
    routed = RoutedPredictor(halves_router, _members(), 6, freq="MS", season_length=12, mode="pick")
    panel = make_halves(6, seed=21, prefix="never-seen-")
    series = _inputs(panel)
    got = routed.predict_series(series)
    for i, s in enumerate(series):
        y = np.asarray(s.values)
        expected = y[-12:-6] if "seas" in s.id else np.repeat(y[-1], 6)
        np.testing.assert_allclose(got[i].values, expected)
        assert got[i].timestamps is not None and len(got[i].timestamps) == 6


def test_weights_mode_mixes_members_by_the_routers_weights(halves_router, make_halves):
    routed = RoutedPredictor(halves_router, _members(), 6, freq="MS", season_length=12, mode="weights")
    series = _inputs(make_halves(4, seed=22))
    weights, _ = routed.route(series)
    got = np.vstack([f.values for f in routed.predict_series(series, 4)])
    members = {m: np.vstack([f.values for f in p.predict_series(series, 4)]) for m, p in _members().items()}
    cands = list(halves_router.candidates)
    expected = sum(weights[:, [cands.index(m)]] * members[m] for m in members)
    np.testing.assert_allclose(got, expected)
    with pytest.raises(ConfigError, match="without an interval calibration"):
        routed.predict_series(series, level=[80])
    with pytest.raises(ConfigError, match="horizon"):
        routed.predict_series(series, 7)


def test_bundle_round_trip(halves_router, tmp_path, make_halves):
    routed = RoutedPredictor(halves_router, _members(), 6, freq="MS", season_length=12, meta={"name": "r"})
    routed.save(tmp_path / "bundle")
    loaded = load_predictor_dir(tmp_path / "bundle")
    assert isinstance(loaded, RoutedPredictor) and loaded.model_name == "r"
    series = _inputs(make_halves(4, seed=23))
    np.testing.assert_allclose(
        np.vstack([f.values for f in loaded.predict_series(series)]),
        np.vstack([f.values for f in routed.predict_series(series)]),
    )


def test_a_calibrated_bundle_keeps_its_intervals(halves_router, tmp_path, make_halves):
    """The ensemble's conformal calibration is saved with it and answers ``level`` after loading."""
    from tsforge.panels.calibrate import calibrate_forecasts

    panel = make_halves(30, seed=24)
    routed = RoutedPredictor(halves_router, _members(), 6, freq="MS", season_length=12)
    series = _inputs(panel)
    point = np.vstack([f.values for f in routed.predict_series(series)])
    noise = np.random.default_rng(0).normal(0, 1, point.shape)
    routed.calibration = calibrate_forecasts(panel, point + noise, point)
    routed.save(tmp_path / "bundle")
    loaded = load_predictor_dir(tmp_path / "bundle")
    assert loaded.interval_method == "conformal"
    a = routed.predict_frame(panel.to_long().rename(columns=str), level=[80])
    b = loaded.predict_frame(panel.to_long().rename(columns=str), level=[80])
    pd.testing.assert_frame_equal(a, b)
    assert (a["y_hat-lo-80"] < a["y_hat"]).all() and (a["y_hat"] < a["y_hat-hi-80"]).all()


@pytest.mark.slow
def test_trained_routed_model_round_trips_as_a_registered_pyfunc(
    halves_router, tracking_uri, tmp_path, make_halves, monkeypatch
):
    import mlflow

    import tsforge.tracking.plots as plots

    drawn = []
    original = plots.plot_series_forecasts
    monkeypatch.setattr(
        plots, "plot_series_forecasts", lambda items, *a, **k: drawn.append(items) or original(items, *a, **k)
    )
    panel = make_halves(20, seed=31)
    out = train_routed(
        panel,
        6,
        router=halves_router,
        tracking=TrackingOptions(progress=False, registered_name="halves-routed"),
    )
    assert out.version == "1" and out.registered_name == "halves-routed"
    m = out.metrics
    assert {"test_mase", "val_mase", "test_mase_pick", "test_mase_best_single", "test_mase_oracle"} <= set(m)
    assert {"test_coverage_80", "test_coverage_95", "test_msis_95"} <= set(m)  # its own intervals
    assert 0.0 <= m["test_coverage_80"] <= m["test_coverage_95"] <= 1.0
    assert m["test_mase_oracle"] <= m["test_mase_best_single"] + 1e-12
    # its skill over Naive2 on the same series, as every panel model's
    assert m["test_skill"] == pytest.approx(1 - m["test_mase"] / m["test_naive2_mase"])
    assert m["val_skill"] == pytest.approx(1 - m["val_mase"] / m["val_naive2_mase"])
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(out.run_id, "recommendation")}
    assert {"recommendation/per_series.csv", "recommendation/pick_distribution.csv"} <= artifacts
    logged_plots = {a.path for a in mlflow.MlflowClient().list_artifacts(out.run_id, "plots")}
    assert {"plots/pick_distribution.png", "plots/forecast_vs_actual.png"} <= logged_plots
    # like every training run (MLflow audit): the data as a dataset input, the seed, and the
    # forecast plot shading the intervals the run scores
    run = mlflow.get_run(out.run_id)
    assert [d.dataset.name for d in run.inputs.dataset_inputs] == [panel.name]
    assert run.data.params["seed"] == "0"
    (items,) = drawn
    assert all(sorted(item["bands"]) == [80.0, 95.0] for item in items)
    assert all(item["baseline_label"] == "Naive2" and len(item["baseline"]) == 6 for item in items)
    lo, hi = items[0]["bands"][95.0]
    assert (lo <= items[0]["forecast"]).all() and (items[0]["forecast"] <= hi).all()
    # each plotted forecast is the served model's forecast of that series' history
    history_before_test = holdout_split(panel, 6).history
    ids = [str(i) for i in history_before_test.ids]
    for item in items:
        position = ids.index(item["id"].split(" (")[0])
        (own,) = out.predictor.predict_series(
            [SeriesInput(ids[position], history_before_test.series(position))], 6
        )
        np.testing.assert_allclose(item["forecast"], own.values, rtol=1e-9)
    # halves are monthly, the horizon 6: the prior also weighed the same-phase window, and says so
    params = mlflow.get_run(out.run_id).data.params
    assert params["prior"] == out.prior
    assert params["baseline"].startswith("Naive2")
    assert float(params["expected_scale"]) == halves_router.config.expected_scale  # the logged numbers' scale
    assert out.prior.startswith("validation window + same-phase window")

    history = make_halves(5, seed=32, prefix="fresh-").to_long().rename(columns=str)
    path = tmp_path / "history.csv"
    history.to_csv(path, index=False)
    expected = out.predictor.predict_frame(history, 6, level=[80, 95])
    columns = ["y_hat", "y_hat-lo-95", "y_hat-lo-80", "y_hat-hi-80", "y_hat-hi-95"]
    code = (
        "import json, mlflow, pandas as pd, warnings\n"
        "m = mlflow.pyfunc.load_model('models:/halves-routed@champion')\n"
        f"h = pd.read_csv(r'{path}', parse_dates=['ds'])\n"
        "f = m.predict(h, params={'horizon': 6, 'level': [80, 95]})\n"
        f"print(json.dumps(f[{columns!r}].to_numpy().tolist()))\n"
        # the last 8 values of a seasonal series: too short for the seasonal naive member
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    m.predict(h[h['unique_id'] == 'fresh-seas0'].tail(8), params={'horizon': 6})\n"
        "print(json.dumps([str(n.message) for n in w if 'too short for' in str(n.message)]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    *_, forecast_line, notes_line = proc.stdout.strip().splitlines()
    # the member's note, said as the registered ensemble's member (the pyfunc warned it bare)
    notes = json.loads(notes_line)
    frame = "routed model 'halves-routed', member seasonal_naive (weighted into the forecast of 1 series: fresh-seas0): "
    assert notes and all(n.startswith(frame + "1 of 1 series was too short") for n in notes), notes
    got = np.asarray(json.loads(forecast_line))
    np.testing.assert_allclose(got, expected[columns].to_numpy(), rtol=1e-6, atol=1e-8)
    assert isinstance(expected, pd.DataFrame) and len(expected) == 5 * 6
    nested = got[:, [1, 2, 3, 4]]  # lo-95 <= lo-80 <= hi-80 <= hi-95: the intervals never cross
    assert (np.diff(nested, axis=1) >= 0).all()


def test_a_stored_prior_routes_a_series_the_same_whatever_else_the_request_holds(halves_router, make_halves):
    panel = make_halves(8, seed=24)
    series = _inputs(panel)
    rel = halves_router.relative(series_features(panel, 6))
    routed = RoutedPredictor(
        halves_router, _members(), 6, freq="MS", season_length=12, prior=rel.mean(axis=0)
    )
    alone, _ = routed.route(series[:1])
    together, _ = routed.route(series)
    np.testing.assert_allclose(alone[0], together[0])
    unpooled = RoutedPredictor(halves_router, _members(), 6, freq="MS", season_length=12)
    assert not np.allclose(unpooled.route(series[:1])[0][0], together[0])  # the request's own prior differs


def test_adapting_retrains_the_router_with_the_panels_own_history(
    halves_router, halves_kb, make_halves, tmp_path
):
    import pandas as pd

    from recommender.per_series import SeriesRouter
    from recommender.routed_training import adapted_router
    from recommender.series_recommendation import KB_ROWS_FILE

    folder = halves_router.save(tmp_path / "router")
    with pytest.raises(ConfigError, match="kb_rows"):
        adapted_router(SeriesRouter.load(folder), make_halves(10, seed=61), 6, cache=False)
    pd.concat([c.kb_rows() for c in halves_kb.values()]).to_parquet(folder / KB_ROWS_FILE)
    panel = make_halves(10, seed=61)
    adapted = adapted_router(SeriesRouter.load(folder), panel, 6, windows=2, cache=tmp_path / "cache")
    assert adapted.candidates == halves_router.candidates
    assert adapted.meta["own_rows"] == 2 * len(panel)  # two windows of every series
    assert adapted.meta["n_rows"] > halves_router.meta["n_rows"]
    picks = [adapted.candidates[j] for j in adapted.pick(series_features(panel, 6), shrink=0.0)]
    assert all(
        p == ("seasonal_naive" if "seas" in i else "naive") for p, i in zip(picks, panel.ids, strict=True)
    )


def test_a_routed_model_on_few_series_calibrates_on_rolling_origin_windows(halves_router, make_halves):
    """Six series: the validation window alone gave 6 scores, so both the 80 and the 95 % bounds
    were the extreme ones (63.6 % coverage at each over ten of these panels). Now the members are refit
    on the rolling-origin windows a single model gets (7 windows, 42 scores): coverage within
    sampling error of nominal or above, and the test windows never reach the calibration."""
    from dataclasses import replace

    opts = TrackingOptions(track=False, progress=False)
    reps, n, h = 12, 6, 6
    covered = {80: [], 95: []}
    for r in range(reps):
        panel = make_halves(n, seed=300 + r)
        out = train_routed(panel, h, router=halves_router, tracking=opts)
        cal = out.predictor.calibration
        # 42 cases, less the refits on fewer than two seasons beyond the 39 a 95 % interval needs
        assert cal.info["windows"] == 7 and 39.0 - 1e-9 <= cal.pooled_n.min() <= 42.0 + 1e-9
        covered[80].append(out.metrics["test_coverage_80"])
        covered[95].append(out.metrics["test_coverage_95"])
        if r == 0:  # a panel that differs only in its test windows calibrates the same
            values = panel.values.copy()
            values[(panel.indptr[1:, None] - h + np.arange(h)[None, :]).ravel()] += 500.0
            changed = replace(panel, values=values)
            other = train_routed(changed, h, router=halves_router, tracking=opts).predictor.calibration
            np.testing.assert_array_equal(other.pooled, cal.pooled)
    for lv, c in covered.items():
        se = np.sqrt(lv / 100 * (1 - lv / 100) / (reps * n))
        assert np.mean(c) > lv / 100 - 3 * se, (lv, np.mean(c))  # the old 63.6 % fails both
        assert np.mean(c) < 1.0, (lv, np.mean(c))  # not everything: bounds are finite scores


def test_a_routed_model_on_many_series_calibrates_on_two_windows_with_its_served_weights(
    halves_router, make_halves
):
    """Forty series (a 95 % interval resolves on one window): the validation window *and* the one
    before it calibrate (members refit there), each forecast with the weights the series is
    served with; until this release the validation window alone did, where the weights had
    been chosen with that window in view. The test windows never reach the calibration."""
    from dataclasses import replace

    opts = TrackingOptions(track=False, progress=False)
    n, h = 40, 6
    panel = make_halves(n, seed=11)
    out = train_routed(panel, h, router=halves_router, tracking=opts)
    cal = out.predictor.calibration
    assert cal.info["windows"] == 2 and cal.pooled_n.min() == pytest.approx(2.0 * n)

    # the same panel with its test windows moved far off calibrates the same
    values = panel.values.copy()
    values[(panel.indptr[1:, None] - h + np.arange(h)[None, :]).ravel()] += 500.0
    other = train_routed(replace(panel, values=values), h, router=halves_router, tracking=opts)
    np.testing.assert_array_equal(other.predictor.calibration.pooled, cal.pooled)


def test_the_routed_calibration_never_refits_a_global_member_on_a_window_too_short_for_it():
    """40 series of 19 values before the test window, horizon 6: the window before the
    validation window leaves 7 values to train on, enough for a local member, too few for a
    global one (more than 2 h), which would be forecast there by the last value — a calibration
    of another ensemble. Such a panel calibrates on the validation window alone."""
    from recommender.routed_training import routed_calibration_windows
    from tsforge.data.panel import Panel

    history = Panel.from_arrays([np.arange(19.0) + i for i in range(40)], freq="MS")
    assert routed_calibration_windows(history, 6, ["naive", "seasonal_naive"]) == 2
    assert routed_calibration_windows(history, 6, ["naive", "dlinear"]) == 1
    longer = Panel.from_arrays([np.arange(26.0) + i for i in range(40)], freq="MS")
    assert routed_calibration_windows(longer, 6, ["naive", "dlinear"]) == 2


def test_drop_short_trains_the_routed_model_on_the_series_long_enough_for_the_holdout(
    halves_router, make_halves
):
    from tsforge.data.panel import Panel
    from tsforge.errors import DataValidationError, ShortSeriesWarning

    opts = TrackingOptions(track=False, progress=False)
    panel = make_halves(40, seed=7)
    arrays = [panel.series(i) for i in range(len(panel))] + [np.arange(8.0)]
    ids = [str(i) for i in panel.ids] + ["tiny"]
    starts = np.concatenate([panel.starts, [panel.starts[0]]])
    mixed = Panel.from_arrays(arrays, ids=ids, starts=starts, freq=panel.freq)
    with pytest.raises(DataValidationError, match="drop_short=True"):
        train_routed(mixed, 6, router=halves_router, tracking=opts)
    with pytest.warns(ShortSeriesWarning, match=r"left out 1 of 41 series .*'tiny'"):
        out = train_routed(mixed, 6, router=halves_router, tracking=opts, drop_short=True)
    assert "tiny" not in set(out.per_series["unique_id"]) and len(out.per_series) == 40
