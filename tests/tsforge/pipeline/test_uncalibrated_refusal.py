"""A panel on which no conformal calibration window can be scored (every series keeps fewer than
two values before its validation window: 3 values at horizon 1) is refused before any model is
fitted, naming the series and the length calibration needs; ``tsforge train -H 1`` of such a file
fitted every model first and then stopped with "no calibration residuals"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.errors import DataValidationError
from tsforge.pipeline.multichannel import TrackingOptions

UNTRACKED = TrackingOptions(track=False, progress=False, log_model=False)


def _frame(lengths: dict[str, int]) -> pd.DataFrame:
    rows = [
        (sid, t, float(10 + k + (k % 3)))
        for sid, n in lengths.items()
        for k, t in enumerate(pd.date_range("2020-01-01", periods=n, freq="D"))
    ]
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])


def test_a_panel_no_window_calibrates_is_refused_before_any_fit(monkeypatch):
    import tsforge.pipeline.panel as pipeline

    def no_fit(*args, **kwargs):
        raise AssertionError("a model was fitted before the refusal")

    monkeypatch.setattr(pipeline, "_local_frame", no_fit)
    with pytest.raises(DataValidationError) as caught:
        pipeline.train_panel(_frame({"a": 3}), "naive", horizon=1, tracking=UNTRACKED)
    exc = caught.value
    assert "calibrate intervals at horizon 1" in exc.message and "'a', has 3 values" in exc.message
    assert "calibration needs 4" in exc.message and "intervals=False" in exc.message, exc.message
    assert "--interval-method native" in exc.cli_message, exc.cli_message
    assert exc.where["series"] == "a" and exc.where["field"] == "horizon"


def test_the_refusal_advises_the_longest_horizon_that_calibrates():
    from tsforge.data.panel import Panel
    from tsforge.panels.calibrate import refuse_uncalibrated

    history = Panel.from_arrays([np.arange(4.0), np.arange(3.0)], ids=["long", "short"], freq="D", name="x")
    with pytest.raises(DataValidationError) as caught:
        refuse_uncalibrated(history, 3)  # 'long' has 7 values: horizon 2 leaves a scored window
    assert "'long', has 7 values" in caught.value.message and "at most 2" in caught.value.message
    assert "pass --horizon 2 or less" in caught.value.cli_message


def test_a_short_series_beside_a_long_one_trains_on_the_pooled_scores():
    from tsforge.pipeline.panel import train_panel

    out = train_panel(_frame({"a": 3, "b": 30}), "naive", horizon=1, tracking=UNTRACKED)
    assert set(out.per_series["unique_id"].astype(str)) == {"a", "b"}
