"""Train → log to MLflow → load the registered pyfunc in a *fresh process* → identical forecast."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd

from tsforge.pipeline import train


def test_pyfunc_round_trip_in_a_subprocess(tracking_uri, toy_series, tmp_path):
    out = train(
        toy_series, "dlinear", input_len=48, horizon=12, train_config={"max_epochs": 2}, progress=False
    )
    assert out.run_id and out.registered_name == "toy-dlinear" and out.version == "1"
    assert out.champion_version == "1"

    hist = pd.DataFrame(
        {
            "unique_id": np.repeat(["s0", "s1"], 60),
            "ds": np.tile(pd.date_range("2021-03-01", periods=60, freq="h"), 2),
            "y": np.concatenate([np.sin(np.arange(60) / 4), np.cos(np.arange(60) / 4)]),
        }
    )
    hist_path = tmp_path / "hist.parquet"
    hist.to_parquet(hist_path)
    expected = out.predictor.predict_frame(hist, 12)

    script = f"""
import json, mlflow, pandas as pd
mlflow.set_tracking_uri({tracking_uri!r})
model = mlflow.pyfunc.load_model("models:/toy-dlinear@champion")
res = model.predict(pd.read_parquet({str(hist_path)!r}), params={{"horizon": 12}})
print("RESULT" + json.dumps(res["y_hat"].tolist()))
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT"))
    got = np.array(json.loads(line[len("RESULT") :]))
    np.testing.assert_allclose(got, expected["y_hat"].to_numpy(), rtol=1e-6, atol=1e-6)


def test_run_logs_params_epoch_metrics_plot_and_champion_moves_to_best(tracking_uri, toy_series):
    import mlflow

    good = train(
        toy_series, "dlinear", input_len=48, horizon=12, train_config={"max_epochs": 2}, progress=False
    )
    worse = train(
        toy_series, "naive", input_len=48, horizon=12, registered_name="toy-dlinear", progress=False
    )
    client = mlflow.MlflowClient()
    run = client.get_run(good.run_id)
    assert run.data.params["model"] == "dlinear" and run.data.params["input_len"] == "48"
    assert len(client.get_metric_history(good.run_id, "val_loss")) == len(good.fit_report.history)
    assert "test_mse" in run.data.metrics and "test_orig_mae" in run.data.metrics
    arts = [a.path for a in client.list_artifacts(good.run_id, "plots")]
    assert "plots/forecast_vs_actual.png" in arts
    assert worse.version == "2"
    assert worse.metrics["val_mse"] > good.metrics["val_mse"]
    assert str(client.get_model_version_by_alias("toy-dlinear", "champion").version) == "1"
