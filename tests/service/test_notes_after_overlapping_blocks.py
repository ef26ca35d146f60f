"""Notes survive two threads' ``catch_warnings`` blocks overlapping.

Why: two clients sending routed forecasts at once made every later answer lose its notes until
a restart. ``catch_warnings`` saves and restores the process-wide filter list; when one block is
entered inside another thread's and left after it, the "ignore" filter of the first stays in
front for good, and the service's own filter (show tsforge warnings) was somewhere behind it.
The threads are ordered with events, so the overlap happens on every run.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator

import pytest

from service.notes import caught_notes
from tsforge.errors import TsforgeWarning


@pytest.fixture(autouse=True)
def _filters_restored() -> Iterator[None]:
    """The process' filters as before the test (it corrupts them on purpose)."""
    with warnings.catch_warnings():
        yield


def _in_threads(first: Callable[[], None], second: Callable[[], None]) -> None:
    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    a.join(timeout=60)
    b.join(timeout=60)
    assert not a.is_alive() and not b.is_alive()


def _overlap_ignore_blocks() -> None:
    """A enters, B enters, A leaves, B leaves: B restores the list A's filter was in."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a_in.set()
            assert b_in.wait(30)
        a_out.set()

    def second() -> None:
        assert a_in.wait(30)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b_in.set()
            assert a_out.wait(30)

    _in_threads(first, second)


def test_a_note_is_caught_after_two_threads_blocks_left_an_ignore_filter_in_front() -> None:
    with caught_notes() as before:  # the service's filter is in place, as after a first request
        warnings.warn("first", TsforgeWarning, stacklevel=1)
    assert [c.message for c in before] == ["first"]

    _overlap_ignore_blocks()
    assert warnings.filters[0][0] == "ignore"  # the corruption the service has to live with

    with caught_notes() as after:
        warnings.warn("second", TsforgeWarning, stacklevel=1)
    assert [c.message for c in after] == ["second"]


def test_the_services_filter_is_first_whenever_a_request_begins() -> None:
    with caught_notes():
        pass
    warnings.simplefilter("ignore")  # anything put in front since
    with caught_notes() as caught:
        assert warnings.filters[0][:3] == ("always", None, TsforgeWarning)
        warnings.warn("noted", TsforgeWarning, stacklevel=1)
    assert [c.message for c in caught] == ["noted"]


def test_a_fits_quiet_filter_in_front_leaves_the_services_in_place() -> None:
    """A fit's :func:`tsforge.quiet.quiet_libraries` filter never matches a tsforge warning, so
    a request beginning while a fit is open keeps the filter list as it is: moving the service's
    filter back in front of it cleared every module's warning registry, once a request, and a
    library's once-per-location warnings repeated in the server's log."""
    from tsforge.quiet import quiet_libraries

    with caught_notes():
        pass
    with quiet_libraries():
        before = list(warnings.filters)
        with caught_notes() as caught:
            assert list(warnings.filters) == before  # nothing moved, nothing re-added
            warnings.warn("noted", TsforgeWarning, stacklevel=1)
    assert [c.message for c in caught] == ["noted"]
