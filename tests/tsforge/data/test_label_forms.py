"""The form of a column's period labels, learned to write other periods the same way
(:mod:`tsforge.data.label_forms`): the part of "outputs in the input's labels" below the CLI."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.label_forms import LabelsAsDatesWarning, in_label_form, label_form
from tsforge.data.load import load_panel

STARTS = pd.Series(pd.to_datetime(["2016-01-01", "2016-04-01", "2016-10-01", None]))


@pytest.mark.parametrize(
    ("labels", "written"),
    [
        (["2010Q1", "2010Q2"], ["2016Q1", "2016Q2", "2016Q4"]),
        (["2010 q1", "2010 q2"], ["2016 q1", "2016 q2", "2016 q4"]),
        (["Q1-2010", "Q2-2010"], ["Q1-2016", "Q2-2016", "Q4-2016"]),
        (["1Q2010", "2Q2010"], ["1Q2016", "2Q2016", "4Q2016"]),
        (["2010M01", "2010M02"], ["2016M01", "2016M04", "2016M10"]),
        (["2010M1", "2010M12"], ["2016M1", "2016M4", "2016M10"]),
        (["2010M10", "2010M11"], ["2016M01", "2016M04", "2016M10"]),
        (["2010-01", "2010-02"], ["2016-01", "2016-04", "2016-10"]),
        (["1/2010", "12/2010"], ["1/2016", "4/2016", "10/2016"]),
        (["Jan 2010", "Feb 2010"], ["Jan 2016", "Apr 2016", "Oct 2016"]),
        (["MAY 2010", "JUNE 2010"], ["JANUARY 2016", "APRIL 2016", "OCTOBER 2016"]),
        (["jan-10", "feb-10"], ["jan-16", "apr-16", "oct-16"]),
    ],
)
def test_a_label_form_writes_period_starts_as_the_column_writes_them(labels, written):
    form = label_form(pl.Series("ds", labels))
    assert form is not None and form.fits(STARTS)
    assert list(form.write(STARTS)) == [*written, None]


def test_iso_weeks_are_written_by_their_iso_year_and_halves_by_their_half():
    weeks = label_form(pl.Series("ds", ["2020-W05", "2020-W06"]))
    mondays = pd.Series(pd.to_datetime(["2016-01-04", "2021-01-04", "2020-12-28"]))
    assert weeks is not None and list(weeks.write(mondays)) == ["2016-W01", "2021-W01", "2020-W53"]
    halves = label_form(pl.Series("ds", ["H1 2010", "H2 2010"]))
    assert halves is not None
    assert list(halves.write(pd.Series(pd.to_datetime(["2016-07-01"])))) == ["H2 2016"]


@pytest.mark.parametrize(
    "column",
    [
        pl.Series("ds", ["2010-01-01", "2010-02-01"]),  # dates: they join as they are
        pl.Series("ds", [dt.datetime(2010, 1, 1), dt.datetime(2010, 2, 1)]),  # a Parquet datetime
        pl.Series("ds", [2010, 2011]),  # integer years: kept as integers already
        pl.Series("ds", ["2010M1", "2010M02"]),  # two spellings: none of them is the form
        pl.Series("ds", ["Sept 2010", "Oct 2010"]),  # a month's name no form writes back
    ],
    ids=["iso-dates", "datetimes", "integers", "mixed-padding", "sept"],
)
def test_columns_without_one_label_form_have_none(column):
    assert label_form(column) is None


def test_months_written_as_integers_are_written_back_as_integers():
    """``201001`` … (read as month starts): ``201601``, an integer, so it joins on its own type;
    ``yyyymmdd`` integers are dates, and stay dates."""
    form = label_form(pl.Series("ds", [200901 + i for i in range(12)] + [201001, 201002]))
    assert form is not None and list(form.write(STARTS)) == [201601, 201604, 201610, pd.NA]
    assert label_form(pl.Series("ds", [20100101, 20100102, 20100103])) is None


def test_a_time_format_is_the_form_where_it_names_no_day():
    form = label_form(None, time_format="%b-%y")
    assert form is not None and list(form.write(STARTS)) == ["Jan-16", "Apr-16", "Oct-16", None]
    assert label_form(pl.Series("ds", ["2010Q1"]), time_format="%d/%m/%Y") is None


def test_times_that_start_no_period_of_the_form_stay_dates_with_a_note():
    form = label_form(pl.Series("ds", ["2010Q1", "2010Q2"]))
    monthly = pd.DataFrame({"ds": pd.to_datetime(["2016-01-01", "2016-02-01"])})
    with pytest.warns(LabelsAsDatesWarning, match=r"the forecast's times are written as dates.*'2010Q1'"):
        kept = in_label_form(monthly, ("ds",), form, what="the forecast")
    assert kept is monthly


def test_load_panel_keeps_the_form_of_the_file_it_read(tmp_path):
    """``cv --output`` learns the form from the loader: the panel itself keeps dates only."""
    path = tmp_path / "q.csv"
    labels = [f"{2010 + i // 4}Q{i % 4 + 1}" for i in range(12)]
    pd.DataFrame({"unique_id": "a", "ds": labels, "y": np.arange(12.0)}).to_csv(path, index=False)
    loaded = load_panel(str(path))
    assert loaded.time_form is not None
    assert list(loaded.time_form.write(pd.Series(pd.to_datetime(["2013-01-01"])))) == ["2013Q1"]
    dates = tmp_path / "d.csv"
    pd.read_csv(path).assign(ds=pd.date_range("2010-01-01", periods=12, freq="QS")).to_csv(dates, index=False)
    assert load_panel(str(dates)).time_form is None
