"""A bar while series are profiled, wherever a command profiles them, started with its total.

``tsforge recommend m1_monthly --per-series`` said nothing for half a minute of profiling (its
phase bar waits 30 s in a log, and the profile did not report to it at all), and a routed
model's forecast profiled its series and fitted its local members with no bar either, though
``tsforge forecast`` turns the model's progress on. ``tsforge profile`` drew its bar before the
work, with no total: ``profiling: 0series [00:00, ?series/s]`` (before Ray had even started,
with ``--engine ray``). stderr here is no terminal, so a bar prints where it starts and ends.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from recommender.per_series import SeriesRouter
from recommender.routed import RoutedPredictor
from recommender.series_features import series_features
from recommender.shipped_router import SHIPPED_ROUTER_DIR
from tests.conftest import random_walks_csv, run_cli, seasonal_monthly_panel
from tsforge.panels.predictor import PanelPredictor


def _bar_lines(err: str, desc: str = "profiling") -> list[str]:
    """Each state a bar printed (tqdm separates redraws with carriage returns)."""
    return [part for part in err.replace("\r", "\n").splitlines() if part.startswith(desc)]


def test_recommend_per_series_draws_a_profiling_bar_on_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))  # the shipped router
    path = random_walks_csv(tmp_path / "p.csv", 20, 40, freq="MS", start="2020-01-01", level=50.0, seed=3)
    code, out, err = run_cli(capsys, "recommend", path, "--per-series", "--horizon", "6")
    assert code == 0, err
    lines = _bar_lines(err)
    assert lines and any("20/20" in line for line in lines), err
    assert "\x1b[A" not in err  # no cursor moves of a second bar open beside it
    assert "profiling" not in out  # stdout holds the recommendation only


def test_recommend_per_series_json_draws_no_bar(tmp_path, monkeypatch, capsys):
    """``--json`` is for a program: nothing on stderr but what goes wrong."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = random_walks_csv(tmp_path / "p.csv", 20, 40, freq="MS", start="2020-01-01", level=50.0, seed=3)
    code, _, err = run_cli(capsys, "recommend", path, "--per-series", "--horizon", "6", "--json")
    assert code == 0, err
    assert not _bar_lines(err), err


def test_the_profile_bar_starts_with_its_total(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "profile", "synthetic_panel")
    assert code == 0, err
    lines = _bar_lines(err)
    assert lines, err
    # never a bar without its total (it was "profiling: 0series [00:00, ?series/s]" first)
    assert all("/120" in line for line in lines), lines


def test_series_features_report_the_start_and_every_chunk():
    """``progress(0, total)`` first (a bar starts with its total), then more than the end: one
    rung of 600 series is profiled in two chunks, and the bar moved only once it was done."""
    panel = seasonal_monthly_panel([40] * 600)
    calls: list[tuple[int, int]] = []
    series_features(panel, 6, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 600) and calls[-1] == (600, 600)
    done = [d for d, _ in calls]
    assert done == sorted(done) and any(0 < d < 600 for d in done), calls


def _routed(progress: bool) -> RoutedPredictor:
    members = {m: PanelPredictor(m, 3, freq="MS", season_length=12) for m in ("naive", "seasonal_naive")}
    routed = RoutedPredictor(SeriesRouter.load(SHIPPED_ROUTER_DIR), members, 3, freq="MS", season_length=12)
    routed.progress = progress
    return routed


def _history(n: int = 4, length: int = 30) -> pd.DataFrame:
    ds = pd.date_range("2019-01-01", periods=length, freq="MS")
    return pd.concat(
        pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": 10 + i + np.sin(np.arange(length) / 2)})
        for i in range(n)
    )


def test_a_routed_forecast_with_progress_shows_its_profile_and_its_members_fits(capsys):
    """What ``tsforge forecast --model my-routed`` turns on (``predictor.progress``) reaches the
    routing's profile and the members' fits."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a member's fallback note is not what is tested here
        _routed(progress=True).predict_frame(_history())
    err = capsys.readouterr().err
    assert any("4/4" in line for line in _bar_lines(err)), err
    assert _bar_lines(err, "local models"), err


def test_a_routed_forecast_without_progress_draws_nothing(capsys):
    """The service and the MLflow pyfunc leave progress off: no bar of the routing nor of a member."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _routed(progress=False).predict_frame(_history())
    err = capsys.readouterr().err
    assert not _bar_lines(err) and not _bar_lines(err, "local models"), err
