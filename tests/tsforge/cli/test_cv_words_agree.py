"""``tsforge cv`` says in the command line's words what it scored and why it refused.

Found by a README walk: ``-H 100`` on series of at most 78 values was refused with "(h=100,
n_windows=3, step_size=100) (field='h')"; ``-H 40`` scored one window per series under the title
"3 rolling-origin windows"; a single short series "is too short ... and are not scored".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def _csv(tmp_path: Path, lengths: dict[str, int]) -> str:
    frames = []
    for i, (sid, n) in enumerate(lengths.items()):
        ds = pd.date_range(end="2023-12-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": 50 + i + np.sin(np.arange(n))}))
    path = tmp_path / "p.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _cv(capsys, data: str, *args: str) -> tuple[int, str, str]:
    code, out, err = run_cli(capsys, "cv", data, "-m", "naive", "--no-track", *args)
    return code, " ".join(out.split()), " ".join(err.split())


def test_a_horizon_too_long_for_every_series_names_the_longest_and_the_flag(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _csv(tmp_path, {"a": 30, "b": 41})
    code, _, err = _cv(capsys, data, "-H", "100")
    assert code == 2, err
    assert "the longest, 'b', has 41 values" in err, err
    assert "pass --horizon 39 or less (13 or less for all 3 windows)" in err, err
    assert "field='h'" not in err and "h=100" not in err, err


def test_the_title_counts_the_windows_the_series_got(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _csv(tmp_path, {"a": 12, "b": 15})  # -H 8: one window each (a second needs 17 values)
    code, out, err = _cv(capsys, data, "-H", "8", "--n-windows", "3")
    assert code == 0, err
    assert "1 rolling-origin window of 8 steps (3 asked; no series fits more;" in out, out
    assert "3 rolling-origin windows" not in out, out


def test_the_title_says_up_to_where_some_series_fit_fewer(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _csv(tmp_path, {"a": 12, "b": 30})  # -H 5: a fits two windows, b all three
    code, out, err = _cv(capsys, data, "-H", "5", "--n-windows", "3")
    assert code == 0, err
    assert "up to 3 rolling-origin windows of 5 steps" in out, out
    assert "asked" not in out, out


def test_every_series_fitting_every_window_keeps_the_plain_title(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _csv(tmp_path, {"a": 30, "b": 30})
    code, out, err = _cv(capsys, data, "-H", "5", "--n-windows", "3")
    assert code == 0, err
    assert "3 rolling-origin windows of 5 steps (per-series scores averaged over series)" in out, out
    assert "up to" not in out, out


def test_one_short_series_is_one_in_the_notes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _csv(tmp_path, {"a": 30, "b": 30, "tiny": 4, "mid": 9})
    code, _, err = _cv(capsys, data, "-H", "4", "--n-windows", "3")
    assert code == 0, err
    assert "1 of 4 series is too short for any of the 3 windows" in err, err
    assert "and is not scored: tiny" in err, err
    assert "1 of 4 series fits fewer than the 3 windows" in err, err
    assert "and is scored on the windows it fits: mid" in err, err
