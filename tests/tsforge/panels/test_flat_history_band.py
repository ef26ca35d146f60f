"""A series that never changed gets a band the size of its neighbours' changes, not of its level.

Its history has no change to take a scale from, so its level was the scale: a constant 42 beside
series that move by about 1 % a month was given an 80 % band of 0…85 (clipped at zero) three
months ahead, as if it could lose its whole level any month. This file imports nothing new, so it
runs on the code before the change too (where it fails)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.pipeline import TrackingOptions, train_panel


def _panel_with_a_constant() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ds = pd.date_range("2015-01-01", periods=60, freq="MS")
    rows = [
        pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": 100 + 10 * i + np.cumsum(rng.normal(0, 3, 60))})
        for i in range(30)
    ]
    rows.append(pd.DataFrame({"unique_id": "const", "ds": ds, "y": 42.0}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def trained():
    frame = _panel_with_a_constant()
    out = train_panel(frame, "naive", horizon=6, tracking=TrackingOptions(track=False, progress=False))
    return frame, out


def test_a_constant_series_band_is_its_neighbours_relative_change_at_its_level(trained):
    frame, out = trained
    fc = out.predictor.predict_frame(frame, horizon=6, level=[80, 95])
    const = fc[fc["unique_id"] == "const"]
    assert (const["y_hat"] == 42.0).all()
    width = const["y_hat-hi-80"] - const["y_hat-lo-80"]
    assert (width > 0).all()  # not a point: the future may still move
    assert (width < 0.1 * 42).all(), width.tolist()  # ... by what its neighbours move, not its level
    moving = fc[fc["unique_id"] == "s0"]
    relative = (moving["y_hat-hi-80"] - moving["y_hat-lo-80"]) / moving["y_hat"]
    assert (width.to_numpy() / 42 < 3 * relative.to_numpy()).all()  # the same order of size
