"""Intervals from the CLI: ``tsforge forecast --level/--quantiles`` and ``tsforge cv --level``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import random_walks_csv
from tests.conftest import run_cli as _cli


@pytest.fixture
def panel_csv(tmp_path) -> str:
    return random_walks_csv(tmp_path / "walks.csv", 12, 40, freq="MS", start="2000-01-01", level=20, seed=0)


@pytest.fixture
def walks(panel_csv, tracking_uri, capsys) -> str:
    """The naive model trained on ``panel_csv`` and registered as ``walks`` (its name)."""
    code, _, err = _cli(
        capsys,
        "train",
        "--dataset",
        panel_csv,
        "--model",
        "naive",
        "--horizon",
        "4",
        "--register-as",
        "walks",
    )
    assert code == 0, err
    return "walks"


def test_forecast_with_levels_and_quantiles_writes_monotone_columns(walks, panel_csv, tmp_path, capsys):
    out_csv = tmp_path / "fc.csv"
    code, _, err = _cli(
        capsys, "forecast", "--model", walks, "--input", panel_csv, "--output", str(out_csv),
        "--level", "80", "--level", "95", "--quantiles", "0.1,0.5", "--quantiles", "0.9",
    )  # fmt: skip
    assert code == 0, err
    fc = pd.read_csv(out_csv)
    cols = [
        "y_hat-lo-95",
        "y_hat-lo-80",
        "y_hat-q-0.1",
        "y_hat-q-0.5",
        "y_hat-q-0.9",
        "y_hat-hi-80",
        "y_hat-hi-95",
    ]
    assert set(cols) <= set(fc.columns) and len(fc) == 12 * 4
    values = fc[cols].to_numpy()
    assert (np.diff(values, axis=1) >= -1e-9).all()
    assert (fc["y_hat-lo-80"] == fc["y_hat-q-0.1"]).all()  # the 80 % interval is the 0.1–0.9 band


@pytest.mark.parametrize(("flag", "value"), [("--level", "150"), ("--level", "0"), ("--quantiles", "0.5,x")])
def test_forecast_bad_level_exits_2_naming_the_field(walks, panel_csv, capsys, flag, value):
    code, _, err = _cli(capsys, "forecast", "--model", walks, "--input", panel_csv, flag, value)
    assert code == 2
    assert ("level" if flag == "--level" else "quantiles") in err and len(err.strip().splitlines()) == 1


def test_cv_with_levels_prints_coverage_per_model(panel_csv, capsys, tmp_path):
    out_csv = tmp_path / "cv.csv"
    code, out, err = _cli(
        capsys, "cv", "--dataset", panel_csv, "--model", "naive", "--horizon", "3", "--n-windows", "4",
        "--level", "80", "--output", str(out_csv),
    )  # fmt: skip
    assert code == 0, err
    assert "coverage" in out and "MSIS" in out
    frame = pd.read_csv(out_csv)
    first = frame.groupby("unique_id").head(3)
    assert frame["naive-lo-80"].notna().sum() == len(frame) - len(first)  # window 1 has no past
    code, out, err = _cli(
        capsys, "cv", "--dataset", panel_csv, "--model", "naive", "--horizon", "3", "--level", "80",
        "--intervals", "native",
    )  # fmt: skip
    assert code == 0, err
    assert "native intervals" in out
