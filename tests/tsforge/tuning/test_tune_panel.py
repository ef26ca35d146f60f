"""Tuning a panel: the per-series holdout protocol of ``tsforge train``, validation MASE minimised."""

from __future__ import annotations

import math

import mlflow
import pytest

from tsforge.data.synthetic import synthetic_panel
from tsforge.errors import ConfigError
from tsforge.tracking.studies import study_runs
from tsforge.tuning import tune

from .conftest import FAST


@pytest.fixture(scope="module")
def panel_csv(store):
    path = store / "panel.csv"
    synthetic_panel(n_series=12, seed=3).to_long().to_csv(path, index=False)
    return str(path)


def test_a_panel_file_is_tuned_on_validation_mase_and_the_best_is_registered(panel_csv, store):
    res = tune(
        panel_csv, "dlinear", n_trials=2, horizon=6, train_config=FAST, storage=str(store / "optuna.journal"),
        study_name="panel", experiment="exp-panel", registered_name="panel-dlinear", n_startup_trials=2,
    )  # fmt: skip
    assert res.objective == "val_mase" and res.counts["complete"] == 2
    trials = {int(r.data.tags["tsforge.trial"]): r for r in study_runs("exp-panel", "panel")}
    values = [r.data.metrics["val_mase"] for r in trials.values()]
    assert math.isclose(res.best_value, min(values), rel_tol=1e-9)
    assert all("val_mse" not in r.data.metrics for r in trials.values())  # scored like `tsforge train`
    # the best configuration retrained with the same seed: the same validation MASE, registered
    assert math.isclose(res.final_metrics["val_mase"], res.best_value, rel_tol=1e-6)
    assert "test_mase" in res.final_metrics and "test_owa" in res.final_metrics
    version = mlflow.MlflowClient().get_model_version_by_alias("panel-dlinear", "champion")
    assert version.run_id == res.final_run_id


def test_loss_strategies_are_refused_on_a_panel(panel_csv, store):
    with pytest.raises(ConfigError, match="holdout") as err:
        tune(panel_csv, "dlinear", n_trials=1, strategy="selective", storage=str(store / "optuna.journal"))
    assert err.value.where["field"] == "strategy"


def test_drop_short_tunes_on_the_long_enough_series_and_is_refused_on_a_split(panel_csv, store, tmp_path):
    import numpy as np
    import pandas as pd

    from tsforge.errors import DataValidationError, ShortSeriesWarning

    frame = pd.read_csv(panel_csv)
    short = pd.DataFrame(
        {"unique_id": "tiny", "ds": pd.date_range("2020-01-01", periods=8, freq="MS"), "y": np.arange(8.0)}
    )
    path = tmp_path / "with_tiny.csv"
    pd.concat([frame, short]).to_csv(path, index=False)
    kw = {"n_trials": 1, "horizon": 6, "train_config": FAST, "storage": str(store / "optuna.journal")}
    with pytest.raises(
        DataValidationError, match=r"1 of 13 series has fewer than 13 values.*drop_short=True"
    ):
        tune(str(path), "dlinear", study_name="tiny-refused", **kw)
    with pytest.warns(ShortSeriesWarning, match=r"left out 1 of 13 series shorter than 13 values.*'tiny'"):
        res = tune(
            str(path),
            "dlinear",
            study_name="tiny",
            experiment="exp-tiny",
            retrain=False,
            drop_short=True,
            **kw,
        )
    assert res.counts["complete"] == 1
    with pytest.raises(ConfigError, match="drop_short=True applies to the panel protocol"):
        tune("etth1", "dlinear", split="7:1:2", drop_short=True, **kw)


def test_the_panel_parent_run_shows_the_trials_input_len_and_a_description(panel_csv, store):
    """The parent run logged ``input_len = None`` (a panel resolves its default inside
    ``train_panel``) while its trials logged the number, and it had no description."""
    res = tune(
        panel_csv, "dlinear", n_trials=1, horizon=6, train_config=FAST, storage=str(store / "optuna.journal"),
        study_name="panel-params", experiment="exp-panel", n_startup_trials=2, retrain=False,
    )  # fmt: skip
    parent = mlflow.MlflowClient().get_run(res.parent_run_id).data
    (trial,) = study_runs("exp-panel", "panel-params")
    assert parent.params["input_len"] == trial.data.params["input_len"] != "None"
    note = parent.tags["mlflow.note.content"]
    assert "\n" not in note and "dlinear" in note and "horizon 6" in note and "1 trials" in note
    assert f"best val_mase {res.best_value:.4g}" in note


def test_a_panel_study_records_that_nothing_is_pruned_and_warns_on_an_explicit_pruner(
    panel_csv, store, caplog
):
    """A panel trial reports no per-epoch loss: the parent run said ``PercentilePruner`` and
    ``--pruner percentile`` passed silently, although no trial could ever be pruned."""
    with caplog.at_level("WARNING", logger="tsforge.tuning.tune"):
        res = tune(
            panel_csv, "dlinear", n_trials=1, horizon=6, train_config=FAST, storage=str(store / "optuna.journal"),
            study_name="panel-pruner", experiment="exp-panel-pruner", pruner="percentile", retrain=False,
        )  # fmt: skip
    assert any("has no effect on a panel" in r.getMessage() for r in caplog.records)
    params = mlflow.MlflowClient().get_run(res.parent_run_id).data.params
    assert params["pruner"] == "NopPruner"


def test_the_parent_run_names_the_data_its_trials_train_on(panel_csv, store):
    """The study's parent run had no dataset input (an empty Dataset column in the runs table)
    while every trial under it named the panel: it now logs the trials' dataset."""
    res = tune(
        panel_csv, "dlinear", n_trials=1, horizon=6, train_config=FAST, storage=str(store / "optuna.journal"),
        study_name="panel-data", experiment="exp-panel-data", n_startup_trials=2, retrain=False,
    )  # fmt: skip
    client = mlflow.MlflowClient()
    (mine,) = client.get_run(res.parent_run_id).inputs.dataset_inputs
    (trial,) = study_runs("exp-panel-data", "panel-data")
    (theirs,) = client.get_run(trial.info.run_id).inputs.dataset_inputs
    assert (mine.dataset.name, mine.dataset.digest, mine.dataset.source) == (
        theirs.dataset.name,
        theirs.dataset.digest,
        theirs.dataset.source,
    )
