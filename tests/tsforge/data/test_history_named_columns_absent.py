"""A forecast history without a column the caller named is refused naming that column, and the
note on unused columns names the option in Python's words too.

Found by a user walk (s72): ``predict_frame(df, id_col="store")`` on a frame without ``store``
read it as wide and said "non-numeric value 'T1' in column 'unique_id'", where ``train_panel``
says "column 'store' (id_col) not found ... Did you mean 'unique_id'?"; and the
``UnusedColumnsWarning`` a Python user gets named only the flag ``--target-col``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.data.load import load_panel
from tsforge.errors import DataValidationError, UnusedColumnsWarning


def _long() -> pd.DataFrame:
    ds = pd.date_range("2024-01-01", periods=6, freq="D")
    return pd.DataFrame({"unique_id": ["a"] * 6 + ["b"] * 6, "ds": list(ds) * 2, "y": np.arange(12.0)})


@pytest.mark.parametrize(
    ("given", "role", "meant"),
    [({"id_col": "store"}, "id_col", "unique_id"), ({"target_col": "sales"}, "target_col", "y")],
)
def test_a_named_column_absent_is_said_with_the_closest_one(given, role, meant):
    with pytest.raises(DataValidationError) as err:
        histories_from_frame(_long(), **given)
    name = next(iter(given.values()))
    assert f"column {name!r} ({role}) not found" in err.value.message
    assert f"Did you mean {meant!r}?" in err.value.message
    assert "non-numeric" not in err.value.message


def test_the_default_names_absent_still_read_a_wide_history():
    wide = _long().pivot(index="ds", columns="unique_id", values="y").reset_index()
    assert [s.id for s in histories_from_frame(wide)] == ["a", "b"]


def test_the_unused_columns_note_names_the_python_keyword_too():
    with pytest.warns(UnusedColumnsWarning, match=r"--target-col \(target_col in Python\)"):
        load_panel(_long().assign(price=1.0))


def test_a_named_time_column_absent_still_reads_an_undated_history():
    out = histories_from_frame(_long().drop(columns="ds"), time_col="when")
    assert [s.id for s in out] == ["a", "b"] and out[0].timestamps is None
