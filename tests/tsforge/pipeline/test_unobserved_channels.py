"""A user's file with channels that have no value in the training rows: one error naming them
all, the file and how to leave them out (the catalogue drops such channels itself)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tsforge.errors import DataValidationError
from tsforge.pipeline.multichannel import train

torch.set_num_threads(1)


def _file(tmp_path) -> str:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(200, 4)), columns=["A", "LATE1", "B", "LATE2"])
    frame.loc[:150, ["LATE1", "LATE2"]] = np.nan  # stations that start reporting in the test rows
    frame.insert(0, "date", pd.date_range("2020-01-01", periods=200, freq="D").strftime("%Y-%m-%d"))
    path = tmp_path / "stations.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_every_unobserved_channel_the_file_and_the_fix_are_named(tmp_path):
    """It was "channel 'LATE1' has no observed value in the training split (column='LATE1')":
    the first channel only, no file, no rows, no way out but trial and error."""
    path = _file(tmp_path)
    with pytest.raises(DataValidationError) as err:
        train(path, "dlinear", input_len=14, horizon=7, split="7:1:2", track=False, progress=False)
    message = str(err.value)
    assert "['LATE1', 'LATE2']" in message and "rows 0–139 of 200 with split 7:1:2" in message
    assert "--value-cols A,B" in message
    assert err.value.where == {"file": path, "column": "LATE1"}


def test_the_suggested_columns_train(tmp_path):
    out = train(
        _file(tmp_path), "dlinear", input_len=14, horizon=7, split="7:1:2", track=False, progress=False,
        load_kwargs={"value_cols": ["A", "B"]}, train_config={"max_epochs": 1},
    )  # fmt: skip
    assert out.task.data.channel_ids == ("A", "B")
    assert np.isfinite(out.metrics["test_mse"])
