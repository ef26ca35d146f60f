"""``/invocations``: a refusal of one series' ``ds`` names the series as the library's reader
does, before the row (``for series 'a' at row 13``), not as a bracket after the sentence.

Found: the series was appended as ``(series 'a')`` after the series' own refusal, which can end
in a bracket of its own: ``... at row 13 (2 unparsable rows in total) (series 'a')``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from service.convert import _parse_ds
from tsforge.errors import DataValidationError


def test_two_bad_quarters_of_a_series_are_refused_in_one_sentence():
    iso = [str(d.date()) for d in pd.date_range("2015-01-01", periods=12, freq="MS")]
    quarters = ["2015Q1", "2015Q9", "2015Q8", "2015Q4"]
    ids = np.array(["b"] * len(iso) + ["a"] * len(quarters))
    with pytest.raises(DataValidationError) as err:
        _parse_ds(iso + quarters, field="dataframe_records", ids=ids)
    message = err.value.message
    assert message.startswith(
        "unparsable date '2015Q9' in time column 'ds' for series 'a' at row 13 (2 unparsable rows in total)"
    ), message
    assert ") (" not in message, message
    assert err.value.where["row"] == 13 and err.value.where["unique_id"] == "a", err.value.where
