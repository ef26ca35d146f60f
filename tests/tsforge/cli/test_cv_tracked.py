"""``tsforge cv`` records its comparison in MLflow (one run, a nested run per model), as
``train`` records a training; ``--no-track`` records nothing."""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd

from tsforge.cli.app import main


def _panel_csv(path) -> str:
    rng = np.random.default_rng(0)
    t = np.arange(48)
    frame = pd.concat(
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2015-01-01", periods=48, freq="MS"),
                "y": 50 + i + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 48),
            }
        )
        for i in range(5)
    )
    frame.to_csv(path, index=False)
    return str(path)


def _runs(uri: str) -> pd.DataFrame:
    mlflow.set_tracking_uri(uri)
    return mlflow.search_runs(search_all_experiments=True)


def test_cv_logs_a_run_with_one_nested_run_per_model(tmp_path, tracking_uri, capsys):
    data = _panel_csv(tmp_path / "p.csv")
    main(["cv", data, "--model", "naive,seasonal_naive", "--horizon", "6", "--n-windows", "2"])
    assert "MLflow run" in capsys.readouterr().out
    runs = _runs(tracking_uri)
    parent = runs[runs["tags.tsforge.role"] == "cv"]
    children = runs[runs["tags.tsforge.role"] == "cv_model"]
    assert len(parent) == 1 and parent["status"].iloc[0] == "FINISHED"
    assert sorted(children["tags.tsforge.model"]) == ["naive", "seasonal_naive"]
    assert set(children["tags.mlflow.parentRunId"]) == {parent["run_id"].iloc[0]}
    assert np.isfinite(children["metrics.cv_mase"]).all()


def test_cv_no_track_logs_nothing(tmp_path, tracking_uri):
    data = _panel_csv(tmp_path / "p.csv")
    main(["cv", data, "--model", "naive", "--horizon", "6", "--n-windows", "2", "--no-track"])
    assert _runs(tracking_uri).empty
