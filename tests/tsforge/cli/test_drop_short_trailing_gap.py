"""``--drop-short`` leaves out a series whose history is one value followed by empty cells.

Found by ``tsforge evaluate FILE --model M --drop-short`` on a file where one series had a
value, then empty cells up to its last few (its test window): long enough by its number of
cells, so ``--drop-short`` kept it; its history, trimmed to its last observed value, was one
value, which the forecast refused, advising ``--drop-short``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.panel import Panel
from tsforge.errors import ShortSeriesWarning
from tsforge.panels.predictor import PanelPredictor
from tsforge.panels.protocol import drop_short_series

H = 3
N = 24


def _one_value_then_empty() -> np.ndarray:
    """A first value, empty cells, then observed values only in the last ``H`` steps."""
    values = np.full(N, np.nan)
    values[0] = 5.0
    values[-H:] = [6.0, 7.0, 8.0]
    return values


def _seasonal(level: float) -> np.ndarray:
    t = np.arange(N)
    return level + 2 * np.sin(2 * np.pi * t / 12) + 0.1 * t


@pytest.fixture
def gap_csv(tmp_path) -> str:
    """Monthly series ``a`` and ``b`` of 24 values, and ``gap``: one value, 20 empty cells, 3 values."""
    frames = [
        pd.DataFrame({"unique_id": sid, "ds": pd.date_range("2001-01-01", periods=N, freq="MS"), "y": values})
        for sid, values in (("a", _seasonal(10.0)), ("b", _seasonal(30.0)), ("gap", _one_value_then_empty()))
    ]
    path = tmp_path / "gap.csv"
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)
    return str(path)


@pytest.fixture
def naive_model(tmp_path) -> str:
    """Naive of horizon ``H`` on monthly data, saved as a folder ``--model`` reads."""
    return str(PanelPredictor("naive", H, freq="MS", season_length=12).save(tmp_path / "naive"))


def test_evaluate_drop_short_leaves_out_a_series_with_one_value_of_history(gap_csv, naive_model, capsys):
    code, out, err = run_cli(capsys, "evaluate", gap_csv, "--model", naive_model, "--drop-short", "--json")
    said = " ".join(err.split())
    assert code == 0, said[-2000:]
    assert "left out 1 of 3 series" in said and "'gap'" in said, said
    assert "the scores cover the other 2" in said, said
    assert "last observed one" in said, said  # why a series of 24 cells is too short
    assert "--drop-short" not in said, said  # no refusal advising the flag just given


def test_evaluate_without_the_flag_still_refuses_it_advising_drop_short(gap_csv, naive_model, capsys):
    code, _, err = run_cli(capsys, "evaluate", gap_csv, "--model", naive_model)
    said = " ".join(err.split())
    assert code == 2 and "'gap'" in said and "--drop-short" in said, said


def _panel() -> Panel:
    inner = _seasonal(1.0)
    inner[5:15] = np.nan  # missing values inside the history, then observed ones: kept
    ends_in_gap = _seasonal(2.0)
    ends_in_gap[2 : N - H] = np.nan  # two values of history, then empty up to the test window
    return Panel.from_arrays(
        [_seasonal(0.0), _one_value_then_empty(), inner, ends_in_gap, _seasonal(3.0)[:4]],
        ids=["full", "one", "inner", "two", "tiny"],
    )


def test_the_drop_counts_history_up_to_its_last_observed_value():
    """Evaluation's holdout (no validation window, two values of history): ``one`` has one value
    before its test window and ``tiny`` too few values; ``two`` and ``inner`` keep two or more."""
    panel = _panel()
    with pytest.warns(ShortSeriesWarning, match=r"left out 2 of 5 series .*'one', 'tiny'.*other 3"):
        kept, dropped = drop_short_series(panel, H, val_h=0, min_train=2)
    assert dropped == 2 and kept.ids.tolist() == ["full", "inner", "two"]


def test_the_training_holdout_keeps_a_series_with_one_value_before_its_gap():
    """Training needs one value before the validation window: ``one`` has it (its first)."""
    from tsforge.panels.protocol import short_for_holdout

    short = short_for_holdout(_panel(), H)
    assert short.tolist() == [False, False, False, False, True]
