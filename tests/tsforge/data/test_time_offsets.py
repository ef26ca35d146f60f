"""The loader keeps the UTC offsets a file's times were written in
(:attr:`tsforge.data.load.LoadedPanel.time_offsets`), for ``cv --output`` to date its rows in them
without reading the file again."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tsforge.data.load import load_panel


def _berlin_text(times: pd.DatetimeIndex) -> pd.Index:
    offset = times.strftime("%z")
    return times.strftime("%Y-%m-%dT%H:%M:%S") + offset.str[:3] + ":" + offset.str[3:]


def test_each_series_keeps_the_offset_of_its_own_last_time(tmp_path):
    frames = []
    for sid, start in (("winter", "2024-01-01"), ("summer", "2024-04-01")):
        days = pd.date_range(start, periods=30, freq="D", tz="Europe/Berlin")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": _berlin_text(days), "y": np.arange(30.0)}))
    path = tmp_path / "berlin.csv"
    pd.concat(frames).to_csv(path, index=False)
    offsets = load_panel(str(path)).time_offsets
    plus = {h: dt.timezone(dt.timedelta(hours=h)) for h in (1, 2)}
    assert offsets is not None and offsets.zone == plus[2]  # the file's last row
    assert offsets.by_series == {"winter": plus[1], "summer": plus[2]}


def test_a_wide_file_keeps_its_offset_and_a_file_without_one_none(tmp_path):
    hours = pd.date_range("2024-01-01", periods=48, freq="h", tz="Etc/GMT-2")  # +02:00
    wide = pd.DataFrame({"when": _berlin_text(hours), "a": np.arange(48.0), "b": np.arange(48.0)})
    wide.to_csv(tmp_path / "wide.csv", index=False)
    offsets = load_panel(str(tmp_path / "wide.csv")).time_offsets
    assert offsets is not None and offsets.zone == dt.timezone(dt.timedelta(hours=2))
    wide.assign(when=hours.tz_localize(None)).to_csv(tmp_path / "plain.csv", index=False)
    assert load_panel(str(tmp_path / "plain.csv")).time_offsets is None
