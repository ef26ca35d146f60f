"""Forecast histories: one parser for the CLI, the pyfunc and the service; long and wide layouts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.history import histories_from_frame, history_layout
from tsforge.errors import DataValidationError, ResourceLimitError


def _long() -> pd.DataFrame:
    ts = pd.date_range("2024-01-01", periods=3, freq="h")
    return pd.DataFrame(
        {"unique_id": ["b", "a", "b", "a", "b", "a"], "ds": np.repeat(ts, 2)[::-1], "y": np.arange(6.0)}
    )


def test_layout_is_long_exactly_when_the_id_column_exists():
    assert history_layout(["unique_id", "ds", "y"]) == "long"
    assert history_layout(["unique_id", "y"]) == "long"
    assert history_layout(["ds", "y"]) == "wide"  # a single channel called y
    assert history_layout(["date", "HUFL", "OT"]) == "wide"
    assert history_layout(["station", "ds", "pm10"], id_col="station") == "long"


@pytest.mark.parametrize("engine", ["pandas", "polars", "columns"])
def test_long_series_in_file_order_with_rows_by_time(engine):
    frame = _long()
    if engine == "polars":
        frame = pl.from_pandas(frame)
    elif engine == "columns":
        frame = {c: frame[c].to_numpy() for c in frame.columns}
    out = histories_from_frame(frame)
    assert [s.id for s in out] == ["b", "a"]  # as the file lists them, not sorted
    np.testing.assert_array_equal(out[1].values, [5.0, 3.0, 1.0])  # rows were newest first
    np.testing.assert_array_equal(out[0].values, [4.0, 2.0, 0.0])
    assert out[1].timestamps[0] == np.datetime64("2024-01-01T00:00", "ns")


def test_long_without_time_keeps_first_appearance_and_row_order():
    frame = pd.DataFrame({"unique_id": ["z", "a", "z"], "y": [1.0, 2.0, 3.0]})
    out = histories_from_frame(frame)
    assert [s.id for s in out] == ["z", "a"] and out[0].timestamps is None
    np.testing.assert_array_equal(out[0].values, [1.0, 3.0])
    all_null = frame.assign(ds=None)
    assert histories_from_frame(all_null)[0].timestamps is None


def test_integer_time_orders_rows_without_timestamps():
    frame = pd.DataFrame({"unique_id": 7, "ds": [3, 1, 2], "y": [30.0, 10.0, 20.0]})
    (s,) = histories_from_frame(frame)
    assert s.id == "7" and s.timestamps is None
    np.testing.assert_array_equal(s.values, [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(s.steps, [1, 2, 3])  # kept to number the forecast's steps
    (wide,) = histories_from_frame(pd.DataFrame({"ds": [20, 10, 30], "a": [2.0, 1.0, 3.0]}))
    np.testing.assert_array_equal(wide.steps, [10, 20, 30])
    np.testing.assert_array_equal(wide.values, [1.0, 2.0, 3.0])
    assert histories_from_frame(_long())[0].steps is None  # dates are timestamps, not steps


def test_wide_history_detects_the_time_column_and_sorts_rows():
    ts = pd.date_range("2024-01-01", periods=4, freq="h")
    frame = pd.DataFrame({"date": ts[::-1].astype(str), "HUFL": [4.0, 3, 2, 1], "OT": [8.0, 7, 6, 5]})
    out = histories_from_frame(frame)
    assert [s.id for s in out] == ["HUFL", "OT"]
    np.testing.assert_array_equal(out[1].values, [5.0, 6, 7, 8])
    np.testing.assert_array_equal(out[1].timestamps, ts.to_numpy())
    no_time = histories_from_frame(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, np.nan]}))
    assert [s.id for s in no_time] == ["a", "b"] and no_time[0].timestamps is None


def test_errors_name_column_row_series_and_source():
    with pytest.raises(DataValidationError, match="'y'") as exc:
        histories_from_frame(pd.DataFrame({"unique_id": ["a"], "value": [1.0]}), file="h.csv")
    assert exc.value.where["file"] == "h.csv"
    dup = pd.DataFrame({"unique_id": ["a", "a"], "ds": ["2024-01-01", "2024-01-01"], "y": [1.0, 2.0]})
    with pytest.raises(
        DataValidationError, match=r"duplicate timestamp .* series 'a' at rows \[0, 1\]"
    ) as exc:
        histories_from_frame(dup, field="inputs")
    assert exc.value.where == {"field": "inputs", "column": "ds", "row": 1}
    with pytest.raises(DataValidationError, match="non-numeric value 'x' in column 'y' at row 1"):
        histories_from_frame(pd.DataFrame({"unique_id": ["a", "a"], "y": ["1", "x"]}))
    with pytest.raises(DataValidationError, match=r"read as wide") as exc:
        # a new store on each date: no certain long reading (one store repeated would be read as long)
        histories_from_frame(
            pd.DataFrame({"store": ["s1", "s2"], "ds": ["2024-01-01", "2024-01-02"], "y": [1.0, 2.0]})
        )
    assert exc.value.where["column"] == "store"
    with pytest.raises(DataValidationError, match="missing series id in column 'unique_id' at row 1"):
        histories_from_frame(pd.DataFrame({"unique_id": ["a", ""], "y": [1.0, 2.0]}))
    with pytest.raises(DataValidationError, match="infinite value in column 'y' at row 0"):
        histories_from_frame(pd.DataFrame({"unique_id": ["a"], "y": [np.inf]}))
    with pytest.raises(DataValidationError, match="series 'b' has no observed value"):
        histories_from_frame(pd.DataFrame({"unique_id": ["a", "b"], "y": [1.0, np.nan]}))
    with pytest.raises(DataValidationError, match="no rows"):
        histories_from_frame(pd.DataFrame({"unique_id": [], "y": []}))


def test_size_check_runs_before_per_series_checks():
    frame = pd.DataFrame({"unique_id": ["a", "b", "b"], "y": [np.nan, 1.0, 2.0]})
    seen = []

    def refuse(sizes):
        seen.extend(sizes)
        raise ResourceLimitError("too big")

    with pytest.raises(ResourceLimitError):
        histories_from_frame(frame, check_sizes=refuse)
    assert seen == [("a", 1), ("b", 2)]


def test_observed_rows_are_the_file_rows_of_a_series_values():
    """The rows an error about one series names: a long frame's rows of that id with a value,
    a wide frame's rows with a value in its column (rows as read, before any sorting)."""
    from tsforge.data.history import observed_rows

    long = pd.DataFrame(
        {"unique_id": ["b", "a", "b", "a", "b"], "ds": range(5), "y": [1.0, 2.0, None, 3.0, 4.0]}
    )
    assert observed_rows(long, "b").tolist() == [0, 4]
    assert observed_rows(long, "z").tolist() == []
    wide = pd.DataFrame({"ds": range(4), "a": [None, 1.0, None, None], "b": [1.0, 2.0, 3.0, 4.0]})
    assert observed_rows(wide, "a").tolist() == [1]
    assert observed_rows(wide, "ds_missing").tolist() == []
