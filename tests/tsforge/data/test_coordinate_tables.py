"""Users' station coordinate tables (``--coords FILE``): which columns are read as the station
id, latitude and longitude, and what the error says when one cannot be found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.coordinates import coordinates_by_id, resolve_coords
from tsforge.errors import DataValidationError

IDS = ["S1", "S2", "S3"]
EXPECTED = [[50.0, 7.0], [51.0, 8.0], [52.0, 9.0]]


@pytest.mark.parametrize(
    "columns",
    [
        {"id": "sensor_id", "lat": "latitude", "lon": "longitude"},  # the DCRNN sensor tables
        {"id": "ID", "lat": "Lat", "lon": "Lon"},
        {"id": "Station", "lat": "LATITUDE", "lon": "lng"},
    ],
)
def test_usual_column_names_in_any_case_are_recognised(tmp_path, columns):
    """``sensor_id, latitude, longitude`` (the shared METR-LA table) or ``ID, Lat, Lon`` were
    refused, and the CLI has no option to name a coordinate table's columns."""
    path = tmp_path / "coords.csv"
    pd.DataFrame(
        {columns["id"]: IDS, columns["lat"]: [50.0, 51.0, 52.0], columns["lon"]: [7.0, 8.0, 9.0]}
    ).to_csv(path, index=False)
    np.testing.assert_array_equal(resolve_coords(str(path), IDS), EXPECTED)
    assert sorted(coordinates_by_id(str(path))) == IDS


def test_an_id_column_of_any_name_is_found_by_the_channel_ids_it_holds(tmp_path):
    path = tmp_path / "coords.csv"
    pd.DataFrame({"Messstelle": IDS, "lat": [50.0, 51.0, 52.0], "lon": [7.0, 8.0, 9.0]}).to_csv(
        path, index=False
    )
    np.testing.assert_array_equal(resolve_coords(str(path), IDS), EXPECTED)


def test_a_missing_coordinate_column_gets_advice_the_command_line_can_follow(tmp_path):
    """The CLI said "(pass --id-col name)": that flag renames the *data* file's id column, so
    following the advice broke the data. It now names the column names it reads."""
    path = tmp_path / "coords.csv"
    pd.DataFrame({"unique_id": IDS, "x": [7.0, 8.0, 9.0], "y": [50.0, 51.0, 52.0]}).to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        resolve_coords(str(path), IDS)
    cli = err.value.for_cli()
    assert "--id-col" not in cli and "coordinate table" in cli
    assert "Name the latitude column one of: lat, latitude" in cli
