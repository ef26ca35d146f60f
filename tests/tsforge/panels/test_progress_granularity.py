"""The per-series progress bars of big panels move in small steps, with unchanged forecasts.

Why: the bar of ``forecast_local`` / ``cross_validation`` advances when a chunk of series
finishes, and chunks were a fixed share of the panel (an eighth; a quarter of a CV window), so
``tsforge train big.csv --model auto_ets`` showed ``0/4895`` for 2.5 minutes, and a 50,000-series
panel would have shown 0 % for far longer. Chunks now hold about ``CHUNK_SERIES`` series at
most; each series is forecast on its own, so the frames must be the unchunked ones exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import tsforge.panels.local as local_module
from tsforge.data.panel import Panel
from tsforge.panels.cv import cross_validation
from tsforge.panels.local import forecast_chunk, forecast_local

N_SERIES = 4000
#: the most series one bar step may cover: the cap, with room for chunks cut by value count
MAX_STEP = 400


class _RecordingBar:
    """Stands in for the progress bar: records every update."""

    steps: list[int] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.total = kwargs.get("total")

    def update(self, n: int) -> None:
        _RecordingBar.steps.append(int(n))

    def close(self) -> None:
        pass


@pytest.fixture
def bar(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    _RecordingBar.steps = []
    monkeypatch.setattr(local_module, "ProgressBar", _RecordingBar)
    return _RecordingBar.steps


def _panel(seed: int = 0) -> Panel:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(20, 60, N_SERIES)
    arrays = [50 + rng.normal(size=int(k)).cumsum() for k in lengths]
    starts = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 300, N_SERIES), "D")
    return Panel.from_arrays(
        arrays, ids=[f"s{i}" for i in range(N_SERIES)], starts=starts.to_numpy(), freq="D", season_length=7
    )


def test_forecast_local_bar_moves_in_small_steps_with_unchanged_forecasts(bar: list[int]) -> None:
    panel = _panel()
    got = forecast_local(panel, ["seasonal_naive", "naive"], 5, level=[80])
    assert sum(bar) == N_SERIES
    assert max(bar) <= MAX_STEP, f"one bar step covered {max(bar)} of {N_SERIES} series"
    whole = forecast_chunk(panel, ["seasonal_naive", "naive"], 5, level=[80])  # one chunk: no chunking
    pd.testing.assert_frame_equal(got, whole, check_exact=True)


def test_cross_validation_bar_moves_in_small_steps_with_unchanged_forecasts(bar: list[int]) -> None:
    panel = _panel(1)
    got = cross_validation(panel, ["seasonal_naive"], h=4, n_windows=2)
    assert sum(bar) == 2 * N_SERIES
    assert max(bar) <= MAX_STEP, f"one bar step covered {max(bar)} of {N_SERIES} series"
    # the same windows forecast series by series
    for cutoff, frame in got.groupby("cutoff", sort=False):
        assert frame["y"].notna().all() and np.isfinite(frame["seasonal_naive"]).all(), cutoff
    rows = got.groupby("unique_id", sort=False).tail(4)  # each series' last window
    last = forecast_chunk(panel.head_cut(4), ["seasonal_naive"], 4)
    np.testing.assert_array_equal(rows["seasonal_naive"].to_numpy(), last["seasonal_naive"].to_numpy())
    np.testing.assert_array_equal(rows["unique_id"].to_numpy(), last["unique_id"].to_numpy())
