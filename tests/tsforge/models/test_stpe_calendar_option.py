"""STPE-MLP's ``calendar_terms`` as the command line gives it: ``-o calendar_terms=dow,month``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError
from tsforge.models.base import ModelContext
from tsforge.models.registry import build_model

torch.set_num_threads(1)


def _context() -> ModelContext:
    times = pd.date_range("2020-01-01", periods=300, freq="D").to_numpy()
    values = np.random.default_rng(0).normal(size=(300, 2)).astype(np.float32)
    return ModelContext.from_task(
        prepare_task(TimeSeriesData(values, times, ("a", "b"), freq="D"), 28, 7, "7:1:2")
    )


@pytest.mark.parametrize(
    ("given", "terms"),
    [("dow,month", ("dow", "month")), (" month , dow ", ("dow", "month")), ("all", ("dow", "dom", "month")),
     (["month"], ("month",))],
)  # fmt: skip
def test_a_comma_separated_text_names_the_terms_as_a_list_does(given, terms):
    """The text form was refused: "option 'calendar_terms' of model 'stpe_mlp' must be
    list[str] | None, got 'dow,month'", and a JSON list was the only way to set it."""
    model = build_model("stpe_mlp", _context(), {"calendar_terms": given})
    assert model.calendar_terms == terms


def test_an_unknown_term_in_the_text_is_still_refused_by_name():
    with pytest.raises(ConfigError, match=r"unknown calendar term\(s\) \['week'\]"):
        build_model("stpe_mlp", _context(), {"calendar_terms": "dow,week"})
