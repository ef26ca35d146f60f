"""``tsforge train --model ensemble`` on a user's wide file (members side by side, ``--n-jobs 2``):
the weights are printed and logged, the registered ensemble forecasts with intervals like any
model, and a member that reads more than the ensemble's window is one clear line."""

import json

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def _wide(path, n):
    t = np.arange(n)
    rng = np.random.default_rng(0)
    pd.DataFrame(
        {
            "date": pd.date_range("2021-01-01", periods=n, freq="h"),
            "a": np.sin(2 * np.pi * t / 24) + 0.1 * rng.normal(size=n),
            "b": np.cos(2 * np.pi * t / 12),
        }
    ).to_csv(path, index=False)
    return str(path)


MEMBERS = json.dumps(
    [
        {"model": "sparsetsf", "train": {"max_epochs": 1}},
        {"model": "nlinear", "input_len": 24, "config": {"revin": True}, "train": {"max_epochs": 1}},
    ]
)


def test_an_ensemble_trains_registers_and_forecasts_with_intervals(tracking_uri, tmp_path, capsys):
    from mlflow import MlflowClient

    data = _wide(tmp_path / "wide.csv", 600)
    common = ["--split", "7:1:2", "--input", "48", "--horizon", "12", "--option", f"members={MEMBERS}"]
    code, out, err = run_cli(
        capsys, "train", data, "--model", "ensemble", *common, "--n-jobs", "2", "--register-as", "ens"
    )
    assert code == 0, err[-3000:]
    flat = " ".join(out.split())
    assert "ensemble weights" in flat and "sparsetsf L 48: 0.50" in flat and "nlinear L 24: 0.50" in flat
    run = MlflowClient().search_runs(MlflowClient().get_experiment_by_name("wide").experiment_id)[0]
    assert run.data.metrics["weight_0_sparsetsf"] == 0.5
    assert run.data.params["ensemble.members_trained_on"] == "local x2"  # --n-jobs reached the members
    logged = MlflowClient().download_artifacts(run.info.run_id, "ensemble_members.json", str(tmp_path))
    with open(logged) as fh:
        members = json.load(fh)
    assert [row[members["columns"].index("model")] for row in members["data"]] == ["sparsetsf", "nlinear"]

    hist = _wide(tmp_path / "hist.csv", 200)
    dest = tmp_path / "fc.csv"
    code, _, err = run_cli(
        capsys, "forecast", hist, "--model", "models:/ens@champion", "--horizon", "12", "--level", "80",
        "--output", str(dest),
    )  # fmt: skip
    assert code == 0, err[-3000:]
    fc = pd.read_csv(dest)
    assert len(fc) == 24 and {"y_hat", "y_hat-lo-80", "y_hat-hi-80"} <= set(fc.columns)
    assert (fc["y_hat-lo-80"] <= fc["y_hat"]).all() and (fc["y_hat"] <= fc["y_hat-hi-80"]).all()

    code, _, err = run_cli(
        capsys, "train", data, "--model", "ensemble", "--split", "7:1:2", "--input", "24", "--horizon", "12",
        "--no-track", "--option", 'members=["sparsetsf:48"]',
    )  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "members[0] (sparsetsf) reads 48 steps" in err and "--input 48" in err
