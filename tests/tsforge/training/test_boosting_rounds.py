"""A LightGBM run logs the boosting rounds it ran as ``boosting_rounds``, a network its epochs as
``epochs_run``: LightGBM's history holds one validation score per round, and its runs (a panel's
and a multichannel one's) logged the count as ``epochs_run`` (40 "epochs" of a booster)."""

from __future__ import annotations

import pytest

from tsforge.data.synthetic import synthetic_panel, synthetic_stations
from tsforge.models.base import FitReport
from tsforge.pipeline import TrackingOptions, train, train_panel

ROUNDS = {"n_estimators": 12, "early_stopping_rounds": 50}  # no early stop: all 12 rounds run


def test_a_multichannel_lightgbm_run_counts_boosting_rounds():
    data = synthetic_stations(n_channels=2, n_steps=300, seed=11)
    metrics = train(data, "lightgbm", input_len=24, horizon=8, split="7:1:2", track=False,
                    model_config=ROUNDS).metrics  # fmt: skip
    assert metrics["boosting_rounds"] == 12
    assert 1 <= metrics["best_round"] <= 12  # the rounds the booster keeps
    assert "epochs_run" not in metrics and "best_epoch" not in metrics


def test_a_panel_lightgbm_run_counts_boosting_rounds():
    panel = synthetic_panel(n_series=4, min_length=40, max_length=50, seed=3)
    metrics = train_panel(panel, "lightgbm", horizon=6, model_config=ROUNDS,
                          tracking=TrackingOptions(track=False, progress=False)).metrics  # fmt: skip
    assert metrics["boosting_rounds"] == 12
    assert "epochs_run" not in metrics


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("dlinear", {"epochs_run": 3.0, "best_epoch": 2.0}),  # the report's 0-based 1, as printed
        ("lightgbm", {"boosting_rounds": 3.0, "best_round": 2.0}),
    ],
)
def test_iterations_are_named_for_what_the_history_counts(model, expected):
    from tsforge.training.fitting import iterations_run

    report = FitReport(history=[{"epoch": float(i)} for i in range(3)], best_epoch=1)
    assert iterations_run(model, report, best=True) == expected
    assert iterations_run(model, report) == {next(iter(expected)): 3.0}
