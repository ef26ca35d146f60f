import numpy as np
import pandas as pd
import pytest
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.evaluation import evaluate
from tsforge.models import ModelContext, build_model, model_names
from tsforge.training.fitting import train_forecaster


def _periodic(n=960, period=24):
    t = np.arange(n)
    vals = np.stack([np.sin(2 * np.pi * t / period), np.cos(2 * np.pi * t / period) * 3 + 1], 1)
    ts = pd.date_range("2022-01-01", periods=n, freq="h").values
    return TimeSeriesData(vals, ts, ["a", "b"], "h", name="periodic")


def test_seasonal_naive_is_exact_on_a_purely_periodic_series():
    task = prepare_task(_periodic(), 48, 36)
    model = build_model("seasonal_naive", ModelContext.from_task(task))
    assert model.season == 24
    result = evaluate(model, task, "test")
    assert result.normalized["mse"] < 1e-10
    assert result.original["mae"] < 1e-5


def test_naive_repeats_last_value_and_mean_averages_window():
    task = prepare_task(_periodic(), 48, 12)
    ctx = ModelContext.from_task(task)
    batch = task.dataset("test").get_batch([0, 5])
    naive = build_model("naive", ctx).predict(batch)
    torch.testing.assert_close(naive, batch["x"][:, -1:, :].expand(-1, 12, -1))
    mean = build_model("mean", ctx).predict(batch)
    torch.testing.assert_close(mean[:, 0], batch["x"].mean(1))


@pytest.mark.parametrize("name", ["naive", "seasonal_naive", "mean", "dlinear", "nlinear", "lightgbm"])
def test_every_core_model_fits_and_predicts_finite_values(name, toy_series):
    task = prepare_task(toy_series, 48, 12)
    model = build_model(
        name, ModelContext.from_task(task), {"n_estimators": 20} if name == "lightgbm" else None
    )
    from tsforge.training import TrainConfig

    train_forecaster(model, task, train_config=TrainConfig(max_epochs=1, progress=False))
    pred = model.predict(task.dataset("test").get_batch([0, 1, 2]))
    assert pred.shape == (3, 12, toy_series.n_channels)
    assert torch.isfinite(pred).all()


def test_registry_lists_models_and_rejects_unknown():
    from tsforge.errors import ConfigError, ModelNotFoundError

    assert {"naive", "seasonal_naive", "dlinear", "nlinear", "lightgbm"} <= set(model_names())
    task = prepare_task(_periodic(), 48, 12)
    with pytest.raises(ModelNotFoundError, match="available"):
        build_model("prophet", ModelContext.from_task(task))
    with pytest.raises(ConfigError, match="kernel_size"):
        build_model("dlinear", ModelContext.from_task(task), {"kernel_sise": 3})


def test_seasonal_naive_says_when_its_input_is_shorter_than_the_season():
    """With --input 12 on hourly data it repeated a 12-hour "season" without a word."""
    import warnings

    from tsforge.errors import ShortInputWarning

    short = ModelContext.from_task(prepare_task(_periodic(), 12, 6))
    with pytest.warns(
        ShortInputWarning, match=r"input window \(12 steps\) is shorter than the season \(24\)"
    ):
        assert build_model("seasonal_naive", short).season == 12
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShortInputWarning)
        build_model("seasonal_naive", ModelContext.from_task(prepare_task(_periodic(), 48, 6)))
