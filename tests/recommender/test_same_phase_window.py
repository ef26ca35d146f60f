"""The same-phase window: with a season longer than the horizon, candidates are also scored on the
test window's phase one season earlier (``recommender.panel``), by the validation pick and by the
routed ensemble's validation prior."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from recommender.panel import recommend_panel, same_phase_panel
from tests.conftest import run_cli
from tsforge.data.panel import Panel
from tsforge.pipeline import TrackingOptions

H = 3


def dip_panel(n: int = 24, years: int = 5, seed: int = 0) -> Panel:
    """Monthly random walks that drop by 30 every October to December and recover in January.
    Every series ends in December, so the test window (the last 3 values) is a dip and the
    validation window (July to September) is not: there naive beats seasonal naive (one month's
    steps against twelve), at the test window's phase only seasonal naive sees the dip coming."""
    rng = np.random.default_rng(seed)
    arrays = []
    for _ in range(n):
        t = np.arange(12 * years)
        walk = 100 + np.cumsum(rng.normal(0, 1.0, t.size))
        arrays.append(walk - 30.0 * (t % 12 >= 9))
    starts = pd.DatetimeIndex([pd.Timestamp("2001-01-01")] * n).values
    return Panel.from_arrays(arrays, ids=[f"s{i}" for i in range(n)], starts=starts, freq="MS", name="dips")


def test_the_same_phase_window_is_one_season_before_the_test_window():
    panel = dip_panel(4)
    cut = same_phase_panel(panel, H)
    assert cut is not None and cut.season_length == 12
    for i in range(len(panel)):
        full, short = panel.series(i), cut.series(i)
        assert short.size == full.size - 12
        np.testing.assert_array_equal(short[-H:], full[-H - 12 : -12])  # Oct-Dec of the year before
    assert same_phase_panel(panel, 12) is None  # the season is no longer than the horizon
    short_panel = Panel.from_arrays([np.arange(20.0)] * 3, ids=["a", "b", "c"], freq="MS", name="short")
    assert same_phase_panel(short_panel, H) is None  # no series has the window plus 2 H before it


def test_the_validation_pick_weighs_the_test_windows_phase():
    panel = dip_panel()
    rec = recommend_panel(panel, H, candidates=("naive", "seasonal_naive"))
    by = {r["model"]: r for r in rec.ranking}
    assert by["naive"]["val_mase"] < by["seasonal_naive"]["val_mase"]  # validation alone: naive
    assert by["seasonal_naive"]["phase_mase"] < by["naive"]["phase_mase"]
    assert rec.best == "seasonal_naive" and "one season (12 steps) earlier" in rec.explanation
    for r in rec.ranking:
        assert r["score"] == pytest.approx(np.sqrt(r["val_mase"] * r["phase_mase"]))

    # the test window plays no part: change it and the ranking's numbers stay
    values = panel.values.copy()
    values[(panel.indptr[1:, None] - H + np.arange(H)[None, :]).ravel()] += 1e3
    other = recommend_panel(replace(panel, values=values), H, candidates=("naive", "seasonal_naive"))
    assert [(r["model"], r["score"]) for r in other.ranking] == [
        (r["model"], r["score"]) for r in rec.ranking
    ]


def test_the_routed_prior_weighs_the_test_windows_phase(halves_router):
    from recommender.routed_training import train_routed

    panel = dip_panel()
    out = train_routed(panel, H, router=halves_router, tracking=TrackingOptions(track=False, progress=False))
    prior = dict(zip(halves_router.candidates, out.predictor.prior, strict=True))
    assert prior["seasonal_naive"] < prior["naive"]  # lower = favoured; validation alone favours naive
    assert out.metrics["test_mase"] < out.metrics["candidate_naive_test_mase"]
    assert "same_phase_window" in out.seconds
    assert out.prior == "validation window + same-phase window (12 steps earlier)"


def test_the_cli_table_shows_the_numbers_it_ranks_by(tmp_path, capsys):
    panel = dip_panel(8)
    frames = [
        pd.DataFrame(
            {
                "unique_id": panel.ids[i],
                "ds": pd.date_range("2001-01-01", periods=60, freq="MS"),
                "y": panel.series(i),
            }
        )
        for i in range(len(panel))
    ]
    path = tmp_path / "dips.csv"
    pd.concat(frames).to_csv(path, index=False)
    code, out, err = run_cli(capsys, "recommend", str(path), "--horizon", "3", "--top", "6")
    assert code == 0, err[-2000:]
    flat = "".join(out.split())  # the table and the reason wrap at the terminal's width
    assert "score" in flat and "samephase" in flat and "oneseason(12steps)earlier" in flat
    rows = [line for line in out.splitlines() if re.match(r"^\S\s+\d\s+\S", line)]
    scores = [float(re.findall(r"\d+\.\d{3}", line)[0]) for line in rows]
    assert len(scores) == 6 and scores == sorted(scores)  # the order is the score's


def test_a_candidate_that_cannot_train_on_the_shorter_history_leaves_validation_alone(monkeypatch):
    import recommender.panel as panel_module
    from tsforge.errors import ConfigError

    def refuse(*args, **kwargs):
        raise ConfigError("too short for a training window", field="horizon")

    monkeypatch.setattr(panel_module, "same_phase_forecasts", refuse)
    rec = recommend_panel(dip_panel(), H, candidates=("naive", "seasonal_naive"))
    assert rec.best == "naive"  # validation alone: never a mix of the two rules
    assert all(r["phase_mase"] is None and r["score"] == r["val_mase"] for r in rec.ranking)
    assert "same_phase_window" not in rec.seconds and "one season" not in rec.explanation
