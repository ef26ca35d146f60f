"""Dates and values outside what the stored arrays can hold: refused by name, never wrapped or
overflowed into other dates and values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tsforge.data.load import load, load_panel
from tsforge.errors import DataValidationError


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
@pytest.mark.parametrize("loader", [load_panel, load])
def test_dates_before_1677_are_refused_not_wrapped(tmp_path, suffix, loader):
    """Yearly data from 1600 were converted to nanoseconds with an overflow into the 2180s and
    refused for an "irregular spacing 2184-07-20 23:34:33.709551616 → …" the file does not have."""
    path = tmp_path / f"old.{suffix}"
    years = [dt.date(y, 1, 1) for y in range(1600, 1640)]
    if suffix == "csv":
        path.write_text("unique_id,ds,y\n" + "".join(f"a,{d},{i}\n" for i, d in enumerate(years)))
    else:
        pq.write_table(pa.table({"unique_id": ["a"] * 40, "ds": years, "y": np.arange(40.0)}), path)
    with pytest.raises(
        DataValidationError,
        match=r"'1600-01-01.*' in time column 'ds' (on line 2 of old.csv|at row 0) is outside",
    ) as err:
        loader(str(path))
    assert "2184" not in str(err.value)


def test_a_value_beyond_float32_is_refused_not_made_infinite(tmp_path):
    """Series are float32: 1e39 became ``inf`` in the cast, silently."""
    path = tmp_path / "huge.csv"
    path.write_text(
        "unique_id,ds,y\n" + "".join(f"a,2020-01-{d:02d},{'1e39' if d == 5 else d}\n" for d in range(1, 21))
    )
    with pytest.raises(DataValidationError, match="too large") as err:
        load(str(path))
    assert err.value.where["row"] == 4
