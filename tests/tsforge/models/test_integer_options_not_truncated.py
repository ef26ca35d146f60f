"""A whole-number model option given a fraction is refused by name, never read as its integer part.

Why: HUTFormer's ``prepare_config`` read its tiling options with ``int()`` before the config was
built, so ``-o segment_len=2.7`` on a 24-step input was taken for 2, found not to tile and
replaced by 1: the run trained, and its only word said "asked 2". Where 2 happened to tile, the
build refused 2.7 instead: the same value was refused or truncated depending on the input length.
"""

from __future__ import annotations

import dataclasses
import typing

import numpy as np
import pandas as pd
import pytest

from tests.conftest import make_series, run_cli
from tsforge.errors import ConfigError
from tsforge.models.base import ModelContext
from tsforge.models.registry import get_model_spec, model_names

#: 24 steps: HUTFormer's 2 (from 2.7) does not tile it with the default stages and window
_CONTEXT = ModelContext(input_len=24, horizon=12, channel_ids=("a", "b"), freq="h", season_length=24)


def _int_options() -> list[tuple[str, str]]:
    """Every (model, option) whose config field holds an int (``int`` or ``int | None``)."""
    out = []
    for model in model_names():
        config = get_model_spec(model).cls.Config
        hints = typing.get_type_hints(config)
        for field in dataclasses.fields(config):
            hint = hints[field.name]
            if hint is int or int in typing.get_args(hint):
                out.append((model, field.name))
    return out


def test_some_models_have_integer_options():
    """The parametrised test below must not pass by finding nothing to check."""
    assert ("hutformer", "segment_len") in _int_options()


@pytest.mark.parametrize(("model", "option"), _int_options())
def test_a_fraction_for_an_integer_option_is_refused_where_the_model_is_prepared(model, option):
    """Each model's own preparation, then its build (the path of every fit): refused, naming the
    option and the value."""
    cls = get_model_spec(model).cls
    with pytest.raises(ConfigError, match=rf"option '{option}' of model '{model}' must be .*got 2\.7") as err:
        cls(_CONTEXT, cls.prepare_config({option: 2.7}, _CONTEXT, seed=0))
    assert err.value.where.get("field") == option


@pytest.mark.parametrize("option", ["segment_len", "stages", "window"])
def test_hutformer_refuses_a_fractional_tiling_option_in_its_preparation(option):
    """The refusal comes before the tiling is read: no replacement is made for a truncated value."""
    cls = get_model_spec("hutformer").cls
    with pytest.raises(ConfigError, match=rf"option '{option}' of model 'hutformer' must be int, got 2\.7"):
        cls.prepare_config({option: 2.7}, _CONTEXT, seed=0)


def test_hutformer_still_accepts_whole_tiling_options():
    cls = get_model_spec("hutformer").cls
    prepared = cls.prepare_config({"segment_len": 3, "stages": 1, "window": 2}, _CONTEXT, seed=0)
    assert (prepared["segment_len"], prepared["stages"], prepared["window"]) == (3, 1, 2)
    cls(_CONTEXT, prepared)


def test_train_refuses_a_fractional_segment_length_before_any_run(tmp_path, capsys):
    """``tsforge train ... -o segment_len=2.7`` trained with segment_len 1 (2.7 → 2, which does
    not tile 24 steps, replaced); now it stops with one line naming the option and the value."""
    series = make_series(400, 2)
    wide = pd.DataFrame(np.asarray(series.values), columns=list(series.channel_ids)).assign(
        ds=series.timestamps
    )
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    code, out, err = run_cli(
        capsys, "train", str(path), "--split", "7:1:2", "--model", "hutformer", "-H", "12", "-L", "24",
        "-o", "segment_len=2.7", "--train-option", "max_epochs=1", "--no-track",
    )  # fmt: skip
    assert code == 2, out + err
    assert "option 'segment_len' of model 'hutformer' must be int, got 2.7" in err, err
    assert "epoch" not in out + err
