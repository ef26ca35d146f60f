"""What a reviewer reads off a training run and its registered version in the MLflow UI.

Found by reading a store with ``MlflowClient`` after ``tsforge train``: runs carried no data
kind, horizon or input length as tags (only buried in params), no code version anywhere, and a
local panel model logged ``seed=2024``, a default that no statistical fit reads, posing as a
choice.
"""

from __future__ import annotations

from importlib import metadata

import mlflow
import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.pipeline import TrackingOptions, train, train_panel

VERSION = metadata.version("tsforge")


CODE_VERSION_TAG = "tsforge.code_version"


def _code_version_is_named(value: str | None) -> bool:
    """``<package version>`` or ``<package version>+g<commit>[.dirty]``."""
    return value is not None and (value == VERSION or value.startswith(f"{VERSION}+g"))


def _panel(n: int = 6) -> Panel:
    rng = np.random.default_rng(3)
    arrays = [
        10 + i + 3 * np.sin(2 * np.pi * np.arange(40) / 12) + 0.2 * rng.standard_normal(40) for i in range(n)
    ]
    starts = pd.DatetimeIndex([pd.Timestamp("2001-01-01")] * n).values
    return Panel.from_arrays(arrays, ids=[f"s{i}" for i in range(n)], starts=starts, freq="MS", name="review")


def test_a_panel_run_is_tagged_with_its_data_kind_horizon_and_code(tracking_uri):
    out = train_panel(
        _panel(),
        "seasonal_naive",
        horizon=6,
        intervals=False,
        tracking=TrackingOptions(registered_name="review-sn", progress=False),
    )
    client = mlflow.MlflowClient()
    run = client.get_run(out.run_id)
    tags = run.data.tags
    assert (tags["tsforge.data_kind"], tags["tsforge.horizon"], tags["tsforge.protocol"]) == (
        "panel",
        "6",
        "holdout",
    )
    assert _code_version_is_named(tags.get(CODE_VERSION_TAG))
    # a statistical model per series reads no seed: logging the CLI's default suggested one was chosen
    assert "seed" not in run.data.params
    version = client.get_model_version("review-sn", out.version)
    assert _code_version_is_named(version.tags.get(CODE_VERSION_TAG))
    assert f"(tsforge {version.tags.get(CODE_VERSION_TAG)})" in version.description
    assert version.run_id == out.run_id


def test_a_global_panel_run_is_tagged_and_still_logs_the_seed_it_trained_with(tracking_uri):
    out = train_panel(
        _panel(),
        "dlinear",
        horizon=6,
        seed=7,
        train_config={"max_epochs": 1},
        intervals=False,
        tracking=TrackingOptions(register=False, log_model=False, progress=False),
    )
    run = mlflow.MlflowClient().get_run(out.run_id)
    assert run.data.params["seed"] == "7"
    assert (run.data.tags["tsforge.data_kind"], run.data.tags["tsforge.model_kind"]) == ("panel", "global")


def test_a_window_run_is_tagged_with_its_data_kind_lengths_split_and_code(tracking_uri):
    from tsforge.data.synthetic import synthetic_stations

    data = synthetic_stations(n_channels=2, n_steps=300, seed=0)
    out = train(data, "naive", input_len=24, horizon=6, registered_name="review-naive", progress=False)
    client = mlflow.MlflowClient()
    tags = client.get_run(out.run_id).data.tags
    assert tags["tsforge.data_kind"] == "multichannel"
    assert (tags["tsforge.input_len"], tags["tsforge.horizon"]) == ("24", "6")
    assert tags["tsforge.protocol"] == out.spec.split
    assert _code_version_is_named(tags.get(CODE_VERSION_TAG))
    version = client.get_model_version("review-naive", out.version)
    assert _code_version_is_named(version.tags.get(CODE_VERSION_TAG))


def test_a_window_run_logs_the_stride_its_scores_were_taken_at(tracking_uri):
    """``eval_stride`` changes which windows the val/test scores average over, and no run said it."""
    from tsforge.data.synthetic import synthetic_stations

    data = synthetic_stations(n_channels=2, n_steps=300, seed=0)
    out = train(data, "naive", input_len=24, horizon=6, eval_stride=3, register=False, progress=False)
    assert mlflow.MlflowClient().get_run(out.run_id).data.params["eval_stride"] == "3"


def test_a_run_covering_trainings_can_name_their_data_as_they_do(tracking_uri):
    """A tuning study's parent run had no dataset input: its row in the runs table named no data,
    though every trial under it did. ``log_series_dataset`` gives it the trials' dataset (same
    name, digest and source)."""
    from tsforge.data.synthetic import synthetic_stations
    from tsforge.pipeline.multichannel import log_series_dataset
    from tsforge.tracking.runs import tracked_run

    data = synthetic_stations(n_channels=2, n_steps=300, seed=0)
    with tracked_run(experiment=data.name, run_name="tune-x") as parent:
        digest = log_series_dataset(parent, data, None)
        out = train(data, "naive", input_len=24, horizon=6, register=False, nested=True, progress=False)
    client = mlflow.MlflowClient()
    (mine,) = client.get_run(parent.run_id).inputs.dataset_inputs
    (trial,) = client.get_run(out.run_id).inputs.dataset_inputs
    assert client.get_run(out.run_id).data.tags["mlflow.parentRunId"] == parent.run_id
    assert (mine.dataset.name, mine.dataset.digest, mine.dataset.source) == (
        trial.dataset.name,
        trial.dataset.digest,
        trial.dataset.source,
    )
    assert digest == mine.dataset.digest
