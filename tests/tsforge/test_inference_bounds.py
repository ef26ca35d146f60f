"""Point forecasts and their bounds agree: lower <= point <= upper where tsforge can promise it
(the non-negative floor, native intervals centred on the forecast), the same point with or
without bounds, and a level that looks like a fraction is answered with a note."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError, TsforgeWarning
from tsforge.inference import (
    IntervalRequest,
    Predictor,
    SeriesInput,
    level_note,
    zero_width_note,
)
from tsforge.models import ModelContext, build_model
from tsforge.panels.calibrate import calibrate_task
from tsforge.panels.conformal import ConformalCalibration
from tsforge.panels.predictor import PanelPredictor

LEVELS = [50, 80, 95]
#: a monthly series falling steadily towards 0: drift and Theta forecast it below 0
DECLINE = np.linspace(10.0, 0.2, 24)
DATES = pd.date_range("2018-01-01", periods=24, freq="MS").values


def _decline() -> list[SeriesInput]:
    return [SeriesInput("decline", DECLINE, DATES)]


def _calibration(floor: float | None) -> ConformalCalibration:
    """Pooled scores of 60 series, symmetric around 0, with the non-negative floor or none."""
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((60, 6))
    return ConformalCalibration.from_scores(
        scores, [f"s{i}" for i in range(60)], season_length=12, scale_window=12, floor=floor
    )


def _assert_point_inside(forecast, levels) -> None:
    for lv in levels:
        lo, hi = forecast.bounds[f"lo-{lv:g}"], forecast.bounds[f"hi-{lv:g}"]
        assert (lo <= forecast.values).all() and (forecast.values <= hi).all(), (lv, lo, forecast.values, hi)


def test_a_floored_lower_bound_never_sits_above_the_point_forecast():
    """A non-negative calibration clips the bounds at 0; the point forecast of a series falling
    towards 0 (random walk with drift: −0.23 at step 1) was left below its own lower bound."""
    predictor = PanelPredictor("rw_drift", 6, freq="MS", season_length=12, calibration=_calibration(0.0))
    with_bounds = predictor.predict_series(_decline(), 6, level=LEVELS, quantiles=[0.1, 0.9])[0]
    assert (with_bounds.values >= 0).all()
    _assert_point_inside(with_bounds, LEVELS)
    # the point is one number whether or not bounds are asked for
    alone = predictor.predict_series(_decline(), 6)[0]
    np.testing.assert_array_equal(alone.values, with_bounds.values)


def test_no_floor_leaves_a_negative_point_forecast_alone():
    """Without a floor (a model calibrated on data with negative values) nothing is clipped."""
    predictor = PanelPredictor("rw_drift", 6, freq="MS", season_length=12, calibration=_calibration(None))
    out = predictor.predict_series(_decline(), 6, level=[80])[0]
    step = (DECLINE[-1] - DECLINE[0]) / (DECLINE.size - 1)
    np.testing.assert_allclose(out.values, DECLINE[-1] + step * np.arange(1, 7))
    assert (out.values < 0).any()


def test_the_floor_applies_only_to_non_negative_histories():
    """A history with a negative value keeps its negative point forecast, as its bounds do."""
    predictor = PanelPredictor("rw_drift", 6, freq="MS", season_length=12, calibration=_calibration(0.0))
    dipped = DECLINE.copy()
    dipped[3] = -1.0
    out = predictor.predict_series([SeriesInput("dipped", dipped, DATES)], 6, level=[80])[0]
    assert (out.values < 0).any() and (out.bounds["lo-80"] < 0).any()


def test_native_intervals_contain_the_point_forecast():
    """statsforecast's AutoTheta draws its intervals from simulated paths: on a series falling
    steadily towards 0 its 50, 80 and 95 % intervals all lay above its own forecast."""
    predictor = PanelPredictor("auto_theta", 6, freq="MS", season_length=12, interval_method="native")
    out = predictor.predict_series(_decline(), 6, level=LEVELS, quantiles=[0.5])[0]
    _assert_point_inside(out, LEVELS)
    np.testing.assert_array_equal(out.bounds["q-0.5"], out.values)
    for a, b in zip(LEVELS, LEVELS[1:], strict=False):  # still nested
        assert (out.bounds[f"lo-{b}"] <= out.bounds[f"lo-{a}"]).all()
        assert (out.bounds[f"hi-{a}"] <= out.bounds[f"hi-{b}"]).all()


def test_cross_validated_native_intervals_contain_the_point_forecast_as_forecasts_do():
    """``tsforge cv --intervals native`` (and the interval benchmark) kept AutoTheta's band above
    its own forecast on the falling series, where a forecast of the same fit widened it: the
    bounds now contain the point where the local model meets the series, behind both doors."""
    from tsforge.data.panel import Panel
    from tsforge.panels.cv import cross_validation

    history = np.concatenate([DECLINE, DECLINE[-1] + (DECLINE[1] - DECLINE[0]) * np.arange(1, 7) * 0.01])
    panel = Panel.from_arrays([history], ids=["decline"], starts=DATES[:1], freq="MS", name="decline")
    frame = cross_validation(panel, ["auto_theta"], 6, level=LEVELS, progress=False, engine="local", n_jobs=1)
    for lv in LEVELS:
        lo, hi = frame[f"auto_theta-lo-{lv}"], frame[f"auto_theta-hi-{lv}"]
        assert (lo <= frame["auto_theta"]).all() and (frame["auto_theta"] <= hi).all(), lv
    served = PanelPredictor("auto_theta", 6, freq="MS", season_length=12, interval_method="native")
    out = served.predict_series([SeriesInput("decline", DECLINE, DATES)], 6, level=LEVELS)[0]
    for lv in LEVELS:  # the cross-validated window is the same fit: the same bands
        np.testing.assert_allclose(frame[f"auto_theta-lo-{lv}"], out.bounds[f"lo-{lv}"], rtol=1e-9)
        np.testing.assert_allclose(frame[f"auto_theta-hi-{lv}"], out.bounds[f"hi-{lv}"], rtol=1e-9)


def test_native_bounds_are_widened_only_on_the_side_that_excludes_the_point():
    from tsforge.models.statistical import _bounds_around_mean

    res = {
        "mean": np.array([1.0, 0.5, -1.0]),
        "lo-80": np.array([2.0, -1.0, -3.0]),  # above the point at step 1
        "hi-80": np.array([3.0, 1.0, -2.0]),  # below it at step 3
    }
    out = _bounds_around_mean(res)
    np.testing.assert_array_equal(out["lo-80"], [1.0, -1.0, -3.0])
    np.testing.assert_array_equal(out["hi-80"], [3.0, 1.0, -1.0])
    np.testing.assert_array_equal(out["mean"], res["mean"])


def _naive_window_predictor() -> Predictor:
    """The naive window model on non-negative counts (many zeros), calibrated as training does."""
    rng = np.random.default_rng(3)
    values = rng.poisson(0.4, (400, 2)).astype(np.float32)
    ts = pd.date_range("2021-01-01", periods=400, freq="h").values
    task = prepare_task(TimeSeriesData(values, ts, ("a", "b"), "h"), 24, 6)
    model = build_model("naive", ModelContext.from_task(task), {})
    predictor = Predictor(model, task.scaler)
    predictor.calibration = calibrate_task(model, task)
    return predictor


def test_a_naive_window_forecast_of_a_zero_is_zero():
    """The window is standardised in float32: a last value of 0 came back as about −1e-8, below
    the lower bound of 0 that the (non-negative) calibration gives."""
    predictor = _naive_window_predictor()
    assert predictor.calibration.floor == 0.0
    history = np.r_[np.ones(30), 2.0, 0.0]
    for kw in ({}, {"level": [80, 95]}):
        out = predictor.predict_series([SeriesInput("a", history)], 6, **kw)[0]
        np.testing.assert_array_equal(out.values, np.zeros(6))
    _assert_point_inside(out, [80, 95])


def test_a_level_below_one_is_answered_with_a_note():
    """``level=0.5`` is a 0.5 % interval: valid, but almost always meant as 50 % (or a quantile)."""
    predictor = PanelPredictor("naive", 3, freq="MS", season_length=12, calibration=_calibration(0.0))
    with pytest.warns(
        TsforgeWarning, match=r"level 0\.5 asks for a 0\.5 % central interval.*ask for level 50"
    ):
        out = predictor.predict_series(_decline(), 3, level=[0.5])[0]
    assert set(out.bounds) == {"lo-0.5", "hi-0.5"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", TsforgeWarning)
        predictor.predict_series(_decline(), 3, level=[50, 95])
    assert level_note([50, 95]) is None and level_note(None) is None
    assert "level 0.9" in level_note([0.9, 80])


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_non_finite_level_is_refused_as_not_finite(bad):
    with pytest.raises(ConfigError, match=r"level must be finite numbers, got (nan|inf)"):
        IntervalRequest.parse([80, bad])


def test_a_zero_width_native_interval_comes_with_a_note():
    """statsforecast's naive on a flat history has no error, so its 80 and 95 % "intervals" are
    the point itself; that was answered without a word. A series that moves gets no note."""
    predictor = PanelPredictor("naive", 3, freq="MS", season_length=12, interval_method="native")
    flat = SeriesInput("flat", np.full(24, 5.0), DATES)
    moving = SeriesInput("moving", np.arange(24.0) % 5, DATES)
    with pytest.warns(
        TsforgeWarning, match=r"80 and 95 % intervals of 1 of 2 series \('flat'\) have zero width"
    ):
        out = predictor.predict_series([flat, moving], 3, level=[80, 95])
    np.testing.assert_array_equal(out[0].bounds["hi-95"] - out[0].bounds["lo-95"], 0.0)
    assert zero_width_note(out[1:], "native") is None
    assert "conformal intervals" in zero_width_note(out, "native")
    with warnings.catch_warnings():  # no bounds asked for: nothing to say
        warnings.simplefilter("error", TsforgeWarning)
        predictor.predict_series([flat], 3)
