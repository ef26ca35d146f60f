""":func:`parse_times_by_series`: a long frame's time column read one series at a time."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tsforge.data.timeaxis import parse_time_column, parse_times_by_series
from tsforge.errors import DataValidationError


def _whole(values: list[str]) -> DataValidationError:
    """The refusal of the column read as one (what a caller holds before reading by series)."""
    with pytest.raises(DataValidationError) as err:
        parse_time_column(pl.Series("ds", values), column="ds", file=None)
    return err.value


def test_each_series_is_read_in_its_own_format():
    values = ["2015Q1", "2015Q2", "2015-01-01", "2015-04-01"]
    ids = np.array(["a", "a", "b", "b"])
    got = parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=_whole(values))
    want = np.array(["2015-01-01", "2015-04-01"] * 2, dtype="datetime64[ns]")
    np.testing.assert_array_equal(got, want)


def test_a_series_mixing_formats_is_named_with_its_row_in_the_frame():
    values = ["2015-01-01", "2015-04-01", "2015Q1", "2015-04-01", "2015Q3"]
    ids = np.array(["b", "b", "a", "a", "a"])
    with pytest.raises(DataValidationError, match="series 'a'.*more than one way") as err:
        parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=_whole(values))
    assert err.value.where["row"] == 3 and err.value.where["series"] == "a"
    assert "'2015Q1' at row 2" in err.value.message


def test_a_series_whose_own_dates_read_either_way_keeps_the_column_refusal():
    """``01/02/2017, 01/03/2017`` read month first or day first alike once the other series'
    dates no longer pin the order: the whole column's refusal stands."""
    values = ["2017-01-01", "2017-02-01", "2017-03-01", "01/02/2017", "01/03/2017", "01/04/2017"]
    ids = np.array(["a", "a", "a", "b", "b", "b"])
    whole = _whole(values)
    with pytest.raises(DataValidationError) as err:
        parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=whole)
    assert err.value is whole


def test_the_history_reader_reads_each_series_in_its_own_format(tmp_path):
    """Every door (``predict_frame``, ``tsforge forecast``, the pyfunc) reads a history through
    :func:`histories_from_frame`: a frame and a file whose series write their months two ways are
    read as each series alone is, and a file's refusal of a series mixing ways names its line."""
    from tsforge.data.history import histories_from_frame

    frame = pl.DataFrame(
        {
            "unique_id": ["a"] * 3 + ["b"] * 3,
            "ds": ["2015Q1", "2015Q2", "2015Q3", "2015-01-01", "2015-04-01", "2015-07-01"],
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    series = {s.id: s for s in histories_from_frame(frame)}
    want = np.array(["2015-01-01", "2015-04-01", "2015-07-01"], dtype="datetime64[ns]")
    for sid in ("a", "b"):
        np.testing.assert_array_equal(np.asarray(series[sid].timestamps, dtype="datetime64[ns]"), want)

    path = tmp_path / "history.csv"
    frame.with_columns(
        pl.Series("ds", ["2015Q1", "2015Q2", "2015Q3", "2015-01-01", "2015Q2", "2015-07-01"])
    ).write_csv(path)
    with pytest.raises(DataValidationError, match="series 'b'.*more than one way") as err:
        histories_from_frame(pl.read_csv(path), file=str(path))
    assert err.value.where["series"] == "b" and "line" in err.value.message
