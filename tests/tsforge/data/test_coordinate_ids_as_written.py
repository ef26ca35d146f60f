"""Station ids in a coordinate table are read as written: ``06610`` stays ``06610``.

Why: WMO station numbers with a leading zero (``06610``, Payerne) were read as the integer 6610,
so a wide file whose column is ``06610`` got "no coordinates for channel(s) ['06610']" from a
table that lists it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsforge.data.coordinates import coordinates_by_id, read_coordinates
from tsforge.data.load import load

IDS = ["10637", "06610", "11035"]


def _files(tmp_path, id_name: str = "station"):
    days = pd.date_range("2020-01-01", periods=60, freq="D")
    data = tmp_path / "wmo.csv"
    pd.DataFrame({"date": days, **{s: np.sin(np.arange(60) / 7 + i) for i, s in enumerate(IDS)}}).to_csv(
        data, index=False
    )
    coords = tmp_path / "wmo_coords.csv"
    coords.write_text(f"{id_name},lat,lon\n10637,50.0,8.6\n06610,46.80,6.9\n11035,48.2,16.4\n")
    return str(data), str(coords)


def test_a_wide_file_gets_the_coordinates_of_a_zero_led_station(tmp_path):
    data, coords = _files(tmp_path)
    series = load(data, coords=coords).series
    assert series.channel_ids == tuple(IDS)
    np.testing.assert_allclose(series.coords, [[50.0, 8.6], [46.8, 6.9], [48.2, 16.4]])


def test_an_id_column_found_by_its_content_keeps_the_zero(tmp_path):
    """``wmo`` is no usual id name: the column is found by the ids it holds, and matched."""
    data, coords = _files(tmp_path, id_name="wmo")
    series = load(data, coords=coords).series
    np.testing.assert_allclose(series.coords[1], [46.8, 6.9])


def test_lookups_by_id_and_by_name_keep_the_zero(tmp_path):
    _, coords = _files(tmp_path)
    assert sorted(coordinates_by_id(coords, ["06610"])) == sorted(IDS)
    arr = read_coordinates(coords, id_col="station", channel_ids=["06610"])
    np.testing.assert_allclose(arr, [[46.8, 6.9]])
