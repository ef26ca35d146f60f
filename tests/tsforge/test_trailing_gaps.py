"""A history that ends in missing values is forecast from its last observed value by every
model kind (window and panel models alike), as the README promises: the trailing nulls are
trimmed, the forecast is dated from the step after the last observed one, and a history's
integer step index is continued from there too."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import make_series, monthly_frame
from tsforge.data.task import prepare_task
from tsforge.errors import DataValidationError
from tsforge.inference import Predictor
from tsforge.models import ModelContext, build_model
from tsforge.pipeline import TrackingOptions, train_panel
from tsforge.training import TrainConfig
from tsforge.training.fitting import train_forecaster

GAP = 3


@pytest.fixture(scope="module")
def window_model() -> Predictor:
    """A DLinear trained for one epoch on the hourly toy series (input 24, horizon 6)."""
    task = prepare_task(make_series(n_steps=400), 24, 6)
    model = build_model("dlinear", ModelContext.from_task(task), {})
    train_forecaster(model, task, train_config=TrainConfig(progress=False, max_epochs=1))
    return Predictor(model, task.scaler)


@pytest.fixture(scope="module")
def panel_model():
    """AutoTheta, a local panel model, on three monthly series (horizon 3)."""
    out = train_panel(
        monthly_frame(3, 48), "auto_theta", horizon=3, tracking=TrackingOptions(track=False, progress=False)
    )
    return out.predictor


def _hourly_history(n: int = 60) -> pd.DataFrame:
    data = make_series(n_steps=400)
    return pd.DataFrame({"unique_id": "s0", "ds": data.timestamps[:n], "y": data.values[:n, 0]})


def _monthly_history() -> pd.DataFrame:
    frame = monthly_frame(3, 48)
    return frame[frame["unique_id"] == "s0"].reset_index(drop=True)


def _with_trailing_nulls(history: pd.DataFrame) -> pd.DataFrame:
    out = history.copy()
    out.loc[len(out) - GAP :, "y"] = np.nan
    return out


@pytest.mark.parametrize("kind", ["window", "panel"])
def test_a_history_ending_in_nulls_is_forecast_from_its_last_observed_value(kind, window_model, panel_model):
    predictor, history = (
        (window_model, _hourly_history()) if kind == "window" else (panel_model, _monthly_history())
    )
    gapped = predictor.predict_frame(_with_trailing_nulls(history), 3)
    observed = predictor.predict_frame(history.iloc[: len(history) - GAP], 3)
    last_observed = history["ds"].iloc[len(history) - GAP - 1]
    assert gapped["ds"].iloc[0] > last_observed
    assert gapped["ds"].iloc[0] <= history["ds"].iloc[-1], "forecast dated after the last sent time"
    pd.testing.assert_frame_equal(gapped, observed)


@pytest.mark.parametrize("kind", ["window", "panel"])
def test_an_integer_step_index_is_continued_from_the_last_observed_step(kind, window_model, panel_model):
    """A step index (no dates) says which step each forecast is for; the forecast starts after
    the last observed value, so its steps must too (they continued the last *sent* step)."""
    predictor, history = (
        (window_model, _hourly_history()) if kind == "window" else (panel_model, _monthly_history())
    )
    history = history.assign(ds=np.arange(len(history), dtype=np.int64) * 10)
    gapped = predictor.predict_frame(_with_trailing_nulls(history), 3)
    first_missing = int(history["ds"].iloc[len(history) - GAP])
    assert gapped["ds"].tolist() == [first_missing, first_missing + 10, first_missing + 20]
    observed = predictor.predict_frame(history.iloc[: len(history) - GAP], 3)
    np.testing.assert_allclose(gapped["y_hat"].to_numpy(), observed["y_hat"].to_numpy())


def test_a_series_with_no_observed_value_is_still_refused_by_name(window_model):
    history = _hourly_history().assign(y=np.nan)
    with pytest.raises(DataValidationError, match="no observed value"):
        window_model.predict_frame(history, 3)


def test_a_channel_mixing_model_trims_only_the_steps_missing_in_every_series():
    """iTransformer reads a request's series as the channels of one window ending at one time:
    trimming each series to its own last value would refuse them as ending at different times,
    so only the steps no series observed are dropped; the rest stay masked inputs."""
    data = make_series(n_steps=400)
    task = prepare_task(data, 24, 6)
    config = {"d_model": 16, "d_ff": 16, "e_layers": 1, "n_heads": 2}
    model = build_model("itransformer", ModelContext.from_task(task), config)
    train_forecaster(model, task, train_config=TrainConfig(max_epochs=1, progress=False))
    predictor = Predictor(model, task.scaler)
    n = 60
    values = data.values[:n].copy()
    values[n - 2 :, 0] = np.nan  # s0 ends 2 steps early, s1 and s2 1 step early: one step is common
    values[n - 1 :, 1:] = np.nan
    wide = pd.DataFrame(
        {"ds": data.timestamps[:n], **{c: values[:, i] for i, c in enumerate(data.channel_ids)}}
    )
    out = predictor.predict_frame(wide, 3)
    assert set(out.loc[out["step"] == 1, "ds"]) == {pd.Timestamp(data.timestamps[n - 1])}
    pd.testing.assert_frame_equal(out, predictor.predict_frame(wide.iloc[: n - 1], 3))
