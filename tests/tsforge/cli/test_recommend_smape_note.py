"""``tsforge recommend`` on intermittent series says why its pick, best on MASE, shows a higher
sMAPE than another model of its own table (the demo said so; the ranking did not)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsforge.cli.app import main
from tsforge.cli.tables import smape_on_zeros_note
from tsforge.data.panel import Panel


def _intermittent_csv(path) -> str:
    rng = np.random.default_rng(58)
    frame = pd.concat(
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2020-01-01", periods=100, freq="D"),
                "y": np.where(rng.random(100) < 0.7, 0.0, rng.poisson(4, 100) + 1.0),
            }
        )
        for i in range(12)
    )
    frame.to_csv(path, index=False)
    return str(path)


def test_the_ranking_explains_a_pick_that_loses_on_smape(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    main(["recommend", _intermittent_csv(tmp_path / "p.csv"), "--horizon", "7"])
    captured = capsys.readouterr()
    printed = " ".join((captured.out + captured.err).split())
    assert "sMAPE counts 200 % for any non-zero forecast of a zero" in printed
    assert "12 of 12 series are intermittent" in printed


def test_no_note_where_the_pick_also_wins_on_smape_or_series_are_not_mostly_zeros():
    zeros, trend = np.array([0.0, 0, 0, 2, 0, 0, 1, 0]), np.arange(1.0, 9.0)
    starts = np.array(["2020-01-01", "2020-01-01"], dtype="datetime64[ns]")
    mixed = Panel.from_arrays([zeros, trend], ids=["z", "t"], freq="MS", starts=starts)
    dense = Panel.from_arrays([trend + 1, trend], ids=["a", "b"], freq="MS", starts=starts)
    assert smape_on_zeros_note(mixed, "nlinear", {"nlinear": 120.0, "seasonal_naive": 60.0})
    assert smape_on_zeros_note(mixed, "seasonal_naive", {"nlinear": 120.0, "seasonal_naive": 60.0}) is None
    assert smape_on_zeros_note(dense, "nlinear", {"nlinear": 120.0, "seasonal_naive": 60.0}) is None
