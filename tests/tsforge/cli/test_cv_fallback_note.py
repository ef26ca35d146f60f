"""``tsforge cv`` says which series a local model's fallback forecast, as ``train`` does.

Found by using it: ``cv -m seasonal_naive`` on a monthly panel with one series of 14 values
(8 and 2 before its two cutoffs, season 12) scored naive's forecasts of that series under
seasonal_naive's name without a word, while ``train`` on the same file named the series.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def _panel(tmp_path: Path) -> str:
    frames = []
    for sid, n in {"a": 60, "b": 60, "short": 14}.items():
        ds = pd.date_range(end="2023-12-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": 50 + np.sin(np.arange(n))}))
    path = tmp_path / "panel.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def test_the_series_a_fallback_forecast_are_named_once_per_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    args = ["-m", "seasonal_naive,naive", "-H", "6", "--n-windows", "2", "--no-track"]
    code, out, err = run_cli(capsys, "cv", _panel(tmp_path), *args)
    assert code == 0, out + err
    err = " ".join(err.split())
    said = (
        "1 of 3 series was too short for seasonal_naive (or it failed on it) and was forecast by its fallback"
    )
    assert err.count(said) == 1, err  # one note for the series' two windows
    assert "(naive, or simpler): short; at season 12 seasonal_naive needs at least 12 values" in err, err
    assert "too short for naive" not in err, err  # naive has no fallback: nothing to say of it
