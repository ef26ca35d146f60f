"""The CLI's bad-input paths: each is one clear line on stderr and exit code 2 (real subprocesses)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest


def _run(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tsforge", *args], capture_output=True, text=True, timeout=180, cwd=cwd
    )


def _csv(tmp_path, name, frame: pd.DataFrame):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def _long(n=200):
    return pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2021-01-01", periods=n, freq="h"), "y": np.sin(np.arange(n) / 5)}
    )


@pytest.mark.parametrize(
    ("case", "expect"),
    [
        ("missing_column", ["'y'"]),
        ("duplicate_timestamps", ["duplicate timestamp", "2021-01-01 03:00:00"]),
        ("non_numeric", ["non-numeric", "row", "oops"]),
        ("too_short", ["too short", "horizon"]),
    ],
)
def test_train_bad_input_is_one_line_and_exit_2(case, expect, tmp_path):
    df = _long()
    if case == "missing_column":
        df = df.rename(columns={"y": "value"}).drop(columns=[])
        df["other"] = 1.0  # not a wide file either: a 'unique_id' text column makes it long-shaped
    elif case == "duplicate_timestamps":
        df.loc[4, "ds"] = df.loc[3, "ds"]
    elif case == "non_numeric":
        df["y"] = df["y"].astype(object)
        df.loc[7, "y"] = "oops"
    elif case == "too_short":
        df = _long(30)
    path = _csv(tmp_path, f"{case}.csv", df)
    proc = _run("train", "--dataset", path, "--model", "naive", "--no-track", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for word in expect:
        assert word in lines[0], lines[0]


def test_unknown_model_and_missing_file_exit_2(tmp_path):
    path = _csv(tmp_path, "ok.csv", _long())
    proc = _run("train", "--dataset", path, "--model", "prophet", "--no-track", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown model 'prophet'" in proc.stderr
    proc = _run("train", "--dataset", str(tmp_path / "nope.csv"), "--no-track", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("error:") and "nope.csv" in proc.stderr


def test_train_then_forecast_end_to_end(tmp_path):
    path = _csv(tmp_path, "ok.csv", _long(400))
    proc = _run("train", "--dataset", path, "--model", "seasonal_naive", "--horizon", "12", "--register-as", "cli-m", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "cli-m" in proc.stdout
    hist = _csv(tmp_path, "hist.csv", _long(100))
    out = tmp_path / "fc.csv"
    proc = _run("forecast", "--model", "models:/cli-m@champion", "--input", hist, "--horizon", "6", "--output", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    fc = pd.read_csv(out)
    assert len(fc) == 6 and list(fc.columns) == ["unique_id", "ds", "step", "y_hat"]
    # seasonal naive with a daily season repeats the value 24 h earlier
    expected = np.sin(np.arange(100, 106) / 5 - 24 / 5)
    np.testing.assert_allclose(fc["y_hat"].to_numpy(), expected, atol=1e-5)
    proc = _run("forecast", "--model", "models:/cli-m@champion", "--input", hist, "--horizon", "99", cwd=tmp_path)
    assert proc.returncode == 2 and "horizon 99" in proc.stderr
    proc = _run("forecast", "--model", "models:/nope@champion", "--input", hist, cwd=tmp_path)
    assert proc.returncode == 2 and "no registered model named 'nope'" in proc.stderr
