"""A value column of true/false read as 1 and 0 with a note, in one wording
(:func:`tsforge.data.validation.true_false_words`).

Found: the readers turned a boolean target (``true``/``false`` text is a boolean column to the CSV
reader) into 0/1 without a word, while ``predict_frame`` said it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data import validation as V
from tsforge.data.history import histories_from_frame
from tsforge.errors import TsforgeWarning


def _notes(read) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = read()
    return out, [str(w.message) for w in caught if issubclass(w.category, TsforgeWarning)]


def test_the_wording():
    assert V.true_false_words("y", "sales.csv") == (
        "sales.csv: column 'y' holds true/false values: read as 1 (true) and 0 (false)"
    )


def test_a_boolean_column_reads_as_one_and_zero_with_the_note():
    values, notes = _notes(
        lambda: V.to_numeric(pl.Series("promo", [True, False, None]), column="promo", file="s.csv")
    )
    np.testing.assert_array_equal(values, [1.0, 0.0, np.nan])
    assert notes == [V.true_false_words("promo", "s.csv")]
    _, quiet = _notes(lambda: V.to_numeric(pl.Series("y", [1.0, 0.0]), column="y"))
    assert quiet == []


def test_the_forecast_reader_says_it_once():
    days = pd.date_range("2020-01-01", periods=6, freq="D").tolist()
    frame = pd.DataFrame({"unique_id": ["a"] * 6 + ["b"] * 6, "ds": days * 2, "y": [True, False] * 6})
    series, notes = _notes(lambda: histories_from_frame(frame))
    assert [s.values.tolist() for s in series] == [[1.0, 0.0] * 3] * 2
    assert notes == ["the frame: column 'y' holds true/false values: read as 1 (true) and 0 (false)"]
