"""``tsforge forecast --plot``: which x axis each series gets (dates, integer index, relative steps)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.cli import forecast_plot


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


def _two_series_history(ids):
    n = 20
    return pd.DataFrame(
        {
            "unique_id": np.repeat(ids, n),
            "ds": np.tile(pd.date_range("2024-01-01", periods=n, freq="D"), len(ids)),
            "y": np.arange(n * len(ids), dtype=float),
        }
    )


def test_plot_draws_the_file_s_first_series_in_file_order_or_the_named_ones(drawn, tmp_path):
    ids = ["s2", "s10", "s1"]  # file order differs from sorted order
    history = _two_series_history(ids)
    future = np.tile(pd.date_range("2024-01-21", periods=3, freq="D"), len(ids))
    kw = {"id_col": "unique_id", "time_col": "ds", "target_col": "y", "levels": None}
    forecast_plot.write_forecast_plot(history, _forecast(ids, future), tmp_path / "p.png", **kw)
    assert [item["id"] for item in drawn[0]] == ["s2", "s10", "s1"]
    forecast_plot.write_forecast_plot(
        history, _forecast(ids, future), tmp_path / "p.png", series=["s1", "s2"], **kw
    )
    assert [item["id"] for item in drawn[1]] == ["s1", "s2"]
    np.testing.assert_array_equal(drawn[1][0]["history"][-3:], [57.0, 58.0, 59.0])  # s1's own values


def test_plot_series_not_in_the_file_is_refused_before_forecasting():
    from tsforge.errors import ConfigError

    history = _two_series_history(["a", "b"])
    kw = {"id_col": "unique_id", "time_col": "ds", "target_col": "y", "file": "h.csv"}
    forecast_plot.check_plot_series(history, ["b"], **kw)  # present: no error
    with pytest.raises(
        ConfigError, match=r"--plot-series 'c' is not a series of h.csv \(2 series: 'a', 'b'\)"
    ):
        forecast_plot.check_plot_series(history, ["b", "c"], **kw)
