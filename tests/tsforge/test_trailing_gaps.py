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


@pytest.fixture(scope="module")
def channel_mixing_model() -> Predictor:
    """An iTransformer trained for one epoch on the hourly toy series (input 24, horizon 6)."""
    task = prepare_task(make_series(n_steps=400), 24, 6)
    config = {"d_model": 16, "d_ff": 16, "e_layers": 1, "n_heads": 2}
    model = build_model("itransformer", ModelContext.from_task(task), config)
    train_forecaster(model, task, train_config=TrainConfig(max_epochs=1, progress=False))
    return Predictor(model, task.scaler)


def _wide_history(n: int, trailing: dict[str, int], index: str) -> pd.DataFrame:
    """The toy series' first ``n`` steps as a wide frame, each channel of ``trailing`` ending in
    that many nulls; ``index``: ``"dates"`` or ``"steps"`` (an integer index 100, 101, ...)."""
    data = make_series(n_steps=400)
    values = data.values[:n].copy()
    for c, k in trailing.items():
        values[n - k :, data.channel_ids.index(c)] = np.nan
    ds = data.timestamps[:n] if index == "dates" else np.arange(100, 100 + n, dtype=np.int64)
    return pd.DataFrame({"ds": ds, **{c: values[:, i] for i, c in enumerate(data.channel_ids)}})


def test_a_channel_mixing_model_trims_only_the_steps_missing_in_every_series(channel_mixing_model):
    """iTransformer reads a request's series as the channels of one window ending at one time:
    trimming each series to its own last value would refuse them as ending at different times,
    so only the steps no series observed are dropped; the rest stay masked inputs."""
    n = 60
    # s0 ends 2 steps early, s1 and s2 1 step early: one step is common
    wide = _wide_history(n, {"s0": 2, "s1": 1, "s2": 1}, "dates")
    out = channel_mixing_model.predict_frame(wide, 3)
    assert set(out.loc[out["step"] == 1, "ds"]) == {wide["ds"].iloc[n - 1]}
    pd.testing.assert_frame_equal(out, channel_mixing_model.predict_frame(wide.iloc[: n - 1], 3))


@pytest.mark.parametrize(
    "trailing", [{"s0": 3}, {"s0": 3, "s1": 1, "s2": 1}], ids=["one-channel", "one-step-common"]
)
def test_a_channel_mixing_model_numbers_integer_steps_from_where_its_forecast_starts(
    channel_mixing_model, trailing
):
    """An integer step index labels a channel-mixing model's forecast of a series that ends in
    nulls other series observed from the step after the last one *read*, as its dates are: the
    model forecast one window, so every series' forecast is for the same steps. They were counted
    from that series' own last observed step (97..99 beside the others' 100..102)."""
    n = 60
    common = min(trailing.get(c, 0) for c in ("s0", "s1", "s2"))
    stepped = channel_mixing_model.predict_frame(_wide_history(n, trailing, "steps"), 3)
    first = 100 + n - common  # the step after the last one the window reads
    for sid, part in stepped.groupby("unique_id"):
        assert part["ds"].tolist() == [first, first + 1, first + 2], sid
    dated = channel_mixing_model.predict_frame(_wide_history(n, trailing, "dates"), 3)
    np.testing.assert_array_equal(stepped["y_hat"].to_numpy(), dated["y_hat"].to_numpy())


def test_a_per_channel_model_still_numbers_each_series_from_its_last_observed_step(window_model):
    """The same wide history to a per-channel model (DLinear): each series is forecast from its
    own last observed value, and numbered from there."""
    n = 60
    out = window_model.predict_frame(_wide_history(n, {"s0": 3}, "steps"), 3)
    firsts = out.loc[out["step"] == 1].set_index("unique_id")["ds"].to_dict()
    assert firsts == {"s0": 100 + n - 3, "s1": 100 + n, "s2": 100 + n}


def test_a_channel_mixing_model_refuses_integer_indexed_series_that_end_at_different_steps(
    channel_mixing_model,
):
    """Histories indexed by integers that end at different steps cannot be one window, as
    dated ones cannot: they were forecast as one, each series' last values read as simultaneous."""
    wide = _wide_history(60, {}, "steps")
    long = wide.melt(id_vars="ds", var_name="unique_id", value_name="y")
    long = long[~((long["unique_id"] == "s0") & (long["ds"] > 156))]
    with pytest.raises(DataValidationError, match=r"series 's0' ends at step 156, series 's1' at step 159"):
        channel_mixing_model.predict_frame(long, 3)


def test_the_service_s_labels_follow_the_forecast_too(channel_mixing_model):
    """The service labels ``predict_series``'s forecasts with :func:`continued_steps` from the
    request's histories as sent (``service.convert``): the forecasts carry how many steps were
    dropped, so those labels agree with the frame's."""
    from tsforge.data.history import SeriesInput
    from tsforge.inference import continued_steps

    wide = _wide_history(60, {"s0": 3}, "steps")
    steps = wide["ds"].to_numpy()
    sent = [SeriesInput(c, wide[c].to_numpy(), steps=steps) for c in ("s0", "s1", "s2")]
    labels = continued_steps(sent, channel_mixing_model.predict_series(sent, 3))
    assert {k: v.tolist() for k, v in labels.items()} == {c: [160, 161, 162] for c in ("s0", "s1", "s2")}
