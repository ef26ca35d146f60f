"""Four files a user brings, as the README's Data section says they are read.

* ``store, date, sales, promo`` (a long table with a 0/1 promo column) was read as wide and refused,
  and its advice (``--value-cols sales,promo``, then ``--target-col ...``) failed again; it is read
  as long with the promo noted as not used, and a table whose target is not certain (``sales``
  beside ``price``) is told flags that work as written.
* A time written twice with its UTC offset was named in UTC (``01:00:00``, a time the file does not
  hold) and blamed on a summer-time change with advice to write offsets; it is a duplicate, named
  as written.
* The index column ``df.to_csv(path)`` writes for a frame concatenated from one frame per series
  (0…n-1 restarting for each) was kept and reported as an unused column ``''``; it is dropped.
* A ``;`` file with thousands separators and decimal commas (``1.234,5``, Excel's German and French
  export) was refused; it is read where no cell can mean anything else.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.data.load import load, load_panel
from tsforge.data.long_roles import GuessedRolesWarning
from tsforge.data.tables import read_table
from tsforge.errors import DataValidationError, TsforgeWarning, UnusedColumnsWarning


def _stores(n_stores: int = 4, n_months: int = 30) -> pd.DataFrame:
    """A monthly long table under a shop's own names, with a 0/1 promo flag."""
    rng = np.random.default_rng(3)
    parts = []
    for i in range(n_stores):
        dates = pd.date_range("2019-01-01", periods=n_months, freq="MS")
        parts.append(
            pd.DataFrame(
                {
                    "store": f"S{i:02d}",
                    "date": dates.strftime("%Y-%m-%d"),
                    "sales": np.round(100 + 10 * i + rng.normal(size=n_months), 2),
                    "promo": (np.arange(n_months) % 4 == i % 4).astype(int),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _messages(record: list[warnings.WarningMessage], category: type[Warning]) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, category)]


def test_a_long_table_with_a_promo_flag_is_read_as_long_with_the_flag_noted(tmp_path):
    path = tmp_path / "stores.csv"
    _stores().to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        panel = load_panel(str(path)).panel
    assert list(panel.ids) == ["S00", "S01", "S02", "S03"] and panel.meta["value_col"] == "sales"
    assert list(panel.lengths) == [30] * 4
    guessed = _messages(record, GuessedRolesWarning)
    assert len(guessed) == 1 and "id 'store', time 'date', target 'sales'" in guessed[0], guessed
    unused = _messages(record, UnusedColumnsWarning)
    assert len(unused) == 1 and "column(s) 'promo' not used" in unused[0], unused
    # the series reader and the forecast-history reader read it the same way
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert load(str(path)).series.channel_ids == ("S00", "S01", "S02", "S03")
        histories = histories_from_frame(read_table(path), file=str(path))
    assert [h.id for h in histories] == ["S00", "S01", "S02", "S03"]
    np.testing.assert_allclose(histories[1].values, _stores().query("store == 'S01'")["sales"].to_numpy())


def test_a_long_table_whose_target_is_not_certain_is_told_flags_that_work_as_written(tmp_path):
    """``sales`` beside ``price``: which is forecast is the user's to say. The advice names the
    long reading only (the dates repeat: no wide file), with a target, and works when pasted."""
    frame = _stores().assign(price=lambda f: np.round(5 + np.arange(len(f)) % 7 * 0.1, 2))
    path = tmp_path / "priced.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        load_panel(str(path))
    message = str(err.value)
    assert "--id-col store --time-col date --target-col sales (or price, promo" in message, message
    assert "--value-cols" not in message and "--target-col ..." not in message
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        panel = load_panel(str(path), id_col="store", time_col="date", target_col="sales").panel
    assert panel.n_series == 4 and panel.meta["value_col"] == "sales"
    assert "column(s) 'promo', 'price' not used" in _messages(record, UnusedColumnsWarning)[0]


def test_id_and_time_given_without_the_target_suggest_the_likeliest_column(tmp_path):
    frame = _stores().assign(price=lambda f: np.round(5 + np.arange(len(f)) % 7 * 0.1, 2))
    path = tmp_path / "priced.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        load_panel(str(path), id_col="store", time_col="date")
    assert "column 'y' (target_col) not found" in str(err.value)
    assert "Did you mean 'sales'? (pass --target-col sales)" in err.value.for_cli()


def test_a_wide_file_with_a_note_column_gets_a_target_in_its_long_advice(tmp_path):
    """Each time once: the series columns come first, and the long reading names a target rather
    than ``...``."""
    dates = pd.date_range("2021-01-01", periods=20, freq="D")
    frame = pd.DataFrame({"ds": dates, "note": ["x"] * 20, "a": np.arange(20.0), "b": np.arange(20.0) + 3})
    path = tmp_path / "noted.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        load_panel(str(path))
    message = str(err.value)
    assert "--value-cols a,b" in message and "--target-col a (or b" in message, message


OFFSET_ROWS = (
    "unique_id,ds,y\n"
    + "".join(f"A,2024-03-31T{h:02d}:00:00+02:00,{h}.5\n" for h in range(3, 8))
    + "A,2024-03-31T05:00:00+02:00,9.5\n"
    + "".join(f"A,2024-03-31T{h:02d}:00:00+02:00,{h}.5\n" for h in range(8, 12))
)


@pytest.mark.parametrize("reader", ["panel", "series", "history"])
def test_a_time_written_twice_with_its_offset_is_a_duplicate_named_as_written(tmp_path, reader):
    path = tmp_path / "offsets.csv"
    path.write_text(OFFSET_ROWS)
    read = {
        "panel": lambda: load_panel(str(path)),
        "series": lambda: load(str(path)),
        "history": lambda: histories_from_frame(read_table(path), file=str(path)),
    }[reader]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataValidationError) as err:
            read()
    message = str(err.value)
    assert "duplicate timestamp 2024-03-31T05:00:00+02:00" in message, message
    assert "lines 4 and 7 of offsets.csv" in message, message
    assert "summer-time" not in message and "03:00:00" not in message


def test_a_wide_file_and_two_writings_of_one_instant_are_named_as_written(tmp_path):
    rows = [f"2024-10-27T{h:02d}:00:00+01:00,{h}" for h in range(3, 9)]
    rows.insert(3, "2024-10-27T05:00:00Z,99")  # 06:00+01:00 in other words
    path = tmp_path / "wide.csv"
    path.write_text("time,load\n" + "\n".join(rows) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataValidationError) as err:
            load_panel(str(path))
    message = str(err.value)
    assert "duplicate timestamp 2024-10-27T06:00:00+01:00 (the same time as 2024-10-27T05:00:00Z)" in message
    assert "summer-time" not in message


def test_local_times_without_offsets_keep_the_summer_time_advice(tmp_path):
    """The advice stays where it can help: times without offsets repeating the autumn hour."""
    times = [f"2024-10-27 {h:02d}:00" for h in range(0, 6)]
    times.insert(3, "2024-10-27 02:00")
    path = tmp_path / "local.csv"
    path.write_text("unique_id,ds,y\n" + "".join(f"A,{t},{i}\n" for i, t in enumerate(times)))
    with pytest.raises(DataValidationError, match="duplicate timestamp 2024-10-27 02:00:00.*summer-time"):
        load_panel(str(path))


def test_the_index_of_a_frame_concatenated_per_series_is_dropped(tmp_path):
    parts = [
        pd.DataFrame(
            {"unique_id": s, "ds": pd.date_range("2015-01-01", periods=40, freq="MS"), "y": 50.0 + i}
        )
        for i, s in enumerate(["A", "B"])
    ]
    path = tmp_path / "concat.csv"
    pd.concat(parts).to_csv(path)  # pandas' default: the index 0…39, 0…39 as an unnamed first column
    assert read_table(path).columns == ["unique_id", "ds", "y"]
    again = tmp_path / "again.csv"
    pd.read_csv(path).to_csv(again)  # read back and saved again: 'Unnamed: 0' and a new index
    assert read_table(again).columns == ["unique_id", "ds", "y"]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        panel = load_panel(str(path)).panel
    assert list(panel.ids) == ["A", "B"] and not _messages(record, UnusedColumnsWarning)


@pytest.mark.parametrize(
    "first",
    [[0, 0, 0, 0, 0, 0], [0, 1, 2, 0, 0, 1], [1, 2, 3, 0, 1, 2], [0, 1, 2, 1, 2, 3]],
    ids=["zeros", "a-run-of-one", "not-from-0", "restart-not-at-0"],
)
def test_an_unnamed_column_that_does_not_count_rows_is_kept(tmp_path, first):
    frame = pd.DataFrame(
        {"": first, "ds": pd.date_range("2020-01-01", periods=6, freq="D"), "a": np.arange(6.0)}
    )
    frame.to_csv(tmp_path / "kept.csv", index=False)
    assert read_table(tmp_path / "kept.csv").columns[0] == ""


def _semicolon(tmp_path, cells: list[str]) -> str:
    path = tmp_path / "euro.csv"
    dates = pd.date_range("2018-01-01", periods=len(cells), freq="MS").strftime("%Y-%m-%d")
    path.write_text("unique_id;ds;y\n" + "".join(f"A;{d};{c}\n" for d, c in zip(dates, cells, strict=True)))
    return str(path)


def test_a_semicolon_file_with_thousands_separators_and_decimal_commas_is_read(tmp_path):
    cells = ["1.001,5", "998,25", "1.002", "-1.234.567,75", "12"] * 6
    path = _semicolon(tmp_path, cells)
    with pytest.warns(
        TsforgeWarning, match=r"column\(s\) 'y' read as numbers written with '\.' between thousands"
    ):
        panel = load_panel(path).panel
    expected = [1001.5, 998.25, 1002.0, -1234567.75, 12.0] * 6
    np.testing.assert_allclose(panel.series(0), expected)


def test_grouped_numbers_that_could_mean_two_things_keep_the_decimal_point(tmp_path):
    """``1.234`` alone is a thousand and more with decimal commas, one and a bit with points:
    a column with no cell that settles it is read as the point says, as before."""
    panel = load_panel(_semicolon(tmp_path, ["1.234", "2.500", "3.750"] * 10)).panel
    np.testing.assert_allclose(panel.series(0)[:3], [1.234, 2.5, 3.75])


def test_codes_with_dots_and_no_decimal_comma_stay_text(tmp_path):
    """``1.234.567`` without a decimal comma anywhere may be a code, not a number: not read as one."""
    path = tmp_path / "codes.csv"
    path.write_text("code;ds;y\n" + "".join(f"1.{i:03d}.000;2020-01-{i:02d};{i},5\n" for i in range(1, 21)))
    frame = read_table(path)
    assert frame["code"].dtype.is_numeric() is False and frame["code"][0] == "1.001.000"


def test_a_cell_of_another_form_is_named_by_its_line(tmp_path):
    """One cell written otherwise (``1,234.5``) among ``1.234,5`` cells: the error names that
    cell, not the first grouped one (which was told to be written without grouping)."""
    cells = ["1.001,5", "1.002,5", "1,003.5"] + ["1.003,5"] * 27
    with pytest.raises(DataValidationError) as err:
        load_panel(_semicolon(tmp_path, cells))
    assert "non-numeric value '1,003.5' in series 'A' on line 4 of euro.csv" in str(err.value)
