"""``tsforge forecast --plot``: the title says which series are drawn, the axes what they show."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.cli import forecast_plot


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[dict], str]]:
    """(items, title) of every call of the drawing function."""
    seen: list[tuple[list[dict], str]] = []

    def capture(items, path, *, title, **_):
        seen.append((items, title))
        return path

    monkeypatch.setattr("tsforge.tracking.plots.plot_series_forecasts", capture)
    return seen


def _files(n_series: int, *, dates: bool = True, h: int = 3, n: int = 20, value_col: str = "units"):
    ids = [f"s{i}" for i in range(n_series)]
    history = pd.DataFrame({"store": np.repeat(ids, n), value_col: np.arange(n * n_series, dtype=float)})
    if dates:
        history["day"] = np.tile(pd.date_range("2024-01-01", periods=n, freq="D"), n_series)
        future = np.tile(pd.date_range("2024-01-21", periods=h, freq="D"), n_series)
    else:
        history["day"] = np.tile(np.arange(n), n_series)
        future = np.tile(np.arange(n, n + h), n_series)
    forecast = pd.DataFrame({"store": np.repeat(ids, h), "day": future, "y_hat": 1.0})
    return history, forecast


def _draw(history, forecast, tmp_path, **kw):
    forecast_plot.write_forecast_plot(
        history, forecast, tmp_path / "p.png", id_col="store", time_col="day", target_col="units",
        levels=None, model="m", **kw,
    )  # fmt: skip


def test_title_says_the_first_series_are_drawn_unless_they_were_named(drawn, tmp_path):
    """The loop over the drawn series reused the name of the --plot-series argument, so the
    title never said "first": a reader could not tell which 6 of 9 series these were."""
    history, forecast = _files(9)
    _draw(history, forecast, tmp_path)
    _draw(history, forecast, tmp_path, series=["s4", "s1"])
    (_, default), (_, named) = drawn
    assert default == "m forecast (first 6 of 9 series)"
    assert named == "m forecast (2 of 9 series)"


def test_y_axis_is_the_file_s_value_column_and_a_step_axis_is_named(drawn, tmp_path):
    history, forecast = _files(2, dates=False)
    _draw(history, forecast, tmp_path)
    (items, _), = drawn  # fmt: skip
    assert {item["unit"] for item in items} == {"units"}
    assert {item["time_label"] for item in items} == {"day (step)"}


def test_a_date_axis_needs_no_label(drawn, tmp_path):
    history, forecast = _files(1)
    _draw(history, forecast, tmp_path)
    ((item,), _), = drawn  # fmt: skip
    assert item["time_label"] is None and item["unit"] == "units"
