"""Station coordinates as a user gives them: blank ids and altitudes in a table, a table with
two id-like columns, and coordinates passed in Python as a mapping or an array — each either
read right or refused naming the station, the row or channel and the column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.coordinates import coordinates_by_id, resolve_coords
from tsforge.data.load import load
from tsforge.errors import DataValidationError

IDS = ["BASEL", "OSLO", "ROMA"]
LAT = [47.5, 59.9, 41.9]
LON = [7.6, 10.7, 12.5]


def _wide() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=IDS)
    frame.insert(0, "date", pd.date_range("2020-01-01", periods=40, freq="D"))
    return frame


def test_a_blank_station_id_is_named_by_its_row_not_read_as_the_station_none(tmp_path):
    """Two blank ids were read as the text 'None' and refused as "station 'None' appears more
    than once", which named neither row."""
    path = tmp_path / "coords.csv"
    pd.DataFrame({"station": ["BASEL", None, "OSLO", None, "ROMA"], "lat": [47.5, 1, 59.9, 2, 41.9],
                  "lon": [7.6, 1, 10.7, 2, 12.5]}).to_csv(path, index=False)  # fmt: skip
    with pytest.raises(
        DataValidationError, match="missing station id in column 'station' on line 3 of coords.csv"
    ) as err:
        resolve_coords(str(path), IDS)
    assert err.value.where == {"file": str(path), "column": "station", "row": 1, "line": 3}


def test_a_blank_altitude_names_the_station_row_and_column(tmp_path):
    """A ``height_m`` column is read as the altitude by its name; a blank one reached the series
    as NaN: "coordinates contain missing or non-finite values", no station, row or column."""
    path = tmp_path / "coords.csv"
    pd.DataFrame({"station": IDS, "lat": LAT, "lon": LON, "height_m": [316.0, None, 20.0]}).to_csv(
        path, index=False
    )
    with pytest.raises(DataValidationError, match="altitude nan of station 'OSLO' at row 1") as err:
        load(_wide(), coords=str(path))
    assert err.value.where == {"file": str(path), "column": "height_m", "row": 1}


def test_the_id_column_holding_the_channel_ids_wins_over_an_earlier_name(tmp_path):
    """A table with ``id`` (a numeric code) and ``name`` (the station) columns: ``id`` came first
    by name, so every channel was "missing" although ``name`` held them all."""
    path = tmp_path / "coords.csv"
    pd.DataFrame({"id": [239, 193, 176], "name": IDS, "lat": LAT, "lon": LON}).to_csv(path, index=False)
    np.testing.assert_array_equal(resolve_coords(str(path), IDS), np.c_[LAT, LON])
    # the forecast path looks stations up by the history's series ids the same way
    table = coordinates_by_id(str(path), ["OSLO"])
    assert sorted(table) == sorted(IDS)
    np.testing.assert_array_equal(table["OSLO"], [59.9, 10.7])


def test_a_station_id_column_with_blanks_is_passed_over_for_the_one_naming_the_channels(tmp_path):
    """The shared weather-stations table has ``ecad_station_id`` (blank for two stations) and
    ``station``; with ``station_id`` and ``station`` the blank codes stopped the run."""
    path = tmp_path / "coords.csv"
    pd.DataFrame(
        {"station_id": [239.0, None, None], "station": IDS, "latitude": LAT, "longitude": LON}
    ).to_csv(path, index=False)
    loaded = load(_wide(), coords=str(path)).series
    np.testing.assert_array_equal(loaded.coords, np.c_[LAT, LON])


def test_the_usual_id_column_is_still_taken_when_no_column_holds_the_channels(tmp_path):
    path = tmp_path / "coords.csv"
    pd.DataFrame({"id": ["X", "Y", "Z"], "name": ["P", "Q", "R"], "lat": LAT, "lon": LON}).to_csv(
        path, index=False
    )
    with pytest.raises(DataValidationError, match=r"coordinate ids look like \['X', 'Y', 'Z'\]") as err:
        resolve_coords(str(path), IDS)
    assert err.value.where["column"] == "id"


@pytest.mark.parametrize(
    ("coords", "message"),
    [
        (
            {"BASEL": (47.5, 7.6), "OSLO": (259.9, 10.7), "ROMA": (41.9, 12.5)},
            "latitude 259.9 of station 'OSLO'",
        ),
        (
            {"BASEL": (47.5, 7.6), "OSLO": (59.9, 190.0), "ROMA": (41.9, 12.5)},
            "longitude 190.0 of station 'OSLO'",
        ),
        (
            {"BASEL": (47.5, 7.6), "OSLO": (59.9,), "ROMA": (41.9, 12.5)},
            "station 'OSLO' must be 2 or 3 numbers",
        ),
        (
            {"BASEL": (47.5, 7.6), "OSLO": (59.9, 10.7, 1.0), "ROMA": (41.9, 12.5)},
            "station 'OSLO' must be 2 numbers",
        ),
        (
            {"BASEL": (47.5, 7.6), "OSLO": ("north", 10.7), "ROMA": (41.9, 12.5)},
            "station 'OSLO' must be numbers",
        ),
        (
            {"BASEL": (47.5, 7.6), "OSLO": (float("nan"), 10.7), "ROMA": (41.9, 12.5)},
            "latitude nan of station 'OSLO'",
        ),
    ],
)
def test_a_mapping_is_checked_per_station(coords, message):
    """A mapping's latitude of 259.9 was accepted as is, and a station with one number ended in
    NumPy's "inhomogeneous shape" ValueError."""
    with pytest.raises(DataValidationError, match=message):
        load(_wide(), coords=coords)


def test_an_array_is_checked_naming_the_station_at_its_channel_position():
    with pytest.raises(DataValidationError, match="latitude 95.0 of station 'ROMA' at channel 2") as err:
        load(_wide(), coords=np.array([[47.5, 7.6], [59.9, 10.7], [95.0, 12.5]]))
    assert err.value.where == {"series": "ROMA"}


def test_valid_mappings_and_arrays_are_read_in_channel_order():
    mapping = {"ROMA": (41.9, 12.5), "BASEL": (47.5, 7.6), "OSLO": (59.9, 10.7), "EXTRA": (0.0, 0.0)}
    np.testing.assert_array_equal(load(_wide(), coords=mapping).series.coords, np.c_[LAT, LON])
    np.testing.assert_array_equal(
        load(_wide(), coords=np.c_[LAT, LON, [1.0, 2.0, 3.0]]).series.coords[:, 2], [1, 2, 3]
    )
