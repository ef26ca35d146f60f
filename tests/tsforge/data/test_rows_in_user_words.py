"""Data-reading errors in the words of someone who opens the file: a row of a CSV file is named
by its line (the header is line 1), a rate by a word (``monthly (MS)``), a date without a
``00:00:00`` it was never written with, and a date off the month grid is named as such, in a
single series and in a panel alike.

Why: the readers said "non-numeric value 'x' … at row 1" for a value an editor shows on line 3,
"the inferred step is MS but 1 place(s) break it: rows 0->1: 2020-01-01 00:00:00 -> …" and advised
filling gaps for a mid-month date that filling cannot place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.frequency import check_sampling
from tsforge.data.load import load, load_panel
from tsforge.errors import DataValidationError


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("loader", [load, load_panel])
def test_a_non_numeric_cell_is_named_by_its_line(tmp_path, loader):
    path = _write(tmp_path, "bad.csv", "unique_id,ds,y\na,2020-01-01,1\na,2020-02-01,x\na,2020-03-01,3\n")
    with pytest.raises(DataValidationError) as err:
        loader(path)
    assert err.value.where["row"] == 1 and err.value.where["line"] == 3
    if loader is load:  # the multichannel reader names the cell in its message
        assert "non-numeric value 'x' in column 'y' on line 3 of bad.csv" in str(err.value)
    # a frame has no lines: its rows are named as ``iloc`` counts them
    frame = pd.DataFrame({"unique_id": "a", "ds": ["2020-01-01", "2020-02-01", "later"], "y": [1.0, 2, 3]})
    with pytest.raises(DataValidationError, match="'later' in time column 'ds' at row 2") as err:
        loader(frame)
    assert "line" not in err.value.where


def test_a_quoted_line_break_before_the_row_moves_its_line(tmp_path):
    """A quoted field may hold a line break: the line is the file's, not ``row + 2``."""
    text = 'date,a,note\n2020-01-01,1,"two\nlines"\n2020-01-02,2,x\n2020-01-03,oops,y\n'
    with pytest.raises(DataValidationError) as err:
        load(_write(tmp_path, "quoted.csv", text), value_cols=["a"])
    assert err.value.where["row"] == 2 and err.value.where["line"] == 5
    assert "on line 5 of quoted.csv" in str(err.value)


def _monthly(n: int = 12) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in pd.date_range("2020-01-01", periods=n, freq="MS")]


def test_a_mid_month_date_in_one_series_is_named_in_words(tmp_path):
    days = _monthly()
    days[1] = "2020-02-15"
    path = _write(
        tmp_path, "irr.csv", "unique_id,ds,y\n" + "".join(f"a,{d},{i}\n" for i, d in enumerate(days))
    )
    with pytest.raises(DataValidationError) as err:
        load(path)
    message = str(err.value)
    assert "the times are sampled monthly (MS), but 1 place breaks that" in message
    assert "2020-01-01 → 2020-02-15 (on line 3 of irr.csv)" in message
    assert "2020-02-15 is off the monthly (MS) grid" in message and "2020-02-01 and 2020-03-01" in message
    assert "00:00:00" not in message and "fill_gaps" not in message
    assert err.value.where["line"] == 3


def _panel_with_one_mid_month_date(tmp_path, series: str = "b", position: int = 1) -> str:
    rows = []
    for sid in "abc":
        for i, day in enumerate(_monthly(24)):
            if sid == series and i == position:
                day = day[:8] + "15"
            rows.append(f"{sid},{day},{i}\n")
    return _write(tmp_path, "mid.csv", "unique_id,ds,y\n" + "".join(rows))


def test_a_mid_month_date_in_a_panel_is_refused_by_series_date_and_line(tmp_path):
    """Refused, not snapped: the value may belong to either month, and one panel holds one
    calendar. The error names the series, the date, the grid's dates beside it and the line, and
    does not advise filling gaps (which cannot place it)."""
    path = _panel_with_one_mid_month_date(tmp_path)
    for fill_gaps in (False, True):
        with pytest.raises(DataValidationError) as err:
            load_panel(path, fill_gaps=fill_gaps)
        message = str(err.value)
        assert "series 'b'" in message and "2020-02-15" in message
        assert "the nearest dates on that grid are 2020-02-01 and 2020-03-01" in message
        assert "00:00:00" not in message and "fill_gaps=True" not in message
        assert err.value.where["series"] == "b" and err.value.where["line"] == 27


def test_a_single_monthly_series_with_an_odd_date_is_monthly_not_30_daily(tmp_path):
    """The panel reader named the rate of such a series by its most common step, "30D"."""
    days = _monthly()
    days[1] = "2020-02-15"
    path = _write(
        tmp_path, "one.csv", "unique_id,ds,y\n" + "".join(f"a,{d},{i}\n" for i, d in enumerate(days))
    )
    with pytest.raises(DataValidationError) as err:
        load_panel(path)
    assert "is not one monthly (MS) step" in str(err.value) and "30D" not in str(err.value)


def test_a_wide_file_out_of_order_names_the_line_of_the_break(tmp_path):
    """The spacing check runs on sorted times; it named the sorted position, not the file's row."""
    days = pd.date_range("2020-01-01", periods=10, freq="D").delete(6).strftime("%Y-%m-%d").tolist()
    days = days[::-1]  # newest first, as exports often are
    path = _write(tmp_path, "rev.csv", "date,a\n" + "".join(f"{d},{i}\n" for i, d in enumerate(days)))
    with pytest.raises(DataValidationError) as err:
        load(path)
    # 2020-01-08 follows the gap; newest first it is data row 2, line 4
    assert "2020-01-06 → 2020-01-08 (on line 4 of rev.csv)" in str(err.value)
    assert err.value.where["row"] == 2 and err.value.where["line"] == 4


def test_iso_week_labels_are_read_as_their_mondays(tmp_path):
    labels = ["2020-W5", "2020-W6", "2020-W07", "2020-W08", "2020-W09"]
    path = _write(tmp_path, "weeks.csv", "week,y\n" + "".join(f"{w},{i}\n" for i, w in enumerate(labels)))
    data = load(path).series
    assert data.freq == "W-MON"
    assert [str(pd.Timestamp(t).date()) for t in data.timestamps] == [
        "2020-01-27",
        "2020-02-03",
        "2020-02-10",
        "2020-02-17",
        "2020-02-24",
    ]


def test_the_sampling_mismatch_and_the_spacing_error_say_a_rate_alike(tmp_path):
    """One helper words a rate: both errors say ``daily (D)``, not one ``D`` and one ``daily``."""
    ts = pd.date_range("2020-01-01", periods=10, freq="D").to_numpy()
    with pytest.raises(DataValidationError, match=r"sampled daily \(D\)"):
        check_sampling(ts, "h", sid="a", model="naive", field="inputs")
    days = pd.date_range("2020-01-01", periods=10, freq="D").delete(4).strftime("%Y-%m-%d")
    path = _write(tmp_path, "gap.csv", "date,a\n" + "".join(f"{d},{i}\n" for i, d in enumerate(days)))
    with pytest.raises(DataValidationError, match=r"the times are sampled daily \(D\)"):
        load(path)
    assert np.isfinite(load(path, fill_gaps=True).series.values).sum() == 9


def test_integer_time_out_of_order_names_the_line_of_the_break(tmp_path):
    """Integer time is checked sorted too; the error named "rows 0 and 1" of the sorted keys."""
    path = _write(tmp_path, "years.csv", "year,a\n1985,3\n1980,1\n1981,2\n1983,2\n")
    with pytest.raises(DataValidationError, match=r"not from 1980 to 1981 \(on line 4 of years.csv\)") as err:
        load(path, time_col="year")
    assert err.value.where["row"] == 2 and err.value.where["line"] == 4
