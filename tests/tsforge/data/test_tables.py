"""Delimited files as spreadsheets export them: the separator sniffed, decimal commas read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.load import load_panel
from tsforge.data.tables import read_table, sniff_separator


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 30),
            "ds": np.tile(pd.date_range("2020-01-01", periods=30, freq="MS").strftime("%Y-%m-%d"), 2),
            "y": rng.normal(100, 10, 60).round(4),
        }
    )


@pytest.mark.parametrize(
    ("name", "sep", "decimal"),
    [
        ("comma.csv", ",", "."),
        ("euro.csv", ";", ","),
        ("semi.csv", ";", "."),
        ("pipe.txt", "|", "."),
        ("tab.tsv", "\t", "."),
    ],
)
def test_a_spreadsheet_export_reads_like_the_plain_csv(tmp_path, name, sep, decimal):
    path = tmp_path / name
    _frame().to_csv(path, sep=sep, decimal=decimal, index=False)
    assert sniff_separator(path) == sep
    got = read_table(path)
    assert got.columns == ["unique_id", "ds", "y"] and got["y"].dtype.is_numeric()
    np.testing.assert_allclose(got["y"].to_numpy(), _frame()["y"].to_numpy())
    panel = load_panel(str(path)).panel
    assert len(panel) == 2 and panel.freq == "MS"


def test_a_gzipped_semicolon_file_is_sniffed_too(tmp_path):
    path = tmp_path / "euro.csv.gz"
    _frame().to_csv(path, sep=";", decimal=",", index=False, compression="gzip")
    assert sniff_separator(path) == ";"
    np.testing.assert_allclose(read_table(path)["y"].to_numpy(), _frame()["y"].to_numpy())
