"""A knowledge base's real groups follow a catalogue dataset's protocol; other sources are refused."""

import numpy as np
import pandas as pd
import pytest

from recommender.knowledge_base import Candidate, KBSettings, real_group
from tsforge.errors import ConfigError


def test_a_file_as_a_real_group_is_refused_naming_it(tmp_path):
    # a wide file loads without a catalogue entry: the protocol's split was read off None
    # (AttributeError: 'NoneType' object has no attribute 'split')
    t = np.arange(200)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=200, freq="h"),
            "a": np.sin(2 * np.pi * t / 24),
            "b": np.cos(2 * np.pi * t / 24),
        }
    )
    path = tmp_path / "mine.csv"
    frame.to_csv(path, index=False)
    settings = KBSettings(input_len=48, horizon=12)
    with pytest.raises(ConfigError, match="not a catalogue dataset") as err:
        real_group(str(path), [Candidate("naive", "naive")], settings, cache=tmp_path / "cache")
    assert err.value.where["field"] == "real" and "mine.csv" in err.value.message
