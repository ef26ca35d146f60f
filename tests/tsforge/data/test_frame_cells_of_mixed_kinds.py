"""A pandas column whose cells are of more than one kind is read as the same cells written as text.

Found: (1) a float ``y`` with one text cell (``"n/a"``, ``"abc"``) failed inside ``pl.from_pandas``
with pyarrow's ``ArrowInvalid`` ("Could not convert 'abc' with type str"), naming no column, row or
series, while an all-text column is refused naming the cell; (2) naive and tz-aware
``pd.Timestamp`` objects in one ``ds`` column were converted silently (the aware ones to UTC, their
zone dropped): a monthly series was then "irregular" at a time the user never wrote, and an hourly
one was accepted shifted, while the same times written as text are refused as "written in more
than one way".
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.data.load import load_panel
from tsforge.errors import DataValidationError


def _monthly() -> pd.DataFrame:
    ds = pd.date_range("1976-01-01", periods=20, freq="MS")
    return pd.DataFrame({"unique_id": ["T1"] * 20 + ["T2"] * 20, "ds": list(ds) * 2, "y": np.arange(40.0)})


def _with_cell(frame: pd.DataFrame, column: str, row: int, value: object) -> pd.DataFrame:
    out = frame.copy()
    out[column] = out[column].astype(object)
    out.loc[row, column] = value
    return out


def _refusal(fn, frame: pd.DataFrame) -> DataValidationError:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataValidationError) as err:
            fn(frame)
    return err.value


def test_a_text_cell_among_numbers_is_refused_naming_column_row_and_series():
    err = _refusal(load_panel, _with_cell(_monthly(), "y", 25, "abc"))
    assert "non-numeric value 'abc'" in err.message
    assert err.where["column"] == "y" and err.where["row"] == 25 and err.where["series"] == "T2"


@pytest.mark.parametrize("reader", [load_panel, histories_from_frame], ids=["load_panel", "history"])
def test_a_text_cell_among_numbers_gets_what_an_all_text_column_gets(reader):
    base = _monthly()
    text = base.assign(y=base.y.astype(str).where(base.index != 25, "abc"))
    mixed = _refusal(reader, _with_cell(base, "y", 25, "abc"))
    assert mixed.message == _refusal(reader, text).message


def test_a_missing_value_marker_among_numbers_is_read_as_in_an_all_text_column():
    base = _monthly()
    text = base.assign(y=base.y.astype(str).where(base.index != 25, "n/a"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mixed = load_panel(_with_cell(base, "y", 25, "n/a")).panel
        want = load_panel(text).panel
    np.testing.assert_array_equal(mixed.values, want.values)
    assert np.isnan(mixed.values).sum() == 1


def test_a_text_cell_among_integer_ids_keeps_the_other_ids():
    frame = _monthly().assign(unique_id=[1] * 20 + ["b"] * 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = load_panel(frame).panel
    assert sorted(str(i) for i in panel.ids) == ["1", "b"]


def test_timestamps_of_one_column_all_in_zones_are_read_as_before():
    frame = _monthly()
    frame["ds"] = frame.ds.dt.tz_localize("Etc/GMT-2").astype(object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = load_panel(frame).panel
    assert len(panel.ids) == 2


def _zones_mixed(frame: pd.DataFrame, row: int, when: str, zone: str = "Etc/GMT-2") -> pd.DataFrame:
    return _with_cell(frame, "ds", row, pd.Timestamp(when, tz=zone))


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(ds=[str(v) for v in frame.ds])


@pytest.mark.parametrize("reader", [load_panel, histories_from_frame], ids=["load_panel", "history"])
def test_naive_and_aware_timestamps_are_refused_as_the_same_text_is(reader):
    mixed = _zones_mixed(_monthly(), 23, "1976-04-01")
    err = _refusal(reader, mixed)
    assert "more than one way" in err.message and "irregular" not in err.message
    assert err.where["row"] == 23 and err.where["column"] == "ds"
    assert err.message == _refusal(reader, _as_text(mixed)).message


def test_an_hourly_mix_of_naive_and_aware_times_is_not_shifted_silently():
    hourly = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=48, freq="h"), "y": np.arange(48.0)}
    )
    err = _refusal(load_panel, _zones_mixed(hourly, 10, "2024-01-01 12:00"))
    assert "more than one way" in err.message and err.where["row"] == 10


def test_naive_times_of_several_python_types_are_read_as_the_times_they_are():
    """A pandas Timestamp beside a NumPy datetime64 (a column assembled from two sources): Arrow
    refuses the mix, and written as text the two types read as "dates written in more than one
    way" (``2020-01-01 00:00:00`` against ``2020-02-01``). They are one naive time each."""
    import datetime

    frame = _monthly()
    ds = frame["ds"].astype(object)
    ds[1] = np.datetime64(ds[1])
    ds[2] = datetime.datetime(1976, 3, 1)
    panel = load_panel(frame.assign(ds=ds)).panel
    expected = load_panel(frame).panel
    assert np.array_equal(panel.starts, expected.starts)
    assert np.array_equal(panel.values, expected.values)
