"""``tsforge cv`` on a panel with very short series names them, and one window reads as one.

Found by a first-user walkthrough: "2 of 6 series are too short for any of the 1 windows of 3
steps" under a title "1 rolling-origin windows of 3 steps" (and "wrote 12 rows (1 cutoffs)"),
and neither that note nor "1 of 6 series fit fewer than the 2 windows" said which series.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def _panel(tmp_path: Path) -> str:
    lengths = {"long1": 40, "long2": 36, "tiny1": 2, "tiny2": 3, "tiny3": 4, "mid": 7}
    frames = []
    for i, (sid, n) in enumerate(lengths.items()):
        ds = pd.date_range(end="2023-12-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": 50 + i + np.sin(np.arange(n))}))
    path = tmp_path / "short.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _cv(capsys, tmp_path: Path, n_windows: int) -> tuple[str, str]:
    data, written = _panel(tmp_path), str(tmp_path / "cv.csv")
    args = ["-m", "naive", "-H", "3", "--n-windows", str(n_windows), "--no-track", "-o", written]
    code, out, err = run_cli(capsys, "cv", data, *args)
    assert code == 0, out + err
    return " ".join(out.split()), " ".join(err.split())


def test_the_series_no_window_scores_and_those_with_fewer_windows_are_named(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    _, err = _cv(capsys, tmp_path, 2)
    assert (
        "2 of 6 series are too short for any of the 2 windows of 3 steps (each needs more than 3 values) "
        "and are not scored: tiny1, tiny2" in err
    ), err
    assert "and is scored on the windows it fits: tiny3" in err, err  # mid (7 values) fits both


def test_one_window_reads_as_one(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    out, err = _cv(capsys, tmp_path, 1)
    assert "too short for the window of 3 steps (it needs more than 3 values) and are not scored" in err, err
    assert "1 rolling-origin window of 3 steps" in out, out
    assert "(1 cutoff) to" in out, out
    assert "windows" not in out and "1 windows" not in err, out + err
