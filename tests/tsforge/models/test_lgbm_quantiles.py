"""LightGBM's native quantiles (the ``quantile`` objective), saved and loaded with the model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError
from tsforge.models.persistence import load_model, save_model
from tsforge.training.fitting import fit_model
from tsforge.training.spec import TrainingSpec


def test_quantile_boosters_are_ordered_cover_and_round_trip(toy_series, tmp_path):
    task = prepare_task(toy_series, 48, 12)
    spec = TrainingSpec(
        "lightgbm", input_len=48, horizon=12, model_config={"n_estimators": 60, "quantiles": [0.9, 0.1]}
    )
    model = fit_model(spec, task).forecaster
    batch = task.dataset("train").get_batch(torch.arange(0, 780, 4))
    q = model.predict_quantiles(batch).numpy()  # [B, H, C, 2]
    assert q.shape[-1] == 2 and (q[..., 0] <= q[..., 1]).all()
    y, m = batch["y"].numpy(), batch["y_mask"].numpy()
    below_lo, below_hi = (y < q[..., 0])[m].mean(), (y <= q[..., 1])[m].mean()
    # on the windows it was fitted on, each booster is its quantile (out of sample, on trending
    # data, they are not calibrated: that is why the platform's default intervals are conformal)
    assert abs(below_lo - 0.1) < 0.06 and abs(below_hi - 0.9) < 0.06, (below_lo, below_hi)
    save_model(model, task.scaler, tmp_path / "m")
    back, _, _ = load_model(tmp_path / "m")
    np.testing.assert_allclose(back.predict_quantiles(batch).numpy(), q, rtol=1e-6)
    assert back.config.quantiles == (0.1, 0.9)


def test_bad_quantiles_and_untrained_quantiles_raise(toy_series):
    from tsforge.models.base import ModelContext
    from tsforge.models.lgbm import LightGBMConfig, LightGBMForecaster

    with pytest.raises(ConfigError):
        LightGBMConfig(quantiles=(1.5,))
    task = prepare_task(toy_series, 48, 12)
    model = LightGBMForecaster(ModelContext.from_task(task), {"n_estimators": 5})
    with pytest.raises(ConfigError, match="without quantiles"):
        model.predict_quantiles(task.dataset("test").get_batch(torch.arange(2)))
