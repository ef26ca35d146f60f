"""Labelling the dates of a big calendar-stepped panel series by series.

Why: ``Panel.times_at`` for one series used to place every series' start on the calendar grid
again, so ``tsforge forecast`` on a 20,000-series monthly file spent 20,000² start placements
labelling its forecasts (and evaluating a panel model did the same for its histories). The
starts are now placed once per panel, and the forecast labels are placed in one call. These
tests check that the labels are unchanged and that the starts are placed once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tsforge.data.panel as panel_module
from tsforge.data.calendar_grid import grid_positions
from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError
from tsforge.panels.predictor import panel_forecasts


def _monthly_panel(n: int, seed: int = 0, freq: str = "MS") -> Panel:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 40, n)
    base = pd.Timestamp("1990-01-01")
    starts = pd.DatetimeIndex([base + pd.offsets.MonthBegin(int(k)) for k in rng.integers(0, 400, n)])
    if freq == "ME":
        starts = starts + pd.offsets.MonthEnd(0)
    arrays = [rng.normal(size=int(k)) for k in lengths]
    return Panel.from_arrays(arrays, ids=[f"s{i}" for i in range(n)], starts=starts.to_numpy(), freq=freq)


def _expected(panel: Panel, i: int, steps: np.ndarray) -> np.ndarray:
    """Dates of series ``i`` computed independently with pandas' own calendar."""
    assert panel.starts is not None  # every panel here is built with start dates
    start = pd.Timestamp(panel.starts[i])
    return pd.date_range(start, periods=int(steps.max()) + 1, freq=panel.freq).to_numpy()[steps]


@pytest.mark.parametrize("freq", ["MS", "ME"])
def test_series_dates_are_the_calendar_dates(freq: str) -> None:
    panel = _monthly_panel(60, seed=3, freq=freq)
    for i in range(len(panel)):
        steps = np.arange(int(panel.lengths[i]) + 5)
        got = panel.times_at(np.full(steps.size, i), steps)
        np.testing.assert_array_equal(got, _expected(panel, i, steps))
        np.testing.assert_array_equal(panel.timestamps(i), got[: panel.lengths[i]])


def test_starts_are_placed_once_per_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Series-by-series labelling places the starts once, not once per series (it was n times)."""
    panel = _monthly_panel(50, seed=1)
    calls = []
    real = grid_positions

    def counting(ts: np.ndarray, freq: str) -> tuple[np.ndarray, np.ndarray]:
        calls.append(ts.size)
        return real(ts, freq)

    monkeypatch.setattr(panel_module, "grid_positions", counting)
    for i in range(len(panel)):
        panel.timestamps(i)
    assert calls.count(len(panel)) == 1


def test_an_off_grid_start_is_still_refused_on_every_call() -> None:
    starts = np.array(["2020-01-01", "2020-02-15"], dtype="datetime64[ns]")
    panel = Panel.from_arrays([np.ones(3), np.ones(3)], ids=["a", "b"], starts=starts, freq="MS")
    for _ in range(2):  # the cached placement keeps the check
        with pytest.raises(DataValidationError, match="'b' starts at 2020-02-15"):
            panel.timestamps(0)


def test_forecast_labels_are_each_series_own_next_dates() -> None:
    panel = _monthly_panel(80, seed=7)
    h = 6
    values = np.arange(len(panel) * h, dtype=float).reshape(len(panel), h)
    out = panel_forecasts(panel, values, h)
    assert [f.id for f in out] == [str(x) for x in panel.ids]
    for i, f in enumerate(out):
        steps = panel.lengths[i] + np.arange(h)
        np.testing.assert_array_equal(f.timestamps, _expected(panel, i, steps))
        np.testing.assert_array_equal(f.values, values[i])


def test_undated_forecasts_have_no_labels() -> None:
    panel = Panel.from_arrays([np.ones(4), np.ones(2)], ids=["a", "b"])
    out = panel_forecasts(panel, np.zeros((2, 3)), 3)
    assert [f.timestamps for f in out] == [None, None]
