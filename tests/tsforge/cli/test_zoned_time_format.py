"""Times read by ``--time-format`` keep their UTC offsets in the output, and ``forecast`` reads
a time column with offsets once.

Found by using them: on a file written ``01/01/2024 00:00+0200``, ``cv -o`` and ``forecast`` read
with ``--time-format '%d/%m/%Y %H:%M%z'`` wrote their times in UTC without an offset, while the
same times written ISO (``2024-01-01T00:00:00+02:00``) were answered at ``+02:00``. And
``forecast`` parsed an offset column three times (twice to learn the offsets' reading, once to
forecast): seconds on a million rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import tsforge.data.validation as validation
from tests.conftest import run_cli
from tsforge.panels.predictor import PanelPredictor

FORMAT = "%d/%m/%Y %H:%M%z"


def _written(tmp_path: Path, freq: str, periods: int, fmt: str = FORMAT) -> Path:
    """Two series at ``+02:00``, their times written by ``fmt``."""
    frames = []
    for i, sid in enumerate(("a", "b")):
        times = pd.date_range("2024-01-01", periods=periods, freq=freq, tz="Etc/GMT-2")  # +02:00
        y = 10 + i + np.sin(np.arange(periods) * 2 * np.pi / 24)
        frames.append(pd.DataFrame({"unique_id": sid, "ds": times.strftime(fmt), "y": y}))
    path = tmp_path / f"{freq}.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


def _bundle(tmp_path: Path, freq: str, season: int) -> str:
    return str(PanelPredictor("naive", 2, freq=freq, season_length=season).save(tmp_path / f"naive-{freq}"))


def test_cv_output_of_times_read_by_time_format_keeps_their_offset(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data, out = _written(tmp_path, "h", 72), tmp_path / "cv.csv"
    args = [
        "-m",
        "naive",
        "-H",
        "3",
        "--n-windows",
        "1",
        "--no-track",
        "--time-format",
        FORMAT,
        "-o",
        str(out),
    ]
    code, stdout, err = run_cli(capsys, "cv", str(data), *args)
    assert code == 0, stdout + err
    written = pd.read_csv(out, dtype=str)
    assert written["ds"].iloc[-1] == "2024-01-03 23:00:00+02:00", written  # the file's last time
    assert (written["cutoff"] == "2024-01-03 20:00:00+02:00").all(), written
    assert "dated in UTC" not in " ".join(err.split()), err  # the reader's note is not said of it


def test_a_forecast_of_times_read_by_time_format_keeps_their_offset(tmp_path, capsys):
    for freq, season, first in (
        ("h", 24, "2024-01-04 00:00:00+02:00"),
        ("D", 7, "2024-03-01 00:00:00+02:00"),
    ):
        history, out = _written(tmp_path, freq, 72 if freq == "h" else 60), tmp_path / f"fc-{freq}.csv"
        args = ["--model", _bundle(tmp_path, freq, season), "--time-format", FORMAT, "-o", str(out)]
        code, stdout, err = run_cli(capsys, "forecast", str(history), *args)
        assert code == 0, stdout + err
        written = pd.read_csv(out, dtype=str)
        # hourly times are read in UTC and daily ones at their wall-clock time: both as written
        assert written["ds"].iloc[0] == first, (freq, written)
        assert "dated in UTC" not in " ".join(err.split()), err


def test_a_forecast_parses_a_time_column_with_offsets_once(tmp_path, capsys, monkeypatch):
    history = _written(tmp_path, "h", 72, fmt="%Y-%m-%dT%H:%M:%S%z")
    parsed: list[str] = []
    original = validation.parse_timestamps

    def counting(series, **kwargs):
        parsed.append(kwargs["column"])
        return original(series, **kwargs)

    monkeypatch.setattr(validation, "parse_timestamps", counting)
    code, out, err = run_cli(capsys, "forecast", str(history), "--model", _bundle(tmp_path, "h", 24))
    assert code == 0, out + err
    assert parsed == ["ds"], parsed
    assert "+02:00" in out, out  # the forecast is still dated in the file's offset


def test_times_only_the_format_reads_keep_their_instant_and_offset_in_a_wide_file(tmp_path, capsys):
    """``2024_01_03 23:00+0200`` is read by ``--time-format`` alone (pandas cannot guess it), in a
    wide file whose time column (``stamp``) is found by that format too. The cv output said
    ``21:00:00+02:00`` for 23:00 at +02:00 (the UTC time with the file's offset: the wall-clock
    reading ignored the format, so nothing said the times were read in UTC), and with the column
    found without the format it carried no offset at all."""
    fmt = "%Y_%m_%d %H:%M%z"
    times = pd.date_range("2024-01-01", periods=72, freq="h", tz="Etc/GMT-2")  # +02:00
    t = np.arange(72)
    frame = pd.DataFrame({"stamp": times.strftime(fmt), "a": 10 + np.sin(t / 4), "b": 20 + np.cos(t / 5)})
    data, out = tmp_path / "wide.csv", tmp_path / "cv.csv"
    frame.to_csv(data, index=False)
    args = ["-m", "naive", "-H", "3", "--n-windows", "1", "--no-track", "--time-format", fmt, "-o", str(out)]
    code, stdout, err = run_cli(capsys, "cv", str(data), *args)
    assert code == 0, stdout + err
    written = pd.read_csv(out, dtype=str)
    assert written["ds"].max() == "2024-01-03 23:00:00+02:00", written  # the file's last time
