"""``predict_frame`` and the columns of the caller's history: integer series ids come back as
integers (they came back as the strings ``"1"``, ``"2"``, so a join back on the caller's table
found nothing), a column besides id, time and target is said once as training's reader says it
(it was read past in silence), and a true/false target is read as 1/0 with a note, as the CSV
reader and every frame door read it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.errors import TsforgeWarning, UnusedColumnsWarning
from tsforge.pipeline import TrackingOptions, train_panel


def _history(ids: list, n: int = 20) -> pd.DataFrame:
    days = pd.date_range("2020-01-01", periods=n, freq="D")
    return pd.concat(
        [
            pd.DataFrame({"unique_id": sid, "ds": days, "y": 10.0 + k + np.arange(n) % 3})
            for k, sid in enumerate(ids)
        ],
        ignore_index=True,
    )


@pytest.fixture(scope="module")
def naive():
    options = TrackingOptions(track=False, progress=False)
    return train_panel(_history(["a", "b"], 40), "naive", horizon=2, tracking=options).predictor


def _tsforge_notes(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, TsforgeWarning)]


@pytest.mark.parametrize("frame_of", [lambda df: df, pl.from_pandas], ids=["pandas", "polars"])
def test_integer_ids_come_back_as_integers(naive, frame_of):
    history = _history([7, 12])
    out = naive.predict_frame(frame_of(history), horizon=2)
    assert out["unique_id"].dtype == history["unique_id"].dtype, out.dtypes
    assert out["unique_id"].tolist() == [7, 7, 12, 12]
    text = naive.predict_frame(_history(["a", "b"]), horizon=2)
    assert text["unique_id"].tolist() == ["a", "a", "b", "b"]  # text ids stay text


def test_an_extra_column_is_said_once(naive):
    history = _history(["a", "b"]).assign(price=1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        naive.predict_frame(history, horizon=2)
    unused = [w for w in caught if issubclass(w.category, UnusedColumnsWarning)]
    assert len(unused) == 1, _tsforge_notes(caught)
    assert "'price' not used" in str(unused[0].message), str(unused[0].message)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        naive.predict_frame(_history(["a", "b"]), horizon=2)
    assert not _tsforge_notes(caught)  # nothing to say of unique_id, ds, y alone


def test_a_true_false_target_is_read_as_one_and_zero_with_a_note(naive):
    history = _history(["a", "b"])
    flags = history.assign(y=history["y"] > 10.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = naive.predict_frame(flags, horizon=2)
    notes = [n for n in _tsforge_notes(caught) if "true/false" in n]
    assert len(notes) == 1 and "column 'y'" in notes[0] and "1 (true) and 0 (false)" in notes[0], notes
    as_numbers = naive.predict_frame(flags.assign(y=flags["y"].astype(float)), horizon=2)
    pd.testing.assert_frame_equal(out, as_numbers)
