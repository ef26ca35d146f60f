"""Logging a panel model says nothing about its input example's series.

MLflow infers the registered model's signature from a forecast of a small input example (two
series' last 48 values). On weekly data (season 52) a local model falls back there, and
``tsforge train sales.csv --model auto_ets`` printed "2 of 2 series were too short for auto_ets"
after the note on the user's 40 series: two series the user never sent.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tsforge.errors import FallbackWarning
from tsforge.pipeline import train_panel
from tsforge.pipeline.multichannel import TrackingOptions


def _weekly_panel(n_series: int = 6, length: int = 60) -> pd.DataFrame:
    """Weekly series long enough for a season of 52 before the test window, not in 48 values."""
    rng = np.random.default_rng(0)
    ds = pd.date_range("2022-01-02", periods=length, freq="W-SUN")
    frames = [
        pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": 50 + rng.normal(0, 5, length).round()})
        for i in range(n_series)
    ]
    return pd.concat(frames, ignore_index=True)


def test_logging_the_model_warns_no_fallback_of_the_input_example(tracking_uri: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = train_panel(
            _weekly_panel(),
            "seasonal_naive",
            horizon=4,
            intervals=False,
            tracking=TrackingOptions(registered_name="weekly-snaive", progress=False),
        )
    assert out.run_id is not None  # the model was logged (and its example forecast)
    fallbacks = [str(w.message) for w in caught if issubclass(w.category, FallbackWarning)]
    # the test window's histories (56 values) hold a whole season: no fallback to say anywhere
    assert fallbacks == []


def test_the_users_own_fallbacks_are_still_said(tracking_uri: str) -> None:
    """Short series of the user's panel fall back on the test window: that note stays, once."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_panel(
            _weekly_panel(length=50),
            "seasonal_naive",
            horizon=4,
            intervals=False,
            tracking=TrackingOptions(registered_name="weekly-snaive-short", progress=False),
        )
    fallbacks = [str(w.message) for w in caught if issubclass(w.category, FallbackWarning)]
    assert len(fallbacks) == 1 and fallbacks[0].startswith("6 of 6 series"), fallbacks
