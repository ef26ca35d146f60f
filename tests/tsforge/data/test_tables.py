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


def test_the_row_index_pandas_writes_by_default_is_not_read_as_a_series(tmp_path, capsys):
    """``df.to_csv(path)`` writes the row index as an unnamed first column: a wide file saved that
    way trained three series (one of them 0, 1, 2, …). It is dropped; a named or non-consecutive
    first column, and an unnamed date index, are kept."""
    from tests.conftest import run_cli

    t = pd.date_range("2020-01-01", periods=120, freq="D")
    wide = pd.DataFrame({"date": t, "a": np.sin(np.arange(120) / 3) + 5, "b": np.cos(np.arange(120) / 3) + 5})
    path = tmp_path / "with_index.csv"
    wide.to_csv(path)  # pandas' default: index=True
    assert read_table(path).columns == ["date", "a", "b"]
    again = tmp_path / "again.csv"
    pd.read_csv(path).to_csv(again)  # read back and saved again: "Unnamed: 0" and a new index
    assert read_table(again).columns == ["date", "a", "b"]
    wide.to_parquet(tmp_path / "w.parquet")  # a range index is metadata in Parquet: nothing to drop
    assert read_table(tmp_path / "w.parquet").columns == ["date", "a", "b"]
    stacked = pd.concat([wide.iloc[:60], wide.iloc[60:]])  # an index that is not a range: stored as a column
    stacked.index = np.r_[np.arange(60), np.arange(60)]
    stacked.to_parquet(tmp_path / "stacked.parquet")
    assert read_table(tmp_path / "stacked.parquet").columns == ["date", "a", "b"]
    kept = wide.assign(**{"": np.arange(120) * 2})[["", "date", "a", "b"]]
    kept.to_csv(tmp_path / "kept.csv", index=False)  # not consecutive: data, kept
    assert read_table(tmp_path / "kept.csv").columns[0] == ""
    dated = wide.set_index("date")
    dated.index.name = None
    dated.to_csv(tmp_path / "dated.csv")  # an unnamed date index is the time column
    assert read_table(tmp_path / "dated.csv").columns[1:] == ["a", "b"]
    code, out, err = run_cli(capsys, "train", str(path), "--model", "naive", "--horizon", "7", "--no-track")
    assert code == 0, err
    row = next(ln for ln in out.splitlines() if ln.strip().startswith("naive"))
    assert row.split()[1] == "2", out  # two series, not three


def test_a_wide_file_whose_first_column_counts_up_evenly_has_it_as_its_time_axis(tmp_path):
    """``year,a,b`` was read as three series, one of them the years. A first column of integers
    rising by one constant step is the time axis (training and forecast readers alike), and so
    is one named as a step index (``year``) that rises unevenly; other uneven integers, and
    floats, stay series."""
    from tsforge.data.history import histories_from_frame
    from tsforge.errors import DataValidationError

    years = np.arange(1980, 2021)
    wide = pd.DataFrame({"year": years, "a": np.arange(41) * 2.0, "b": np.arange(41) + 5.0})
    path = tmp_path / "yearly.csv"
    wide.to_csv(path, index=False)
    panel = load_panel(str(path)).panel
    assert sorted(panel.ids) == ["a", "b"]
    series = histories_from_frame(read_table(path))
    assert [s.id for s in series] == ["a", "b"] and list(series[0].steps[:2]) == [1980, 1981]
    uneven = wide.assign(year=np.r_[years[:-1], 2030]).rename(columns={"year": "n"})
    uneven.to_csv(tmp_path / "uneven.csv", index=False)
    assert len(load_panel(str(tmp_path / "uneven.csv")).panel) == 3
    # named as a step index, uneven integers are still the time axis: the gap is reported
    uneven.rename(columns={"n": "year"}).to_csv(tmp_path / "gap.csv", index=False)
    with pytest.raises(DataValidationError, match="from 2019 to 2030.*fill_gaps=True") as exc:
        load_panel(str(tmp_path / "gap.csv"))
    assert "--fill-gaps" in exc.value.for_cli()
    floats = wide.assign(year=years.astype(float) + 0.5)
    floats.to_csv(tmp_path / "floats.csv", index=False)
    assert len(load_panel(str(tmp_path / "floats.csv")).panel) == 3
    # years counted in fives keep their units: the last year is 2180, the next one 2185 (the
    # panel numbered them 1980, 1981, … and labelled the test window 2016-2020)
    fives = wide.assign(year=1980 + 5 * np.arange(41))
    fives.to_csv(tmp_path / "fives.csv", index=False)
    panel = load_panel(str(tmp_path / "fives.csv")).panel
    assert panel.int_step == 5 and list(panel.last_times()) == [2180, 2180]
    assert int(panel.times_at(np.array([0]), panel.lengths[:1])[0]) == 2185


def test_a_long_file_with_other_column_names_is_told_the_exact_flags(tmp_path):
    """``item_id, date, sales`` (no ``unique_id``) is read as wide and fails on the id column; the
    advice said ``--time-col ... --target-col ...``; it now names the detected time column and the
    one numeric column left. (Series one after the other, sharing no date, so the table may as
    well be one series with a label column: not read as long unasked; series that share dates
    are, see test_long_roles.py.)"""
    from tsforge.errors import DataValidationError

    frame = pd.DataFrame(
        {
            "item_id": np.repeat(["x", "y"], 50),
            "date": pd.date_range("2020-01-01", periods=100, freq="D").strftime("%Y-%m-%d"),
            "sales": np.arange(100),
        }
    )
    frame.to_csv(tmp_path / "m5like.csv", index=False)
    with pytest.raises(DataValidationError) as err:
        load_panel(str(tmp_path / "m5like.csv"))
    assert "--id-col item_id --time-col date --target-col sales" in str(err.value)
