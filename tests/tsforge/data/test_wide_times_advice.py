"""One check for "each time once" in a table read as wide, shared by the file readers and the
forecast-history parser (:func:`tsforge.data.long_roles.check_unique_wide_times`).

Why: the two were twin functions with two wordings; a fix to one (which roles to name, how to
quote a column) did not reach the other. The wordings themselves are kept, whole, below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.data.load import load_panel
from tsforge.errors import DataValidationError

DUPLICATE = "duplicate timestamp 2021-01-01 in column 'date' at rows [0, 30, 60, 90] (30 duplicated timestamps in total)"
#: a CSV file's rows are named by their lines (header: line 1)
IN_FILE = "duplicate timestamp 2021-01-01 in column 'date' on lines 2, 32, 62 and 92 of stores.csv (30 duplicated timestamps in total)"
FILE_MESSAGE = (
    f"{IN_FILE}; the table was read as wide (one column per series, each time once). If it is long "
    "(one row per series and time step), give its column names: --id-col 'store id' --time-col date "
    "--target-col sales (id_col/time_col/target_col in Python)"
)
HISTORY_WHY = (
    f"{DUPLICATE}; without a column 'unique_id' the history is read as wide (one column per series, "
    "each time once). If it is long, give its column names: "
)


def _stores() -> pd.DataFrame:
    dates = pd.date_range("2021-01-01", periods=30, freq="D").strftime("%Y-%m-%d")
    return pd.DataFrame(
        {"store id": np.repeat(np.arange(100, 104), 30), "date": np.tile(dates, 4), "sales": np.arange(120.0)}
    )


def test_the_file_readers_and_the_history_parser_share_one_check(tmp_path):
    from tsforge.data.long_roles import check_unique_wide_times

    frame = _stores()
    path = tmp_path / "stores.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as from_file:
        load_panel(str(path))
    with pytest.raises(DataValidationError) as from_history:
        histories_from_frame(frame)
    assert from_file.value.message == FILE_MESSAGE and from_file.value.cli_message is None
    assert (
        from_history.value.message == HISTORY_WHY + "id_col='store id', time_col='date', target_col='sales'"
    )
    assert (
        from_history.value.cli_message
        == HISTORY_WHY + "--id-col 'store id' --time-col date --target-col sales"
    )

    keys = pd.to_datetime(frame["date"]).to_numpy()
    with pytest.raises(DataValidationError) as shared:
        check_unique_wide_times(
            pl.from_pandas(frame),
            keys,
            "date",
            file=str(path),
            read_as="the table was read as wide (one column per series, each time once). If it is long "
            "(one row per series and time step)",
            python_apart=False,
        )
    assert shared.value.message == FILE_MESSAGE
    where = {"file": str(path), "column": "date", "row": 30, "line": 32}
    assert shared.value.where == from_file.value.where == where
