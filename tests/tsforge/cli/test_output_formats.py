"""The format of an ``--output`` table follows its name as a user writes it: ``.PARQUET`` is
Parquet, ``.csv.gz`` is gzip-compressed CSV, and a name promising a format tsforge does not
write (``.xlsx``) is refused before any work, naming the option and the formats it writes."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.cli.output_paths import write_frame


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"unique_id": ["a", "b"], "y_hat": [1.5, 2.0]})


@pytest.mark.parametrize("name", ["out.PARQUET", "out.pq"])
def test_a_parquet_name_in_any_case_is_parquet(tmp_path, name):
    """`forecast.PARQUET` was written as CSV text under a Parquet name."""
    write_frame(_frame(), tmp_path / name)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / name), _frame())


def test_a_csv_gz_name_is_compressed(tmp_path):
    """The table is written under a hidden name first; pandas chose the compression from that
    name (`.out.csv.gz.<pid>.partial`), so `out.csv.gz` was plain text."""
    path = tmp_path / "out.csv.gz"
    write_frame(_frame(), path)
    assert gzip.open(path, "rt").read().splitlines()[0] == "unique_id,y_hat"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv.gz"]  # no hidden file left


def test_cv_refuses_an_xlsx_output_before_cross_validating(tmp_path, capsys, monkeypatch):
    import tsforge.panels.cv as cv

    def _never(*args, **kwargs):
        raise AssertionError("cross-validated before checking --output")

    monkeypatch.setattr(cv, "cross_validation", _never)
    path = tmp_path / "sales.csv"
    pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=30, freq="D"), "y": range(30)}
    ).to_csv(path, index=False)
    target = tmp_path / "cv.xlsx"
    code, out, err = run_cli(capsys, "cv", str(path), "--model", "naive", "-H", "2", "-o", str(target))
    assert code == 2, out + err
    text = " ".join(err.split())
    assert text.startswith("error: --output") and "cv.xlsx" in text and ".parquet" in text, text
    assert not target.exists()


def test_a_forecast_printed_in_part_says_so_and_how_to_get_it_all(tracking_uri, tmp_path, capsys):
    """Without --output the console table keeps 60 rows; `forecast ... > f.txt` held "..." in
    place of the rest, with no word on it."""
    rng = np.random.default_rng(0)
    frames = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2020-01-01", periods=30, freq="D"),
                "y": 20 + rng.normal(size=30),
            }
        )
        for i in range(12)
    ]
    path = tmp_path / "panel.csv"
    pd.concat(frames).to_csv(path, index=False)
    code, out, err = run_cli(
        capsys, "train", str(path), "--model", "naive", "-H", "6", "--register-as", "p-naive"
    )
    assert code == 0, out + err
    code, out, err = run_cli(capsys, "forecast", str(path), "--model", "p-naive")  # 12 × 6 = 72 rows
    assert code == 0, out + err
    assert "note: 72 forecast rows, the first and last 30 shown: --output FILE.csv" in " ".join(
        err.split()
    ), err
    code, out, err = run_cli(capsys, "forecast", str(path), "--model", "p-naive", "-H", "5")  # 60 rows: all
    assert code == 0 and "forecast rows" not in err, err
