"""CSV files written with a space after each separator (``ds, unique_id, y``) read as meant."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsforge.data.load import load
from tsforge.data.tables import read_table


def _write_padded(frame: pd.DataFrame, path) -> None:
    path.write_text(frame.to_csv(index=False).replace(",", ", "))


def _wide() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(np.round(rng.normal(size=(30, 2)), 3), columns=["BASEL", "OSLO"])
    frame.insert(0, "date", pd.date_range("2020-01-01", periods=30, freq="D").strftime("%Y-%m-%d"))
    return frame


def test_a_padded_wide_file_gives_the_stations_their_names_and_coordinates(tmp_path):
    """The stations were called ' BASEL' and ' OSLO': no coordinate row matched them."""
    plain, padded, coords = tmp_path / "plain.csv", tmp_path / "padded.csv", tmp_path / "coords.csv"
    _wide().to_csv(plain, index=False)
    _write_padded(_wide(), padded)
    _write_padded(
        pd.DataFrame({"station": ["OSLO", "BASEL"], "lat": [59.9, 47.5], "lon": [10.7, 7.6]}), coords
    )
    want = load(str(plain)).series
    got = load(str(padded), coords=str(coords)).series
    assert got.channel_ids == ("BASEL", "OSLO")
    np.testing.assert_array_equal(got.values, want.values)
    np.testing.assert_array_equal(got.timestamps, want.timestamps)
    np.testing.assert_array_equal(got.coords, [[47.5, 7.6], [59.9, 10.7]])


def test_a_padded_long_file_is_read_as_long(tmp_path):
    """``unique_id, ds, y`` was read as wide and refused: "non-numeric value ' a' in column
    ' unique_id'"."""
    frame = pd.DataFrame(
        {"unique_id": ["a"] * 4 + ["b"] * 4, "ds": list(pd.date_range("2020-01-01", periods=4).strftime("%Y-%m-%d")) * 2,
         "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]}
    )  # fmt: skip
    path = tmp_path / "long.csv"
    _write_padded(frame, path)
    series = load(str(path)).series
    assert series.channel_ids == ("a", "b")
    np.testing.assert_array_equal(series.values, [[1, 5], [2, 6], [3, 7], [4, 8]])


def test_names_that_differ_only_by_padding_are_left_as_written(tmp_path):
    path = tmp_path / "both.csv"
    path.write_text("ds,a, a\n2020-01-01,1,2\n")
    assert read_table(path).columns == ["ds", "a", " a"]
