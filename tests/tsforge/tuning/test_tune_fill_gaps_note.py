"""``tsforge tune --fill-gaps`` says the steps it inserted once.

Found on a monthly panel with a skipped month: the reader said "--fill-gaps inserted 1 missing
step", then the trials said "1 missing value ... input windows carry the last observed value
over it": the same step twice, as ``train`` and ``recommend`` had said it before they were made
to say it in one note.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli


@pytest.fixture
def skipped_month_csv(tmp_path) -> str:
    """Three monthly series of 48 values; ``b`` lacks the row of its 21st month."""
    rng = np.random.default_rng(0)
    frames = []
    for sid, level in (("a", 10.0), ("b", 30.0), ("c", 50.0)):
        t = np.arange(48)
        y = level + 2 * np.sin(2 * np.pi * t / 12) + rng.standard_normal(48)
        frame = pd.DataFrame(
            {"unique_id": sid, "ds": pd.date_range("2001-01-01", periods=48, freq="MS"), "y": y}
        )
        frames.append(frame.drop(index=20) if sid == "b" else frame)
    path = tmp_path / "skipped.csv"
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)
    return str(path)


def test_tune_fill_gaps_says_the_inserted_step_in_one_note(skipped_month_csv, tracking_uri, tmp_path, capsys):
    code, _, err = run_cli(
        capsys, "tune", skipped_month_csv, "--model", "dlinear", "--horizon", "6", "--trials", "2",
        "--fill-gaps", "--train-option", "max_epochs=2", "--storage", str(tmp_path / "optuna.journal"),
        "--study", "skipped", "--no-progress",
    )  # fmt: skip
    said = " ".join(err.split())
    assert code == 0, said[-3000:]
    notes = [n for n in said.split("note: ") if "'b' (1)" in n]
    assert len(notes) == 1, said  # one note on the one missing step, for both trials and the best
    assert "1 of them is a step --fill-gaps inserted" in notes[0], notes[0]
    # compared without spaces: the console wraps a long path wherever it breaks the line
    start = "".join(f"{skipped_month_csv}: 1 missing value in 1 of 3 series".split())
    assert "".join(notes[0].split()).startswith(start), notes[0]
