"""Time labels of statistics offices and spreadsheets (``Q1 2010``, ``2010 Q1``, ``2010M01``,
``Jan-10``) are read as the days their periods start, in long and wide files alike.

Why: ``Q1 2010`` and ``2010M01`` were "unparsable dates" (``--time-format`` cannot express a
quarter), ``2010-M01`` was read as one second past midnight (a monthly file became secondly
data), and a wide file whose label column had no time-like name took the labels for a series.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tests.conftest import long_label_csv, wide_label_csv
from tsforge.data.history import histories_from_frame
from tsforge.data.load import load, load_panel
from tsforge.errors import DataValidationError, TsforgeWarning

QUARTERS = [(2010 + i // 4, i % 4 + 1) for i in range(12)]
MONTHS = [(2010 + i // 12, i % 12 + 1) for i in range(24)]
ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

#: form → (labels, the dates they name, the frequency read)
FORMS = {
    "Q1 2010": ([f"Q{q} {y}" for y, q in QUARTERS], pd.date_range("2010-01-01", periods=12, freq="QS")),
    "Q1-2010": ([f"Q{q}-{y}" for y, q in QUARTERS], pd.date_range("2010-01-01", periods=12, freq="QS")),
    "2010 Q1": ([f"{y} Q{q}" for y, q in QUARTERS], pd.date_range("2010-01-01", periods=12, freq="QS")),
    "2010M01": ([f"{y}M{m:02d}" for y, m in MONTHS], pd.date_range("2010-01-01", periods=24, freq="MS")),
    "2010M1": ([f"{y}M{m}" for y, m in MONTHS], pd.date_range("2010-01-01", periods=24, freq="MS")),
    "2010-M01": ([f"{y}-M{m:02d}" for y, m in MONTHS], pd.date_range("2010-01-01", periods=24, freq="MS")),
}


def _same_calendar(freq: str | None, expected: pd.DatetimeIndex) -> bool:
    """Whether ``freq`` steps through ``expected`` (pandas names quarter starts QS-OCT or QS-JAN)."""
    assert freq is not None
    return bool((expected[:-1] + pd.tseries.frequencies.to_offset(freq) == expected[1:]).all())


@pytest.mark.parametrize("form", list(FORMS))
def test_a_long_file_of_labels_is_read_as_period_starts(tmp_path, form):
    labels, dates = FORMS[form]
    panel = load_panel(long_label_csv(tmp_path / "long.csv", labels)).panel
    assert [str(i) for i in panel.ids] == ["a", "b"]
    assert list(panel.timestamps(0)) == list(dates.to_numpy())
    assert _same_calendar(panel.freq, dates)


@pytest.mark.parametrize("form", list(FORMS))
def test_a_wide_file_of_labels_is_read_as_period_starts(tmp_path, form):
    labels, dates = FORMS[form]
    series = load(wide_label_csv(tmp_path / "wide.csv", labels)).series
    assert series.channel_ids == ("a", "b")
    assert list(series.timestamps) == list(dates.to_numpy())
    assert _same_calendar(series.freq, dates)


def test_one_year_of_eurostat_months_is_not_read_as_seconds(tmp_path):
    """``2010-M01`` … ``2010-M12`` parsed (pandas) as 00:00:01 … 00:00:12 of 1 January: a regular
    secondly series, read without a word."""
    labels = [f"2010-M{m:02d}" for m in range(1, 13)]
    series = load(wide_label_csv(tmp_path / "wide.csv", labels)).series
    assert series.freq == "MS"
    assert pd.Timestamp(series.timestamps[-1]) == pd.Timestamp("2010-12-01")


def test_a_label_column_is_found_as_the_time_column_by_its_values(tmp_path):
    """A wide file's label column named ``quarter`` took the labels for a series ("non-numeric")."""
    labels, dates = FORMS["Q1 2010"]
    series = load(wide_label_csv(tmp_path / "wide.csv", labels, time_col="quarter")).series
    assert series.channel_ids == ("a", "b")
    assert list(series.timestamps) == list(dates.to_numpy())


def test_a_long_table_under_other_names_is_guessed_with_label_times(tmp_path):
    """``region, quarter, gdp`` (a text id, labels, one number) is read as long, as with dates."""
    labels, dates = FORMS["2010 Q1"]
    frame = pd.read_csv(long_label_csv(tmp_path / "x.csv", labels)).rename(
        columns={"unique_id": "region", "ds": "quarter", "y": "gdp"}
    )
    path = tmp_path / "gdp.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(TsforgeWarning, match="id 'region', time 'quarter', target 'gdp'"):
        panel = load_panel(str(path)).panel
    assert list(panel.timestamps(1)) == list(dates.to_numpy())


def test_a_row_in_another_form_is_named(tmp_path):
    """The first row that names no quarter is the one reported, not row 0 (every row of ``Q1 2010``
    was "unparsable" before, so the error pointed at the first, well-written one)."""
    labels = list(FORMS["Q1 2010"][0])
    labels[5] = "Q5 2011"
    with pytest.raises(DataValidationError) as err:
        load(wide_label_csv(tmp_path / "wide.csv", labels))
    assert "unparsable date 'Q5 2011' in time column 'date' on line 7 of wide.csv" in str(err.value)
    assert err.value.where["row"] == 5


def test_a_quarter_outside_the_time_axis_is_refused_as_such(tmp_path):
    labels = [f"Q{q} {1500 + y}" for y, q in [(0, 1), (0, 2), (0, 3), (0, 4)]]
    with pytest.raises(
        DataValidationError,
        match="'Q1 1500' in time column 'date' on line 2 of wide.csv is outside the dates",
    ):
        load(wide_label_csv(tmp_path / "wide.csv", labels))


def test_month_and_two_digit_year_labels_are_read_with_a_note(tmp_path):
    """Excel's ``mmm-yy`` (``Jan-10``): January 2010, the only reading that dates a series across
    years, told in a note that names the column and the dates it gave; a given format reads them
    without one."""
    labels = [f"{ABBR[m - 1]}-{y % 100:02d}" for y, m in MONTHS]
    path = long_label_csv(tmp_path / "long.csv", labels)
    with pytest.warns(TsforgeWarning) as notes:
        panel = load_panel(path).panel
    assert list(panel.timestamps(0)) == list(pd.date_range("2010-01-01", periods=24, freq="MS").to_numpy())
    text = [str(n.message) for n in notes if "two-digit years" in str(n.message)]
    assert text == [
        "read column 'ds' as months and two-digit years ('Jan-10' as 2010-01-01 … 'Dec-11' as 2011-12-01); "
        "to read them otherwise write the dates in full (2010-01-10), or give time_format in Python"
    ]
    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        given = load_panel(path, time_format="%b-%y").panel
    assert not [w for w in quiet if "two-digit years" in str(w.message)]
    assert list(given.timestamps(0)) == list(panel.timestamps(0))


def test_days_of_one_month_are_not_read_as_years(tmp_path):
    """``Jan-01`` … ``Jan-28`` names one month only: more likely days of a January (no year) than
    28 Januaries; refused with both readings, the column, the row and the format to give."""
    labels = [f"Jan-{d:02d}" for d in range(1, 29)]
    with pytest.raises(DataValidationError) as err:
        load(wide_label_csv(tmp_path / "wide.csv", labels))
    assert str(err.value).startswith(
        "unparsable date 'Jan-01' in time column 'date' on line 2 of wide.csv (28 unparsable rows in total): "
        "it could be "
        "January 2001 or January 1; write the dates of column 'date' in full (2010-01-10), or, in Python, "
        "time_format='%b-%y' for a month and a two-digit year"
    )


def test_day_and_month_labels_are_refused_with_both_readings(tmp_path):
    """Excel's ``d-mmm`` (``10-Jan``) names no year; refused, not guessed."""
    labels = [f"10-{ABBR[m - 1]}" for m in range(1, 13)]
    with pytest.raises(
        DataValidationError, match=r"it could be January 10 \(no year\) or January 2010"
    ) as err:
        load_panel(long_label_csv(tmp_path / "long.csv", labels))
    assert "time_format='%y-%b'" in str(err.value)


def test_a_forecast_history_reads_labels_too():
    labels, dates = FORMS["2010M01"]
    frame = pd.DataFrame({"unique_id": "a", "ds": labels, "y": np.arange(24.0)})
    (history,) = histories_from_frame(frame)
    assert history.timestamps is not None
    assert list(history.timestamps) == list(dates.to_numpy())


def test_the_recogniser_on_a_column():
    """The one function behind every reader: the form is the first value's, and a row in another
    form, a period that does not exist or a blank is left undated for the caller to name."""
    from tsforge.data.period_labels import period_label_starts

    def starts(values: list[str | None]) -> list[str | None]:
        read = period_label_starts(pl.Series("ds", values, dtype=pl.String), column="ds")
        assert read is not None and read.note is None
        return [None if d is None else f"{d:%Y-%m-%d}" for d in read.starts.to_list()]

    assert starts([" Q3 2010", "q4/2010", None, "Q1 2011"]) == [
        "2010-07-01",
        "2010-10-01",
        None,
        "2011-01-01",
    ]
    assert starts(["2010 Q2", "2010-Q3", "2010q4"]) == ["2010-04-01", "2010-07-01", "2010-10-01"]
    assert starts(["1Q2010", "2Q 2010"]) == ["2010-01-01", "2010-04-01"]
    assert starts(["2010M12", "2011M1", "2011M13", "2011-01"]) == ["2010-12-01", "2011-01-01", None, None]
    assert starts(["2020-W01", "2020-W5", "2020W53", "2021-W01", "2021-W53"]) == [
        "2019-12-30",  # ISO week 1 of 2020 starts in 2019
        "2020-01-27",
        "2020-12-28",
        "2021-01-04",
        None,  # 2021 has 52 ISO weeks
    ]
    for other in (["2010-01-01"], ["Jan 2010"], ["s1"]):
        assert period_label_starts(pl.Series("ds", other), column="ds") is None
    assert period_label_starts(pl.Series("ds", [2010, 2011]), column="ds") is None


def test_an_iso_week_column_under_another_name_is_read_as_weekly(tmp_path):
    """A wide file's ``week`` column of ``2020-W02`` was taken for a series ("non-numeric value");
    it is the time axis, its weeks dated by their Mondays."""
    labels = [f"2020-W{w:02d}" for w in range(2, 30)]
    data = load(wide_label_csv(tmp_path / "wide.csv", labels, time_col="week")).series
    assert data.freq == "W-MON" and str(pd.Timestamp(data.timestamps[0]).date()) == "2020-01-06"


def test_a_week_its_year_does_not_have_is_named(tmp_path):
    """One label that names no ISO week is the row to fix, and the error says why."""
    labels = [f"2021-W{w:02d}" for w in range(40, 54)]
    with pytest.raises(
        DataValidationError, match=r"'2021-W53' .* on line 15 of wide.csv: ISO year 2021 has weeks 1 to 52"
    ):
        load(wide_label_csv(tmp_path / "wide.csv", labels))


def test_dotted_months_read_as_numbers_are_refused_at_october(tmp_path):
    """``2010.10`` is read from a CSV as the number 2010.1, which the date parser read as January:
    the file was refused for a "duplicate timestamp 2010-01-01" it does not have."""
    labels = [f"{2010 + i // 12}.{i % 12 + 1:02d}" for i in range(24)]
    with pytest.raises(DataValidationError) as err:
        load(wide_label_csv(tmp_path / "wide.csv", labels))
    assert str(err.value).startswith(
        "time column 'date' holds the number 2010.1 on line 11 of wide.csv: if it holds years and months, "
        "that is October "
        "(2010.10) read as a number, which cannot be told from January (2010.01); write the months as text "
        "with a dash (2010-10)"
    )
    assert err.value.where["row"] == 9
