"""Each validation error names the problem precisely: file, column, row, series, timestamp."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data import load_data
from tsforge.data.validation import check_regular, closest_name, infer_step
from tsforge.errors import DataValidationError, TsforgeError


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text)
    return p


def _long_csv(n: int = 10, ids=("a", "b")) -> list[str]:
    ts = pd.date_range("2021-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M:%S")
    return ["unique_id,ds,y"] + [f"{i},{t},{k}.0" for i in ids for k, t in enumerate(ts)]


def test_errors_are_tsforge_errors():
    assert issubclass(DataValidationError, TsforgeError)


def test_missing_column_lists_columns_and_suggests_closest(tmp_path):
    lines = _long_csv()
    lines[0] = "unique_id,date,y"
    path = _write(tmp_path, "misnamed.csv", "\n".join(lines))
    with pytest.raises(DataValidationError) as exc:
        load_data(path, layout="long")
    msg = str(exc.value)
    assert "column 'ds' (time_col) not found" in msg
    assert "columns found: 'unique_id', 'date', 'y'" in msg
    assert "Did you mean 'date'?" in msg
    assert exc.value.where == {"file": str(path), "column": "ds"}


def test_auto_layout_reports_misnamed_id_column():
    """A text column that cannot be told for the id (a new value on each date: one-row series or
    notes) is not read as long by a guess; the error names the column the id may be."""
    frame = pl.DataFrame(
        {"uid": ["a", "b", "c"], "ds": pd.date_range("2021", periods=3, freq="D"), "y": [1.0] * 3}
    )
    with pytest.raises(
        DataValidationError, match=r"column 'unique_id' \(id_col\) not found.*Did you mean 'uid'"
    ):
        load_data(frame)


def test_the_one_left_over_column_is_suggested_when_nothing_is_spelled_alike():
    """``store, ds, y``: "store" is no spelling or usual synonym of ``unique_id``, but it is the
    only column the other roles do not claim (a table not read as long by a guess: a new
    ``store`` on each date)."""
    frame = pl.DataFrame(
        {"store": ["a", "b", "c"], "ds": pd.date_range("2021", periods=3, freq="D"), "y": [1.0] * 3}
    )
    with pytest.raises(DataValidationError) as exc:
        load_data(frame)
    assert "Did you mean 'store'? (pass id_col='store')" in str(exc.value)
    assert "(pass --id-col store)" in exc.value.for_cli()  # the command line's words
    assert "id_col=" not in exc.value.for_cli()


def test_no_guess_when_more_than_one_column_is_left_over():
    frame = pl.DataFrame(
        {
            "store": ["a", "a", "a"],
            "region": ["n", "n", "n"],
            "ds": pd.date_range("2021", periods=3, freq="D"),
            "y": [1.0] * 3,
        }
    )
    with pytest.raises(DataValidationError) as exc:
        load_data(frame)
    assert "Did you mean" not in str(exc.value)


def test_wide_missing_time_column_named_explicitly():
    frame = pl.DataFrame({"Date": ["2021-01-01", "2021-01-02", "2021-01-03"], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(
        DataValidationError, match=r"column 'date' \(time_col\) not found.*Did you mean 'Date'"
    ):
        load_data(frame, layout="wide", time_col="date")


def test_unparsable_date_shows_row_and_string(tmp_path):
    lines = _long_csv()
    lines[6] = "a,2021-01-01 25:00:00,5.0"  # data row 5
    path = _write(tmp_path, "bad_dates.csv", "\n".join(lines))
    with pytest.raises(DataValidationError) as exc:
        load_data(path)
    msg = str(exc.value)
    assert "unparsable date '2021-01-01 25:00:00' in time column 'ds' on line 7 of bad_dates.csv" in msg
    assert exc.value.where == {"file": str(path), "column": "ds", "row": 5, "line": 7}


def test_unparsable_date_in_wide_frame():
    frame = pl.DataFrame({"date": ["2021-01-01", "2021-01-02", "yesterday", "2021-01-04"], "x": [1.0] * 4})
    with pytest.raises(
        DataValidationError, match=r"unparsable date 'yesterday' in time column 'date' at row 2"
    ):
        load_data(frame, layout="wide", time_col="date")


def test_duplicate_timestamps_per_series_name_id_time_and_rows(tmp_path):
    lines = _long_csv()
    lines.append("b,2021-01-01 03:00:00,99.0")  # duplicates data row 13 (b, 03:00); new row is 20
    path = _write(tmp_path, "dups.csv", "\n".join(lines))
    with pytest.raises(DataValidationError) as exc:
        load_data(path)
    msg = str(exc.value)
    assert "duplicate timestamp 2021-01-01 03:00:00 for series 'b' on lines 15 and 22 of dups.csv" in msg
    assert exc.value.where["file"] == str(path)


def test_duplicate_timestamps_in_wide_data():
    frame = pl.DataFrame(
        {"ds": ["2021-01-01", "2021-01-02", "2021-01-02", "2021-01-03"], "x": [1.0, 2.0, 3.0, 4.0]}
    )
    with pytest.raises(
        DataValidationError, match=r"duplicate timestamp 2021-01-02 in column 'ds' at rows \[1, 2\]"
    ):
        load_data(frame)


def test_same_timestamp_in_different_series_is_fine():
    frame = pl.DataFrame(
        {"unique_id": ["a", "b", "a", "b", "a", "b"], "ds": [1, 1, 2, 2, 3, 3], "y": [1.0] * 6}
    )
    assert load_data(frame).values.shape == (3, 2)


def test_non_numeric_value_names_column_row_value(tmp_path):
    lines = _long_csv()
    lines[15] = lines[15].rsplit(",", 1)[0] + ",12,5"  # data row 14: "12,5" is split -> extra field
    lines[15] = lines[15].replace(",12,5", ",12;5")
    path = _write(tmp_path, "nonnum.csv", "\n".join(lines))
    with pytest.raises(DataValidationError) as exc:
        load_data(path)
    assert "non-numeric value '12;5' in column 'y' on line 16 of" in str(exc.value)
    assert exc.value.where == {"file": str(path), "column": "y", "row": 14, "line": 16}


def test_non_numeric_value_in_wide_column():
    frame = pl.DataFrame(
        {"ds": pd.date_range("2021", periods=4, freq="D"), "temp": ["1.0", "2.5", "n.a.", "3"]}
    )
    with pytest.raises(DataValidationError, match=r"non-numeric value 'n.a.' in column 'temp' at row 2"):
        load_data(frame)


def test_irregular_spacing_reports_step_gap_positions_and_count(tmp_path):
    ts = pd.date_range("2021-01-01", periods=100, freq="15min")
    keep = np.ones(100, bool)
    keep[[10, 11, 40, 70, 80, 90, 95]] = False  # 6 gaps (10-11 is one gap)
    ts = ts[keep]
    lines = ["date,v"] + [f"{t},{i}" for i, t in enumerate(ts.strftime("%Y-%m-%d %H:%M:%S"))]
    path = _write(tmp_path, "gappy.csv", "\n".join(lines))
    with pytest.raises(DataValidationError) as exc:
        load_data(path)
    msg = str(exc.value)
    assert "the times are sampled every 15 minutes (15min), but 6 places break that" in msg
    assert "2021-01-01 02:15:00 → 2021-01-01 03:00:00 (on line 12 of gappy.csv)" in msg
    assert "(and 1 more)" in msg
    assert exc.value.where == {"file": str(path), "column": "date", "row": 10, "line": 12}


def test_irregular_spacing_in_long_union():
    ts = pd.date_range("2021-01-01", periods=10, freq="D").delete(5)
    frame = pl.DataFrame({"unique_id": ["a"] * 9, "ds": ts.to_numpy(), "y": np.arange(9.0)})
    with pytest.raises(
        DataValidationError,
        match=r"the times are sampled daily \(D\), but 1 place breaks that: 2021-01-05 → 2021-01-07 \(at row 5\)",
    ):
        load_data(frame)


def test_all_missing_channel_is_named(tmp_path):
    path = _write(tmp_path, "holes.csv", "date,ok,dead\n2021-01-01,1,\n2021-01-02,2,\n2021-01-03,3,NA\n")
    with pytest.raises(DataValidationError) as exc:
        load_data(path)
    assert "channel 'dead' has no observed value (all missing)" in str(exc.value)
    assert exc.value.where == {"file": str(path), "column": "dead"}


def test_all_missing_series_in_long_data():
    frame = pl.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [1, 2, 1, 2], "y": [1.0, 2.0, None, None]})
    with pytest.raises(DataValidationError, match="channel 'b' has no observed value"):
        load_data(frame)


def test_empty_input(tmp_path):
    path = _write(tmp_path, "header_only.csv", "unique_id,ds,y\n")
    with pytest.raises(DataValidationError, match="the file is empty: no data rows") as exc:
        load_data(path)
    assert exc.value.where["file"] == str(path)
    with pytest.raises(DataValidationError, match="file is empty"):
        load_data(_write(tmp_path, "nothing.csv", ""))
    with pytest.raises(DataValidationError, match="input is empty"):
        load_data(pl.DataFrame({"ds": [], "x": []}, schema={"ds": pl.Datetime, "x": pl.Float64}))


def test_missing_file_and_unknown_dataset_name():
    with pytest.raises(DataValidationError, match="file not found"):
        load_data("/nonexistent/dir/data.csv")
    with pytest.raises(TsforgeError, match=r"unknown dataset 'etth7'.*Did you mean 'etth1'"):
        load_data("etth7")


def test_infer_step_and_check_regular_helpers():
    months = pd.date_range("2020-01-01", periods=14, freq="MS").to_numpy()
    assert infer_step(months).freqstr == "MS"
    assert check_regular(months, column="ds").freqstr == "MS"
    hours = pd.date_range("2020-01-01", periods=8, freq="h").delete([2, 4]).to_numpy()
    assert infer_step(hours).freqstr == "h"  # gaps outnumber regular steps, still 1h
    assert closest_name("timestmp", ["value", "timestamp"]) == "timestamp"
    assert closest_name("zzz", ["value", "timestamp"]) is None


@pytest.mark.parametrize("unit", ["date", "ms", "us", "ns", "tz"])
def test_temporal_columns_convert_to_nanoseconds_exactly(unit):
    """Date and datetime columns of every unit (and time zones, as UTC) give the same
    nanoseconds as polars' own cast: the single-allocation path changes memory, not values."""
    import datetime as dt

    from tsforge.data.validation import parse_timestamps

    values = [dt.datetime(1999, 12, 31, 23, 59, 58), dt.datetime(2021, 3, 4, 6, 7, 8)]
    if unit == "date":
        series = pl.Series([v.date() for v in values])
    elif unit == "tz":
        series = pl.Series(values).dt.replace_time_zone("Europe/Paris")
    else:
        series = pl.Series(values).dt.cast_time_unit(unit)
    expected = series
    if unit == "tz":
        expected = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    got = parse_timestamps(series, column="ds")
    assert got.dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(got, expected.cast(pl.Datetime("ns")).to_numpy())


def test_day_first_dates_parse_once_a_day_past_the_12th_shows_the_order():
    """`01/02/2021` reads as January 2 until `13/01/2021` fails: then the day-first reading,
    which parses every row, is the one kept."""
    from tsforge.data.validation import parse_timestamps

    stamps = pd.date_range("2021-01-01", periods=40, freq="D")
    got = parse_timestamps(pl.Series(stamps.strftime("%d/%m/%Y").tolist()), column="ds")
    np.testing.assert_array_equal(got, stamps.values.astype("datetime64[ns]"))


@pytest.mark.parametrize(
    ("fmt", "freq", "start"),
    [
        ("%d.%m.%Y", "MS", "2018-01-01"),  # German monthly export: every day is the 1st
        ("%d/%m/%Y", "MS", "2018-01-01"),  # British monthly export
        ("%m/%d/%Y", "MS", "2018-01-01"),  # US monthly export: month first stays month first
        ("%d.%m.%Y", "D", "2021-03-01"),  # ten days: both readings regular, dots are day first
        ("%m/%d/%Y", "D", "2021-03-01"),  # ten days: slashes stay month first
        ("%d.%m.%Y %H:%M", "h", "2021-03-01"),
    ],
)
def test_day_and_month_are_read_in_the_order_that_lays_the_dates_on_a_grid(fmt, freq, start):
    """``01.02.2018`` (the first of every month) parsed as January 2 without error, so a monthly
    German file became twelve consecutive days a year and failed as "irregular spacing
    2018-01-12 → 2019-01-01"; the reading that gives a regular grid is kept."""
    from tsforge.data.validation import parse_timestamps

    stamps = pd.date_range(start, periods=10 if freq != "MS" else 30, freq=freq)
    got = parse_timestamps(pl.Series(stamps.strftime(fmt).tolist()), column="ds")
    np.testing.assert_array_equal(got, stamps.values.astype("datetime64[ns]"))


def test_a_day_first_file_with_odd_rows_fails_at_the_first_odd_row_not_its_13th_day():
    from tsforge.data.validation import parse_timestamps

    text = [*pd.date_range("2021-01-01", periods=20, freq="D").strftime("%d/%m/%Y"), "2021-01-21", "garbage"]
    with pytest.raises(
        DataValidationError, match="unparsable date '2021-01-21' in time column 'ds' at row 20 "
    ):
        parse_timestamps(pl.Series(text), column="ds")


@pytest.mark.parametrize(
    ("start", "freq"), [("2000-01-01", "QS"), ("2000-12-31", "YE"), ("2020-01-05", "W-SUN")]
)
def test_a_wide_files_calendar_step_is_named_despite_a_gap(tmp_path, start, freq):
    """Quarters are not "92D": with a missing quarter the regular 90/91-day steps were all called
    gaps, and fill_gaps refused the grid; the gap alone is named, and fill_gaps restores it."""
    full = pd.date_range(start, periods=40, freq=freq)
    gapped = full.delete([10])
    path = tmp_path / "wide.csv"
    pd.DataFrame({"ds": gapped, "a": np.arange(39.0), "b": np.arange(39.0)}).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"1 place breaks that"):
        load_data(str(path))
    filled = load_data(str(path), fill_gaps=True)
    assert filled.n_steps == 40 and np.isnan(filled.values[10]).all()
    assert pd.DatetimeIndex(filled.timestamps).equals(full)
