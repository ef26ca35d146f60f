"""A long table with integer series ids under other names (``store_id, date, sales``) is read as
wide and fails on its repeated dates; the error now says so and names the flags to pass.

Why: it said only "duplicate timestamp 2021-01-01 in column 'date' at rows [0, 120, 240, …]",
which a user reads as a fault in their dates, not in how the table was read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.data.load import load, load_panel
from tsforge.errors import DataValidationError

FLAGS = "--id-col store_id --time-col date --target-col sales"


def _stores(n_stores: int = 4, n: int = 30) -> pd.DataFrame:
    dates = pd.date_range("2021-01-01", periods=n, freq="D").strftime("%Y-%m-%d")
    return pd.DataFrame(
        {
            "store_id": np.repeat(np.arange(100, 100 + n_stores), n),
            "date": np.tile(dates, n_stores),
            "sales": np.arange(n_stores * n, dtype=float),
        }
    )


@pytest.mark.parametrize("reader", [load_panel, load])
def test_integer_ids_get_the_long_table_flags(tmp_path, reader):
    path = tmp_path / "stores.csv"
    _stores().to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        reader(str(path))
    message = str(err.value)
    assert message.startswith("duplicate timestamp 2021-01-01 in column 'date'")
    assert "read as wide" in message and FLAGS in message
    assert err.value.where == {"file": str(path), "column": "date", "row": 30, "line": 32}
    panel = load_panel(str(path), id_col="store_id", time_col="date", target_col="sales").panel
    assert [str(i) for i in panel.ids] == ["100", "101", "102", "103"]  # what the advice says works


def test_a_forecast_history_gets_them_too():
    with pytest.raises(DataValidationError) as err:
        histories_from_frame(_stores(), file="h.csv")
    assert FLAGS in err.value.for_cli()
    assert "id_col='store_id', time_col='date', target_col='sales'" in str(err.value)


def test_two_numbers_beside_the_ids_leave_the_target_to_the_user(tmp_path):
    path = tmp_path / "stores.csv"
    _stores().assign(price=1.0).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="--id-col store_id --time-col date --target-col ..."):
        load_panel(str(path))


def test_a_wide_file_with_one_repeated_hour_keeps_the_plain_error(tmp_path):
    """A clock change writes one hour twice; integer counts differ between the two rows, but the
    table is no long table: no layout advice."""
    times = list(pd.date_range("2021-10-31", periods=24, freq="h").strftime("%Y-%m-%d %H:%M"))
    times.insert(3, times[2])
    path = tmp_path / "counts.csv"
    pd.DataFrame({"time": times, "cars": np.arange(25), "bikes": np.arange(25) * 2}).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="duplicate timestamp") as err:
        load_panel(str(path))
    assert "read as wide" not in str(err.value)
