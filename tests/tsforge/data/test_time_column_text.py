"""Time columns as users' tools write them: integers written as floats, and free-form text that
pandas parses one value at a time."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tsforge.data.load import load, load_panel


def test_whole_number_floats_in_the_time_column_are_integer_time(tmp_path):
    """pandas writes an integer column that once held a missing value as ``2000.0``; those
    years were refused as "unparsable date '2000.0'"."""
    path = tmp_path / "years.csv"
    pd.DataFrame({"unique_id": "a", "ds": np.arange(2000, 2020).astype(float), "y": np.arange(20.0)}).to_csv(
        path, index=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no calendar: season length 1 (a note of its own)
        panel = load_panel(str(path)).panel
        series = load(str(path)).series
    assert panel.starts.tolist() == [2000] and panel.lengths.tolist() == [20]
    assert series.values.shape == (20, 1)


def test_text_dates_parsed_one_by_one_print_no_pandas_warning(tmp_path):
    """``2015Q1`` has no format pandas can infer: its "falling back to dateutil" UserWarning was
    printed to the user (two lines with a source line) although the dates parse."""
    path = tmp_path / "quarters.csv"
    quarters = pd.period_range("2015Q1", periods=24, freq="Q").astype(str)
    pd.DataFrame({"unique_id": "a", "ds": quarters, "y": np.arange(24.0)}).to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panel = load_panel(str(path)).panel
    assert panel.starts[0] == np.datetime64("2015-01-01", "ns") and panel.lengths.tolist() == [24]


def test_year_month_integers_are_months(tmp_path):
    """``202001, 202002, …`` (a common export) was a step index with a jump of 89 at every new
    year, refused as irregular spacing; it is read as month starts, like ``YYYYMMDD`` as days."""
    path = tmp_path / "yyyymm.csv"
    months = pd.date_range("2020-01-01", periods=30, freq="MS")
    pd.DataFrame({"unique_id": "a", "ds": months.strftime("%Y%m").astype(int), "y": np.arange(30.0)}).to_csv(
        path, index=False
    )
    panel = load_panel(str(path)).panel
    assert panel.freq == "MS" and panel.starts[0] == np.datetime64("2020-01-01", "ns")
    assert load(str(path)).series.timestamps[-1] == months[-1]


def test_a_step_index_within_one_year_range_stays_a_step_index():
    """Consecutive integers over a "year boundary" include ``…13``: not months."""
    import polars as pl

    from tsforge.data.timeaxis import parse_time_column

    keys, is_dt = parse_time_column(pl.Series(np.arange(201901, 201930)), column="ds", file=None)
    assert not is_dt and keys[0] == 201901
