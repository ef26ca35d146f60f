"""Series ids in a user's CSV are names: read as they are written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.load import load, load_panel
from tsforge.errors import DataValidationError


def _write(path, ids: list[str], n: int = 10) -> None:
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, n),
            "ds": np.tile(pd.date_range("2020-01-01", periods=n, freq="D"), len(ids)),
            "y": np.arange(n * len(ids), dtype=float),
        }
    )
    frame.to_csv(path, index=False)


@pytest.mark.parametrize("loader", [load_panel, load])
def test_ids_with_leading_zeros_keep_them(tmp_path, loader):
    """``001`` was read as the integer 1: forecasts and scores came back for series ``1`` and
    ``2``, ids the user's data does not have."""
    path = tmp_path / "stores.csv"
    _write(path, ["001", "002"])
    got = loader(str(path))
    ids = got.panel.ids if loader is load_panel else got.series.channel_ids
    assert [str(i) for i in ids] == ["001", "002"]


def test_ids_that_differ_only_in_leading_zeros_stay_two_series(tmp_path):
    """``1`` and ``01`` were merged into one series and refused for a duplicate timestamp."""
    path = tmp_path / "ids.csv"
    _write(path, ["1", "01"])
    panel = load_panel(str(path)).panel
    assert [str(i) for i in panel.ids] == ["1", "01"] and panel.lengths.tolist() == [10, 10]


def test_plain_numeric_ids_are_unchanged(tmp_path):
    path = tmp_path / "numbers.csv"
    _write(path, ["1", "2"])
    assert [str(i) for i in load_panel(str(path)).panel.ids] == ["1", "2"]


def test_an_error_names_a_numeric_id_as_text(tmp_path):
    """The message read ``in series np.int64(1)``."""
    path = tmp_path / "dup.csv"
    _write(path, ["1", "2"])
    with open(path, "a") as fh:
        fh.write("1,2020-01-03,5.0\n")
    with pytest.raises(DataValidationError) as err:
        load_panel(str(path))
    assert "np.int64" not in str(err.value) and "series '1'" in str(err.value)
