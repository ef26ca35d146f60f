"""The timestamp rules every endpoint shares (service.schemas.common.check_timestamps)."""

from datetime import datetime

import pytest
from pydantic_core import PydanticCustomError

from service.schemas.common import check_timestamps


def test_dates_mixed_with_integer_steps_are_refused_at_the_position():
    # the schema never mixes the kinds, but a direct caller can: comparing a date with an
    # integer was a bare TypeError, not an error naming the timestamp
    with pytest.raises(PydanticCustomError, match="mix dates and integer steps") as err:
        check_timestamps([datetime(2024, 1, 1), 5], 2)
    assert err.value.context == {"where": (1,)}


@pytest.mark.parametrize(
    "timestamps", [[1, 3, 2], [datetime(2024, 1, 2), datetime(2024, 1, 1), datetime(2024, 1, 3)]]
)
def test_timestamps_that_do_not_increase_are_refused(timestamps):
    with pytest.raises(PydanticCustomError, match="strictly increasing"):
        check_timestamps(timestamps, 3)


@pytest.mark.parametrize(
    ("timestamps", "shown"),
    [
        ([1, 3, 3], "3"),
        ([datetime(2024, 1, 1), datetime(2024, 1, 2, 6), datetime(2024, 1, 2, 6)], "2024-01-02 06:00:00"),
    ],
)
def test_a_timestamp_sent_twice_is_a_duplicate_of_the_series(timestamps, shown):
    """In the words /invocations says it of a long frame ("... at rows [1, 2]"), not "must be
    strictly increasing", which sent the client looking for a time out of order."""
    with pytest.raises(PydanticCustomError) as err:
        check_timestamps(timestamps, 3, "a")
    assert err.value.message() == f"duplicate timestamp {shown} for series 'a' at positions [1, 2]"
    assert err.value.context == {"where": (2,)}


@pytest.mark.parametrize(
    "timestamps", [None, [1, 2, 5], [datetime(2024, 1, 1), datetime(2024, 1, 2), datetime(2024, 1, 4)]]
)
def test_increasing_timestamps_of_one_kind_pass(timestamps):
    check_timestamps(timestamps, 3)
