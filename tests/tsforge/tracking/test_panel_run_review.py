"""A panel training's run, read as a reviewer reads it in the MLflow UI: what its parameters,
description and registered version say the model read, which window each score is of, and
when an interval score is of clamped bounds."""

from __future__ import annotations

import mlflow
import numpy as np

from tsforge.data.panel import Panel
from tsforge.pipeline import TrackingOptions
from tsforge.pipeline.panel import train_panel


def _walks(n_series: int, length: int = 40, name: str = "walks") -> Panel:
    rng = np.random.default_rng(0)
    arrays = [50 + np.cumsum(rng.normal(size=length)) for _ in range(n_series)]
    return Panel.from_arrays(arrays, season_length=1, name=name)


def _run(run_id: str):
    return mlflow.MlflowClient().get_run(run_id)


def test_a_local_panel_run_says_in_words_what_it_reads_of_each_series(tracking_uri):
    """The run logged ``input_len = 1`` (its serving contract's "any history serves") while its
    registered version said "each series' whole history", and a history cap (``max_history``)
    was in neither: the runs table's input_len column read 1 beside a global model's 24."""
    panel = _walks(12)
    whole = train_panel(panel, "naive", horizon=6, intervals=False, tracking=TrackingOptions(progress=False))
    assert _run(whole.run_id).data.params["input_len"] == "whole history"
    capped = train_panel(
        panel,
        "naive",
        horizon=6,
        intervals=False,
        model_config={"max_history": 30},
        tracking=TrackingOptions(progress=False, registered_name="walks-naive-capped"),
    )
    assert _run(capped.run_id).data.params["input_len"] == "last 30 values at most"
    version = mlflow.MlflowClient().get_model_version(capped.registered_name, capped.version)
    assert "input: each series' last 30 values (all of a shorter one), horizon 6" in version.description


def test_a_panel_run_description_says_which_window_each_score_is_of(tracking_uri):
    """It said "per-series holdout of the last 6 values; scores are per-series averages": which
    window ``val_mase`` was of, what the skill was against and where each series' scores were
    was nowhere on the run page. A tuning trial (no model logged) has no plots to point to."""
    panel = _walks(12)
    kept = train_panel(panel, "naive", horizon=6, intervals=False, tracking=TrackingOptions(progress=False))
    note = _run(kept.run_id).data.tags["mlflow.note.content"]
    assert "test_* scores each series' last 6 values, val_* the 6 before them" in note
    assert "Naive2" in note and "metrics/per_series.csv" in note and "plots/" in note
    trial = train_panel(
        panel,
        "naive",
        horizon=6,
        intervals=False,
        tracking=TrackingOptions(progress=False, log_model=False, register=False),
    )
    assert "plots/" not in _run(trial.run_id).data.tags["mlflow.note.content"]
    experiment = mlflow.MlflowClient().get_experiment(_run(kept.run_id).info.experiment_id)
    assert "12 series of 40 values each" in experiment.tags["mlflow.note.content"]  # not "40–40"


def test_a_run_whose_calibration_cannot_resolve_95_percent_says_so_in_its_description(tracking_uri):
    """``test_coverage_95`` headlined a run whose few calibration scores resolve only a lower
    level (its "95 %" bounds are the most extreme scores seen): the CLI printed a note, the run
    page and the registered version's description (read later) did not, and
    ``intervals.resolved_level`` said 90.5 where 90.476 resolves (the CLI's note said 90.4)."""
    panel = _walks(10, length=30, name="few")  # 20 calibration scores a step: 90.476 % resolves
    out = train_panel(
        panel, "naive", horizon=6, n_calibration_windows=2, tracking=TrackingOptions(progress=False)
    )
    run = _run(out.run_id)
    resolved = out.predictor.calibration.resolved_level(6)
    assert resolved < 95.0 and "test_coverage_95" in run.data.metrics
    note = run.data.tags["mlflow.note.content"]
    assert "Intervals (conformal): the 95 % interval needs" in note and "cover less than nominal" in note
    assert run.data.params["intervals.resolved_level"] == "90.4" and "90.4 %" in note
    version = mlflow.MlflowClient().get_model_version(out.registered_name, out.version)
    assert "test_coverage_95 " in version.description  # beside the score it qualifies
    assert "Intervals (conformal): the 95 % interval needs" in version.description


def test_a_lightgbm_panel_run_says_how_many_lags_it_read(tracking_uri):
    """``model.n_lags`` 48 beside ``input_len`` 12 (a panel's default window, twice the horizon):
    the model reads at most its window's lags, so the run claimed lags it never saw."""
    out = train_panel(
        _walks(12),
        "lightgbm",
        horizon=6,
        intervals=False,
        model_config={"n_estimators": 20},
        tracking=TrackingOptions(progress=False, log_model=False, register=False),
    )
    params = _run(out.run_id).data.params
    assert params["model.n_lags"] == "48" and int(params["input_len"]) < 48
    assert params["lags_read"] == params["input_len"]


def test_a_lightgbm_window_run_says_how_many_lags_it_read(tracking_uri):
    """The same on windowed data: ``--input 24`` with the default ``n_lags`` 48 reads 24."""
    from tsforge.data.synthetic import synthetic_stations
    from tsforge.pipeline import train

    data = synthetic_stations(n_channels=2, n_steps=300, seed=0)
    out = train(
        data, "lightgbm", input_len=24, horizon=6, model_config={"n_estimators": 20},
        register=False, log_model=False, progress=False,
    )  # fmt: skip
    params = _run(out.run_id).data.params
    assert (params["model.n_lags"], params["lags_read"]) == ("48", "24")
