"""Reading a user's CSV bytes: text encodings other than UTF-8, and rows with the wrong number
of fields."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforge.data.load import load_panel
from tsforge.data.tables import read_table
from tsforge.errors import DataValidationError, TsforgeWarning


def _cities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Straße": np.repeat(["Köln", "Düren"], 12),
            "ds": np.tile(pd.date_range("2020-01-01", periods=12, freq="D"), 2),
            "y": np.arange(24) / 4,
        }
    )


@pytest.mark.parametrize(("sep", "decimal"), [(",", "."), (";", ",")])
def test_a_windows_1252_file_keeps_its_ids_and_column_names(tmp_path, sep, decimal):
    """Excel on Windows saves CSV in the ANSI code page. Read as UTF-8 with replacement,
    ``Köln`` became ``K\ufffdln`` in every forecast and model; now the file is read as
    Windows-1252 (with a note), also as a semicolon export with decimal commas."""
    path = tmp_path / "cities.csv"
    _cities().to_csv(path, sep=sep, decimal=decimal, index=False, encoding="cp1252")
    with pytest.warns(TsforgeWarning, match="not UTF-8; read as Windows-1252"):
        panel = load_panel(str(path), id_col="Straße").panel
    assert [str(i) for i in panel.ids] == ["Köln", "Düren"]
    np.testing.assert_allclose(panel.values, np.arange(24) / 4)


def test_a_utf8_file_that_spells_the_replacement_character_is_read_as_it_is(tmp_path):
    """The Weather benchmark's header holds U+FFFD as valid UTF-8: no re-reading, no note."""
    path = tmp_path / "weather_like.csv"
    path.write_text("date,SWDR (W/m\ufffd)\n2020-01-01,1.5\n2020-01-02,2.5\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = read_table(path)
    assert frame.columns == ["date", "SWDR (W/m\ufffd)"]


def test_a_row_with_an_extra_field_is_named_in_one_line(tmp_path):
    """polars said "found more fields than defined in 'Schema'" over three lines, advising one
    of its own options and naming no row; the error now names the row and its line."""
    rows = ["unique_id,ds,y"] + [f"a,2020-01-{d:02d},{d}" for d in range(1, 21)] + ["a,2020-01-21,5,7"]
    path = tmp_path / "extra_field.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(DataValidationError) as err:
        read_table(path)
    message = str(err.value)
    assert "\n" not in message and "truncate_ragged_lines" not in message
    assert err.value.where["row"] == 20 and "line 22" in message and "4 fields" in message


def test_advice_quotes_column_names_with_blanks_for_the_shell(tmp_path):
    """The advice is meant to be pasted: ``--id-col Store ID`` passed ``Store`` and left a stray
    ``ID``; names with blanks are quoted (``--id-col 'Store ID'``). The stores share no date (not
    certainly long, so the advice is still given; see test_long_roles.py)."""
    frame = pd.DataFrame(
        {
            "Store ID": np.repeat(["a", "b"], 12),
            "Datum é": pd.date_range("2020-01-01", periods=24, freq="D"),
            "Umsatz €": np.arange(24.0),
        }
    )
    path = tmp_path / "named.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        load_panel(str(path))
    assert "--id-col 'Store ID' --time-col 'Datum é' --target-col 'Umsatz €'" in str(err.value)
    frame.rename(columns={"Store ID": "store id", "Datum é": "ds", "Umsatz €": "y"}).to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        load_panel(str(path))
    assert "(pass --id-col 'store id')" in err.value.for_cli()


@pytest.mark.parametrize("loader", [load_panel, read_table])
def test_a_header_that_names_a_column_twice_is_refused(tmp_path, loader):
    """polars renamed the second ``y`` to ``y_duplicated_0`` and the first was trained on, with
    only a note about a column the file does not have."""
    path = tmp_path / "twice.csv"
    path.write_text("unique_id,ds,y,y\n" + "".join(f"a,2020-01-{d:02d},{d},{-d}\n" for d in range(1, 13)))
    with pytest.raises(DataValidationError, match=r"names column 'y' more than once \(columns 3 and 4\)"):
        loader(str(path))


def test_a_header_without_rows_says_so(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("unique_id,ds,y\n")
    with pytest.raises(DataValidationError, match="no data rows"):
        load_panel(str(path))
