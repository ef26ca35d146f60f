"""Per-series /v1/recommend reads an integer step index that skips steps as /v1/forecast does:
the skipped steps are missing values, with the note; an index mostly of skipped steps (epoch
milliseconds) is refused naming the series' timestamps. Checked on the request, without a worker."""

from __future__ import annotations

import numpy as np
import pytest

from service.recommending import per_series_histories
from service.schemas.recommend import RecommendRequest
from tsforge.errors import DataValidationError

STEPS = [*range(30), *range(35, 65)]  # 30..34 skipped


def _request(steps: list[int], n: int) -> RecommendRequest:
    values = [float(10 + (t % 7)) for t in range(n)]
    return RecommendRequest.model_validate(
        {
            "series": [
                {"id": "a", "values": values, "timestamps": steps},
                {"id": "b", "values": values, "timestamps": list(range(n))},
            ],
            "per_series": True,
        }  # fmt: skip
    )


def test_skipped_steps_are_missing_values_with_a_note():
    values, starts, freq, note = per_series_histories(_request(STEPS, len(STEPS)))
    assert starts is None and freq is None  # an integer step index has no calendar
    a, b = values
    assert a.size == 65 and np.isnan(a[30:35]).all() and not np.isnan(np.r_[a[:30], a[35:]]).any()
    assert b.size == 60 and not np.isnan(b).any()  # a contiguous index is read as sent
    assert note is not None and "1 of 2 series skips steps of their integer step index" in note
    assert "'a' (5)" in note


def test_a_contiguous_index_has_no_note():
    _, _, _, note = per_series_histories(_request(list(range(60)), 60))
    assert note is None


def test_epoch_milliseconds_are_refused_naming_the_timestamps():
    day = 86_400_000
    months = [1_669_852_800_000 + k * 30 * day + (k % 2) * day for k in range(24)]  # ~month starts
    with pytest.raises(DataValidationError) as err:
        per_series_histories(_request(months, 24))
    assert err.value.where["field"] == "series[0].timestamps" and "ISO-8601" in str(err.value)
