"""``tsforge forecast --plot``: which x axis each series gets (dates, integer index, relative steps)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.cli import forecast_plot


@pytest.fixture
def drawn(monkeypatch):
    """The items handed to the drawing function (the PNG itself is checked in the CLI tests)."""
    seen: list[list[dict]] = []

    def capture(items, path, *, title):
        seen.append(items)
        return path

    monkeypatch.setattr("tsforge.tracking.plots.plot_series_forecasts", capture)
    return seen


def _forecast(ids, ds, h=3):
    return pd.DataFrame(
        {
            "unique_id": np.repeat(ids, h),
            "ds": ds,
            "step": np.tile(np.arange(1, h + 1), len(ids)),
            "y_hat": 1.0,
        }
    )


@pytest.mark.parametrize("kind", ["dates", "integers", "none"])
def test_plot_axis_follows_the_history_time_column(drawn, tmp_path, kind):
    n = 30
    history = pd.DataFrame({"unique_id": "a", "y": np.arange(n, dtype=float)})
    if kind == "dates":
        history["ds"] = pd.date_range("2024-01-01", periods=n, freq="D")
        future = pd.date_range("2024-01-31", periods=3, freq="D")
    elif kind == "integers":
        history["ds"] = 100 + 2 * np.arange(n)
        future = 158 + 2 * np.arange(1, 4)
    else:
        future = [pd.NaT] * 3
    forecast_plot.write_forecast_plot(
        history, _forecast(["a"], future), tmp_path / "p.png",
        id_col="unique_id", time_col="ds", target_col="y", levels=None,
    )  # fmt: skip
    (item,) = drawn[0]
    if kind == "none":  # no time column: steps relative to the forecast origin
        np.testing.assert_array_equal(item["future_t"], [0, 1, 2])
        assert item["history_t"][-1] == -1
    else:
        np.testing.assert_array_equal(item["future_t"], np.asarray(future))
        assert item["history_t"][-1] == history["ds"].iloc[-1]
