"""Monash .tsf: parsing, end-aligned stacking, errors naming the line, loading a .tsf file."""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data.load import load
from tsforge.data.tsf import parse_tsf, tsf_to_dense
from tsforge.errors import ConfigError, DataValidationError

_DEMO = (
    "# comment\n@relation demo\n@attribute series_name string\n@attribute start_timestamp date\n"
    "@frequency hourly\n@horizon 2\n@data\n"
    "T1:2015-07-01 12-00-00:1,2,3,4\nT2:2015-07-01 12-00-00:5,?,7\n"
)


def test_parse_tsf_pads_short_series_on_the_left():
    tsf = parse_tsf(_DEMO)
    assert tsf.meta["frequency"] == "hourly"
    assert str(tsf.series[0].attributes["start_timestamp"]) == "2015-07-01 12:00:00"
    values, names = tsf_to_dense(tsf)
    assert names == ["T1", "T2"]
    np.testing.assert_array_equal(values[:, 0], [1, 2, 3, 4])
    assert np.isnan(values[0, 1]) and np.isnan(values[2, 1])
    np.testing.assert_array_equal(values[[1, 3], 1], [5, 7])


def test_parse_tsf_errors_name_the_line():
    text = "@attribute series_name string\n@data\nT1:1,2,x\n"
    with pytest.raises(DataValidationError, match=r"non-numeric value 'x'") as exc:
        parse_tsf(text, file="demo.tsf")
    assert exc.value.where == {"file": "demo.tsf", "line": 3}  # a line of the file: no data rows


def test_a_tsf_file_loads_end_aligned_with_its_frequency(tmp_path):
    path = tmp_path / "demo.tsf"
    path.write_text(_DEMO)
    loaded = load(str(path))
    assert loaded.entry is None
    data = loaded.series
    assert data.channel_ids == ("T1", "T2") and data.name == "demo"
    assert data.freq == "h" and data.timestamps is not None and data.n_steps == 4
    np.testing.assert_array_equal(data.values[[1, 3], 1], [5, 7])
    assert load(path, freq="D").series.freq == "D"
    with pytest.raises(ConfigError, match="time_col"):
        load(path, time_col="date")
