"""The routed-ensemble calibration study (``benchmarks/routed_calibration.py``) on the synthetic
two-halves knowledge base: each design calibrates on the windows it names, never on the test
window, and the summary counts what the README quotes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from benchmarks.routed_calibration import DESIGNS, evaluate_designs, summarise


def test_each_design_calibrates_on_its_own_windows_and_never_on_the_test_window(halves_router, halves_kb):
    cases = halves_kb["halves1"]
    n = int((cases.window == cases.test_window).sum())
    out = evaluate_designs(halves_router, cases)
    assert set(out) == set(DESIGNS)
    assert out["validation_router_prior"]["scores_per_step"] == n
    assert out["validation_as_served"]["scores_per_step"] == n
    assert out["two_windows_as_served"]["scores_per_step"] == 2 * n
    for metrics in out.values():
        assert 0.5 < metrics["coverage_80"] <= metrics["coverage_95"] <= 1.0

    # outcomes of the test window far off: if any design had calibrated on them its bounds
    # would stretch to reach them; none does, so nothing is covered any more
    y = cases.y.copy()
    y[cases.window == cases.test_window] += 1e4
    shifted = evaluate_designs(halves_router, replace(cases, y=y))
    for design, metrics in shifted.items():
        assert metrics["coverage_95"] == 0.0, design
        assert metrics["scores_per_step"] == out[design]["scores_per_step"]


def test_summary_counts_coverage_error_and_collections_within_the_goal():
    def row(c80: float, c95: float) -> dict:
        return {"designs": {d: {"coverage_80": c80, "coverage_95": c95} for d in DESIGNS}}

    summary = summarise({"a": row(0.80, 0.95), "b": row(0.70, 0.96)})
    for s in summary.values():
        assert s["within_2.5_points_both_levels"] == 1 and s["collections"] == 2
        assert np.isclose(s["mean_abs_coverage_error_points"], (0 + 0 + 10 + 1) / 4)
