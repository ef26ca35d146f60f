"""``evaluate``'s refusal of a series with too little history says which values it counted.

Found on a file of 8 monthly rows per series whose second value is empty (7 values each): a
model of horizon 6 refused it as "8 series have fewer than 2 values ..., first 'S0' (1 value)",
counting the history before the model's 6-step test window without saying so. The refusal now
names that window, and its advice works: ``--drop-short`` leaves such a series out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.errors import DataValidationError
from tsforge.panels.predictor import PanelPredictor


def _second_empty(sid: str) -> pd.DataFrame:
    """8 months, the second empty: 7 values, of which 1 before a 6-step test window."""
    y = np.r_[1.0, np.nan, np.arange(2.0, 8.0)]
    return pd.DataFrame({"unique_id": sid, "ds": pd.date_range("2015-01-01", periods=8, freq="MS"), "y": y})


def _full(sid: str, n: int = 20) -> pd.DataFrame:
    return pd.DataFrame(
        {"unique_id": sid, "ds": pd.date_range("2015-01-01", periods=n, freq="MS"), "y": np.arange(n) + 1.0}
    )


def _model(tmp_path: Path) -> str:
    return str(PanelPredictor("naive", 6, freq="MS", season_length=12).save(tmp_path / "naive6"))


def _evaluate(capsys, tmp_path: Path, frame: pd.DataFrame, *extra: str) -> tuple[int, str, str]:
    frame.to_csv(tmp_path / "data.csv", index=False)
    return run_cli(capsys, "evaluate", str(tmp_path / "data.csv"), "--model", _model(tmp_path), *extra)


def _error(err: str) -> str:
    return " ".join(line for line in err.splitlines() if line.startswith("error:"))


def test_the_refusal_says_it_counted_the_history_before_the_test_window(tmp_path, capsys):
    code, out, err = _evaluate(capsys, tmp_path, pd.concat([_second_empty("A"), _second_empty("B")]))
    assert code == 2, out + err
    said = _error(err)
    assert (
        "2 of 2 series have fewer than 2 values before the model's 6-step test window "
        "(a forecast needs two); first: 'A' (1 value before it)"
    ) in said, said
    assert "Evaluate a model trained with a shorter horizon" in said, said
    assert "--drop-short" not in said, said  # it would leave no series


def test_with_a_long_series_left_the_refusal_advises_drop_short_which_then_scores(tmp_path, capsys):
    frame = pd.concat([_second_empty("A"), _full("B")])
    code, out, err = _evaluate(capsys, tmp_path, frame)
    assert code == 2, out + err
    said = _error(err)
    assert "1 of 2 series has fewer than 2 values before the model's 6-step test window" in said, said
    assert "Leave them out (--drop-short)" in said, said
    code, out, err = _evaluate(capsys, tmp_path, frame, "--drop-short")
    assert code == 0, out + err  # the advice works


def test_python_names_the_argument_not_the_flag(tmp_path):
    from tsforge.pipeline.panel import evaluate_panel_model

    frame = pd.concat([_second_empty("A"), _full("B")])
    predictor = PanelPredictor("naive", 6, freq="MS", season_length=12)
    with pytest.raises(DataValidationError, match="before the model's 6-step test window") as caught:
        evaluate_panel_model(predictor, frame)
    assert "drop_short=True" in caught.value.message and "--drop-short" not in caught.value.message, (
        caught.value.message
    )
