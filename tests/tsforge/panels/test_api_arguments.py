"""Bad arguments to the panel API (cross_validation, forecast_local, a predictor) raise a
ConfigError naming the argument, never an IndexError / TypeError from inside, nor a silently
truncated horizon."""

import numpy as np
import pytest

from tests.conftest import monthly_frame as _frame
from tsforge.data.history import SeriesInput
from tsforge.errors import ConfigError
from tsforge.panels.cv import cross_validation
from tsforge.panels.local import forecast_local
from tsforge.pipeline import TrackingOptions, train_panel


@pytest.fixture(scope="module")
def panel(monthly_panel):
    """The shared three-series monthly panel of ``tests/conftest.py``."""
    return monthly_panel


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"h": 2.5}, "horizon"),
        ({"h": None}, "horizon"),
        ({"h": 3, "n_windows": 1.5}, "n_windows"),
        ({"h": 3, "level": "80"}, "level"),  # was read as the levels 8 and 0
        ({"h": 3, "level": [80, float("nan")]}, "level"),  # was "between 0 and 100, got [80, nan]"
    ],
)
def test_cross_validation_refuses_bad_arguments(panel, kwargs, field):
    with pytest.raises(ConfigError) as err:
        cross_validation(panel, ["naive"], progress=False, **kwargs)
    assert err.value.where["field"] == field
    assert "between 0 and 100" not in str(err.value)


def test_cross_validation_refuses_a_frame():
    with pytest.raises(ConfigError, match="load_panel"):
        cross_validation(_frame(), ["naive"], h=3, progress=False)


def test_a_single_level_is_one_level(panel):
    cv = cross_validation(panel, ["naive"], h=3, level=80, progress=False)
    assert {"naive-lo-80", "naive-hi-80"} <= set(cv.columns)
    fc = forecast_local(panel, ["naive"], 3, level=80, progress=False)
    assert {"naive-lo-80", "naive-hi-80"} <= set(fc.columns)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"h": 2.5}, "horizon"),
        ({"h": None}, "horizon"),
        ({"h": 3, "n_jobs": 2.5}, "n_jobs"),
        ({"h": 3, "level": float("inf")}, "level"),
    ],
)
def test_forecast_local_refuses_bad_arguments(panel, kwargs, field):
    with pytest.raises(ConfigError) as err:
        forecast_local(panel, ["naive"], progress=False, **kwargs)
    assert err.value.where["field"] == field


def test_forecast_local_options_as_dicts_and_for_models_not_run(panel):
    fc = forecast_local(panel, ["auto_ets"], 3, options={"auto_ets": {"season_length": 4}}, progress=False)
    assert fc.shape == (9, 3)
    with pytest.raises(ConfigError, match="not a local model of this run"):
        forecast_local(panel, ["naive"], 3, options={"auto_ets": {"season_length": 4}}, progress=False)
    with pytest.raises(ConfigError, match="load_panel"):
        forecast_local(_frame(), ["naive"], 3, progress=False)


@pytest.fixture(scope="module")
def predictor(panel):
    out = train_panel(panel, "naive", horizon=6, tracking=TrackingOptions(track=False, progress=False))
    return out.predictor


@pytest.mark.parametrize("horizon", [2.5, "abc", True])
def test_predictor_refuses_a_horizon_that_is_not_a_whole_number(predictor, horizon):
    with pytest.raises(ConfigError) as err:
        predictor.predict_frame(_frame(), horizon=horizon)
    assert err.value.where["field"] == "horizon"


def test_predict_series_refuses_what_is_not_a_list_of_series_inputs(predictor):
    with pytest.raises(ConfigError, match="position 0"):
        predictor.predict_series([np.arange(10.0)], 3)
    with pytest.raises(ConfigError, match="predict_frame"):
        predictor.predict_series(_frame(), 3)
    with pytest.raises(ConfigError, match="SeriesInput"):
        predictor.predict_series(SeriesInput("a", np.arange(10.0)), 3)
