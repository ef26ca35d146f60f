"""``quiet_libraries`` silences the numerical libraries' warnings without swapping the filter list
under other threads, and leaves no filter of its own behind."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest

from tsforge.errors import TsforgeWarning
from tsforge.quiet import quiet_libraries


@pytest.fixture(autouse=True)
def _filters_restored() -> Iterator[None]:
    with warnings.catch_warnings():
        yield


def test_a_library_warning_is_silenced_and_a_tsforge_one_is_not() -> None:
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with quiet_libraries(FutureWarning):
            warnings.warn_explicit("lib", UserWarning, "x.py", 1, "statsmodels.tsa.stattools")
            warnings.warn("attributed to us", FutureWarning, stacklevel=1)
            np.log(np.zeros(1))
            warnings.warn("note", TsforgeWarning, stacklevel=1)
    assert [str(w.message) for w in shown] == ["note"]
    assert warnings.filters == before


def test_a_copy_brought_back_by_another_catch_warnings_block_is_taken_out_next_time() -> None:
    before = list(warnings.filters)
    elsewhere = warnings.catch_warnings()  # a third-party block, entered while ours is in
    with quiet_libraries():
        elsewhere.__enter__()
    elsewhere.__exit__(None, None, None)  # restores the list it saved, ours in it
    assert len(warnings.filters) == len(before) + 1
    with quiet_libraries():
        pass
    assert warnings.filters == before


def test_a_category_of_tsforge_notes_cannot_be_silenced() -> None:
    before = list(warnings.filters)
    for category in (UserWarning, Warning):
        with pytest.raises(ValueError, match=category.__name__), quiet_libraries(category):
            pass
    assert warnings.filters == before


def test_a_users_own_filter_of_the_same_category_is_left_in_place() -> None:
    """A block's category filter is taken out when the last block leaves; a user's identical-
    looking ``simplefilter("ignore", FutureWarning)`` went with it, for good."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        users = warnings.filters[0]
        with quiet_libraries(FutureWarning):
            pass
        assert users in warnings.filters
