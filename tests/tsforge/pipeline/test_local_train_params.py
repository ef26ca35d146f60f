"""A local panel model's run logs what it was trained with as ``train.*`` params.

Found by a README walk: "Where results go" says every training run logs its full training config
(``train.*``), and ``tsforge train my.csv -m auto_ets -H 12`` logged none.
"""

from __future__ import annotations

import mlflow

from tests.conftest import monthly_frame
from tsforge.pipeline import TrackingOptions, train_panel


def test_a_local_run_logs_its_training_config(tracking_uri):
    out = train_panel(
        monthly_frame(n=3, length=40),
        "seasonal_naive",
        horizon=6,
        n_calibration_windows=3,
        tracking=TrackingOptions(track=True, log_model=False),
    )
    logged = mlflow.get_run(out.run_id).data.params
    assert logged["train.model"] == "seasonal_naive", logged
    assert logged["train.horizon"] == "6", logged
    assert logged["train.season_length"] == "12", logged
    assert logged["train.interval_method"] == "conformal", logged
    assert logged["train.n_calibration_windows"] == "3", logged
    assert logged["train.scored_levels"] == "80,95", logged
    assert logged["train.drop_short"] == "False" and logged["train.fill_gaps"] == "False", logged
    assert "train.max_history" in logged, logged


def test_the_options_it_was_given_are_what_it_logs(tracking_uri):
    out = train_panel(
        monthly_frame(n=3, length=40),
        "seasonal_naive",
        horizon=4,
        model_config={"season_length": 6, "max_history": 30},
        intervals=False,
        drop_short=True,
        tracking=TrackingOptions(track=True, log_model=False),
    )
    logged = mlflow.get_run(out.run_id).data.params
    assert logged["train.horizon"] == "4" and logged["train.season_length"] == "6", logged
    assert logged["train.max_history"] == "30", logged
    assert logged["train.interval_method"] == "native" and "train.n_calibration_windows" not in logged, logged
    assert logged["train.drop_short"] == "True", logged
