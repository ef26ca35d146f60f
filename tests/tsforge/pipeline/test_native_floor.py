"""A panel model trained with native intervals is floored at 0 on non-negative data, as a
calibrated one is.

Why: the floor of non-negative data lived in the conformal calibration alone, so
``tsforge train sparse.csv --model auto_theta --interval-method native`` forecast a falling sales
series at −2.3 … −5.6 (its upper 80 % bound below 0) where the conformal version of the same
model stopped at 0, and the champion rule compared the two versions' val_mase of different
points.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.evaluation.panel_metrics import panel_scores, summarise
from tsforge.inference import SeriesInput
from tsforge.panels.predictor import PanelPredictor
from tsforge.panels.protocol import holdout_split
from tsforge.pipeline import TrackingOptions, train_panel

QUIET = TrackingOptions(track=False, progress=False)
H = 6


def _panel(signed: bool = False) -> Panel:
    """Four positive random walks and 'down', falling by 2 a step to 0 two horizons before the
    end: a drift forecast of 'down' goes below 0 in the validation and test windows. ``signed``:
    one walk dips below 0, so the panel is not non-negative data."""
    rng = np.random.default_rng(0)
    n = 60
    days = pd.date_range("2021-01-04", periods=n, freq="D")
    rows = [
        pd.DataFrame({"unique_id": f"w{i}", "ds": days, "y": 50 + np.cumsum(rng.normal(size=n))})
        for i in range(4)
    ]
    if signed:
        rows[0].loc[3, "y"] = -1.0
    down = np.maximum(2.0 * (n - 2 * H) - 2.0 * np.arange(n), 0.0)
    rows.append(pd.DataFrame({"unique_id": "down", "ds": days, "y": down}))
    return Panel.from_long(pd.concat(rows, ignore_index=True), name="falling")


def _histories(panel: Panel) -> list[SeriesInput]:
    return [SeriesInput(str(panel.ids[i]), panel.series(i)) for i in range(len(panel))]


def _down(forecasts: list, panel: Panel):
    return forecasts[list(panel.ids).index("down")]


def test_a_native_model_serves_the_point_of_a_non_negative_series_floored_at_0():
    panel = _panel()
    out = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET, intervals=False)
    split = holdout_split(panel, H)
    assert out.predictor.calibration is None  # native: no calibration to carry the floor
    assert _down(list(out.val_forecasts), split.history).min() < 0  # the raw drift goes below 0
    served = out.predictor.predict_series(_histories(split.history), H)
    assert _down(served, split.history).values.min() == 0.0
    logged = out.forecasts["rw_drift"].to_numpy().reshape(len(panel), H)
    np.testing.assert_allclose(logged, np.vstack([f.values for f in served]))


def test_native_bounds_are_clipped_at_0_with_the_point_inside_and_never_crossing():
    """A noisy series falling to 0: its raw native band straddles 0 while its point goes below
    it; served, the point and every bound are the raw ones clipped at 0."""
    panel = _panel()
    out = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET, intervals=False)
    rng = np.random.default_rng(1)
    falling = np.maximum(20.0 - 0.55 * np.arange(40) + rng.normal(0, 2, 40), 0.0).round(1)
    history = [SeriesInput("falling", falling)]
    raw_model = PanelPredictor("rw_drift", H, freq=panel.freq, season_length=panel.season_length)
    raw = raw_model.predict_series(history, H, level=[80, 95])[0]
    assert raw.values.min() < 0 < raw.bounds["hi-95"].max()  # the band straddles 0
    served = out.predictor.predict_series(history, H, level=[80, 95])[0]
    np.testing.assert_array_equal(served.values, np.maximum(raw.values, 0.0))
    for key, bound in raw.bounds.items():
        np.testing.assert_array_equal(served.bounds[key], np.maximum(bound, 0.0))
    lo95, lo80, hi80, hi95 = (served.bounds[k] for k in ("lo-95", "lo-80", "hi-80", "hi-95"))
    assert lo95.min() >= 0.0
    assert np.all(lo95 <= lo80) and np.all(lo80 <= served.values) and np.all(served.values <= hi80)
    assert np.all(hi80 <= hi95)


def test_native_and_conformal_versions_score_the_same_points():
    """The champion rule compares val_mase across versions: one model trained either way must
    be scored on the same (floored) points."""
    panel = _panel()
    native = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET, intervals=False)
    conformal = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET)
    assert native.metrics["val_mase"] == pytest.approx(conformal.metrics["val_mase"], rel=1e-12)
    assert native.metrics["test_mase"] == pytest.approx(conformal.metrics["test_mase"], rel=1e-12)
    split = holdout_split(panel, H)
    served = np.vstack([f.values for f in native.predictor.predict_series(_histories(split.train), H)])
    val = summarise(panel_scores(split.val, {"rw_drift": served}, split.train, panel.season_length))
    assert native.metrics["val_mase"] == val["rw_drift"]["mase"]  # the points it serves


def test_no_floor_where_the_training_data_go_below_0():
    panel = _panel(signed=True)
    out = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET, intervals=False)
    split = holdout_split(panel, H)
    assert out.predictor.floor is None
    assert _down(out.predictor.predict_series(_histories(split.history), H), split.history).values.min() < 0


def test_the_floor_is_saved_and_a_bundle_saved_without_it_serves_unfloored(tmp_path):
    panel = _panel()
    out = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET, intervals=False)
    split = holdout_split(panel, H)
    path = out.predictor.save(tmp_path / "m")
    loaded = PanelPredictor.from_dir(path)
    assert loaded.floor == 0.0 and "floor" not in loaded.meta
    assert _down(loaded.predict_series(_histories(split.history), H), split.history).values.min() == 0.0
    # a bundle saved before the floor was stored: served as it was, without one
    meta_file = path / "model.json"
    meta = json.loads(meta_file.read_text())
    del meta["extra"]["floor"]
    meta_file.write_text(json.dumps(meta))
    old = PanelPredictor.from_dir(path)
    assert old.floor is None
    assert _down(old.predict_series(_histories(split.history), H), split.history).values.min() < 0


def test_floor_scores_keeps_the_predictor_raw():
    """A routed ensemble's members (``floor_scores``) stay raw: it combines raw forecasts."""
    out = train_panel(_panel(), "rw_drift", horizon=H, tracking=QUIET, intervals=False, floor_scores=True)
    assert out.predictor.floor is None
