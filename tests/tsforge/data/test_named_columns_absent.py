"""A column the user named (``--target-col units``) that the file lacks is reported first, by
its name, with the column to use instead.

Why: with the default id column also absent, the table was read as wide and the user was told
"non-numeric value 'store 00' in column 'store' … the table was read as wide", which hid the typo
in the name they typed. And a time column's suggestion was the closest spelling (``day`` →
``y``, a column of numbers) while ``ds`` held the dates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.load import load, load_panel
from tsforge.errors import DataValidationError


def _demand(path, header: str = "store,ds,y", sep: str = ",") -> str:
    """A long monthly file of 4 stores (text ids), under the header given."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2018-01-01", periods=30, freq="MS").strftime("%Y-%m-%d")
    lines = [header.replace(",", sep)]
    for i in range(4):
        lines += [
            sep.join((f"store {i:02d}", d, f"{v:.2f}"))
            for d, v in zip(dates, rng.normal(100, 10, 30), strict=True)
        ]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize("reader", [load, load_panel])
def test_a_named_target_that_is_absent_is_said_before_the_layout(tmp_path, reader):
    path = _demand(tmp_path / "store.csv")
    with pytest.raises(DataValidationError) as err:
        reader(path, target_col="units")
    message = str(err.value)
    assert message.startswith("column 'units' (target_col) not found; columns found: 'store', 'ds', 'y'")
    assert "Did you mean 'y'?" in message and "non-numeric" not in message
    assert err.value.where == {"file": path, "column": "units"}


def test_a_named_id_that_is_absent_suggests_the_text_column(tmp_path):
    path = _demand(tmp_path / "semi.csv", "store;day;units", sep=";")
    with pytest.raises(DataValidationError) as err:
        load_panel(path, id_col="shop")
    assert str(err.value).startswith(
        "column 'shop' (id_col) not found; columns found: 'store', 'day', 'units'"
    )
    assert "(pass --id-col store)" in err.value.for_cli()


def test_a_named_time_column_that_is_absent_suggests_the_dates_not_the_closest_spelling(tmp_path):
    path = _demand(tmp_path / "store.csv")
    with pytest.raises(DataValidationError) as err:
        load_panel(path, time_col="day")
    assert "column 'day' (time_col) not found" in str(err.value)
    assert "Did you mean 'ds'? (pass --time-col ds)" in err.value.for_cli()


def test_a_wide_file_with_an_absent_time_column_suggests_its_dates(tmp_path):
    """``when, y, z``: ``--time-col day`` is spelled closest to ``y``, a series."""
    frame = pd.DataFrame(
        {"when": pd.date_range("2020", periods=20, freq="D").strftime("%Y-%m-%d"), "y": 1.0, "z": 2.0}
    )
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(
        DataValidationError, match=r"column 'day' \(time_col\) not found.*Did you mean 'when'"
    ):
        load_panel(str(path), time_col="day", layout="wide")


def test_train_says_the_absent_named_column_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _demand(tmp_path / "store.csv")
    code, out, err = run_cli(
        capsys, "train", path, "--model", "naive", "-H", "4", "--no-track", "--target-col", "units"
    )
    assert code == 2, out + err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "".join(lines[0].split()).startswith(
        "".join("error: column 'units' (--target-col) not found".split())
    ), err
    assert "".join("(pass --target-col y)".split()) in "".join(err.split())
