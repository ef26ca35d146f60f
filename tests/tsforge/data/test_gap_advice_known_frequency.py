"""A missing step on the grid of a frequency a series shows is advised ``--fill-gaps`` alone.

Found by a user walk (s71): ``tsforge profile panel.csv`` (monthly series, one missing three
months) said "... is not one monthly (MS) step (set the frequency: --freq; or insert the missing
steps as missing values: --fill-gaps)", and ``--freq MS`` gave the same refusal: the frequency
was known (other series are regular at it), only filling the steps helps.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tsforge.data.load import load_panel
from tsforge.errors import DataValidationError


def _monthly(tmp_path, gaps: dict[str, list[int]]) -> str:
    frames = [
        pd.DataFrame(
            {
                "unique_id": sid,
                "ds": pd.date_range("2015-01-01", periods=40, freq="MS").delete(gaps.get(sid, [])),
                "y": 1.0,
            }
        )
        for sid in ("a", "b", "c")
    ]
    path = tmp_path / "m.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def test_a_missing_month_beside_regular_monthly_series_is_advised_filling_only(tmp_path):
    with pytest.raises(DataValidationError, match=r"is not one monthly \(MS\) step") as err:
        load_panel(_monthly(tmp_path, {"b": [20, 21, 22]}))
    python, cli = str(err.value), err.value.for_cli()
    assert "(insert the missing steps as missing values: fill_gaps=True)" in python, python
    assert "(insert the missing steps as missing values: --fill-gaps)" in cli, cli
    assert "set the frequency" not in python and "set the frequency" not in cli, (python, cli)


def test_a_frequency_no_series_shows_is_still_worth_setting(tmp_path):
    """Guard: every series has a gap, so the frequency is the modal step, which may be wrong
    (business days read as daily): the advice to set it stays."""
    with pytest.raises(DataValidationError) as err:
        load_panel(_monthly(tmp_path, {"a": [5], "b": [20], "c": [30]}))
    assert "set the frequency: freq=...; or insert" in str(err.value)
    assert "set the frequency: --freq; or insert" in err.value.for_cli()
