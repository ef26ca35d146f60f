"""Reading a request's text times leaves another request's notes where they go.

Why: the library's time reader silenced pandas' parsing advice with ``catch_warnings`` +
``simplefilter("ignore", UserWarning)`` (or ``"ignore"``) and, reading an ``/invocations`` frame
series by series, recorded each reading's notes with ``catch_warnings(record=True)``. Those blocks
swap the one filter list (and ``showwarning``) every thread shares: while one was open, a note
another request raised was ignored (every tsforge warning is a ``UserWarning``) or recorded into
the reading's list, and lost to the request it belonged to. The reader now holds only its own
thread's warnings (:func:`tsforge.quiet.held_warnings`, :func:`tsforge.quiet.silenced`).

The threads are ordered with events: the other request warns while pandas is reading this one's
times, on every run.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

import service.convert as convert
from service.notes import Caught, caught_notes
from service.schemas.common import times_by_format
from tsforge.errors import TsforgeWarning
from tsforge.quiet import is_quiet_filter

NOTE = "a note of another request"


@pytest.fixture(autouse=True)
def _filters_restored() -> Iterator[None]:
    """The process' filters as before the test (the service's filter is added to them)."""
    with warnings.catch_warnings():
        yield


class _OtherRequest:
    """A request answered in another thread: it opens its notes (the service's filter and hook
    in place), then warns one note when :meth:`warn_now` is called, and keeps what it collected."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.go = threading.Event()
        self.got: list[Caught] = []
        self.thread = threading.Thread(target=self._answer)
        self.thread.start()
        assert self.open.wait(timeout=60)

    def _answer(self) -> None:
        with caught_notes() as sink:
            self.open.set()
            assert self.go.wait(timeout=60)
            warnings.warn(TsforgeWarning(NOTE), stacklevel=1)
        self.got.extend(sink)

    def warn_now(self) -> None:
        self.go.set()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()


class _Meanwhile:
    """``owner.name`` (pandas' ``to_datetime`` unless said) lets the other request warn at its
    first call that ``when`` its arguments, as a thread switch would, and notes whether the
    process' filter list was the same list then, its entries other than the reader's own
    (:func:`tsforge.quiet.is_quiet_filter`) unchanged."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        other: _OtherRequest,
        owner: Any = pd,
        name: str = "to_datetime",
        when: Callable[..., bool] = lambda *args, **kwargs: True,
    ) -> None:
        self.filters = warnings.filters
        self.entries = list(warnings.filters)
        self.same_list: bool | None = None
        original: Callable[..., Any] = getattr(owner, name)

        def meanwhile(*args: Any, **kwargs: Any) -> Any:
            if self.same_list is None and when(*args, **kwargs):
                self.same_list = warnings.filters is self.filters and [
                    f for f in warnings.filters if not is_quiet_filter(f)
                ] == [f for f in self.entries if not is_quiet_filter(f)]
                other.warn_now()
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, meanwhile)

    def assert_filters_as_before(self) -> None:
        assert self.same_list, "the reader swapped or changed the filter list while it read"
        assert warnings.filters is self.filters and list(warnings.filters) == self.entries


def _started_request() -> _OtherRequest:
    with caught_notes():  # the service's filter in place, as after a first request
        pass
    return _OtherRequest()


@pytest.mark.parametrize(
    "timestamps",
    [
        ["Jan 5 2017", "Jan 6 2017", "Jan 7 2017"],  # pandas' "could not infer format" path
        ["13/01/2017", "14/01/2017", "15/01/2017"],  # day first, read after month first failed
        ["2020-03-29 00:00:00+02:00", "2020-03-30 00:00:00+02:00"],  # UTC offsets
    ],
)
def test_a_note_raised_while_v1_timestamps_are_read_reaches_its_request(monkeypatch, timestamps):
    other = _started_request()
    meanwhile = _Meanwhile(monkeypatch, other)
    with caught_notes() as ours:
        keys = times_by_format(
            timestamps,
            None,
            column="timestamps",
            what="timestamps",
            unit="position",
            format_field="time_format",
        )
    assert len(keys) == len(timestamps)
    assert [c.message for c in other.got] == [NOTE]
    assert NOTE not in [c.message for c in ours]
    meanwhile.assert_filters_as_before()


def test_a_note_raised_while_a_frame_is_read_series_by_series_reaches_its_request(monkeypatch):
    """``/invocations``' ``ds`` of series written in two ways (quarters, ``YYYYMMDD``) is read one
    series at a time, each reading's notes kept to decide on: the other request warns during a
    series' reading (outside pandas), and its note is not among them, nor this request's."""
    quarters = pd.period_range("2015Q1", periods=6, freq="Q")
    ds = [f"{p.year}Q{p.quarter}" for p in quarters] + [f"{p.start_time:%Y%m%d}" for p in quarters]
    ids = np.array(["a"] * 6 + ["b"] * 6)
    other = _started_request()

    def one_series(ds_raw: list[str], **kwargs: Any) -> bool:
        return len(ds_raw) == 6

    meanwhile = _Meanwhile(monkeypatch, other, convert, "_parse_ds", when=one_series)
    with caught_notes() as ours:
        keys = convert._parse_ds(ds, field="dataframe_records", ids=ids)
    np.testing.assert_array_equal(keys[:6], keys[6:])
    assert [c.message for c in other.got] == [NOTE]
    assert NOTE not in [c.message for c in ours]
    meanwhile.assert_filters_as_before()


def test_the_readers_own_note_still_reaches_its_request_once():
    """In one thread, as before: the reading's own note (day or month first was a guess) is the
    request's, once."""
    with caught_notes() as ours:
        times_by_format(
            ["01/02/2017", "01/03/2017", "01/04/2017"],
            None,
            column="timestamps",
            what="timestamps",
            unit="position",
            format_field="time_format",
        )
    assert [c.category.__name__ for c in ours] == ["AmbiguousDatesWarning"]


def test_a_request_beginning_while_times_are_read_leaves_the_filters_in_place():
    """A reading's filter never routes another thread's note, so the service's filter may stay
    behind it: moving the service's in front, once a request, made Python forget every warning it
    had shown once (a library's once-per-place warnings repeated in the server's log)."""
    from tsforge.quiet import silenced

    with caught_notes():
        pass
    with silenced(UserWarning):
        before = list(warnings.filters)
        with caught_notes():
            assert list(warnings.filters) == before


def test_requests_and_readings_in_turn_wrap_showwarning_no_deeper():
    """The reader's hook and the service's each find theirs in place: neither wraps again."""
    from tsforge.quiet import silenced

    with caught_notes(), silenced():
        pass
    hook = warnings.showwarning
    for _ in range(3):
        with caught_notes():
            pass
        with silenced():
            pass
    assert warnings.showwarning is hook
