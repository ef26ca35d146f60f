"""`tsforge cv --level` shows how far a single window's coverage moved, and says what that means."""

from __future__ import annotations

import re

import pytest

from tests.conftest import random_walks_csv, run_cli


@pytest.fixture
def walks_csv(tmp_path) -> str:
    """40 seeded random walks of 60 daily values: enough scores per window for an 80 % interval."""
    return random_walks_csv(tmp_path / "walks.csv", 40, 60, freq="D", start="2021-01-01", level=50, seed=3)


def _cv(capsys, path: str, n_windows: int) -> str:
    """``tsforge cv`` of naive at 80 % on ``n_windows`` windows of 5 steps: what it printed."""
    code, out, err = run_cli(
        capsys, "cv", path, "--model", "naive", "--horizon", "5", "--n-windows", str(n_windows),
        "--level", "80", "--no-track",
    )  # fmt: skip
    assert code == 0, err[-2000:]
    return out


def test_the_interval_table_gives_the_range_of_single_windows(walks_csv, capsys):
    out = _cv(capsys, walks_csv, 5)
    row = re.search(r"naive\s+80 %\s+([\d.]+) %\s+([\d.]+)–([\d.]+)", out)
    assert row, out
    pooled, lo, hi = (float(g) for g in row.groups())
    assert lo <= pooled <= hi and lo < hi  # four calibrated windows of 40 series do not all agree
    assert "by window: the lowest and highest coverage (%) of a single window" in " ".join(out.split())


def test_one_calibrated_window_has_no_range_and_no_note(walks_csv, capsys):
    out = _cv(capsys, walks_csv, 2)
    assert re.search(r"naive\s+80 %\s+[\d.]+ %\s+[\d.]+\s", out), out  # coverage, then the width
    assert "–" not in out.split("conformal intervals")[1] and "by window:" not in out
