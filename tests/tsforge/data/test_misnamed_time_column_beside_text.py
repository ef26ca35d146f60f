"""A long file whose time column has another name, beside a text column, is told that name.

Found by a user walk (s71): ``tsforge train m_col3.csv`` (columns ``unique_id, month, y,
unit``) said "column 'ds' (--time-col) not found; columns found: …. A file with one column per
series … is read as such without any flag": a hint for wide files, to a file with an id column,
and no word of ``month``, the one column of dates.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tsforge.data.load import load_panel
from tsforge.errors import DataValidationError


def _file(tmp_path, columns: dict[str, object]) -> str:
    path = tmp_path / "m.csv"
    pd.DataFrame(columns).to_csv(path, index=False)
    return str(path)


def _months(n: int = 30) -> list[str]:
    return list(pd.date_range("2020-01-01", periods=n, freq="MS").strftime("%Y-%m-%d"))


def test_the_date_column_is_suggested_and_no_wide_file_hint_is_given(tmp_path):
    path = _file(tmp_path, {"unique_id": "a", "month": _months(), "y": 1.0, "unit": "kg"})
    with pytest.raises(DataValidationError) as err:
        load_panel(path)
    python, cli = str(err.value), err.value.for_cli()
    assert "Did you mean 'month'? (pass time_col='month')" in python, python
    assert "Did you mean 'month'? (pass --time-col month)" in cli, cli
    assert "one column per series" not in cli and "layout='wide'" not in python, (python, cli)


def test_without_an_id_column_the_wide_file_hint_stays(tmp_path):
    """Guard: ``store, ds, y`` with a text column and no ``unique_id`` may be a wide file meant."""
    path = _file(tmp_path, {"ds": _months(), "y": 1.0, "label": "x", "z": 2.0})
    with pytest.raises(DataValidationError) as err:
        load_panel(path)
    assert "one column per series" in err.value.for_cli(), err.value.for_cli()
