"""A long file with one series of a single row (a new product's first sale) no longer stops the
other series: ``cv`` leaves it out with a note, ``train`` / ``forecast`` do with ``--drop-short``
and otherwise refuse it naming that flag; a command without the flag names removing its rows.

Found by a README walk: ``cv``, ``forecast`` and even ``train --drop-short`` refused the whole
file ("1 series has fewer than 2 values ..., first 'ONE'").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import monthly_frame, run_cli
from tsforge.panels.predictor import PanelPredictor

_NOTE = "left out 1 series of 5 that has fewer than two observed values (nothing to forecast from): 'ONE'"


@pytest.fixture
def history(tmp_path: Path) -> str:
    """Four monthly series of 36 values and ``ONE`` with one row."""
    one = pd.DataFrame({"unique_id": ["ONE"], "ds": [pd.Timestamp("2002-12-01")], "y": [5.0]})
    path = tmp_path / "one.csv"
    pd.concat([monthly_frame(4, 36), one], ignore_index=True).to_csv(path, index=False)
    return str(path)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code, out, err = run_cli(capsys, *args)
    return code, out, " ".join(err.split())


def test_cv_leaves_the_one_value_series_out_with_a_note(history, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    written = tmp_path / "cv.csv"
    code, out, err = _run(capsys, "cv", history, "-m", "naive", "-H", "6", "--no-track", "-o", str(written))
    assert code == 0, out + err
    assert _NOTE in err, err
    assert set(pd.read_csv(written)["unique_id"]) == {"s0", "s1", "s2", "s3"}


def test_train_refuses_it_naming_drop_short(history, capsys):
    code, out, err = _run(capsys, "train", history, "-m", "naive", "-H", "6", "--no-track")
    assert code == 2, out + err
    assert "first 'ONE'" in err and ": pass --drop-short to leave it out, or remove its rows" in err, err


def test_train_with_drop_short_leaves_it_out(history, capsys):
    code, out, err = _run(capsys, "train", history, "-m", "naive", "-H", "6", "--drop-short", "--no-track")
    assert code == 0, out + err
    assert _NOTE in err, err


def test_a_command_without_the_flag_names_removing_its_rows(history, capsys):
    """``recommend --per-series`` (no ``--train``) takes no --drop-short: the way is the file."""
    code, out, err = _run(capsys, "recommend", history, "--per-series", "-H", "6")
    assert code == 2, out + err
    assert "first 'ONE'" in err and "remove its rows" in err and "--drop-short" not in err, err


@pytest.fixture
def naive_model(tmp_path) -> str:
    """Naive on monthly data, saved as a folder ``tsforge forecast --model`` reads."""
    return str(PanelPredictor("naive", 3, freq="MS", season_length=12).save(tmp_path / "naive"))


def test_forecast_refuses_it_naming_drop_short_and_its_line(history, capsys, naive_model):
    code, out, err = _run(capsys, "forecast", history, "--model", naive_model)
    assert code == 2 and not out, out
    assert "pass --drop-short to leave it out, or remove its rows; its value is on line 146" in err, err


def test_forecast_with_drop_short_forecasts_the_others(history, capsys, naive_model, tmp_path):
    written = tmp_path / "forecast.csv"
    code, out, err = _run(
        capsys, "forecast", history, "--model", naive_model, "--drop-short", "-o", str(written)
    )
    assert code == 0, out + err
    assert _NOTE in err, err
    assert set(pd.read_csv(written)["unique_id"]) == {"s0", "s1", "s2", "s3"}


def test_tune_refuses_it_naming_drop_short_and_leaves_it_out_with_it(history, capsys, tmp_path, monkeypatch):
    """``tune`` takes ``--drop-short`` as ``train`` does: without it the refusal names the flag,
    with it the series is left out with the note before any trial runs."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    monkeypatch.chdir(tmp_path)
    args = ("tune", history, "--model", "lightgbm", "-H", "6", "--trials", "1", "--no-progress")
    code, out, err = _run(capsys, *args)
    assert code == 2, out + err
    assert ": pass --drop-short to leave it out, or remove its rows" in err, err
    code, out, err = _run(capsys, *args, "--drop-short")
    assert _NOTE in err, out + err
