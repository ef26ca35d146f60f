"""Edge cases found by auditing every registered model through the public panel API.

Each test pins one defect that a user could hit: a misleading error, a saved model that
did not answer exactly as the model it was saved from, or a forecast that depended on the
other series of a request.
"""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import ConfigError
from tsforge.panels.calibrate import calibrate_forecasts
from tsforge.panels.conformal import ConformalCalibration
from tsforge.panels.global_models import fit_global
from tsforge.panels.predictor import PanelPredictor


def _panel(n: int = 6, seed: int = 0) -> Panel:
    rng = np.random.default_rng(seed)
    arrays = [
        10.0 + 3 * np.sin(np.arange(36 + 2 * i) * np.pi / 6) + rng.standard_normal(36 + 2 * i)
        for i in range(n)
    ]
    return Panel.from_arrays(arrays, freq="MS", name="toy")


def test_window_mean_on_a_panel_is_refused_without_pointing_at_a_local_model_that_does_not_exist():
    """``mean`` is a window baseline with no panel (local) version: the error used to say "use
    it as a local model", which no command accepts; it must say what to use instead."""
    with pytest.raises(ConfigError) as err:
        fit_global(_panel(), "mean", 6)
    message = str(err.value)
    assert "use it as a local model" not in message
    assert "'mean'" in message and "naive" in message and "seasonal_naive" in message


def test_a_saved_calibration_gives_exactly_the_bounds_of_the_one_it_was_saved_from(tmp_path):
    """A registered model must serve the intervals it was scored with: the scores used to be
    stored as float32, so every bound of a loaded model moved by ~1e-7 of its scale."""
    rng = np.random.default_rng(3)
    panel = _panel(n=40)
    h = 6
    y = 10.0 + rng.standard_normal((len(panel), h)) / 3.0
    pred = y + rng.standard_normal((len(panel), h)) / 7.0
    calibration = calibrate_forecasts(panel, y, pred, info={"model": "probe"})
    calibration.save(tmp_path)
    loaded = ConformalCalibration.load(tmp_path)
    assert loaded is not None
    histories = [panel.series(i) for i in range(len(panel))]
    probs = np.array([0.025, 0.1, 0.25, 0.75, 0.9, 0.975])
    before = calibration.quantiles(pred, histories, list(panel.ids), probs)
    after = loaded.quantiles(pred, histories, list(panel.ids), probs)
    np.testing.assert_array_equal(after, before)


@pytest.mark.parametrize("model", ["dlinear", "lightgbm"])
def test_an_all_zero_series_is_forecast_the_same_whatever_else_the_request_holds(model: str, tmp_path):
    """A series with nothing but zeros is scaled by a panel's unit; that unit used to be taken
    from the request, so the same zero history was forecast 0 alone, 0.2 beside a series near
    10 and 2e8 beside a series near 1e9. The unit is the training panel's, kept with the model."""
    panel = _panel(n=8)
    fitted, _ = fit_global(panel, model, 6, train_config={"max_epochs": 1})
    zeros = np.zeros(30)
    rng = np.random.default_rng(1)
    big = 1e9 * (10.0 + rng.standard_normal(30))
    alone = fitted.predict_next(Panel.from_arrays([zeros], freq="MS"))[0]
    beside_big = fitted.predict_next(Panel.from_arrays([zeros, big], freq="MS"))[0]
    beside_small = fitted.predict_next(Panel.from_arrays([zeros, big / 1e9], freq="MS"))[0]
    np.testing.assert_array_equal(beside_big, alone)
    np.testing.assert_array_equal(beside_small, alone)
    assert np.all(np.abs(alone) < 100.0)  # the training panel's units (values near 10)
    # a saved model keeps the unit
    predictor = PanelPredictor(model, 6, freq="MS", season_length=12, global_model=fitted)
    loaded = PanelPredictor.from_dir(predictor.save(tmp_path / "m"))
    assert loaded.global_model is not None
    again = loaded.global_model.predict_next(Panel.from_arrays([zeros, big], freq="MS"))[0]
    np.testing.assert_array_equal(again, alone)


def test_a_global_model_forecasts_a_shifted_panel_shifted():
    """Forecasts went back to a series' units through the window's float32 ``loc``: a series
    near 3e5 lost up to 0.016 (half a float32 step) of every forecast, whatever its spread."""
    panel = _panel(n=8)
    fitted, _ = fit_global(panel, "dlinear", 6, train_config={"max_epochs": 1})
    shift = 3.0e5 + 0.123
    arrays = [panel.series(i) for i in range(len(panel))]
    base = fitted.predict_next(Panel.from_arrays(arrays, freq="MS"))
    moved = fitted.predict_next(Panel.from_arrays([a + shift for a in arrays], freq="MS"))
    np.testing.assert_allclose(moved - shift, base, atol=1e-6)
