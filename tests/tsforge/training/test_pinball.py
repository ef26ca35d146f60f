"""The pinball (quantile) loss option of the one training loop."""

from __future__ import annotations

import pytest
import torch

from tsforge.errors import ConfigError
from tsforge.training.config import TrainConfig
from tsforge.training.losses import masked_loss, pinball_quantile


def test_pinball_values_and_mask():
    pred = torch.tensor([[1.0, 1.0, 1.0]])
    target = torch.tensor([[3.0, 0.0, 100.0]])
    mask = torch.tensor([[True, True, False]])
    # q = 0.9: under-forecast by 2 costs 1.8, over-forecast by 1 costs 0.1; the masked point never counts
    assert float(masked_loss(pred, target, mask, "pinball:0.9")) == pytest.approx((1.8 + 0.1) / 2)
    assert float(masked_loss(pred, target, mask, "pinball")) == pytest.approx(
        0.5 * float(masked_loss(pred, target, mask, "mae"))
    )


@pytest.mark.parametrize("kind", ["pinball:0", "pinball:1", "pinball:x", "quantile"])
def test_bad_kinds_are_refused_naming_the_field(kind):
    with pytest.raises(ConfigError) as err:
        TrainConfig(loss=kind)
    assert err.value.to_dict()["field"] == "loss"


def test_quantile_model_early_stops_on_its_own_loss():
    assert TrainConfig.from_dict({"loss": "pinball:0.9"}).val_metric == "pinball:0.9"
    assert TrainConfig.from_dict({"loss": "pinball:0.9", "val_metric": "mse"}).val_metric == "mse"
    assert pinball_quantile("mse") is None and pinball_quantile("pinball:0.25") == 0.25


def test_a_linear_model_trained_with_pinball_09_forecasts_the_09_quantile(toy_series):
    """About 90 % of validation targets fall below a pinball:0.9 model's forecasts (and about
    half below the same model trained for the median)."""
    from tsforge.data.task import prepare_task
    from tsforge.training.fitting import fit_model
    from tsforge.training.spec import TrainingSpec

    task = prepare_task(toy_series, 48, 12)
    share = {}
    for kind in ("pinball:0.9", "pinball"):
        spec = TrainingSpec(
            "nlinear", input_len=48, horizon=12, train_config={"loss": kind, "max_epochs": 15, "lr": 0.01}
        )
        fitted = fit_model(spec, task)
        data = task.dataset("test")
        below, total = 0, 0
        for batch in data.batches(256):
            with torch.no_grad():
                pred = fitted.forecaster.predict(batch).numpy()
            m = batch["y_mask"].numpy()
            below += int(((batch["y"].numpy() <= pred) & m).sum())
            total += int(m.sum())
        share[kind] = below / total
    assert 0.82 < share["pinball:0.9"] < 0.97, share
    assert 0.38 < share["pinball"] < 0.62, share
