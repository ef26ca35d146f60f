"""``tsforge models --registered`` marks a window model's normalised MSE and MAE.

Why: "v2: MASE 0.3679 · MSE 0.03704 · MAE 0.1534" read as errors in the data's units, where a
window model logs them on the z-scale (beside its ``test_orig_*``); a panel's are in the data's
units and stay unmarked.
"""

from __future__ import annotations

from tsforge.cli.core import _headline


def test_a_window_models_mse_and_mae_are_marked_normalised():
    line = _headline({"test_mase": 0.3679, "test_mse": 0.03704, "test_mae": 0.1534, "test_orig_mae": 2.5})
    assert "MSE 0.03704 (normalised)" in line and "MAE 0.1534 (normalised)" in line, line
    assert "MASE 0.3679 ·" in line  # scale-free: no mark


def test_a_panels_scores_in_the_datas_units_are_not_marked():
    line = _headline({"test_mase": 0.9, "test_mse": 12.5, "test_mae": 3.1})
    assert "normalised" not in line and "MSE 12.5" in line, line
