"""``--engine`` / ``--ray-address`` on the CLI: a bad choice is one line and exit 2, before any
data is read; ``--engine local`` gives the same frame as the default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli as _cli


@pytest.fixture
def panel_csv(tmp_path):
    rng = np.random.default_rng(0)
    frames = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2020-01-01", periods=40, freq="MS"),
                "y": 10 + np.sin(np.arange(40) / 2) + rng.standard_normal(40) * 0.1,
            }
        )
        for i in range(6)
    ]
    path = tmp_path / "panel.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("command", "extra", "text"),
    [
        ("cv", ["--engine", "spark"], "unknown engine 'spark'; choose one of local, ray"),
        ("cv", ["--engine", "local", "--ray-address", "head:6379"], "needs the ray engine"),
        ("profile", ["--engine", "dask"], "unknown engine 'dask'"),
        ("train", ["--engine", "spark", "--no-track", "-m", "naive"], "unknown engine 'spark'"),
    ],
)
def test_bad_engine_options_are_one_line_and_exit_2(capsys, monkeypatch, command, extra, text):
    monkeypatch.delenv("TSFORGE_ENGINE", raising=False)
    args = {
        "cv": ["cv", "-d", "missing.csv", "-m", "naive", "-H", "3"],
        "profile": ["profile", "missing.csv"],
        "train": ["train", "-d", "missing.csv", "-H", "3"],
    }[command]
    code, _, err = _cli(capsys, *args, *extra)
    assert code == 2
    assert text in err and len(err.strip().splitlines()) == 1
    assert "not found" not in err  # the engine was checked before the (missing) file


def test_cv_with_engine_local_equals_the_default(capsys, monkeypatch, panel_csv, tmp_path):
    monkeypatch.delenv("TSFORGE_ENGINE", raising=False)
    common = [
        "cv",
        "-d",
        str(panel_csv),
        "-m",
        "seasonal_naive",
        "-m",
        "auto_ets",
        "-H",
        "4",
        "--n-windows",
        "2",
    ]
    assert _cli(capsys, *common, "-o", str(tmp_path / "a.csv"))[0] == 0
    assert _cli(capsys, *common, "-o", str(tmp_path / "b.csv"), "--engine", "local", "--n-jobs", "2")[0] == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv"))
