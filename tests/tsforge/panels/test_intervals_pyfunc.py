"""A registered model returns the same intervals in a fresh process, from a history alone."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.pipeline import TrackingOptions, train
from tsforge.pipeline.panel import train_panel

_SCRIPT = """
import json, mlflow, pandas as pd
mlflow.set_tracking_uri({uri!r})
model = mlflow.pyfunc.load_model({ref!r})
for params in {params_list!r}:
    res = model.predict(pd.read_parquet({path!r}), params=params)
    print("RESULT" + json.dumps({{c: res[c].tolist() for c in res.columns if c.startswith("y_hat")}}))
"""


def _fresh_process(uri: str, ref: str, path: str, *params_list: dict) -> list[dict[str, list[float]]]:
    """The forecasts of the model loaded in one new process, one per ``params`` (in order).

    Why one process for several: a process start imports MLflow, tsforge and the model's
    libraries (~10 s on CI); each prediction still only sees what was loaded in that process.
    """
    script = _SCRIPT.format(uri=uri, ref=ref, path=path, params_list=list(params_list))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert len(lines) == len(params_list), proc.stdout[-2000:]
    return [json.loads(line[len("RESULT") :]) for line in lines]


def _check(expected: pd.DataFrame, got: dict[str, list[float]], columns: list[str]) -> None:
    assert sorted(got) == sorted(["y_hat", *columns])
    for col in ["y_hat", *columns]:
        np.testing.assert_allclose(got[col], expected[col].to_numpy(), rtol=1e-6, atol=1e-8)


def test_panel_model_intervals_in_a_fresh_process(tracking_uri, tmp_path):
    rng = np.random.default_rng(0)
    arrays = [50 + np.cumsum(rng.normal(size=48)) for _ in range(40)]
    panel = Panel.from_arrays(arrays, season_length=1, name="walks")
    out = train_panel(panel, "naive", horizon=6, tracking=TrackingOptions(progress=False))
    assert out.registered_name and np.isfinite(out.metrics["test_coverage_80"])
    # interval scores are run metrics (sortable in the UI's runs table), not only in scores.json
    import mlflow

    logged = mlflow.get_run(out.run_id).data.metrics
    for key in ("test_coverage_80", "test_coverage_95", "test_msis_80", "test_msis_95", "test_scaled_crps"):
        assert logged[key] == pytest.approx(out.metrics[key])
    # the scores table says what each panel score is measured in (it once said "normalised")
    table = mlflow.MlflowClient().load_table(
        mlflow.get_run(out.run_id).info.experiment_id,
        artifact_file="metrics/scores.json",
        run_ids=[out.run_id],
    )
    scale = dict(zip(table["key"], table["scale"], strict=True))
    assert scale["test_mase"] == "scale-free, per series"
    assert scale["test_coverage_80"] == "share of values inside the interval"  # a share, as the CLI's
    assert scale["test_msis_80"] == "each series' seasonal-naive MAE"
    assert scale["test_n_series"] == "count" and "normalised" not in scale.values()
    version = mlflow.MlflowClient().get_model_version(out.registered_name, out.version)
    assert "input: each series' whole history, horizon 6" in version.description  # not "input length 1"
    hist = pd.DataFrame(
        {"unique_id": np.repeat(["p", "q"], 30), "y": np.r_[arrays[0][-30:], arrays[5][-30:]]}
    )
    path = str(tmp_path / "hist.parquet")
    hist.to_parquet(path)
    params = {"horizon": 6, "level": [80.0, 95.0], "quantiles": [0.1, 0.9]}
    expected = out.predictor.predict_frame(hist, 6, level=[80, 95], quantiles=[0.1, 0.9])
    # with params, then without (point forecasts only, as before), in one fresh process
    got, plain = _fresh_process(
        tracking_uri, f"models:/{out.registered_name}@champion", path, params, {"horizon": 6}
    )
    _check(
        expected,
        got,
        ["y_hat-lo-80", "y_hat-hi-80", "y_hat-lo-95", "y_hat-hi-95", "y_hat-q-0.1", "y_hat-q-0.9"],
    )
    assert sorted(plain) == ["y_hat"]


def test_window_model_intervals_in_a_fresh_process(tracking_uri, toy_series, tmp_path):
    out = train(
        toy_series, "dlinear", input_len=48, horizon=12, train_config={"max_epochs": 2}, progress=False
    )
    assert out.predictor.calibration is not None
    assert 0 < out.metrics["test_coverage_80"] <= out.metrics["test_coverage_95"] <= 1
    hist = pd.DataFrame(
        {
            "unique_id": np.repeat(["s0", "new"], 60),
            "ds": np.tile(pd.date_range("2021-03-01", periods=60, freq="h"), 2),
            "y": np.concatenate([np.sin(np.arange(60) / 4), np.cos(np.arange(60) / 4)]),
        }
    )
    path = str(tmp_path / "hist.parquet")
    hist.to_parquet(path)
    expected = out.predictor.predict_frame(hist, 12, level=[90])
    (got,) = _fresh_process(
        tracking_uri, "models:/toy-dlinear@champion", path, {"horizon": 12, "level": [90.0]}
    )
    _check(expected, got, ["y_hat-lo-90", "y_hat-hi-90"])


def test_a_constant_channel_is_served_with_the_scale_it_was_calibrated_with(tracking_uri):
    """A window model calibrates on standardised windows; a constant channel's window is flat, so
    its local scale falls back to the window's level, which standardising changes (3 raw, 0
    standardised). Served from raw values, the bounds were the calibration residual times 3:
    off the value the channel always has. Now every calibration window of the channel has the
    same forecast and residual, and the served bounds reproduce it: both are the constant."""
    from tests.conftest import make_series

    data = make_series(n_steps=900, n_channels=2, name="stuck")
    data.values[:, 1] = 3.0  # a channel stuck at 3
    out = train(data, "dlinear", input_len=48, horizon=6, train_config={"max_epochs": 2}, progress=False)
    hist = pd.DataFrame({"unique_id": "s1", "y": np.full(60, 3.0)})
    fc = out.predictor.predict_frame(hist, 6, level=[80])
    assert not np.allclose(fc["y_hat"], 3.0, atol=1e-6)  # the model has a bias on this channel
    np.testing.assert_allclose(fc["y_hat-lo-80"], 3.0, atol=1e-5)
    np.testing.assert_allclose(fc["y_hat-hi-80"], 3.0, atol=1e-5)
    assert out.metrics["test_coverage_80"] > 0  # the logged test scores take the same scale
