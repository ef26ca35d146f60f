"""The coverage-spread benchmark's windows: each scored from the values before its cutoff only,
near nominal where the errors do not change from window to window, and summarised honestly."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from benchmarks.coverage_spread import SHIPPED, spread_forecasts, summarise, window_draws
from tsforge.data.panel import Panel

H = 6


@pytest.fixture(scope="module")
def random_walks() -> dict:
    """300 seeded Gaussian random walks of 90 values: the naive forecast's scaled errors have the
    same distribution in every window, so every window's coverage should sit near nominal."""
    rng = np.random.default_rng(7)
    walks = [100 + np.cumsum(rng.normal(size=90)) for _ in range(300)]
    panel = Panel.from_arrays(walks, freq="D", season_length=1, starts=["2020-01-01"] * 300)
    return spread_forecasts(panel, H, extra_windows=3, model="naive")


def test_every_window_covers_near_nominal_where_the_errors_are_exchangeable(random_walks):
    draws = window_draws(random_walks, designs=[SHIPPED], model="naive")
    assert [d["window"] for d in draws] == list(range(-1, len(draws) - 1))
    assert len(draws) >= 3  # the official window and at least two earlier ones
    for d in draws:
        r = d["designs"][SHIPPED]
        # 300 series x 6 steps: a few points of sampling error, nothing systematic
        assert abs(r["coverage_80"] - 0.80) < 0.05, d
        assert abs(r["coverage_95"] - 0.95) < 0.03, d


def test_a_window_never_sees_values_after_its_cutoff(random_walks):
    """Blowing up the last window before the test window (its outcomes in the history and in the
    cross-validation frame) changes the windows that may see it, and no earlier one."""
    before = window_draws(random_walks, designs=[SHIPPED], model="naive")
    changed = copy.deepcopy(random_walks)
    history, cv = changed["history"], changed["cv"]
    last = history.indptr[1:, None] - H + np.arange(H)[None, :]
    history.values[last.ravel()] *= 50.0
    newest = cv.groupby("unique_id")["cutoff"].transform("max") == cv["cutoff"]
    cv.loc[newest, "y"] *= 50.0
    after = window_draws(changed, designs=[SHIPPED], model="naive")
    assert after[0]["designs"] != before[0]["designs"]  # the official window calibrates on it
    assert after[1]["designs"] != before[1]["designs"]  # window 0 is scored on it
    for b, a in zip(before[2:], after[2:], strict=True):
        assert a["designs"] == b["designs"], (a["window"], b["window"])


def _draw(window: int, shipped: tuple[float, float], other: tuple[float, float]) -> dict:
    return {
        "window": window,
        "n_series": 10,
        "designs": {
            SHIPPED: {"coverage_80": shipped[0], "coverage_95": shipped[1], "windows": 2},
            "min100/unbiased/all": {"coverage_80": other[0], "coverage_95": other[1], "windows": 1},
        },
    }


def test_the_summary_counts_windows_within_the_tolerance_and_chooses_on_earlier_windows_only():
    """On both collections the other design is exact on the official test window and the shipped
    one on the earlier windows: every fold chooses the shipped design, since no test window may
    take part in the choice; the spread and the counts are the shipped design's."""
    collections = {
        "a": [_draw(-1, (0.70, 0.93), (0.80, 0.95)), _draw(0, (0.80, 0.95), (0.60, 0.90))],
        "b": [_draw(-1, (0.90, 0.99), (0.81, 0.96)), _draw(0, (0.81, 0.96), (0.70, 0.99))],
    }
    s = summarise(collections)
    a, b = s["per_collection"]["a"], s["per_collection"]["b"]
    assert a["within_both_levels"] == 1 and b["within_both_levels"] == 1
    assert s["windows_within_both_levels"] == 2 and s["share_within_both_levels"] == 0.5
    assert a["sd_points"]["80"] == pytest.approx(np.std([70, 80], ddof=1))
    assert a["official"] == {"coverage_80": 0.70, "coverage_95": 0.93}
    assert b["earlier_windows"] == {"coverage_80": [0.81], "coverage_95": [0.96]}
    loco = s["loco_earlier_windows"]
    assert loco["chosen_by_fold"] == {SHIPPED: 2}
    # scored where it was not chosen: a's official window misses by 10 and 2 points, b's by 10 and 4
    assert loco["mean_held_out_error_official"] == pytest.approx(((0.10 + 0.02) / 2 + (0.10 + 0.04) / 2) / 2)
    assert loco["held_out_within_official"] == 0
    assert s["designs"]["min100/unbiased/all"]["within_official"] == 2
