"""The refusal of series with fewer than two observed values advises leaving them out
(``--drop-short``, ``drop_too_few=True``) only while some series has two to forecast or score.

Before, ``tsforge evaluate`` on a file whose every series is observed once before the model's
6-step test window said "pass --drop-short to leave them out", and ``--drop-short`` then
refused the holdout with nothing in it; a table of single rows read with ``drop_too_few=True``
was advised that very option. ``evaluate``'s refusal is now its own, of the history before the
test window (``tests/tsforge/cli/test_evaluate_counts_history.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.panel_checks import TOO_FEW_VALUES
from tsforge.errors import DataValidationError
from tsforge.panels.predictor import PanelPredictor

_NONE_LEFT = "no series has two observed values, so leaving out those with fewer would leave none"


def _observed_once_before_the_test(sid: str) -> pd.DataFrame:
    """20 months: one value, 13 empty rows, then the 6 values of the test window."""
    y = np.r_[1.0, np.full(13, np.nan), np.arange(6.0)]
    return pd.DataFrame({"unique_id": sid, "ds": pd.date_range("2015-01-01", periods=20, freq="MS"), "y": y})


def _full(sid: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"unique_id": sid, "ds": pd.date_range("2015-01-01", periods=20, freq="MS"), "y": np.arange(20.0)}
    )


def _evaluate_refusal(capsys, tmp_path: Path, frame: pd.DataFrame) -> str:
    frame.to_csv(tmp_path / "data.csv", index=False)
    model = PanelPredictor("naive", 6, freq="MS", season_length=12).save(tmp_path / "naive6")
    code, out, err = run_cli(capsys, "evaluate", str(tmp_path / "data.csv"), "--model", str(model))
    assert code == 2, out + err
    return " ".join(line for line in err.splitlines() if line.startswith("error:"))


def test_evaluate_advises_no_drop_short_that_would_leave_nothing(tmp_path, capsys):
    frame = pd.concat([_observed_once_before_the_test("A"), _observed_once_before_the_test("B")])
    said = _evaluate_refusal(capsys, tmp_path, frame)
    # every series has 7 observed values: the count is of the history before the test window
    assert "2 of 2 series have fewer than 2 values before the model's 6-step test window" in said, said
    assert "--drop-short" not in said and "remove their rows" not in said, said
    assert "evaluate a model trained with a shorter horizon" in said.lower(), said


def test_evaluate_still_advises_drop_short_while_a_series_remains(tmp_path, capsys):
    frame = pd.concat([_observed_once_before_the_test("A"), _full("B")])
    said = _evaluate_refusal(capsys, tmp_path, frame)
    assert "first: 'A' (1 value before it)" in said and "Leave them out (--drop-short)" in said, said
    assert _NONE_LEFT not in said, said


@pytest.mark.parametrize(
    ("frame", "sentence"),
    [
        (  # single rows
            pd.DataFrame(
                {"unique_id": ["a", "b"], "ds": pd.to_datetime(["2020-01-01"] * 2), "y": [1.0, 2.0]}
            ),
            "2 series have fewer than 2 values",
        ),
        (  # one value each among empty rows
            pd.DataFrame(
                {
                    "unique_id": ["a"] * 3 + ["b"] * 3,
                    "ds": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"] * 2),
                    "y": [1.0, np.nan, np.nan, np.nan, 2.0, np.nan],
                }
            ),
            "2 series have one observed value",
        ),
    ],
)
def test_the_reader_advises_no_option_that_would_leave_nothing(frame, sentence):
    from tsforge.data.load import load_panel

    for drop_too_few in (False, True):
        with pytest.raises(DataValidationError) as caught:
            load_panel(frame, drop_too_few=drop_too_few)
        exc = caught.value
        assert exc.kind == TOO_FEW_VALUES
        assert exc.message.startswith(sentence) and exc.message.endswith(f"; {_NONE_LEFT}"), exc.message
        assert "drop_too_few" not in exc.message and "remove" not in exc.for_cli(), exc
