"""``tsforge.tracking.load_predictor`` in Python printed MLflow's "Downloading artifacts" bars
(9-10 lines per model) that the CLI keeps quiet; now the download is quiet in Python too, and the
user's own ``MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR`` (set or not) is left as it was."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tsforge.data.panel import Panel
from tsforge.pipeline import train_panel
from tsforge.pipeline.multichannel import TrackingOptions
from tsforge.tracking import load_predictor

VAR = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"


@pytest.fixture
def registered(tracking_uri: str) -> str:
    rng = np.random.default_rng(0)
    panel = Panel.from_arrays([rng.normal(10, 1, 40) for _ in range(2)], ids=["a", "b"])
    train_panel(
        panel,
        "naive",
        horizon=3,
        intervals=False,
        tracking=TrackingOptions(registered_name="quiet-naive", progress=False),
    )
    return "quiet-naive"


def test_loading_prints_no_download_bars_and_leaves_the_variable_unset(registered, monkeypatch, capfd):
    monkeypatch.delenv(VAR, raising=False)  # a notebook: nobody set it (the test suite's conftest does)
    capfd.readouterr()
    predictor = load_predictor(registered)
    err = capfd.readouterr().err
    assert "Downloading artifacts" not in err, err
    assert VAR not in os.environ  # set only around the download
    assert predictor.meta["registered_name"] == registered


def test_a_users_own_setting_wins_and_is_kept(registered, monkeypatch, capfd):
    monkeypatch.setenv(VAR, "true")
    capfd.readouterr()
    load_predictor(registered)
    assert "Downloading artifacts" in capfd.readouterr().err  # they asked for the bars
    assert os.environ[VAR] == "true"
