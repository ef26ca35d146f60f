"""``cross_validation`` keeps its local models' fallback counts, per series, for ``tsforge cv``'s note.

Found by using ``tsforge cv -m seasonal_naive`` on a panel with a series shorter than a season:
``train`` named the series naive forecast instead, ``cv`` said nothing, because the per-window
counts :func:`~tsforge.panels.local.forecast_chunk` keeps were dropped when the windows were joined.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.panels.cv import cross_validation
from tsforge.panels.local import NAMED_FALLBACKS


def _panel(lengths: dict[str, int]) -> Panel:
    frames = []
    for sid, n in lengths.items():
        ds = pd.date_range(end="2023-12-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": 50 + np.sin(np.arange(n))}))
    return Panel.from_long(pd.concat(frames), freq="MS")


def test_a_series_that_falls_back_in_every_window_counts_once():
    panel = _panel({"long": 60, "short": 14})  # short: 8 and 2 values before the cutoffs, season 12
    frame = cross_validation(panel, ["seasonal_naive", "naive"], 6, n_windows=2, progress=False)
    assert frame.attrs["fallbacks"] == {"seasonal_naive": 1, "naive": 0}, frame.attrs
    assert frame.attrs["fallback_ids"]["seasonal_naive"] == ["short"], frame.attrs


def test_the_count_covers_every_series_and_names_the_first_few():
    # more than NAMED_FALLBACKS in each of the chunks the window is forecast in
    shorts = {f"s{i:02d}": 9 for i in range(6 * NAMED_FALLBACKS)}
    frame = cross_validation(_panel({"long": 60, **shorts}), ["seasonal_naive"], 3, progress=False)
    assert frame.attrs["fallbacks"]["seasonal_naive"] == len(shorts), frame.attrs
    assert frame.attrs["fallback_ids"]["seasonal_naive"] == list(shorts)[:NAMED_FALLBACKS], frame.attrs
