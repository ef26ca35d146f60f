"""A cross-validation recorded in MLflow: a parent run and one nested run per model.

``tsforge cv`` left nothing in MLflow: a reviewer of a panel's experiment saw the trainings but
not the comparison between models, nor how each window went.
"""

from __future__ import annotations

import json

import mlflow
import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.evaluation.panel_metrics import cv_scores
from tsforge.panels.calibrate import conformal_cv
from tsforge.panels.cv import cross_validation
from tsforge.pipeline.cv_run import log_cv_run, window_numbers

MODELS = ["naive", "seasonal_naive"]


def _panel(n: int = 6) -> Panel:
    rng = np.random.default_rng(2)
    arrays = [
        20 + i + 3 * np.sin(2 * np.pi * np.arange(48) / 12) + 0.3 * rng.standard_normal(48) for i in range(n)
    ]
    starts = pd.DatetimeIndex([pd.Timestamp("2010-01-01")] * n).values
    return Panel.from_arrays(
        arrays, ids=[f"s{i}" for i in range(n)], starts=starts, freq="MS", name="cvpanel"
    )


def _frame(panel: Panel, level=(80,)) -> pd.DataFrame:
    frame = cross_validation(panel, MODELS, 6, n_windows=3)
    return conformal_cv(frame, panel, MODELS, 6, level=list(level)) if level else frame


def _children(parent_id: str) -> dict[str, object]:
    client = mlflow.MlflowClient()
    exp = client.get_run(parent_id).info.experiment_id
    runs = client.search_runs([exp], f"tags.mlflow.parentRunId = '{parent_id}'")
    return {r.data.tags["tsforge.model"]: r for r in runs}


def test_windows_are_numbered_from_each_series_last_cutoff():
    """A short series fits only the latest windows: its first cutoff is a later window's."""
    frame = pd.DataFrame(
        {
            "unique_id": ["a", "a", "a", "b", "b"],
            "cutoff": pd.to_datetime(["2020-01", "2020-02", "2020-03", "2020-02", "2020-03"]),
        }
    )
    assert window_numbers(frame).tolist() == [0, 1, 2, 1, 2]


def test_a_cv_is_one_parent_run_with_a_nested_run_per_model(tracking_uri, tmp_path):
    panel = _panel()
    path = tmp_path / "cvpanel.csv"
    panel.to_long().to_csv(path, index=False)
    frame = _frame(panel)
    parent_id = log_cv_run(
        panel, frame, MODELS, 6, n_windows=3, data_label=str(path), level=[80], intervals="conformal"
    )
    client = mlflow.MlflowClient()
    parent = client.get_run(parent_id)
    assert parent.info.status == "FINISHED"
    assert client.get_experiment(parent.info.experiment_id).name == "cvpanel"
    tags, params = parent.data.tags, parent.data.params
    assert (tags["tsforge.role"], tags["tsforge.data_kind"], tags["tsforge.horizon"]) == ("cv", "panel", "6")
    assert tags["mlflow.note.content"] and parent.info.run_name == "cv-naive+seasonal_naive-H6-3w"
    assert (params["models"], params["n_windows"], params["step_size"]) == ("naive,seasonal_naive", "3", "6")
    assert (params["intervals.method"], params["intervals.levels"]) == ("conformal", "80")
    assert "seed" not in params  # only local models: nothing reads a seed
    (inp,) = parent.inputs.dataset_inputs
    assert json.loads(inp.dataset.source)["uri"] == str(path.resolve())
    scores = cv_scores(frame, panel).set_index("model")
    best = scores["mase"].idxmin()
    assert tags["tsforge.best_model"] == best
    assert parent.data.metrics[f"cv_mase_{best}"] == pytest.approx(scores.loc[best, "mase"])
    arts = {a.path for d in ("metrics", "plots") for a in client.list_artifacts(parent_id, d)}
    assert {"metrics/cv_scores.csv", "metrics/per_window.csv", "plots/forecast_vs_actual.png"} <= arts

    children = _children(parent_id)
    assert set(children) == set(MODELS)
    for model, run in children.items():
        assert run.info.status == "FINISHED" and run.data.tags["tsforge.role"] == "cv_model"
        assert run.data.metrics["cv_mase"] == pytest.approx(scores.loc[model, "mase"])
        assert {"cv_coverage_80", "cv_msis_80", "cv_smape"} <= set(run.data.metrics)
        # two calibrated windows (the first has none): how far one window's coverage moved
        m = run.data.metrics
        assert m["cv_coverage_min_80"] <= m["cv_coverage_80"] <= m["cv_coverage_max_80"]
        assert [d.dataset.digest for d in run.inputs.dataset_inputs] == [inp.dataset.digest]
        history = client.get_metric_history(run.info.run_id, "window_mase")
        assert sorted(m.step for m in history) == [0, 1, 2]
        last = frame[frame["cutoff"] == frame["cutoff"].max()]
        expected = cv_scores(last, panel).set_index("model").loc[model, "mase"]
        assert next(m.value for m in history if m.step == 2) == pytest.approx(expected)


def test_a_cv_without_intervals_logs_no_interval_settings(tracking_uri):
    panel = _panel()
    parent_id = log_cv_run(panel, _frame(panel, level=()), MODELS, 6, n_windows=3)
    client = mlflow.MlflowClient()
    params = client.get_run(parent_id).data.params
    assert not any(k.startswith("intervals.") for k in params)
    assert all("cv_coverage_80" not in r.data.metrics for r in _children(parent_id).values())


def test_a_frame_that_does_not_match_the_panel_leaves_no_run(tracking_uri):
    """Bad input fails before any run opens: nothing half written is left FINISHED."""
    panel = _panel()
    frame = _frame(panel, level=())
    frame.loc[frame.index[0], "unique_id"] = "nobody"
    with pytest.raises(ValueError, match="nobody"):
        log_cv_run(panel, frame, MODELS, 6, n_windows=3)
    client = mlflow.MlflowClient()
    experiments = [e.experiment_id for e in client.search_experiments()]
    assert client.search_runs(experiments) == []
