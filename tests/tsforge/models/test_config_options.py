"""Model options are checked against the model's config: unknown names and wrong types are
refused by name before anything is built."""

from __future__ import annotations

import dataclasses

import pytest

from tsforge.errors import ConfigError
from tsforge.models.base import config_from_dict


@dataclasses.dataclass
class _Config:
    size: int = 3
    rate: float = 0.1
    flag: bool = False
    name: str = "x"
    limit: int | None = None
    weights: tuple[float, ...] = (1.0,)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("size", "abc"),
        ("size", 2.5),
        ("size", True),
        ("rate", "fast"),
        ("flag", 1),
        ("name", 3),
        ("limit", "no"),
        ("weights", 1.0),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_by_name(key, value):
    with pytest.raises(ConfigError, match=f"option '{key}' of model 'm' must be") as exc:
        config_from_dict(_Config, {key: value}, "m")
    assert exc.value.where == {"field": key}


def test_values_of_the_right_type_pass():
    cfg = config_from_dict(
        _Config, {"size": 5, "rate": 1, "flag": True, "name": "y", "limit": None, "weights": [0.5, 0.5]}, "m"
    )
    assert (cfg.size, cfg.rate, cfg.flag, cfg.limit) == (5, 1, True, None)
    assert config_from_dict(_Config, {"limit": 7}, "m").limit == 7


def test_a_registered_model_refuses_a_string_for_an_int_option():
    from tsforge.models.base import ModelContext
    from tsforge.models.linear import DLinear

    ctx = ModelContext(input_len=48, horizon=12, channel_ids=("a", "b"))
    with pytest.raises(ConfigError, match="option 'kernel_size' of model 'dlinear' must be int, got 'abc'"):
        DLinear(ctx, {"kernel_size": "abc"})
