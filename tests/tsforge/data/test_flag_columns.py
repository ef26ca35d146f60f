"""A wide table's 0/1 column (a promo or holiday flag) read as a series is said, with the flag
that leaves it out.

Why: ``date, store_1, store_2, store_3, promo`` was read as four stores without a word, the
promo column forecast and scored, and its errors averaged into the panel's scores.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tsforge.cli.app import main
from tsforge.data.load import load, load_panel
from tsforge.errors import TsforgeWarning

DAYS = pd.date_range("2023-01-01", periods=120, freq="D")


def _stores(with_flag: bool = True) -> pd.DataFrame:
    steps = np.arange(len(DAYS))
    frame = pd.DataFrame({"date": DAYS.strftime("%Y-%m-%d")})
    for k in range(2):
        frame[f"store_{k + 1}"] = 50.0 + 5 * np.sin(2 * np.pi * steps / 7) + k
    if with_flag:
        frame["promo"] = (steps % 10 == 0).astype(int)
    return frame


def _flag_notes(read) -> list[TsforgeWarning]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        read()
    return [w.message for w in seen if isinstance(w.message, TsforgeWarning) and "0 and 1" in str(w.message)]


def test_a_panel_names_the_flag_column_and_the_value_cols_that_leave_it_out(tmp_path):
    path = tmp_path / "stores.csv"
    _stores().to_csv(path, index=False)
    notes = _flag_notes(lambda: load_panel(str(path)))
    assert len(notes) == 1
    assert "'promo'" in str(notes[0]) and "value_cols=['store_1', 'store_2']" in str(notes[0])
    assert "--value-cols store_1,store_2" in getattr(notes[0], "cli_message", "")


def test_multichannel_reading_says_it_too():
    notes = _flag_notes(lambda: load(_stores()))
    assert len(notes) == 1 and "'promo'" in str(notes[0])


def test_no_note_once_the_series_are_named_or_without_a_flag(tmp_path):
    assert not _flag_notes(lambda: load_panel(_stores(), value_cols=["store_1", "store_2"]))
    assert not _flag_notes(lambda: load_panel(_stores(with_flag=False)))


def test_a_table_of_zero_one_series_alone_is_not_noted():
    """Intermittent demand of 0/1 is a series: a table of only such columns gets no note."""
    steps = np.arange(len(DAYS))
    frame = pd.DataFrame(
        {"date": DAYS, "a": (steps % 3 == 0).astype(float), "b": (steps % 4 == 0).astype(float)}
    )
    assert not _flag_notes(lambda: load_panel(frame))


def test_the_command_line_prints_the_note_with_its_flag(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "stores.csv"
    _stores().to_csv(path, index=False)
    try:
        main(["profile", str(path), "--no-progress"])
    except SystemExit as exc:  # typer may end a successful command this way too
        assert exc.code in (0, None)
    err = " ".join(capsys.readouterr().err.split())
    assert "note:" in err and "'promo' hold only 0 and 1" in err and "--value-cols store_1,store_2" in err


def test_a_wide_forecast_history_is_noted_by_its_own_call_not_by_the_shared_reader():
    """``tsforge forecast`` notes the flag (:func:`note_flag_series`); the reader it shares with
    the REST service (:func:`histories_from_frame`) stays quiet, so the service's answers keep
    their notes."""
    from tsforge.data.history import histories_from_frame, note_flag_series

    notes = _flag_notes(lambda: note_flag_series(_stores(), file="stores.csv"))
    assert len(notes) == 1 and str(notes[0]).startswith("stores.csv: column(s) 'promo'"), notes
    assert "--value-cols store_1,store_2" in getattr(notes[0], "cli_message", "")
    assert not _flag_notes(lambda: histories_from_frame(_stores(), file="stores.csv"))


def test_a_long_forecast_history_has_no_flag_columns():
    from tsforge.data.history import note_flag_series

    long = _stores().melt(id_vars="date", var_name="unique_id", value_name="y").rename(columns={"date": "ds"})
    assert not _flag_notes(lambda: note_flag_series(long, file="long.csv"))
    assert not _flag_notes(lambda: note_flag_series(_stores().drop(columns="promo"), file="s.csv"))
