import numpy as np
import pandas as pd
import pytest

from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError, DataValidationError
from tsforge.inference import Predictor, SeriesInput
from tsforge.models import ModelContext, build_model
from tsforge.models.persistence import load_model, save_model
from tsforge.training import TrainConfig


@pytest.fixture
def fitted(toy_series):
    task = prepare_task(toy_series, 48, 12)
    model = build_model("lightgbm", ModelContext.from_task(task), {"n_estimators": 15})
    model.fit(task, train_config=TrainConfig(progress=False))
    return task, model


def test_saved_model_reloads_to_identical_predictions(fitted, tmp_path):
    task, model = fitted
    save_model(model, task.scaler, tmp_path / "m")
    loaded, scaler, meta = load_model(tmp_path / "m")
    batch = task.dataset("test").get_batch([0, 3, 7])
    np.testing.assert_array_equal(model.predict(batch).numpy(), loaded.predict(batch).numpy())
    assert meta["model"] == "lightgbm"
    np.testing.assert_allclose(scaler.mean, task.scaler.mean)


def test_predictor_matches_the_task_windows_on_original_scale(fitted):
    task, model = fitted
    pred = Predictor(model, task.scaler)
    data = task.data
    end = data.n_steps - 30
    inputs = [
        SeriesInput(cid, data.values[:end, c], data.timestamps[:end])
        for c, cid in enumerate(data.channel_ids)
    ]
    out = pred.predict_series(inputs, 12)
    # the same window through the task machinery
    start = end - 48
    windows = task.dataset("test")
    i = int(np.where(windows.starts.numpy() == start)[0][0])
    direct = task.scaler.inverse(model.predict(windows.get_batch([i])).numpy()[0])
    np.testing.assert_allclose(np.stack([o.values for o in out], 1), direct, rtol=1e-4, atol=1e-4)
    assert out[0].timestamps[0] == data.timestamps[end]


def test_predictor_errors_name_the_problem(fitted):
    task, model = fitted
    pred = Predictor(model, task.scaler)
    with pytest.raises(DataValidationError, match="needs at least 48"):
        pred.predict_series([SeriesInput("s0", np.ones(10))], 5)
    with pytest.raises(ConfigError, match="horizon 13"):
        pred.predict_series([SeriesInput("s0", np.ones(60))], 13)
    with pytest.raises(DataValidationError, match="infinite"):
        pred.predict_series([SeriesInput("s0", np.r_[np.ones(59), np.inf])], 5)
    with pytest.raises(DataValidationError, match="missing column 'y'"):
        pred.predict_frame(pd.DataFrame({"unique_id": ["a"], "value": [1.0]}), 3)


def test_unknown_series_uses_its_own_scale(fitted):
    task, model = fitted
    pred = Predictor(model, task.scaler)
    base = np.sin(np.arange(60) / 3)
    small = pred.predict_series([SeriesInput("new", base)], 12)[0].values
    big = pred.predict_series([SeriesInput("new", 1000 + 50 * base)], 12)[0].values
    np.testing.assert_allclose(big, 1000 + 50 * small, rtol=1e-4)
