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
    assert out["validation_served_weights"]["scores_per_step"] == n
    assert out["two_windows_router_prior"]["scores_per_step"] == 2 * n
    assert out["two_windows_served_weights"]["scores_per_step"] == 2 * n
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


def test_the_window_before_the_test_window_scores_the_designs_without_the_test_window(
    halves_router, halves_kb
):
    cases = halves_kb["halves1"]
    T = cases.test_window
    earlier = evaluate_designs(halves_router, cases, target=T - 1)
    # a design needing a window before the first one (window T - 4 for the prior of T - 3's
    # routing) is left out, not scored on fewer windows than it names
    assert T == 3
    assert "two_windows_as_served" not in earlier
    assert set(earlier) == set(DESIGNS) - {"two_windows_as_served"}

    # the test window's outcomes moved far off change nothing scored on the window before it
    y = cases.y.copy()
    y[cases.window == T] += 1e4
    assert evaluate_designs(halves_router, replace(cases, y=y), target=T - 1) == earlier

    # ... while that window's own outcomes are what it scores
    y = cases.y.copy()
    y[cases.window == T - 1] += 1e4
    moved = evaluate_designs(halves_router, replace(cases, y=y), target=T - 1)
    assert all(m["coverage_95"] == 0.0 for m in moved.values())


def test_the_served_weights_design_calibrates_on_the_validation_window(halves_router, halves_kb):
    """The served-weights designs combine an earlier window's member forecasts with each
    series' served weights: with every member forecasting the validation window exactly, the
    routed forecast is exact there whatever the weights, and the calibration sees zero scores."""
    cases = halves_kb["halves2"]
    out = evaluate_designs(halves_router, cases)
    forecasts = {k: v.copy() for k, v in cases.forecasts.items()}
    V = cases.window == cases.test_window - 1
    for v in forecasts.values():
        v[V] = cases.y[V]
    exact = evaluate_designs(halves_router, replace(cases, forecasts=forecasts))
    # the validation window now holds only zero scores: its served-weights bounds shrink to
    # nothing and cover (almost) nothing of the test window, unlike before
    assert exact["validation_served_weights"]["coverage_80"] < out["validation_served_weights"]["coverage_80"]
    assert exact["validation_served_weights"]["coverage_95"] < 0.2


def test_summary_counts_coverage_error_and_collections_within_the_goal():
    def row(c80: float, c95: float) -> dict:
        return {"designs": {d: {"coverage_80": c80, "coverage_95": c95} for d in DESIGNS}}

    summary = summarise({"a": row(0.80, 0.95), "b": row(0.70, 0.96)})
    for s in summary.values():
        assert s["within_2.5_points_both_levels"] == 1 and s["collections"] == 2
        assert np.isclose(s["mean_abs_coverage_error_points"], (0 + 0 + 10 + 1) / 4)

    # a design a collection could not score is summarised over the others only
    rows = {"a": row(0.80, 0.95), "b": row(0.70, 0.96)}
    del rows["b"]["designs"]["two_windows_as_served"]
    assert summarise(rows)["two_windows_as_served"]["collections"] == 1
    assert "designs_earlier" not in rows["a"] and summarise(rows, "designs_earlier") == {}


def test_the_design_is_chosen_on_the_other_collections_earlier_windows():
    """Leaving each collection out, the design with the lowest error on the *other* collections'
    earlier windows is chosen: a design best on the held-out collection alone is not."""
    from benchmarks.routed_calibration import loco_choice

    def row(errors: dict[str, float]) -> dict:
        # coverage 80 + e at 80 % and 95 + e at 95 %: a mean absolute error of e points
        return {
            "designs_earlier": {
                d: {"coverage_80": (80 + e) / 100, "coverage_95": (95 + e) / 100} for d, e in errors.items()
            }
        }

    a, b = "validation_router_prior", "two_windows_served_weights"
    rows = {"x": row({a: 0.0, b: 4.0}), "y": row({a: 3.0, b: 1.0}), "z": row({a: 3.0, b: 1.0})}
    out = loco_choice(rows)
    # x is best under a, but y and z, which choose for x, prefer b; for y, x and z give a 1.5
    # and b 2.5 points, so a (and likewise for z)
    assert out["by_held_out_collection"] == {"x": b, "y": a, "z": a}
    assert out["times_chosen"] == {a: 2, b: 1}
