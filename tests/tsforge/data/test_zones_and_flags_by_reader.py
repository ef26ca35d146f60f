"""The training and forecast readers of a long table: times with UTC offsets read wall-clock or in
UTC series by series, and a true/false target read as 1 and 0 with a note.

Found: a CSV of Berlin midnights (+01:00, then +02:00 from 29 March) beside New York 06:00 was
called "sub-daily", read in UTC and refused by training and forecast (series 'a' irregular at the
clock change); a CSV whose ``y`` is ``true``/``false`` trained on 0/1 without a word.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.data.load import load_panel
from tsforge.data.validation import true_false_words
from tsforge.errors import TsforgeWarning

DAYS = 20  # from 2020-03-20: Berlin's clock changes on the 29th


def _notes(read) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = read()
    return out, [str(w.message) for w in caught if issubclass(w.category, TsforgeWarning)]


@pytest.fixture()
def two_zones(tmp_path) -> str:
    berlin = pd.date_range("2020-03-20", periods=DAYS, freq="D", tz="Europe/Berlin")
    new_york = pd.date_range("2020-03-20 06:00", periods=DAYS, freq="D", tz="America/New_York")
    path = tmp_path / "two_zones.csv"
    pd.DataFrame(
        {
            "unique_id": ["a"] * DAYS + ["b"] * DAYS,
            "ds": [t.isoformat() for t in [*berlin, *new_york]],
            "y": np.r_[np.arange(DAYS) % 5, np.arange(DAYS) % 4].astype(float),
        }
    ).to_csv(path, index=False)
    return str(path)


def test_training_reads_each_series_at_its_own_time_of_day(two_zones):
    panel, notes = _notes(lambda: load_panel(two_zones).panel)
    assert panel.freq == "D"
    last = panel.last_times().astype("datetime64[ns]")
    assert list(last) == list(np.array(["2020-04-08", "2020-04-08T06:00"], dtype="datetime64[ns]")), last
    assert not [n for n in notes if "sub-daily" in n], notes


def test_the_forecast_reader_reads_them_alike(two_zones):
    series, notes = _notes(lambda: histories_from_frame(pl.read_csv(two_zones), file=two_zones))
    berlin, new_york = (pd.DatetimeIndex(s.timestamps) for s in series)
    assert (berlin.hour == 0).all() and (new_york.hour == 6).all(), (berlin, new_york)
    assert not [n for n in notes if "sub-daily" in n], notes


def test_training_says_a_true_false_target_is_read_as_one_and_zero(tmp_path):
    path = tmp_path / "flags.csv"
    days = pd.date_range("2020-01-01", periods=8, freq="D").strftime("%Y-%m-%d").tolist()
    path.write_text(
        "unique_id,ds,y\n" + "".join(f"a,{d},{'true' if k % 2 else 'false'}\n" for k, d in enumerate(days))
    )
    data, notes = _notes(lambda: load_panel(str(path)))
    np.testing.assert_array_equal(data.panel.values, [0.0, 1.0] * 4)
    assert notes.count(true_false_words("y", str(path))) == 1, notes
