"""``tsforge profile`` and ``tsforge train`` on a wide file with a gap say so, in one note each.

A gap of 151 values in one of five hourly channels left 18 windows out of the profile, and was
trained around, without a word; only ``forecast`` named missing values of its history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def _wide_csv(tmp_path, gap: slice | None = slice(300, 359)) -> str:
    """Three hourly channels of 700 steps, channel ``b`` missing over ``gap`` (60 values)."""
    rng = np.random.default_rng(1)
    t = np.arange(700)
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=700, freq="h")})
    for j, name in enumerate("abc"):
        frame[name] = 10 + np.sin(2 * np.pi * t / 24 + j) + rng.normal(0, 0.1, t.size)
    if gap is not None:
        frame.loc[gap, "b"] = np.nan
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_profile_notes_the_missing_values_and_the_windows_left_out(tmp_path, capsys):
    code, out, err = run_cli(capsys, "profile", _wide_csv(tmp_path), "--window", "96", "--no-progress")
    assert code == 0, err
    notes = [" ".join(n.split()) for n in " ".join(err.split("\n")).split("note: ")[1:]]
    said = [n for n in notes if "missing values" in n]
    assert len(said) == 1, err
    # windows of 96 every 6 steps: those holding more than 9 of the gap's 60 values are left out
    starts = np.arange(0, 700 - 96 + 1, 6)
    gap = np.zeros(700, dtype=bool)
    gap[300:360] = True
    left_out = sum(gap[s : s + 96].sum() > 9.6 for s in starts)
    assert said[0].startswith("wide.csv: 60 missing values in 1 of 3 series: 'b' (60)"), said
    assert (
        f"the {left_out} of {3 * len(starts)} windows missing more than 10 % of their values are left out"
        in said[0]
    )
    assert f"{3 * len(starts) - left_out} windows of 96 steps" in " ".join(out.split())  # the title agrees


def test_profile_of_complete_data_draws_no_note_on_missing_values(tmp_path, capsys):
    code, _, err = run_cli(
        capsys, "profile", _wide_csv(tmp_path, gap=None), "--window", "96", "--no-progress"
    )
    assert code == 0 and "missing values" not in err, err


def test_train_on_a_wide_file_notes_its_missing_values_and_unread_coordinates(tmp_path, capsys):
    coords = tmp_path / "stations.csv"
    pd.DataFrame({"station": list("abc"), "lat": [45.0, 46.0, 47.0], "lon": [7.0, 8.0, 9.0]}).to_csv(
        coords, index=False
    )
    args = ("train", _wide_csv(tmp_path), "--model", "dlinear", "--split", "7:1:2", "--horizon", "6")
    code, _, err = run_cli(
        capsys, *args, "--input", "24", "--epochs", "1", "--no-track", "--coords", str(coords)
    )
    assert code == 0, err[-3000:]
    flat = " ".join(err.split())
    assert "60 missing values in 1 of 3 series: 'b' (60); dlinear's input windows carry" in flat, err
    assert "'dlinear' does not read station coordinates" in flat, err
