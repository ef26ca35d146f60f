"""A refusal of one series' times names the series in the sentence, not as a second bracket.

Found: a long CSV whose series ``s1`` has unparsable times was refused as ``unparsable date '1'
in time column 'ds' at row 6 (series 's1') (5 unparsable rows in total)``: the series was
spliced in after the row, two asides in a row. It now reads ``... for series 's1' at row 6 (5
unparsable rows in total)``, as a duplicate does (``for series 'a' at rows [4, 5]``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.errors import DataValidationError


def _frame() -> pd.DataFrame:
    """Series ``s0`` dated, series ``s1`` dated at its ends with five step numbers between."""
    return pd.DataFrame(
        {
            "unique_id": ["s0"] * 5 + ["s1"] * 7,
            "ds": [f"2021-01-0{d}" for d in range(1, 6)]
            + ["2021-01-01", "1", "2", "3", "4", "5", "2021-01-07"],
            "y": [float(v) for v in range(12)],
        }
    )


def test_a_frames_refusal_names_the_series_before_its_row():
    with pytest.raises(DataValidationError) as err:
        histories_from_frame(_frame())
    message = err.value.message
    assert message == (
        "unparsable date '1' in time column 'ds' for series 's1' at row 6 (5 unparsable rows in total)"
    ), message
    assert err.value.where["row"] == 6 and err.value.where["series"] == "s1"


def test_a_files_refusal_names_the_series_before_its_line(tmp_path: Path):
    path = tmp_path / "long.csv"
    _frame().to_csv(path, index=False)
    frame = pd.read_csv(path, dtype={"ds": str})
    with pytest.raises(DataValidationError) as err:
        histories_from_frame(frame, file=str(path))
    message = err.value.message
    assert "for series 's1' on line 8 of long.csv (5 unparsable rows in total)" in message, message
    assert ") (" not in message, message


def test_words_without_the_row_begin_with_the_series():
    """A refusal that does not say its row in those words still names the series, in front."""
    from tsforge.data.timeaxis import said_of_series

    said = said_of_series("'Jan-10' could be a month or a day", "a", "at row 0", "at row 7", "Jan-10")
    assert said == "series 'a': 'Jan-10' could be a month or a day"
