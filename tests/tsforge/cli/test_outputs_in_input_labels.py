"""``forecast`` and ``cv --output`` write their times as the input wrote its periods.

Found by using them: a long CSV of monthly times written ``2015-01`` … ``2015-12`` was read
right (each label as the day its month starts), and its forecast came back dated
``2016-01-01``, ``2016-02-01``: times the user's own tables, keyed by ``2016-01``, do not join on.
Quarter labels (``2013Q1``, ``Q1 2013``) came back as ``2014-01-01`` alike. Dates stay dates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tests.conftest import run_cli
from tsforge.panels.predictor import PanelPredictor

MONTHS = pd.date_range("2013-01-01", periods=36, freq="MS")
QUARTERS = pd.date_range("2010-01-01", periods=16, freq="QS")


def _long(path: Path, labels: list[str] | list[int]) -> str:
    """Two series ``a``, ``b`` over ``labels``, as a long CSV."""
    n = len(labels)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"unique_id": ["a"] * n + ["b"] * n, "ds": labels * 2, "y": 10 + rng.normal(0, 1, 2 * n)}
    )
    frame.to_csv(path, index=False)
    return str(path)


def _quarter(d: pd.Timestamp) -> int:
    return (d.month - 1) // 3 + 1


def _bundle(tmp_path: Path, freq: str, season: int) -> str:
    return str(PanelPredictor("naive", 3, freq=freq, season_length=season).save(tmp_path / f"naive-{freq}"))


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize(
    ("labels", "freq", "season", "expected"),
    [
        ([d.strftime("%Y-%m") for d in MONTHS], "MS", 12, ["2016-01", "2016-02", "2016-03"]),
        ([d.strftime("%YM%m") for d in MONTHS], "MS", 12, ["2016M01", "2016M02", "2016M03"]),
        ([d.strftime("%b %Y") for d in MONTHS], "MS", 12, ["Jan 2016", "Feb 2016", "Mar 2016"]),
        ([f"{d.year}Q{_quarter(d)}" for d in QUARTERS], "QS", 4, ["2014Q1", "2014Q2", "2014Q3"]),
        ([f"Q{_quarter(d)} {d.year}" for d in QUARTERS], "QS", 4, ["Q1 2014", "Q2 2014", "Q3 2014"]),
        ([int(d.strftime("%Y%m")) for d in MONTHS], "MS", 12, ["201601", "201602", "201603"]),
    ],
    ids=["2015-01", "2015M01", "Jan 2015", "2013Q1", "Q1 2013", "201501"],
)
def test_a_forecast_of_period_labels_is_written_in_the_same_labels(
    labels, freq, season, expected, tmp_path, capsys
):
    history, out = _long(tmp_path / "history.csv", labels), tmp_path / "fc.csv"
    model = _bundle(tmp_path, freq, season)
    code, stdout, err = run_cli(capsys, "forecast", history, "--model", model, "-o", str(out))
    assert code == 0, stdout + err
    written = pd.read_csv(out, dtype=str)
    assert list(written["ds"]) == expected * 2, written
    code, stdout, err = run_cli(capsys, "forecast", history, "--model", model)  # printed, not written
    assert code == 0, stdout + err
    assert all(label in stdout for label in expected), stdout


def test_a_forecast_of_a_history_read_by_a_format_without_a_day_is_written_by_it(tmp_path, capsys):
    """``--time-format %y-%b`` (``13-Jan``): the forecast says ``16-Jan``, as the file would."""
    history, out = _long(tmp_path / "history.csv", [d.strftime("%y-%b") for d in MONTHS]), tmp_path / "fc.csv"
    args = ["--model", _bundle(tmp_path, "MS", 12), "--time-format", "%y-%b", "-o", str(out)]
    code, stdout, err = run_cli(capsys, "forecast", history, *args)
    assert code == 0, stdout + err
    assert list(pd.read_csv(out, dtype=str)["ds"]) == ["16-Jan", "16-Feb", "16-Mar"] * 2


def test_cv_output_of_labels_is_in_labels_and_of_dates_in_dates(tmp_path, capsys):
    """The windows' times and cutoffs of a ``2015-01`` file are written ``2015-07``; the same
    file written in ISO dates keeps ISO dates, and a Parquet column of datetimes datetimes."""
    args = ["-m", "naive", "-H", "3", "--n-windows", "2", "--no-track"]
    for fmt, last_cutoff in (("%Y-%m", "2015-09"), ("%Y-%m-%d", "2015-09-01")):
        data, out = _long(tmp_path / "data.csv", [d.strftime(fmt) for d in MONTHS]), tmp_path / "cv.csv"
        code, stdout, err = run_cli(capsys, "cv", data, *args, "-o", str(out))
        assert code == 0, stdout + err
        written = pd.read_csv(out, dtype=str)
        assert written["cutoff"].iloc[-1] == last_cutoff, written
        assert list(written["ds"].iloc[-3:]) == [d.strftime(fmt) for d in MONTHS[-3:]], written
    parquet, out = tmp_path / "data.parquet", tmp_path / "cv.parquet"
    frame = pd.read_csv(_long(tmp_path / "data.csv", [d.strftime("%Y-%m") for d in MONTHS]))
    frame.assign(ds=pd.to_datetime(frame["ds"])).to_parquet(parquet)
    code, stdout, err = run_cli(capsys, "cv", str(parquet), *args, "-o", str(out))
    assert code == 0, stdout + err
    assert isinstance(pl.read_parquet(out).schema["ds"], pl.Datetime)


def test_cv_output_of_a_wide_file_of_quarter_labels_is_in_its_labels(tmp_path, capsys):
    """A wide file's time column (``quarter``, found by its values) is written back alike."""
    rng = np.random.default_rng(3)
    path, out = tmp_path / "wide.csv", tmp_path / "cv.parquet"
    labels = [f"{d.year}-Q{_quarter(d)}" for d in QUARTERS]
    pd.DataFrame({"quarter": labels, "gdp": rng.normal(size=16), "cpi": rng.normal(size=16)}).to_csv(
        path, index=False
    )
    code, stdout, err = run_cli(
        capsys, "cv", str(path), "-m", "naive", "-H", "2", "--n-windows", "1", "--no-track", "-o", str(out)
    )
    assert code == 0, stdout + err
    written = pl.read_parquet(out)
    assert set(written["ds"]) == {"2013-Q3", "2013-Q4"} and set(written["cutoff"]) == {"2013-Q2"}
