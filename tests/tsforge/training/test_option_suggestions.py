"""An unknown training option is answered with the field it most likely means:
``train_config={"epochs": 1}`` got only the list of valid names, though the CLI's flag is
``--epochs`` (the field: ``max_epochs``)."""

from __future__ import annotations

import pytest

from tsforge.errors import ConfigError
from tsforge.training.config import TrainConfig


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("epochs", "max_epochs"),  # the CLI flag's name: an alias
        ("learning_rate", "lr"),  # another library's name: an alias
        ("max_epoch", "max_epochs"),  # a typo: the closest name
        ("pateince", "patience"),
    ],
)
def test_an_unknown_option_names_the_field_it_likely_means(given, meant):
    with pytest.raises(ConfigError) as err:
        TrainConfig.from_dict({given: 1})
    assert f"unknown training option(s) [{given!r}] (did you mean {meant!r}?)" in err.value.message
    assert err.value.where["field"] == given


def test_several_unknown_options_each_name_their_field():
    with pytest.raises(ConfigError) as err:
        TrainConfig.from_dict({"epochs": 1, "learning_rate": 0.1})
    assert "(did you mean 'max_epochs' for 'epochs', 'lr' for 'learning_rate'?)" in err.value.message


def test_no_guess_for_a_name_like_no_field():
    with pytest.raises(ConfigError) as err:
        TrainConfig.from_dict({"qqq": 1})
    assert "did you mean" not in err.value.message and "valid: ['batch_size'" in err.value.message
