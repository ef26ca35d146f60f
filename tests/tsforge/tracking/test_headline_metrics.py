"""Which scores become MLflow metrics (the runs table's columns) and which stay in the table."""

from __future__ import annotations

from tsforge.tracking.trained_model import _split_scores


def test_a_routed_runs_comparison_scores_are_run_metrics():
    """The routed ensemble's pick / weights / best-single / oracle test MASEs were only in
    metrics/scores.json, so runs could not be compared on them in the UI."""
    metrics = {
        "test_mase": 0.9,
        "test_mase_pick": 0.95,
        "test_mase_weights": 0.9,
        "test_mase_best_single": 0.93,
        "test_mase_oracle": 0.7,
        "test_rmsse": 1.1,
        "train_seconds": 12.0,
    }
    logged, scores = _split_scores(metrics)
    assert set(logged) == set(metrics) - {"test_rmsse"}
    assert set(scores) == set(metrics) - {"train_seconds"}
