"""What ``metrics/scores.json`` says each score is measured in: a window model's coverage, width,
MSIS, MASE and scaled CRPS were all labelled "normalised", and its MAPE of z-scores (978 %) was
logged beside the original-units MAPE the CLI shows alone."""

from __future__ import annotations

from tsforge.tracking.trained_model import _scores_table

WINDOW_SCORES = {
    "test_mse": 0.32,
    "test_orig_mse": 1.8,
    "test_mase": 1.107,
    "test_orig_mase": 1.107,
    "test_mape": 959.3,
    "test_orig_mape": 6.73,
    "test_smape": 91.7,
    "test_orig_smape": 6.83,
    "test_wape": 0.62,
    "test_orig_wape": 0.069,
    "test_coverage_80": 0.49,
    "test_width_80": 2.57,
    "test_msis_80": 7.38,
    "test_scaled_crps": 0.84,
    "test_skill": 0.19,
    "val_mape": 187.8,
    "val_orig_mape": 9.33,
}


def _scales(table) -> dict[str, str]:
    return dict(zip(table["key"], table["scale"], strict=True))


def test_a_window_models_scores_say_what_they_are_measured_in():
    scales = _scales(_scores_table(WINDOW_SCORES, windowed=True))
    assert scales["test_coverage_80"] == "share of values inside the interval"
    assert scales["test_width_80"] == scales["test_msis_80"] == "each channel's training seasonal-naive MAE"
    assert scales["test_mase"] == "scale-free"
    assert "pooled" in scales["test_scaled_crps"] and "seasonal naive" in scales["test_scaled_crps"]
    assert scales["test_mse"] == "normalised"
    assert scales["test_orig_mse"] == scales["test_orig_mape"] == "original"


def test_a_window_models_mape_smape_and_wape_are_in_original_units_only():
    keys = set(_scores_table(WINDOW_SCORES, windowed=True)["key"])
    assert not keys & {"test_mape", "test_smape", "test_wape", "val_mape"}
    assert {"test_orig_mape", "test_orig_smape", "test_orig_wape", "val_orig_mape"} <= keys


def test_a_panel_models_interval_scores_say_their_scale():
    scores = {
        "test_mase": 0.9,
        "test_mape": 12.0,
        "test_coverage_80": 0.81,
        "test_msis_80": 5.2,
        "test_scaled_crps": 1.6,
        "test_wql": 0.1,
    }
    scales = _scales(_scores_table(scores, windowed=False))
    # pooled over series, weighted by their size: not "per series" as a MASE is (a reviewer read a
    # scaled CRPS 1.64 beside a MASE 0.86 as a contradiction)
    assert "pooled" in scales["test_scaled_crps"] and "pooled" in scales["test_wql"]
    assert scales["test_coverage_80"] == "share of values inside the interval"
    assert scales["test_msis_80"] == "each series' seasonal-naive MAE"
    assert scales["test_mase"] == scales["test_mape"] == "scale-free, per series"  # a panel is not normalised
