"""A cross-validation run records the series a local model's fallback forecast.

Found by a reviewer of the MLflow store: ``tsforge cv -m auto_theta`` said on the terminal that 5
of 203 series were forecast by its fallback (naive), and the run showed 406 scored cases under
auto_theta's name with no tag, metric or note of it.
"""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.panels.cv import cross_validation
from tsforge.pipeline.cv_run import log_cv_run


def _panel() -> Panel:
    frames = []
    for sid, n in {"a": 60, "b": 60, "short": 14}.items():  # short: 8 and 2 values before its cutoffs
        ds = pd.date_range(end="2023-12-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": 50 + np.sin(np.arange(n))}))
    return Panel.from_long(pd.concat(frames), freq="MS", name="fallpanel")


def test_the_run_counts_and_names_the_series_a_fallback_forecast(tracking_uri):
    panel = _panel()
    models = ["seasonal_naive", "naive"]
    frame = cross_validation(panel, models, 6, n_windows=2, progress=False)
    parent_id = log_cv_run(panel, frame, models, 6, n_windows=2)
    client = mlflow.MlflowClient()
    parent = client.get_run(parent_id)
    assert parent.data.metrics["cv_n_fallback_seasonal_naive"] == 1
    assert parent.data.metrics["cv_n_fallback_naive"] == 0  # a local model without one: counted 0
    said = (
        "1 of 3 series was too short for seasonal_naive (or it failed on it) and was forecast by its fallback"
    )
    assert f"{said} (naive, or simpler): short" in parent.data.tags["mlflow.note.content"]
    runs = client.search_runs([parent.info.experiment_id], f"tags.mlflow.parentRunId = '{parent_id}'")
    children = {r.data.tags["tsforge.model"]: r for r in runs}
    assert children["seasonal_naive"].data.metrics["cv_n_fallback"] == 1
    assert said in children["seasonal_naive"].data.tags["mlflow.note.content"]
    assert children["naive"].data.metrics["cv_n_fallback"] == 0
    assert "fallback" not in children["naive"].data.tags["mlflow.note.content"]
