"""``check_model_config``: the pipelines' look at a model's options before a run opens."""

from __future__ import annotations

import pytest
import torch

from tsforge.errors import ConfigError
from tsforge.models import ModelContext
from tsforge.training.fitting import check_model_config
from tsforge.training.spec import TrainingSpec


def _context() -> ModelContext:
    return ModelContext(input_len=48, horizon=12, channel_ids=("a", "b"), freq="h", season_length=24)


def test_a_model_s_own_rules_are_checked_without_training():
    with pytest.raises(ConfigError, match="patch_len 64 is longer than the input") as info:
        check_model_config(TrainingSpec("patchtst", model_config={"patch_len": 64}), _context())
    assert info.value.where["field"] == "patch_len"


def test_the_check_leaves_torch_s_generator_where_it_was():
    """Building a network draws its first weights: without the forked generator, a check before
    an unseeded draw would move every number drawn after it."""
    torch.manual_seed(7)
    expected = torch.rand(5)
    torch.manual_seed(7)
    check_model_config(TrainingSpec("patchtst"), _context())  # draws a transformer's weights
    assert torch.equal(torch.rand(5), expected)
