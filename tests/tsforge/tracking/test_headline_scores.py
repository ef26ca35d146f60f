"""The headline scores another run repeats (a tuning study's ``best_*``) are the training run's."""

from __future__ import annotations

from tsforge.tracking.trained_model import headline_scores


def test_headline_scores_leave_out_only_a_window_models_normalised_smape():
    """A study's parent logged ``best_test_smape`` 66.9 (an sMAPE of z-scores) beside the best
    run's ``test_orig_smape`` 4.99: it filtered by HEADLINE_METRICS alone, with no public way to
    ask for a training run's own headline. A panel model's sMAPE (in the data's units, no
    ``orig_`` twin) stays."""
    window = {
        "val_mse": 0.17,
        "test_mse": 0.18,
        "test_smape": 66.9,
        "test_orig_smape": 4.99,
        "test_rmsse": 1.0,
    }
    assert headline_scores(window) == {"val_mse": 0.17, "test_mse": 0.18, "test_orig_smape": 4.99}
    panel = {"val_mase": 1.2, "test_mase": 1.1, "test_smape": 5.7}
    assert headline_scores(panel) == panel
