"""HUTFormer's tiling options that do not fit the input length: replaced (so a new ``--input``
trains), but loudly when the user named them."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import TsforgeWarning
from tsforge.models.base import ModelContext
from tsforge.models.hutformer import HUTFormer

torch.set_num_threads(1)


def _context(input_len: int) -> ModelContext:
    values = np.random.default_rng(0).normal(size=(600, 2)).astype(np.float32)
    return ModelContext.from_task(
        prepare_task(TimeSeriesData(values, None, ("a", "b")), input_len, 24, "7:1:2")
    )


def _records(caplog, options, input_len=96):
    """The prepared options and what preparing them said: log records of the module and tsforge
    warnings, as ``(level, message)`` (a warning counts as ``logging.WARNING``)."""
    caplog.clear()
    with (
        caplog.at_level(logging.INFO, logger="tsforge.models.hutformer"),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        out = HUTFormer.prepare_config(options, _context(input_len), seed=0)
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "tsforge.models.hutformer"]
    said += [(logging.WARNING, str(w.message)) for w in caught if issubclass(w.category, TsforgeWarning)]
    return out, said


def test_a_named_segment_length_that_does_not_tile_is_replaced_with_a_warning(caplog):
    """``-o segment_len=7`` at ``-L 96`` trained with segment_len 6, and the only trace was an
    info line, which the command line does not print."""
    out, records = _records(caplog, {"segment_len": 7})
    assert (out["segment_len"], out["stages"], out["window"]) == (6, 3, 4)
    assert [level for level, _ in records] == [logging.WARNING]
    message = records[0][1]
    assert "using segment_len=6 (asked 7)" in message and "input_len 96" in message


def test_defaults_that_do_not_tile_a_new_input_length_stay_an_info_line(caplog):
    out, records = _records(caplog, {}, input_len=72)
    assert 72 % (out["segment_len"] * 2 ** (out["stages"] - 1)) == 0
    assert [level for level, _ in records] == [logging.INFO]


def test_named_options_that_tile_are_kept_without_a_word(caplog):
    out, records = _records(caplog, {"segment_len": 8, "stages": 2, "window": 4})
    assert (out["segment_len"], out["stages"], out["window"]) == (8, 2, 4)
    assert records == []


def test_a_named_segment_length_is_replaced_by_the_nearest_that_tiles(caplog):
    """``-o segment_len=10`` on a 168-step input trained with 6, the largest of a fixed list,
    although 7 tiles 168 (7 · 4 = 28 steps a unit, 6 tokens in the last stage) and is nearer: the
    warning and the README call the replacement the nearest one."""
    out, records = _records(caplog, {"segment_len": 10}, input_len=168)
    assert (out["segment_len"], out["stages"], out["window"]) == (7, 3, 4)
    assert "using segment_len=7 (asked 10)" in records[0][1]


def test_a_tiling_option_below_one_is_refused_naming_it(caplog):
    """Found by review: ``segment_len=0`` raised ZeroDivisionError in the tiling check, and
    ``segment_len=-5`` or ``stages=0`` were "replaced" (``using segment_len=1 (asked -5)``) as if
    they were lengths that do not tile."""
    import pytest

    from tsforge.errors import ConfigError

    for option, value in (("segment_len", 0), ("segment_len", -5), ("stages", 0), ("window", -1)):
        with pytest.raises(ConfigError, match=f"{option} must be at least 1, got {value}") as err:
            _records(caplog, {option: value})
        assert err.value.where.get("field") == option
