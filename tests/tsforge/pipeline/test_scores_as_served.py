"""``train`` scores the point forecasts the registered model serves.

Why: a model calibrated on non-negative data stops the point forecast of a non-negative series
at 0 when it forecasts (:func:`tsforge.inference.floor_points`), but training scored the raw
forecast: on electricity weekly one series of zeros was forecast at −45,238, and the logged
sMAPE was 10.39 where ``tsforge evaluate`` of the registered model measured 9.77.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.evaluation.panel_metrics import panel_scores, summarise
from tsforge.inference import SeriesInput
from tsforge.panels.protocol import holdout_split
from tsforge.pipeline import TrackingOptions, train_panel

QUIET = TrackingOptions(track=False, progress=False)
H = 6


def _panel(zero_before: int = H) -> Panel:
    """Four positive random walks and 'down', falling by 2 a step to 0 ``zero_before`` steps
    before the end (the test window's start by default): a drift forecast of 'down' goes below
    0, where its outcomes stay at 0."""
    rng = np.random.default_rng(0)
    n = 60
    days = pd.date_range("2021-01-04", periods=n, freq="D")
    rows = [
        pd.DataFrame({"unique_id": f"w{i}", "ds": days, "y": 50 + np.cumsum(rng.normal(size=n))})
        for i in range(4)
    ]
    down = np.maximum(2.0 * (n - zero_before) - 2.0 * np.arange(n), 0.0)
    rows.append(pd.DataFrame({"unique_id": "down", "ds": days, "y": down}))
    return Panel.from_long(pd.concat(rows, ignore_index=True), name="falling")


def test_the_logged_test_scores_are_those_of_the_served_forecasts():
    panel = _panel()
    out = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET)
    split = holdout_split(panel, H)
    histories = [SeriesInput(str(split.history.ids[i]), split.history.series(i)) for i in range(len(panel))]
    served = np.vstack([f.values for f in out.predictor.predict_series(histories, H)])
    assert served[list(split.history.ids).index("down")].max() == 0.0  # floored: the raw drift is < 0
    logged = out.forecasts["rw_drift"].to_numpy().reshape(len(panel), H)
    np.testing.assert_allclose(logged, served)
    scores = summarise(panel_scores(split.test, {"rw_drift": served}, split.history, panel.season_length))
    assert out.metrics["test_mase"] == scores["rw_drift"]["mase"]
    assert out.metrics["test_smape"] == scores["rw_drift"]["smape"]


def test_ranking_and_tuning_score_the_points_the_trained_pick_serves():
    """``recommend``'s ranking and ``tune``'s trials train without intervals (nothing to serve),
    but rank the model they pick, which is then trained with them and served floored: their
    raw validation MASE disagreed with the one ``train`` logs for the same model. Here 'down'
    reaches 0 before the validation window, so a drift forecast goes below 0 there too."""
    from recommender.panel import recommend_panel

    panel = _panel(zero_before=2 * H)
    trained = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET)
    raw = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET, intervals=False)
    assert np.min(raw.val_forecasts) < 0  # the floor is at work here: the raw drift goes below 0
    ranked = {r["model"]: r["val_mase"] for r in recommend_panel(panel, H, ("rw_drift", "naive")).ranking}
    assert ranked["rw_drift"] == pytest.approx(trained.metrics["val_mase"], rel=1e-12)


def test_cv_scores_the_points_a_model_trained_at_the_cutoff_serves(tmp_path, capsys):
    """``tsforge cv`` scored the raw point: its one window, the test window, disagreed with what
    ``train`` (now) and ``evaluate`` give the same model there."""
    from tests.conftest import run_cli

    panel = _panel()
    path = tmp_path / "falling.csv"
    panel.to_long().to_csv(path, index=False)
    out_csv = tmp_path / "cv.csv"
    args = ("cv", str(path), "--model", "rw_drift", "--horizon", str(H), "--n-windows", "1", "--no-track")
    code, out, err = run_cli(capsys, *args, "-o", str(out_csv))
    assert code == 0, err
    cv = pd.read_csv(out_csv)
    assert cv.loc[cv["unique_id"] == "down", "rw_drift"].min() == 0.0  # floored: the raw drift is < 0
    trained = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET)
    logged = trained.forecasts["rw_drift"].to_numpy()
    np.testing.assert_allclose(cv["rw_drift"].to_numpy(), logged)


def test_floored_scores_leave_the_forecasts_what_the_predictor_serves():
    """``floor_scores`` floors the scores only: a routed ensemble combines its members' raw
    forecasts (they are served without a floor, the ensemble floors the combination), and took
    floored ones from the outcome's forecasts."""
    panel = _panel()
    out = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET, intervals=False, floor_scores=True)
    assert out.forecasts["rw_drift"].min() < 0  # this predictor has no calibration, so no floor
    trained = train_panel(panel, "rw_drift", horizon=H, tracking=QUIET)
    assert out.metrics["test_mase"] == pytest.approx(trained.metrics["test_mase"], rel=1e-12)
