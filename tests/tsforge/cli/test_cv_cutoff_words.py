"""``tsforge cv -o`` says how many windows each series had, not only how many cutoff dates.

Why: on a ragged panel (each series ending at its own date) ``--n-windows 3`` printed "wrote
432 rows (46 cutoffs)": 46 distinct cutoff dates over all series, read as 46 windows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def _panel(tmp_path: Path, ends: dict[str, str]) -> str:
    frames = []
    for i, (sid, end) in enumerate(ends.items()):
        ds = pd.date_range(end=end, periods=30, freq="MS")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": 50 + i + np.sin(np.arange(30))}))
    path = tmp_path / "panel.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _wrote(capsys, tmp_path: Path, data: str) -> str:
    written = tmp_path / "cv.csv"
    args = ["-m", "naive", "-H", "3", "--n-windows", "3", "--no-track", "-o", str(written)]
    code, out, err = run_cli(capsys, "cv", data, *args)
    assert code == 0, out + err
    frame = pd.read_csv(written)
    assert frame.groupby("unique_id")["cutoff"].nunique().eq(3).all()  # the premise: 3 windows each
    return " ".join(out.split()).partition("wrote ")[2]


def test_a_ragged_panel_says_windows_per_series_and_distinct_dates(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _panel(tmp_path, {"a": "2023-12-01", "b": "2023-11-01", "c": "2023-10-01"})
    line = _wrote(capsys, tmp_path, data)
    assert line.startswith("27 rows (3 windows per series, 9 distinct cutoff dates) to "), line


def test_an_aligned_panel_keeps_its_cutoffs(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _panel(tmp_path, {"a": "2023-12-01", "b": "2023-12-01"})
    line = _wrote(capsys, tmp_path, data)
    assert line.startswith("18 rows (3 cutoffs) to "), line
