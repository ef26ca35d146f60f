"""CLI refusals name the flags a CLI user types, and advise only what can work.

Why (README walk): the too-short refusal ended "Leave them out (--drop-short, drop_short=True)
or use a shorter horizon (--horizon, series='TINY')" — Python's argument beside the flag, the
flag read as a place in the location list, and ``--drop-short`` advised when every series was
too short (leaving them out would leave nothing); a missing month was answered "(set the
frequency: freq= / --freq; or ...: fill_gaps=True / --fill-gaps)".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.cli.app import flag_worded
from tsforge.errors import DataValidationError


def _long_csv(path: Path, lengths: dict[str, int]) -> str:
    frames = [
        pd.DataFrame(
            {"unique_id": sid, "ds": pd.date_range("2015-01-01", periods=n, freq="MS"), "y": range(n)}
        )
        for sid, n in lengths.items()
    ]
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _said(capsys, *args: str) -> str:
    code, out, err = run_cli(capsys, *args)
    assert code == 2, out + err
    return " ".join(err.split())


def test_some_series_too_short_are_refused_with_flags_only(tmp_path, capsys):
    csv = _long_csv(tmp_path / "d.csv", {"A": 60, "B": 60, "TINY": 5})
    said = _said(capsys, "train", csv, "--model", "seasonal_naive", "--horizon", "12", "--no-track")
    assert "Leave them out (--drop-short) or use a shorter horizon (--horizon N) (series='TINY')" in said, (
        said
    )
    assert "drop_short=True" not in said and "(--horizon," not in said, said


def test_every_series_too_short_is_not_advised_to_drop_them(tmp_path, capsys):
    csv = _long_csv(tmp_path / "d.csv", {"A": 20, "B": 15})
    said = _said(capsys, "train", csv, "--model", "seasonal_naive", "--horizon", "12", "--no-track")
    assert "2 of 2 series have fewer than 25 values" in said and "the longest has 20" in said, said
    assert "Use a shorter horizon (--horizon N)" in said, said
    assert "--drop-short" not in said and "drop_short" not in said, said


def test_python_too_short_refusal_names_the_arguments():
    from tsforge.data.panel import Panel
    from tsforge.panels.protocol import holdout_split

    panel = Panel.from_long(
        pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=10, freq="D"), "y": 1.0})
    )
    with pytest.raises(DataValidationError) as err:
        holdout_split(panel, 7)
    assert "Use a shorter horizon (horizon=N)" in str(err.value) and "drop_short" not in str(err.value)
    assert "(--horizon N)" in err.value.for_cli()


def test_an_inserted_flag_is_its_own_group_before_the_location():
    exc = DataValidationError("no val windows to calibrate intervals on", field="split", file="wide.csv")
    said = flag_worded(exc, ["train", "wide.csv", "-m", "dlinear", "--split", "7:1:2"])
    assert said == "no val windows to calibrate intervals on (--split) (file='wide.csv')", said


def test_a_missing_month_is_advised_in_flags_on_the_cli_and_arguments_in_python(tmp_path, capsys):
    from tsforge.data.load import load_panel

    months = pd.date_range("2015-01-01", periods=40, freq="MS").delete(20)
    path = tmp_path / "m.csv"
    pd.DataFrame({"unique_id": "S", "ds": months, "y": range(39)}).to_csv(path, index=False)
    said = _said(capsys, "cv", str(path), "--model", "naive", "-H", "4", "--n-windows", "1", "--no-track")
    assert "(set the frequency: --freq; or insert the missing steps as missing values: --fill-gaps)" in said
    assert "freq=" not in said.split("(file=")[0] and "fill_gaps" not in said, said
    with pytest.raises(DataValidationError) as err:
        load_panel(str(path))
    message = str(err.value)
    assert "freq=..." in message and "fill_gaps=True" in message, message
    assert "--freq" not in message and "--fill-gaps" not in message, message


def test_a_gap_in_integer_time_is_advised_in_flags_on_the_cli(tmp_path, capsys):
    path = tmp_path / "i.csv"
    steps = [t for t in range(1, 41) if t != 20]
    pd.DataFrame({"unique_id": "S", "ds": steps, "y": range(39)}).to_csv(path, index=False)
    said = _said(capsys, "cv", str(path), "--model", "naive", "-H", "4", "--n-windows", "1", "--no-track")
    assert "insert the missing steps as missing values (--fill-gaps)" in said, said
    assert "fill_gaps" not in said, said
