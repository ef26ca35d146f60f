"""LightGBM shows its boosting rounds as the project's other long steps show their progress.

Found by a reviewer: ``tsforge train m1_quarterly -m lightgbm`` printed nothing for 2½ minutes,
where a network prints its epochs and a local model a bar over its series.
"""

from __future__ import annotations

from tsforge.data.synthetic import synthetic_panel
from tsforge.pipeline import TrackingOptions, train_panel

ROUNDS = {"n_estimators": 12, "early_stopping_rounds": 50}  # no early stop: all 12 rounds run


def _train(progress: bool) -> None:
    panel = synthetic_panel(n_series=4, min_length=40, max_length=50, seed=3)
    train_panel(
        panel,
        "lightgbm",
        horizon=6,
        model_config=ROUNDS,
        intervals=False,
        tracking=TrackingOptions(track=False, progress=progress),
    )


def test_a_lightgbm_training_shows_its_boosting_rounds(capfd):
    _train(progress=True)
    err = capfd.readouterr().err
    assert "LightGBM boosting rounds" in err, err
    assert "12/12" in err, err  # the last round reached, in a log its last line kept


def test_no_bar_without_progress(capfd):
    _train(progress=False)
    assert "boosting rounds" not in capfd.readouterr().err
