"""``tsforge train`` of a window model on long multichannel data prints its intervals table and
the ``next:`` forecast command, as the training of a panel model does.

Why: both calibrate and score the same conformal intervals and both register a model that
``tsforge forecast`` reads a file for, but only the panel's training said so; after training
DLinear on a wide file the user saw no coverage and had to work out the forecast command.
"""

from __future__ import annotations

import shlex

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def _wide(tmp_path) -> str:
    """Hourly data of two channels with a daily cycle, 240 rows."""
    hours = pd.date_range("2021-01-01", periods=240, freq="h")
    rng = np.random.default_rng(0)
    phase = 2 * np.pi * np.arange(240) / 24
    frame = pd.DataFrame(
        {
            "date": hours.strftime("%Y-%m-%d %H:%M:%S"),
            "north": np.sin(phase) + rng.normal(0, 0.1, 240),
            "south": np.cos(phase) + rng.normal(0, 0.1, 240),
        }
    )
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _train(capsys, path: str) -> str:
    code, out, err = run_cli(
        capsys,
        "train",
        path,
        "--split",
        "7:1:2",
        "--model",
        "dlinear",
        "--input",
        "24",
        "--horizon",
        "6",
        "--epochs",
        "1",
        "--register-as",
        "wide-dl",
    )
    assert code == 0, out + err
    return out


def test_the_intervals_table_and_the_next_command_are_printed(tracking_uri, tmp_path, capsys):
    path = _wide(tmp_path)
    out = _train(capsys, path)
    said = " ".join(out.split())
    assert "Intervals on the test windows" in said, out
    assert "80 %" in said and "95 %" in said
    assert "calibrated on 19 validation windows" in said  # 24 validation rows, 6 steps ahead
    (line,) = [row for row in out.splitlines() if row.startswith("next: ")]
    command = shlex.split(line.removeprefix("next: "))
    assert command == [
        "tsforge",
        "forecast",
        "--model",
        "wide-dl",
        "--input",
        path,
        "--level",
        "80",
        "--level",
        "95",
    ]
    written = tmp_path / "forecast.csv"
    code, _, err = run_cli(capsys, *command[1:], "-o", str(written))
    assert code == 0, err
    forecast = pd.read_csv(written)
    assert len(forecast) == 12 and "y_hat-hi-95" in forecast.columns
