"""A data file's name becomes the dataset's name (and so its default registered model name)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.layouts import file_stem
from tsforge.data.load import load_panel, source_name


@pytest.mark.parametrize(
    ("path", "stem"),
    [
        ("sales_v1.5.csv", "sales_v1.5"),
        ("/data/2024.01.sales.parquet", "2024.01.sales"),
        ("m4.tsf.gz", "m4"),
        ("/x/tourism_monthly_dataset.tsf.gz", "tourism_monthly_dataset"),
        ("ETTh1.csv.gz", "ETTh1"),
        ("Sales.CSV", "Sales"),
    ],
)
def test_only_the_data_file_ending_is_dropped(path, stem):
    assert file_stem(path) == stem


def test_two_versions_of_a_file_are_two_datasets(tmp_path):
    """``sales_v1.5.csv`` and ``sales_v1.6.csv`` were both the dataset ``sales_v1``: training
    on the second registered a new version of the model trained on the first."""
    frame = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=12, freq="D"), "y": np.arange(12.0)}
    )
    names = set()
    for version in ("1.5", "1.6"):
        path = tmp_path / f"sales_v{version}.csv"
        frame.to_csv(path, index=False)
        assert source_name(str(path)) == load_panel(str(path)).panel.name
        names.add(load_panel(str(path)).panel.name)
    assert names == {"sales_v1.5", "sales_v1.6"}
