"""The routed ensemble logs the scores of the forecasts it serves.

Why: the ensemble stops the point forecast of a non-negative series at its calibration's floor
when it forecasts, but its training scored the raw combination of its members: on a series
falling to 0 a trending member forecasts below 0, so the logged test MASE was worse than the
served forecasts' (and than what ``tsforge evaluate`` of the registered model measures).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from recommender.routed_training import train_routed
from tests.tsforge.pipeline.test_scores_as_served import H, _panel
from tsforge.evaluation.panel_metrics import panel_scores, summarise
from tsforge.inference import SeriesInput
from tsforge.panels.protocol import holdout_split
from tsforge.pipeline import TrackingOptions


def test_the_routed_test_scores_are_those_of_the_served_forecasts():
    panel = _panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = train_routed(
            panel, H, members=["naive", "auto_ets"], tracking=TrackingOptions(track=False, progress=False)
        )
    split = holdout_split(panel, H)
    histories = [SeriesInput(str(split.history.ids[i]), split.history.series(i)) for i in range(len(panel))]
    served = np.vstack([f.values for f in out.predictor.predict_series(histories, H)])
    down = list(split.history.ids).index("down")
    # AutoETS follows the fall below 0; the ensemble serves 0 there
    assert served[down].min() == 0.0
    scores = summarise(panel_scores(split.test, {"routed": served}, split.history, panel.season_length))
    assert out.metrics["test_mase"] == pytest.approx(scores["routed"]["mase"], rel=1e-9)
    assert out.metrics["test_smape"] == pytest.approx(scores["routed"]["smape"], rel=1e-9)
