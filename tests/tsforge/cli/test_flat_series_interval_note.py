"""Where intervals are scored, the note on flat series says they are left out of MSIS (and the
interval width) too, and that coverage counts them.

Why: ``train`` on 12 series, one constant, reported "95 %: coverage 95.1 %, width 13.4571, MSIS
13.4571" and "left out of the MASE and OWA means"; all 7 misses of the panel were the flat
series', in the coverage, while its MSIS was left out, and nothing said which series each number
was over.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _flat_panel_csv(tmp_path) -> str:
    """Three monthly series of 40 values, ``a`` constant at 7."""
    rng = np.random.default_rng(0)
    frames = []
    for sid, level in (("a", 7.0), ("b", 20.0), ("c", 40.0)):
        y = level + (0 if sid == "a" else 1) * (np.sin(np.arange(40)) * 3 + rng.standard_normal(40))
        frames.append(
            pd.DataFrame({"unique_id": sid, "ds": pd.date_range("2020-01-01", periods=40, freq="MS"), "y": y})
        )
    path = tmp_path / "flat.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def test_the_flat_note_names_msis_and_coverage_where_intervals_were_scored(capsys):
    from tsforge.cli.core import _note_unscaled_series

    metrics = {"test_n_mase_excluded": 1.0, "test_n_smape_excluded": 0.0, "test_coverage_95": 95.1}
    _note_unscaled_series(metrics, 12)
    err = _one_line(capsys.readouterr().err)
    assert (
        "1 of 12 series has a flat history (the same value at every step, or one season repeated): no "
        "in-sample error to scale by, left out of the MASE, OWA, interval width and MSIS means; sMAPE "
        "and coverage score them"
    ) in err, err
    _note_unscaled_series({**metrics, "test_n_mase_excluded": 12.0}, 12)
    err = _one_line(capsys.readouterr().err)
    assert "so MASE, OWA, interval width and MSIS are undefined; sMAPE and coverage score them" in err, err


def test_without_intervals_the_flat_note_is_as_before(capsys):
    """Guard: no interval scores, no word on them."""
    from tsforge.cli.core import _note_unscaled_series

    _note_unscaled_series({"test_n_mase_excluded": 1.0, "test_n_smape_excluded": 0.0}, 12)
    err = _one_line(capsys.readouterr().err)
    assert "left out of the MASE and OWA means; sMAPE scores them" in err, err
    assert "MSIS" not in err and "coverage" not in err


def test_train_says_its_coverage_counts_the_flat_series(tmp_path, capsys, tracking_uri):
    args = ("train", _flat_panel_csv(tmp_path), "--model", "naive", "--horizon", "3", "--no-track")
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err[-3000:]
    text = _one_line(out + err)
    assert "Intervals on the test window" in text, text
    assert "1 of 3 series has a flat history" in text
    assert "left out of the MASE, OWA, interval width and MSIS means; sMAPE and coverage score them" in text


def test_cv_says_its_coverage_counts_the_cases_without_a_scale(tmp_path, capsys):
    args = (
        "cv",
        _flat_panel_csv(tmp_path),
        "--model",
        "naive",
        "-H",
        "3",
        "--n-windows",
        "3",
        "--level",
        "80",
    )
    code, out, err = run_cli(capsys, *args, "--no-track")
    assert code == 0, out + err
    text = _one_line(out + err)
    assert "note: MASE left out: cases" in text, text
    assert "the intervals' width and MSIS leave out those without a scale too, coverage counts them" in text
    code, out, err = run_cli(
        capsys, "cv", _flat_panel_csv(tmp_path), "--model", "naive", "-H", "3", "--no-track"
    )
    assert code == 0, out + err
    assert "MSIS leave out" not in _one_line(out + err)  # guard: no interval table, no word on it
