"""Which cells of a user's file count as numbers, missing values or errors — the same in every
reader (long panel, long multichannel, wide)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.load import load, load_panel
from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError


def _long_text(cells: dict[int, str]) -> str:
    rows = ["unique_id,ds,y"]
    for i, day in enumerate(pd.date_range("2020-01-01", periods=12, freq="D")):
        rows.append(f"a,{day.date()},{cells.get(i, f'{i}.5')}")
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("token", ["NA", "?", "-", "null", "#N/A", "n/a", " NA "])
def test_missing_value_tokens_are_missing_in_a_long_panel_file(tmp_path, token):
    """R writes ``NA``, spreadsheets ``#N/A``: the wide and multichannel readers took them as
    missing, the panel reader — what ``tsforge train my.csv`` uses — refused them as
    non-numeric. Now all read them alike."""
    path = tmp_path / "tokens.csv"
    path.write_text(_long_text({3: token, 7: token}))
    panel = load_panel(str(path)).panel
    assert np.isnan(panel.values).sum() == 2 and panel.lengths.tolist() == [12]
    assert np.isnan(load(str(path)).series.values).sum() == 2


def test_blanks_around_a_number_are_ignored_in_a_long_panel_file(tmp_path):
    path = tmp_path / "blanks.csv"
    path.write_text(_long_text({i: f" {i}.5 " for i in range(12)}))
    np.testing.assert_array_equal(load_panel(str(path)).panel.values, np.arange(12) + 0.5)


def test_a_pandas_frame_with_missing_tokens_reads_like_the_file():
    frame = pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.date_range("2020-01-01", periods=5, freq="D"),
            "y": [1, "?", " NA ", 4.0, 5],
        }
    )
    np.testing.assert_array_equal(Panel.from_long(frame).values, [1.0, np.nan, np.nan, 4.0, 5.0])
    frame.loc[2, "y"] = "x"
    with pytest.raises(DataValidationError) as err:
        Panel.from_long(frame)
    assert err.value.where["row"] == 2


@pytest.mark.parametrize("loader", [load, load_panel])
def test_an_infinite_value_in_a_wide_file_is_refused_by_row_and_column(tmp_path, loader):
    """``inf`` in a wide (or multichannel long) file was read as a value and trained into NaN
    losses without a word; it is refused like the long panel reader refuses it."""
    frame = pd.DataFrame(
        {"date": pd.date_range("2021-01-01", periods=30, freq="D"), "s1": np.arange(30.0), "s2": np.ones(30)}
    )
    frame.loc[5, "s1"] = np.inf
    path = tmp_path / "wide_inf.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        loader(str(path))
    assert err.value.where["column"] == "s1" and err.value.where["row"] == 5
    assert "infinite value in column 's1' on line 7 of wide_inf.csv" in str(err.value)


def test_an_infinite_value_in_a_long_file_read_as_multichannel_is_refused(tmp_path):
    path = tmp_path / "long_inf.csv"
    path.write_text(_long_text({4: "inf"}))
    with pytest.raises(DataValidationError) as err:
        load(str(path))
    assert err.value.where["row"] == 4


@pytest.mark.parametrize("loader", [load, load_panel])
def test_thousands_separators_get_advice(tmp_path, loader):
    """``"12,345"`` is refused (its meaning depends on the locale), with the reason spelt out."""
    path = tmp_path / "grouped.csv"
    path.write_text(_long_text({i: f'"1{i},345"' for i in range(12)}))
    with pytest.raises(DataValidationError, match="thousands separators") as err:
        loader(str(path))
    assert err.value.where["row"] == 0


def test_a_text_column_in_a_wide_file_is_advised_to_be_left_out(tmp_path):
    """A wide file with a comment column was only told to pass long-format column names
    (``--id-col note --target-col ...``), which cannot work for it."""
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2021-01-01", periods=20, freq="D"),
            "s1": np.arange(20.0),
            "s2": np.ones(20),
            "note": ["x"] * 20,
        }
    )
    path = tmp_path / "wide_note.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(
        DataValidationError, match="If 'note' is not a series, name the series columns: --value-cols s1,s2"
    ):
        load_panel(str(path))
    panel = load_panel(str(path), value_cols=["s1", "s2"]).panel  # what the advice says works
    assert list(panel.ids) == ["s1", "s2"]
