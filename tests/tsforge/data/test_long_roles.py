"""A long table whose columns are not named ``unique_id, ds, y`` (``Store, Week, Sales``) is read
as long when its column types leave no other reading, with one note naming the roles; every
table that could be something else keeps its error and advice.

Why: such a file was refused with "non-numeric value 'store 1' in column 'Store' ... give its
column names: --id-col Store --time-col Week --target-col Sales": the reader knew the answer and
still asked the user to type it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tests.conftest import run_cli
from tsforge.data.history import histories_from_frame
from tsforge.data.load import load, load_panel
from tsforge.data.long_roles import GuessedRolesWarning, LongRoles, guess_long_roles
from tsforge.errors import DataValidationError, TsforgeWarning


def _sales(n_stores: int = 4, n_weeks: int = 40) -> pd.DataFrame:
    """A ragged weekly panel as a shop exports it: text store names, day-first dates as text."""
    rng = np.random.default_rng(0)
    parts = []
    for i in range(n_stores):
        weeks = pd.date_range("2017-01-01", periods=n_weeks + 3 * i, freq="W-SUN")[3 * i :]
        parts.append(
            pd.DataFrame(
                {
                    "Store": f"store {i + 11}",
                    "Week": weeks.strftime("%d/%m/%Y"),
                    "Sales": np.round(100 + 10 * i + rng.normal(size=weeks.size), 2),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _write(tmp_path, frame: pd.DataFrame, name: str = "sales.csv") -> str:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def _guess_notes(record: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, GuessedRolesWarning)]


def test_load_panel_reads_store_week_sales_as_long_with_one_note(tmp_path):
    path = _write(tmp_path, _sales())
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        panel = load_panel(path).panel
    assert list(panel.ids) == ["store 11", "store 12", "store 13", "store 14"]
    assert panel.freq == "W-SUN" and panel.meta["value_col"] == "Sales"
    assert list(panel.lengths) == [40] * 4  # ragged: each store keeps its own weeks
    assert len({pd.Timestamp(t) for t in panel.last_times()}) == 4
    first = pd.Timestamp(panel.times_at(np.array([1]), np.array([0]))[0])
    assert first == pd.Timestamp("2017-01-22")  # 22/01/2017 read day-first
    assert _guess_notes(record) == [
        f"read {path} as long: id 'Store', time 'Week', target 'Sales' (give "
        "--id-col/--time-col/--target-col, or id_col/time_col/target_col in Python, to choose others)"
    ]
    assert issubclass(GuessedRolesWarning, TsforgeWarning)  # the CLI prints it as a note: line


def test_load_reads_the_same_table_as_a_matrix_of_its_stores(tmp_path):
    path = _write(tmp_path, _sales())
    with pytest.warns(GuessedRolesWarning, match=r"id 'Store', time 'Week', target 'Sales'"):
        series = load(path).series
    assert series.channel_ids == ("store 11", "store 12", "store 13", "store 14")
    assert series.values.shape == (49, 4) and series.freq == "W-SUN"
    assert np.isnan(series.values[0, 3]) and np.isnan(series.values[-1, 0])  # padded late start, early end


def test_a_frame_and_one_given_name_that_agrees_are_read_too():
    frame = pl.from_pandas(_sales())
    with pytest.warns(GuessedRolesWarning, match="read the frame as long"):
        panel = load_panel(frame, target_col="Sales").panel
    assert panel.n_series == 4
    assert guess_long_roles(frame, target_col="Sales") == LongRoles("Store", "Week", "Sales")


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ({"target_col": "Units"}, "a given name that is absent: the user's own error names it"),
        ({"id_col": "Sales"}, "a given name in another role"),
        ({"time_col": "Sales"}, "a given time column that is not the time"),
    ],
)
def test_names_given_that_disagree_are_not_overridden(given, why):
    assert guess_long_roles(pl.from_pandas(_sales()), **given) is None, why


def test_a_history_file_reads_the_same_way_for_forecasting():
    with pytest.warns(GuessedRolesWarning, match="read h.csv as long: id 'Store'"):
        inputs = histories_from_frame(_sales(), file="h.csv")
    assert [s.id for s in inputs] == ["store 11", "store 12", "store 13", "store 14"]
    assert inputs[0].timestamps is not None and inputs[0].timestamps[1] == np.datetime64("2017-01-08")


def test_the_roles_a_history_is_read_with_are_there_to_name_the_forecast():
    """``forecast`` names its answer's columns as the history's (``Store, Week``)."""
    from tsforge.data.history import guessed_history_roles

    frame = _sales()
    assert guessed_history_roles(frame) == LongRoles("Store", "Week", "Sales")
    # a history with the id column is read by its names, as before: nothing guessed
    assert guessed_history_roles(frame.rename(columns={"Store": "unique_id"})) is None


def _refused_as_wide(tmp_path, frame: pd.DataFrame) -> str:
    """The error of reading ``frame`` from a file; no table refused here may be read as long."""
    path = _write(tmp_path, frame, "t.csv")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(DataValidationError) as err:
            load_panel(path)
    assert not _guess_notes(record)
    return str(err.value)


def test_a_wide_table_with_a_comment_column_keeps_its_error_and_advice(tmp_path):
    dates = pd.date_range("2021-01-01", periods=20, freq="D")
    frame = pd.DataFrame({"date": dates, "s1": np.arange(20.0), "s2": np.ones(20), "note": ["x"] * 20})
    message = _refused_as_wide(tmp_path, frame)
    assert "read as wide" in message and "--value-cols s1,s2" in message


def test_two_numeric_columns_beside_a_text_column_keep_the_advice(tmp_path):
    frame = _sales()
    frame["Price"] = 1.5
    message = _refused_as_wide(tmp_path, frame)
    assert "non-numeric value 'store 11' in column 'Store'" in message and "--id-col Store" in message


def test_no_time_column_is_not_guessed(tmp_path):
    frame = _sales().assign(Week=lambda f: np.arange(len(f)) % 7)  # integers that are no time axis
    frame = frame.rename(columns={"Week": "Shelf"})
    assert "read as wide" in _refused_as_wide(tmp_path, frame)


def test_a_label_column_on_dates_no_two_share_is_not_guessed(tmp_path):
    """One series with a regime label (``before``/``after``) looks like two stores one after the
    other: reading it as long would split the series, so it keeps its error."""
    dates = pd.date_range("2021-01-01", periods=30, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"regime": ["before"] * 15 + ["after"] * 15, "day": dates, "load": np.arange(30.0)})
    assert "--id-col regime --time-col day --target-col load" in _refused_as_wide(tmp_path, frame)


def test_a_text_column_with_blanks_is_not_guessed(tmp_path):
    frame = _sales()
    frame.loc[5, "Store"] = None  # a comment column is mostly blank; an id column never is
    assert "read as wide" in _refused_as_wide(tmp_path, frame)


def test_a_one_series_wide_file_stays_wide(tmp_path):
    dates = pd.date_range("2021-01-01", periods=30, freq="D")
    path = _write(tmp_path, pd.DataFrame({"date": dates, "load": np.arange(30.0)}), "one.csv")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        panel = load_panel(path).panel
    assert list(panel.ids) == ["load"] and not _guess_notes(record)


def test_two_default_names_and_a_text_id_read_as_long_with_a_note():
    """``Store, ds, y``: the two default names are where they belong and the third column is text
    repeated over dates shared by several series, so it can only be the id. It was refused with
    "column 'unique_id' (id_col) not found … Did you mean 'Store'?" although the README says a
    text id, dates and one number are read as long under any names."""
    frame = pl.from_pandas(_sales().rename(columns={"Week": "ds", "Sales": "y"}))
    assert guess_long_roles(frame) == LongRoles("Store", "ds", "y")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        panel = load_panel(frame).panel
    assert list(panel.ids) == ["store 11", "store 12", "store 13", "store 14"]
    assert _guess_notes(record) == [
        "read the frame as long: id 'Store', time 'ds', target 'y' "
        "(give --id-col/--time-col/--target-col, or id_col/time_col/target_col in Python, to choose others)"
    ]


def test_two_default_names_and_a_misnamed_target_of_text_keep_the_error():
    """``unique_id, ds, Sales`` with text in ``Sales``: no numeric column to be the target, so
    nothing is guessed and the error names the misnamed column."""
    frame = pl.from_pandas(_sales().rename(columns={"Store": "unique_id", "Week": "ds"}))
    frame = frame.with_columns(pl.col("Sales").cast(pl.String))
    assert guess_long_roles(frame) is None
    with pytest.raises(
        DataValidationError, match=r"column 'y' \(target_col\) not found.*Did you mean 'Sales'"
    ):
        load_panel(frame)


def test_train_prints_the_roles_as_a_note_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _write(tmp_path, _sales())
    code, out, err = run_cli(capsys, "train", path, "--model", "naive", "--no-track", "-H", "4")
    assert code == 0, out + err
    said = "".join(err.split())  # rich wraps long lines, a long path mid-word
    needle = "".join(f"note: read {path} as long: id 'Store', time 'Week', target 'Sales'".split())
    assert said.count(needle) == 1, err
