"""A tuning trial that is not registered serves the floored points its scores were taken on.

Found by review: ``tune --no-register`` logged a best model that forecast a falling sales
series at -1.8 ... -10.9 while its validation MASE was of points stopped at 0, and a model
trained with ``--interval-method native`` (no calibration either) served 0 there.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.inference import SeriesInput
from tsforge.tuning.panel_trials import train_panel_trial

H = 6
N = 60


def _falling_panel() -> Panel:
    """Four random walks around 50 and ``down``, a series that falls to 0 in its last values."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2021-01-04", periods=N, freq="D")
    frames = [
        pd.DataFrame({"unique_id": f"w{i}", "ds": days, "y": 50 + np.cumsum(rng.normal(size=N))})
        for i in range(4)
    ]
    down = np.maximum(2.0 * (N - 2 * H) - 2.0 * np.arange(N), 0.0)
    frames.append(pd.DataFrame({"unique_id": "down", "ds": days, "y": down}))
    return Panel.from_long(pd.concat(frames, ignore_index=True), name="falling")


def test_an_unregistered_trial_serves_its_points_stopped_at_zero():
    panel = _falling_panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = train_panel_trial(
            panel, model="rw_drift", horizon=H, track=False, register=False, progress=False
        )
        i = list(panel.ids).index("down")
        history = SeriesInput("down", panel.series(i)[: N - H])
        served = best.predictor.predict_series([history], H)[0].values
    assert best.predictor.floor == 0.0
    assert np.all(served >= 0.0), served
    assert np.any(served == 0.0), served  # the drift forecast falls below 0 here, and stops there
