"""What a tracked panel run records in MLflow: a global model's curves and full training config,
the file it was read from, and its params even when training fails."""

from __future__ import annotations

import json

import mlflow
import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.pipeline import TrackingOptions, train_panel
from tsforge.training.callbacks import Callback, TrainState

_QUIET = TrackingOptions(register=False, log_model=False, progress=False)


def _panel(n: int = 12) -> Panel:
    rng = np.random.default_rng(5)
    arrays = []
    for i in range(n):
        t = np.arange(int(rng.integers(40, 60)))
        arrays.append(10 + i + 3 * np.sin(2 * np.pi * t / 12) + 0.2 * rng.standard_normal(t.size))
    starts = pd.DatetimeIndex([pd.Timestamp("2001-01-01")] * n).values
    return Panel.from_arrays(
        arrays, ids=[f"s{i}" for i in range(n)], starts=starts, freq="MS", name="tiny-panel"
    )


def _steps(run_id: str, key: str) -> list[int]:
    return sorted(m.step for m in mlflow.MlflowClient().get_metric_history(run_id, key))


def test_a_global_model_logs_its_epoch_curves_and_its_full_training_config(tracking_uri):
    """Panel runs of a neural model logged no train_loss/val_loss/lr/epochs_run and, of the
    train.* options, only the ones the caller overrode (train.max_epochs)."""
    out = train_panel(
        _panel(), "dlinear", horizon=6, train_config={"max_epochs": 2}, intervals=False, tracking=_QUIET
    )
    run = mlflow.get_run(out.run_id)
    for key in ("train_loss", "val_loss", "lr", "epoch_seconds"):
        assert _steps(out.run_id, key) == [1, 2], key  # epochs as the progress lines number them
    assert run.data.metrics["epochs_run"] == 2.0
    assert "step = epoch, counted from 1" in run.data.tags["mlflow.note.content"]
    params = run.data.params
    # the caller's option, the panel defaults and the loop's own defaults, as the loop ran them
    assert params["train.max_epochs"] == "2"
    assert (params["train.batch_size"], params["train.loss"]) == ("256", "mae")
    assert {"train.lr", "train.seed", "train.patience", "train.grad_clip"} <= set(params)
    assert all(params[k] == str(v) for k, v in out.params.items() if k.startswith("train."))


def test_a_panel_read_from_a_file_records_the_file_as_its_dataset_source(tracking_uri, tmp_path):
    """A panel trained from a CSV file logged its dataset input as 'in-memory data: <name>'."""
    path = tmp_path / "sales.csv"
    _panel().to_long().to_csv(path, index=False)
    out = train_panel(str(path), "seasonal_naive", horizon=6, intervals=False, tracking=_QUIET)
    (source,) = [d.dataset.source for d in mlflow.get_run(out.run_id).inputs.dataset_inputs]
    assert json.loads(source)["uri"] == str(path.resolve())


class _Crash(Callback):
    """Fails the training after its first epoch, as a crash (or a diverged loss) would."""

    def on_epoch_end(self, state: TrainState) -> None:
        raise RuntimeError("crashed in training")


def test_a_panel_run_whose_training_fails_still_records_its_params(tracking_uri, monkeypatch):
    """Params were logged only after a successful training: a failed run showed none."""
    import tsforge.pipeline.panel as panel_pipeline

    # the run's own epoch observers crash the fit (the loop calls them after every epoch)
    monkeypatch.setattr(panel_pipeline, "_epoch_loggers", lambda run: [_Crash()])
    with pytest.raises(RuntimeError, match="crashed in training"):
        train_panel(_panel(), "dlinear", horizon=6, train_config={"lr": 0.02}, tracking=_QUIET)
    (run,) = mlflow.search_runs(search_all_experiments=True, output_format="list")
    assert run.info.status == "FAILED"
    params = run.data.params
    assert (params["model"], params["dataset"], params["n_series"]) == ("dlinear", "tiny-panel", "12")
    assert (params["train.lr"], params["train.batch_size"]) == ("0.02", "256")


def test_a_registered_panel_model_tags_the_digest_of_its_dataset_input_hashing_the_panel_once(
    tracking_uri, monkeypatch
):
    """The run's dataset input and the registered version's data tag carry one digest, and the
    panel is hashed once per run (it was hashed for each, twice over every value)."""
    import tsforge.tracking.datasets as datasets

    calls = []
    original = datasets.array_digest

    def counting(*arrays):
        calls.append(len(arrays))
        return original(*arrays)

    monkeypatch.setattr(datasets, "array_digest", counting)
    options = TrackingOptions(register=True, log_model=True, progress=False, registered_name="tiny-naive")
    out = train_panel(_panel(), "seasonal_naive", horizon=6, intervals=False, tracking=options)
    (dataset_input,) = mlflow.get_run(out.run_id).inputs.dataset_inputs
    client = mlflow.MlflowClient()
    (version,) = client.search_model_versions("name='tiny-naive'")
    assert version.tags["tsforge.data_digest"] == dataset_input.dataset.digest
    assert calls == [4]  # ids, indptr, values, starts: one digest of the panel
