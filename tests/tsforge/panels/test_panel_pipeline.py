"""train_panel: the holdout protocol tracked in MLflow, and the registered model in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.pipeline import TrackingOptions, train_panel


def _panel(n: int = 30) -> Panel:
    rng = np.random.default_rng(3)
    arrays, starts = [], []
    for i in range(n):
        length = int(rng.integers(30, 70))
        t = np.arange(length)
        arrays.append(20 + i + 3 * np.sin(2 * np.pi * t / 12) + 0.2 * rng.standard_normal(length))
        starts.append(pd.Timestamp("2000-01-01") + pd.DateOffset(months=int(rng.integers(0, 40))))
    return Panel.from_arrays(
        arrays,
        ids=[f"s{i}" for i in range(n)],
        starts=pd.DatetimeIndex(starts).values,
        freq="MS",
        name="toy-panel",
    )


def test_untracked_holdout_scores_every_series():
    out = train_panel(_panel(), "seasonal_naive", horizon=6, tracking=TrackingOptions(track=False))
    assert len(out.per_series) == 30 and {"mase", "smape", "rmsse"} <= set(out.per_series.columns)
    assert out.metrics["test_mase"] == pytest.approx(out.per_series["mase"].mean())
    assert out.run_id is None and out.spec.split == "holdout"


def test_a_local_model_s_options_train_score_and_travel_with_the_saved_model(tmp_path):
    """``--option season_length=4`` used to be dropped without a word on a panel (a season of 12
    was trained); now the options reach every fit — calibration windows, validation, test — are
    logged as params and saved with the model, so a reloaded model forecasts as it was trained."""
    from tsforge.errors import ConfigError
    from tsforge.panels.local import forecast_local
    from tsforge.panels.predictor import PanelPredictor

    panel = _panel(12)
    untracked = TrackingOptions(track=False)
    plain = train_panel(panel, "seasonal_naive", horizon=6, tracking=untracked)
    out = train_panel(
        panel, "seasonal_naive", horizon=6, model_config={"season_length": 4}, tracking=untracked
    )
    assert out.params["model.season_length"] == 4 and "model.season_length" not in plain.params
    assert out.metrics["test_mase"] != pytest.approx(plain.metrics["test_mase"])
    # the test forecasts are the 4-season ones, not the 12-season ones
    history = panel.head_cut(6)  # everything before the test window
    last4 = np.stack([history.series(i)[-4:] for i in range(len(history))])
    np.testing.assert_allclose(out.forecasts["seasonal_naive"].to_numpy().reshape(12, 6)[:, :4], last4)
    saved = PanelPredictor.from_dir(out.predictor.save(tmp_path / "m"))
    assert saved.local_options == out.predictor.local_options
    direct = forecast_local(
        history, ["seasonal_naive"], 6, progress=False, options={"seasonal_naive": saved.local_options}
    )
    from tsforge.data.history import SeriesInput

    inputs = [SeriesInput(str(history.ids[i]), history.series(i), None) for i in range(len(history))]
    again = np.vstack([f.values for f in saved.predict_series(inputs, 6)])
    np.testing.assert_allclose(again, direct["seasonal_naive"].to_numpy().reshape(12, 6))
    with pytest.raises(ConfigError, match=r"unknown option\(s\) \['kernel_size'\] for model 'auto_ets'"):
        train_panel(panel, "auto_ets", horizon=6, model_config={"kernel_size": 3}, tracking=untracked)


def test_drop_short_leaves_out_the_series_too_short_for_the_holdout_and_says_how_many():
    from tsforge.data.panel import Panel
    from tsforge.errors import DataValidationError, ShortSeriesWarning
    from tsforge.panels.predictor import PanelPredictor

    panel = _panel(6)
    arrays = [panel.series(i) for i in range(6)] + [np.arange(10.0), np.arange(12.0)]
    ids = [str(i) for i in panel.ids] + ["short1", "short2"]
    mixed = Panel.from_arrays(
        arrays, ids=ids, starts=np.full(8, np.datetime64("2001-01-01", "ns")), freq="MS"
    )
    untracked = TrackingOptions(track=False)
    with pytest.raises(
        DataValidationError, match=r"2 of 8 series have fewer than 13 values.*drop_short=True"
    ):
        train_panel(mixed, "naive", horizon=6, tracking=untracked)
    with pytest.warns(
        ShortSeriesWarning, match=r"left out 2 of 8 series shorter than 13 values.*'short1', 'short2'"
    ):
        out = train_panel(mixed, "naive", horizon=6, tracking=untracked, drop_short=True)
    assert out.params["n_series_dropped"] == 2 and out.params["n_series"] == 6
    assert set(out.per_series["unique_id"]) == {str(i) for i in panel.ids}
    alone = train_panel(panel, "naive", horizon=6, tracking=untracked)
    assert out.metrics["test_mase"] == pytest.approx(alone.metrics["test_mase"])
    with pytest.raises(DataValidationError, match=r"no series has the 201 values the holdout needs"):
        train_panel(mixed, "naive", horizon=100, tracking=untracked, drop_short=True)
    # scoring a saved model needs 2 + H values (two to forecast from, no validation window):
    # at H 10 'short2' (12) stays and 'short1' (10) goes
    from tsforge.pipeline.panel import evaluate_panel_model

    saved = PanelPredictor("naive", 10, freq="MS", season_length=12)
    with pytest.raises(DataValidationError, match=r"1 of 8 series has fewer than 12 values"):
        evaluate_panel_model(saved, mixed)
    with pytest.warns(ShortSeriesWarning, match=r"left out 1 of 8 series shorter than 12 values.*'short1'"):
        flat, table = evaluate_panel_model(saved, mixed, drop_short=True)
    assert len(table) == 7 and "short2" in set(table["unique_id"])


@pytest.mark.slow
@pytest.mark.parametrize("model", ["auto_theta", "nlinear"])
def test_tracked_panel_model_round_trips_through_the_registry(model, tracking_uri, tmp_path):
    import mlflow

    panel = _panel()
    out = train_panel(
        panel, model, horizon=6, tracking=TrackingOptions(progress=False, registered_name=f"tp-{model}")
    )
    run = mlflow.get_run(out.run_id)
    assert run.data.params["protocol"] == "holdout" and run.data.params["n_series"] == "30"
    assert run.data.tags["tsforge.protocol"] == "holdout"
    assert {"test_mase", "test_smape", "test_owa", "val_mase"} <= set(run.data.metrics)
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(out.run_id, "metrics")}
    assert "metrics/per_series.csv" in artifacts
    # the registered model forecasts from a history alone, in a fresh process
    history = panel.to_long().rename(columns=str)
    history_path = tmp_path / "history.csv"
    history.to_csv(history_path, index=False)
    expected = out.predictor.predict_frame(history, 6)
    code = (
        "import json, sys, mlflow, pandas as pd;"
        f"m = mlflow.pyfunc.load_model('models:/tp-{model}@champion');"
        f"h = pd.read_csv(r'{history_path}', parse_dates=['ds']);"
        "print(json.dumps(m.predict(h, params={'horizon': 6})['y_hat'].tolist()))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = np.asarray(json.loads(proc.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(got, expected["y_hat"].to_numpy(), rtol=1e-6, atol=1e-8)
    assert isinstance(expected, pd.DataFrame) and len(expected) == 6 * 30


def test_a_series_in_another_anchor_continues_on_its_own_grid_and_another_rate_is_named():
    """A weekly (Sunday) model forecasting a Monday-weekly history, or a month-start model a
    month-end one, failed with "starts at …, not on the W-SUN grid"; the same rate in another
    anchor now continues on the series' own dates, and another rate (daily data for a weekly
    model) is refused naming the series' timestamps and both frequencies."""
    from tsforge.errors import DataValidationError
    from tsforge.inference import SeriesInput

    rng = np.random.default_rng(0)
    weekly = Panel.from_arrays(
        [50 + rng.normal(0, 1, 80) for _ in range(12)],
        starts=np.full(12, np.datetime64("2019-01-06", "ns")),  # a Sunday
        freq="W-SUN",
        season_length=1,
    )
    predictor = train_panel(weekly, "naive", horizon=3, tracking=TrackingOptions(track=False)).predictor
    values = 50 + rng.normal(0, 1, 60)

    def ask(freq: str, start: str) -> SeriesInput:
        return SeriesInput(
            id="x", values=values, timestamps=pd.date_range(start, periods=60, freq=freq).values
        )

    (monday,) = predictor.predict_series([ask("W-MON", "2020-01-06")], 3)
    last = pd.Timestamp("2020-01-06") + pd.Timedelta(weeks=59)
    assert list(pd.DatetimeIndex(monday.timestamps)) == [last + pd.Timedelta(weeks=k) for k in (1, 2, 3)]
    np.testing.assert_allclose(monday.values, values[-1])  # naive: the same forecast as on Sundays
    with pytest.raises(DataValidationError) as exc:
        predictor.predict_series([ask("D", "2020-01-01")], 3)
    assert exc.value.where["field"] == "series[0].timestamps"
    assert "sampled daily (D)" in exc.value.message and "weekly (W-SUN)" in exc.value.message

    monthly = train_panel(_panel(), "naive", horizon=3, tracking=TrackingOptions(track=False)).predictor
    (month_end,) = monthly.predict_series([ask("ME", "2015-01-31")], 3)
    assert list(pd.DatetimeIndex(month_end.timestamps).strftime("%Y-%m-%d")) == [
        "2020-01-31",
        "2020-02-29",
        "2020-03-31",
    ]


def _counts_and_seasons(scale: float) -> Panel:
    """Half seasonal walks, half monthly counts that start with a stretch of zeros (where
    statsforecast's ETS chose another model in other units) — in units ``scale``."""
    rng = np.random.default_rng(3)
    arrays = []
    for i in range(40):
        if i % 2:
            y = rng.poisson(2.0, 48).astype(float) * (rng.random(48) < 0.5)
            y[: (i % 6) * 5] = 0.0
        else:
            t = np.arange(48)
            y = 50 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, 48).cumsum()
        arrays.append(y * scale)
    return Panel.from_arrays(arrays, ids=[f"s{i}" for i in range(40)], season_length=12, name="units")


@pytest.mark.parametrize("model", ["auto_ets", "lightgbm"])
def test_a_panel_in_other_units_scores_the_same_and_forecasts_in_those_units(model):
    """Every unit-free number of a run (MASE, sMAPE, OWA, coverage, MSIS, WQL, relative widths)
    is the same for the panel in units and in 2^-30 units, and the forecasts and bounds are
    2^-30 times as large. AutoETS differed before it was fitted in working units (test MASE
    1.310 against 1.319 on 80 such series)."""
    c = 2.0**-30
    opts = TrackingOptions(track=False, progress=False)
    big = train_panel(_counts_and_seasons(1.0), model, horizon=6, tracking=opts)
    small = train_panel(_counts_and_seasons(c), model, horizon=6, tracking=opts)
    unit_free = [k for k in big.metrics if k.startswith(("test_", "val_")) and not k.endswith(("mae", "mse"))]
    assert {"test_mase", "test_coverage_80", "test_msis_95", "test_wql"} <= set(unit_free)
    for key in unit_free:
        assert small.metrics[key] == pytest.approx(big.metrics[key], rel=1e-9, nan_ok=True), key
    numbers = big.forecasts.columns.drop(["unique_id", "ds"])  # y, the forecast and its bounds
    np.testing.assert_allclose(
        small.forecasts[numbers].to_numpy() / c, big.forecasts[numbers].to_numpy(), rtol=1e-9, atol=1e-9
    )
