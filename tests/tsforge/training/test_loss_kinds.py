"""Loss kinds outside ``mse``, ``mae`` and ``pinball[:q]`` are refused, not trained as MAE."""

from __future__ import annotations

import pytest
import torch

from tsforge.errors import ConfigError
from tsforge.training.losses import masked_loss
from tsforge.training.strategy import LossStrategy

PRED = torch.tensor([[0.0, 2.0], [1.0, -1.0]])
TARGET = torch.zeros(2, 2)
MASK = torch.ones(2, 2, dtype=torch.bool)


@pytest.mark.parametrize("kind", ["rmse", "huber", "MSE", "", "pinball:2"])
def test_an_unknown_kind_is_a_config_error_naming_the_loss(kind):
    """``masked_loss(..., "rmse")`` returned the mean absolute error (1.0 here), so a strategy
    built with a typo trained MAE without a word."""
    with pytest.raises(ConfigError) as err:
        masked_loss(PRED, TARGET, MASK, kind)
    assert err.value.where["field"] == "loss"
    with pytest.raises(ConfigError):
        LossStrategy(kind)


def test_the_known_kinds_keep_their_values():
    assert float(masked_loss(PRED, TARGET, MASK, "mse")) == pytest.approx((0 + 4 + 1 + 1) / 4)
    assert float(masked_loss(PRED, TARGET, MASK, "mae")) == pytest.approx((0 + 2 + 1 + 1) / 4)
    # pinball at q = 0.5 is half the absolute error
    assert float(masked_loss(PRED, TARGET, MASK, "pinball")) == pytest.approx(0.5)
    assert LossStrategy("pinball:0.9").kind == "pinball:0.9"
