"""``tsforge cv --output`` dates its rows as ``tsforge forecast`` does: in the offset each
series' history was written in.

Found by a first-user walkthrough: on an hourly file written at ``+01:00``/``+02:00`` (a clock
change on 2024-03-31), ``cv -o`` wrote ``ds`` and ``cutoff`` in UTC without an offset while
``forecast`` wrote each series at the offset of its own last time, so the two outputs of one
input did not line up (and the reader's note "outputs are dated in UTC" was then untrue of
``forecast``'s only).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from tests.conftest import run_cli


def _berlin_text(times: pd.DatetimeIndex) -> pd.Index:
    """``2024-03-31T03:00:00+02:00``: times in Europe/Berlin written with their offsets."""
    offset = times.strftime("%z")
    return times.strftime("%Y-%m-%dT%H:%M:%S") + offset.str[:3] + ":" + offset.str[3:]


def _hourly_across_the_clock_change(tmp_path: Path) -> Path:
    frames = []
    for i, sid in enumerate(("a", "b")):
        times = pd.date_range("2024-03-30", periods=72, freq="h", tz="Europe/Berlin")
        y = 10 + i + np.sin(np.arange(72) * 2 * np.pi / 24)
        frames.append(pd.DataFrame({"unique_id": sid, "ds": _berlin_text(times), "y": y}))
    path = tmp_path / "hourly.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


def _cv(capsys, tmp_path: Path, data: Path, *args: str) -> tuple[pd.DataFrame, str]:
    out = tmp_path / "cv.csv"
    code, stdout, err = run_cli(
        capsys, "cv", str(data), "--model", "naive", "--n-windows", "2", "--no-track", "-o", str(out), *args
    )
    assert code == 0, stdout + err
    return pd.read_csv(out, dtype=str), " ".join(err.split())


def test_an_hourly_file_with_offsets_is_written_at_its_offset_not_in_utc(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _hourly_across_the_clock_change(tmp_path)
    written, err = _cv(capsys, tmp_path, data, "--horizon", "3")
    last = pd.read_csv(data, dtype=str).groupby("unique_id")["ds"].last()
    assert last.tolist() == ["2024-04-02T00:00:00+02:00"] * 2  # the data as meant
    for sid, rows in written.groupby("unique_id"):
        assert all(t.endswith("+02:00") for t in rows["ds"]), rows
        assert all(t.endswith("+02:00") for t in rows["cutoff"]), rows
        # the last window ends at the series' last time, as the file writes it
        assert pd.Timestamp(rows["ds"].iloc[-1]) == pd.Timestamp(last[sid]), rows
        assert rows["cutoff"].iloc[-1] == "2024-04-01 21:00:00+02:00", rows
    assert "dated in UTC" not in err, err  # the reader's note is not said of this output


def test_without_output_the_readers_note_is_still_said(tmp_path, capsys, monkeypatch):
    """Nothing is restated without ``--output``: the reader's note stays (guard)."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _hourly_across_the_clock_change(tmp_path)
    code, out, err = run_cli(
        capsys, "cv", str(data), "-m", "naive", "-H", "3", "--n-windows", "1", "--no-track"
    )
    assert code == 0, out + err
    assert "carry UTC offsets" in " ".join(err.split()), err


def test_each_series_is_written_at_its_own_last_offset_as_forecast_does(tmp_path, capsys, monkeypatch):
    """A daily file mixing +01:00 (a winter series) and +02:00 (a summer one): each series' rows at
    the offset of its own last time — ``forecast``'s rule (``test_cli_read_as_said``)."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    frames = []
    for sid, start in (("winter", "2024-01-01"), ("summer", "2024-04-01")):
        days = pd.date_range(start, periods=30, freq="D", tz="Europe/Berlin")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": _berlin_text(days), "y": np.arange(30.0)}))
    data = tmp_path / "berlin.csv"
    pd.concat(frames).to_csv(data, index=False)
    written, _ = _cv(capsys, tmp_path, data, "--horizon", "2")
    last = written.groupby("unique_id")["ds"].last().to_dict()
    assert last == {"winter": "2024-01-30 00:00:00+01:00", "summer": "2024-04-30 00:00:00+02:00"}, last


def test_a_file_without_offsets_is_written_as_before(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    times = pd.date_range("2024-01-01", periods=48, freq="h")
    data = tmp_path / "plain.csv"
    pd.DataFrame({"unique_id": "a", "ds": times, "y": np.sin(np.arange(48.0))}).to_csv(data, index=False)
    written, _ = _cv(capsys, tmp_path, data, "--horizon", "2")
    assert written["ds"].iloc[-1] == "2024-01-02 23:00:00", written


def test_the_loader_keeps_a_parquet_column_s_named_zone(tmp_path):
    """A Parquet column with a named zone: the loader keeps its zone for ``--output`` (whether
    the times were read in UTC is the reader's word, :class:`~tsforge.cli.zoned_times.HeldNotes`,
    passed on as it is), and a file whose times carry none keeps none."""
    from tsforge.cli.zoned_times import zone_of
    from tsforge.data.load import load_panel

    times = pd.date_range("2024-03-30", periods=48, freq="h", tz="Europe/Berlin")
    path = tmp_path / "zoned.parquet"
    pl.from_pandas(pd.DataFrame({"unique_id": "a", "ds": times, "y": np.arange(48.0)})).write_parquet(path)
    zone = zone_of(load_panel(str(path)).time_offsets, read_in_utc=True)
    assert zone is not None and str(zone.zone) == "Europe/Berlin" and zone.read_in_utc
    plain, naive = tmp_path / "plain.parquet", pd.date_range("2024-01-01", periods=48, freq="h")
    pl.from_pandas(pd.DataFrame({"unique_id": "a", "ds": naive, "y": np.arange(48.0)})).write_parquet(plain)
    assert load_panel(str(plain)).time_offsets is None
