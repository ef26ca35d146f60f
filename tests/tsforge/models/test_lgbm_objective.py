"""LightGBM follows the run's training loss: MAE runs (every panel run) fit the ``l1`` objective."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from tsforge.data.task import prepare_task
from tsforge.training.fitting import fit_model
from tsforge.training.spec import TrainingSpec


def _fit(task, loss: str | None):
    train = {} if loss is None else {"loss": loss}
    spec = TrainingSpec(
        "lightgbm", input_len=48, horizon=12, model_config={"n_estimators": 40}, train_config=train
    )
    return fit_model(spec, task)


def test_mae_runs_fit_l1_and_other_runs_squared_error(toy_series):
    task = prepare_task(toy_series, 48, 12)
    mae, mse = _fit(task, "mae"), _fit(task, None)
    assert mae.forecaster.booster_.params["objective"] == "l1"
    assert mse.forecaster.booster_.params["objective"] == "regression"
    assert mae.report.history and mae.report.best_val_loss is not None  # the l1 curve is recorded


def test_an_l1_booster_is_not_dragged_by_a_few_extreme_targets(toy_series):
    """A handful of exploded targets (what a nearly flat input window produces once scaled) move
    a squared-error booster's forecasts; the l1 booster stays near its clean-data forecasts."""
    clean_task = prepare_task(toy_series, 48, 12)
    values = toy_series.values.copy()
    spread = np.nanstd(values[:300], axis=0)
    values[[100, 180, 260]] += 60.0 * spread  # three training steps of every channel explode
    spiky_task = prepare_task(replace(toy_series, values=values), 48, 12)

    def forecasts(task, loss):  # original units: the two tasks' scalers differ
        batch = task.dataset("test").get_batch(torch.arange(0, 40))
        pred = _fit(task, loss).forecaster.predict(batch).numpy()
        return pred * task.scaler.std + task.scaler.mean

    shift_l1 = np.abs(forecasts(spiky_task, "mae") - forecasts(clean_task, "mae")).mean()
    shift_l2 = np.abs(forecasts(spiky_task, None) - forecasts(clean_task, None)).mean()
    assert shift_l1 < 0.5 * shift_l2, (shift_l1, shift_l2)


def test_the_registry_says_lightgbm_reads_the_loss_and_no_other_training_option():
    """The CLI names ignored training options from this; LightGBM's loss must not be among them."""
    from tsforge.models.registry import get_model_spec

    lgbm, naive, dlinear = (get_model_spec(n) for n in ("lightgbm", "naive", "dlinear"))
    assert not lgbm.ignores_training_option("loss")
    assert lgbm.ignores_training_option("max_epochs") and lgbm.ignores_training_option("lr")
    assert naive.ignores_training_option("loss") and naive.ignores_training_option("batch_size")
    assert not any(dlinear.ignores_training_option(k) for k in ("loss", "lr", "max_epochs", "batch_size"))
