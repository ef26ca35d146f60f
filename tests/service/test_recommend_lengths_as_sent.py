"""A ``/v1/recommend`` body of series of different lengths (without ``per_series``) is refused
naming the lengths in the order the series were sent, beside their ids when few.

Before, the 422 listed the distinct lengths sorted ("got lengths [30, 36, 40]"), which could not
be matched back to the series that have them.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.schemas.recommend import RecommendRequest


def _message(lengths: list[int]) -> str:
    series = [{"id": f"s{i}", "values": [1.0] * n} for i, n in enumerate(lengths)]
    with pytest.raises(ValidationError) as caught:
        RecommendRequest.model_validate({"series": series})
    return str(caught.value)


def test_few_series_are_named_with_their_lengths_in_order():
    message = _message([40, 30, 36])
    assert "got lengths 's0' 40, 's1' 30, 's2' 36)" in message


def test_many_series_give_their_lengths_in_the_order_sent():
    lengths = [48, 40, 30, 36, 48, 30, 40, 36, 48, 31]
    message = _message(lengths)
    assert f"got lengths in the order sent {lengths})" in message
