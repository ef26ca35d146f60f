"""The profile's PNG names coded categories as the summary table does (it showed 0 / 1 and
-1 / 0 / 1 for stationarity, trend and scedasticity)."""

from __future__ import annotations

import pandas as pd

from tsforge.cli.profile import category_counts


def test_coded_properties_are_named_and_every_category_is_shown():
    names, counts = category_counts(pd.Series([1, 1, 0, 1]), "trend_label")
    assert names == ["decreasing", "no trend", "increasing"] and counts == [0, 1, 3]
    names, counts = category_counts(pd.Series([0, 1, 1]), "stationarity")
    assert names == ["non-stationary", "stationary"] and counts == [1, 2]
    names, counts = category_counts(pd.Series([0, 0, 0]), "scedasticity")
    assert names == ["heteroscedastic", "homoscedastic"] and counts == [3, 0]
    # a count property keeps its numbers
    assert category_counts(pd.Series([2.0, 3.0, 2.0]), "season_count") == (["2", "3"], [2, 1])
