"""profile_panel(): one profile per series of a ragged panel, on its most recent values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.properties.memorability import HURST_MIN_LENGTH
from recommender.properties.profile import PANEL_LADDER, panel_profile_lengths, profile_panel, profile_windows
from tsforge.data.panel import Panel
from tsforge.errors import ConfigError, DataValidationError


def _panel(lengths, seed=0) -> Panel:
    rng = np.random.default_rng(seed)
    series = []
    for i, n in enumerate(lengths):
        t = np.arange(n)
        series.append(10 + (i % 3) * 0.1 * t + 3 * np.sin(2 * np.pi * t / 12) + rng.standard_normal(n))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    return Panel(
        values=np.concatenate(series),
        indptr=indptr,
        ids=np.array([f"s{i}" for i in range(len(lengths))]),
        season_length=12,
        name="toy",
    )


def test_each_series_is_profiled_once_on_its_last_values_exactly():
    lengths = [150, 40, 9, 70, 400, 100]
    panel = _panel(lengths)
    res = profile_panel(panel, window=336)
    t = res.table
    # the 9-value series is shorter than the first rung: left out and counted
    assert t["channel"].tolist() == ["s0", "s1", "s3", "s4", "s5"]
    assert res.summary["n_series_too_short"] == 1 and res.summary["n_series"] == 6
    assert t["window"].tolist() == [128, 32, 64, 336, 100]
    assert (t["window_start"] + t["window"] == t["length"]).all()
    # the same numbers as profiling that series' last values directly
    last = panel.values[panel.indptr[2] - 32 : panel.indptr[2]][None, :]
    direct = profile_windows(last)
    for key in ("tau", "season_strength", "volatility", "anomaly_ratio"):
        assert t.loc[t.channel == "s1", key].item() == pytest.approx(float(direct[key][0]))


def test_hurst_is_missing_below_its_minimum_and_shares_cover_the_rest():
    res = profile_panel(_panel([150, 40, 70, 400]), window=336)
    t = res.table
    short = t["window"] < HURST_MIN_LENGTH
    assert t.loc[short, "hurst"].isna().all() and t.loc[~short, "hurst"].notna().all()
    assert t.loc[short, "memorability_bucket"].isna().all()
    assert res.summary["n_series_without_hurst"] == int(short.sum()) == 2
    assert sum(res.summary["buckets"]["memorability"].values()) == pytest.approx(1.0)
    assert sum(res.summary["buckets"]["stationarity"].values()) == pytest.approx(1.0)


def test_ladder_window_cap_subset_and_errors():
    assert panel_profile_lengths(np.array([5, 12, 13, 99, 100, 1000]), 336).tolist() == [
        0,
        12,
        12,
        96,
        100,
        336,
    ]
    assert panel_profile_lengths(np.array([1000]), 50).tolist() == [50]  # the window is a rung
    assert PANEL_LADDER[0] == 12
    panel = _panel([60] * 8)
    a = profile_panel(panel, window=48, max_series=3, seed=1)
    b = profile_panel(panel, window=48, max_series=3, seed=1)
    assert len(a.table) == 3 and a.table["channel"].tolist() == b.table["channel"].tolist()
    pd.testing.assert_frame_equal(a.table, b.table)
    with pytest.raises(ConfigError, match="window"):
        profile_panel(panel, window=8)
    with pytest.raises(DataValidationError, match="12 values"):
        profile_panel(_panel([5, 9]))


def test_two_processes_give_the_same_table():
    panel = _panel([150, 40, 70, 400, 64, 64, 33])
    pd.testing.assert_frame_equal(
        profile_panel(panel, n_jobs=1, chunk_size=2).table, profile_panel(panel, n_jobs=2, chunk_size=2).table
    )
