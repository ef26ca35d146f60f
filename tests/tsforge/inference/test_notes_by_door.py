"""A forecast's notes are said in the words of the door its histories came through.

``predict_series`` (the REST service's door, and the Python API's for series) keeps the request's
words — NaN, JSON ``null``, the ``level`` field; ``predict_frame`` told the file a frame was read
from (``tsforge forecast``) speaks of that file's rows and empty cells; the CLI prints a level note
naming its flags. Why: the CLI printed "a missing value as NaN (null in JSON)" to users who had
written a CSV file, and the service's answers must not change with it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.conftest import monthly_frame
from tsforge.errors import TsforgeWarning
from tsforge.inference import SeriesInput
from tsforge.inference.predictor import trailing_gap_note
from tsforge.panels.predictor import PanelPredictor


@pytest.fixture
def naive() -> PanelPredictor:
    return PanelPredictor("naive", 3, freq="MS", season_length=12)


def _notes(call) -> list[TsforgeWarning]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        call()
    return [w.message for w in seen if isinstance(w.message, TsforgeWarning)]


def _skipping() -> pd.DataFrame:
    """One monthly series without its 11th and 12th months."""
    return monthly_frame(1, 24).drop(index=[10, 11])


def test_series_keep_the_request_s_words_for_skipped_steps(naive):
    """Guard: the service's door keeps its words."""
    frame = _skipping()
    series = [SeriesInput("s0", frame["y"].to_numpy(), frame["ds"].to_numpy())]
    (note,) = _notes(lambda: naive.predict_series(series, 2))
    assert str(note).endswith("give every step, a missing value as NaN (null in JSON), to say so yourself")


def test_a_frame_read_from_a_file_gets_the_file_s_words(naive):
    (note,) = _notes(lambda: naive.predict_frame(_skipping(), 2, file="data/history.csv"))
    assert "give every step its row in history.csv, a missing value as an empty cell" in str(note)
    assert "JSON" not in str(note)


def test_a_frame_without_a_file_keeps_the_api_words(naive):
    """Guard: the MLflow pyfunc and the Python API forecast frames no file names."""
    (note,) = _notes(lambda: naive.predict_frame(_skipping(), 2))
    assert "null in JSON" in str(note)


def test_the_trailing_gap_note_by_door():
    from tsforge.inference.notes import HistoryFile

    sent = [SeriesInput("a", np.array([1.0, 2.0, np.nan])), SeriesInput("b", np.array([1.0, 2.0]))]
    trimmed = [SeriesInput("a", np.array([1.0, 2.0])), sent[1]]
    service = trailing_gap_note(sent, trimmed)
    assert service == (
        "1 of 2 series ends with missing values (null), which are not part of a history: each is "
        "forecast from its last observed value, so its forecast's first steps are times given as "
        "missing (series and trailing nulls: 'a' (1)); leave the trailing nulls out, or give their values"
    )
    long = trailing_gap_note(sent, trimmed, HistoryFile("h.csv"))
    assert (
        long is not None
        and "1 of 2 series ends with empty cells in h.csv" in long
        and "delete those rows" in long
    )
    wide = trailing_gap_note(sent, trimmed, HistoryFile("w.parquet", wide=True))
    assert wide is not None and "fill in those cells" in wide and "null" not in wide
    tsf = trailing_gap_note(sent, trimmed, HistoryFile("m.tsf"))
    assert tsf is not None and "missing values ('?') in m.tsf" in tsf


def test_a_fractional_level_names_the_field_and_the_flag(naive):
    notes = _notes(lambda: naive.predict_series([SeriesInput("s", np.arange(24.0))], 2, level=[0.5]))
    (note,) = [n for n in notes if "central interval" in str(n)]
    assert "ask for level 50; for a quantile use quantiles" in str(note)  # the service's words
    assert "give --level 50; for a quantile use --quantiles" in getattr(note, "cli_message", "")


def test_two_fractional_levels_are_said_as_one_flag_value(naive):
    """``give --level 50, 95`` was two shell words, the second not a flag's value."""
    notes = _notes(lambda: naive.predict_series([SeriesInput("s", np.arange(24.0))], 2, level=[0.5, 0.95]))
    (note,) = [n for n in notes if "central interval" in str(n)]
    assert "give --level 50,95;" in getattr(note, "cli_message", ""), note
