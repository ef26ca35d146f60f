"""The time reader's probes hold the warnings of their own thread, and of no other.

Why: :mod:`tsforge.data.timeaxis` and :mod:`tsforge.data.validation` silenced pandas' parsing
advice and a probe's own notes with ``catch_warnings`` + ``simplefilter("ignore")``, and recorded
a series' reading's notes with ``catch_warnings(record=True)``. Those blocks swap the filter list
and ``showwarning`` every thread shares, so while one was open the service lost the notes another
request raised: hidden by the "ignore" filter, or taken into the block's list. The blocks are now
:func:`tsforge.quiet.held_warnings` and :func:`tsforge.quiet.silenced`. Threads are ordered with
events, so the overlap happens on every run.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.timeaxis import detect_time_column, parse_time_column, parse_times_by_series
from tsforge.errors import DataValidationError, TsforgeWarning
from tsforge.quiet import held_warnings, is_quiet_filter, silenced

NOTE = "a note raised in another thread"


@pytest.fixture(autouse=True)
def shown() -> Iterator[list[tuple[str, str]]]:
    """Every warning shown while the test runs, as ``(thread name, text)``; each shown every time."""
    seen: list[tuple[str, str]] = []

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        seen.append((threading.current_thread().name, str(message)))

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield seen


class _Elsewhere:
    """A thread that warns one tsforge note when :meth:`warn_now` is called."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.thread = threading.Thread(target=self._run, name="elsewhere")
        self.thread.start()

    def _run(self) -> None:
        assert self.go.wait(timeout=60)
        warnings.warn(NOTE, TsforgeWarning, stacklevel=1)

    def warn_now(self) -> None:
        self.go.set()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()


def _pandas_meanwhile(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], None]) -> None:
    """Pandas' ``to_datetime`` runs ``meanwhile`` at its first call, as a thread switch would."""
    original: Callable[..., Any] = pd.to_datetime
    pending = [meanwhile]

    def to_datetime(*args: Any, **kwargs: Any) -> Any:
        while pending:
            pending.pop()()
        return original(*args, **kwargs)

    monkeypatch.setattr(pd, "to_datetime", to_datetime)


def _others(entries: list[Any]) -> list[Any]:
    return [f for f in entries if not is_quiet_filter(f)]


def test_a_held_block_keeps_this_threads_warnings_and_not_anothers(shown):
    before, entries = warnings.filters, list(warnings.filters)
    elsewhere = _Elsewhere()
    with held_warnings() as kept:
        warnings.warn("ours", UserWarning, stacklevel=1)
        inside = warnings.filters is before and _others(list(warnings.filters)) == _others(entries)
        elsewhere.warn_now()
        warnings.warn("ours too", FutureWarning, stacklevel=1)
    assert [(w.category, str(w.message)) for w in kept] == [
        (UserWarning, "ours"),
        (FutureWarning, "ours too"),
    ]
    assert shown == [("elsewhere", NOTE)]
    assert inside and warnings.filters is before and list(warnings.filters) == entries


def test_a_silenced_block_drops_its_categories_of_this_thread_only(shown):
    elsewhere = _Elsewhere()
    with silenced(UserWarning):
        warnings.warn("pandas' advice", UserWarning, stacklevel=1)
        warnings.warn("not silenced", FutureWarning, stacklevel=1)
        elsewhere.warn_now()
    assert shown == [("MainThread", "not silenced"), ("elsewhere", NOTE)]


def test_an_inner_block_takes_its_categories_and_leaves_the_rest_to_the_outer(shown):
    with held_warnings() as kept:
        with silenced(UserWarning):
            warnings.warn("dropped", UserWarning, stacklevel=1)
            warnings.warn("kept", FutureWarning, stacklevel=1)
        warnings.warn("kept after", UserWarning, stacklevel=1)
    assert [str(w.message) for w in kept] == ["kept", "kept after"]
    assert shown == []


def test_a_block_holds_past_an_error_filter_as_the_ignore_filter_did():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with silenced(UserWarning):
            warnings.warn("advice", UserWarning, stacklevel=1)
        with held_warnings() as kept:
            warnings.warn("a note", UserWarning, stacklevel=1)
    assert [str(w.message) for w in kept] == ["a note"]


def _warn_here(text: str) -> None:
    warnings.warn(text, TsforgeWarning, stacklevel=1)  # one place, whoever calls


def test_a_note_shown_once_before_at_the_same_place_is_held_again():
    """Python's default action shows a warning once per place and remembers it: a reading kept a
    guess note shown before by an earlier reading (``catch_warnings`` forgot it too)."""
    with warnings.catch_warnings():
        warnings.resetwarnings()  # Python's default action for a UserWarning: once per place
        warnings.showwarning = lambda *args, **kwargs: None
        _warn_here("a guess")
        with held_warnings() as kept:
            _warn_here("a guess")
    assert [str(w.message) for w in kept] == ["a guess"]


def test_reading_a_frame_series_by_series_keeps_no_note_of_another_thread(monkeypatch, shown):
    """The library's loop keeps each reading's notes to decide on them (a guess stands the whole
    column's refusal): another thread's note, raised meanwhile, is that thread's."""
    quarters = pd.period_range("2015Q1", periods=6, freq="Q")
    times = pl.Series(
        "ds", [f"{p.year}Q{p.quarter}" for p in quarters] + [f"{p.start_time:%b %d %Y}" for p in quarters]
    )
    ids = np.array(["a"] * 6 + ["b"] * 6)
    with pytest.raises(DataValidationError) as whole:
        parse_time_column(times, column="ds", file=None)
    elsewhere = _Elsewhere()
    _pandas_meanwhile(monkeypatch, elsewhere.warn_now)
    keys = parse_times_by_series(times, ids, column="ds", file=None, whole=whole.value)
    np.testing.assert_array_equal(keys[:6], keys[6:])
    assert shown == [("elsewhere", NOTE)]


@pytest.mark.parametrize(
    ("written", "time_format"),
    [
        (["Jan 05 2017", "Jan 06 2017", "Jan 07 2017"], None),  # dates: pandas reads them
        (["20170105+0200", "20170106+0200", "20170107+0200"], "%Y%m%d%z"),  # by the format given
    ],
)
def test_finding_the_time_column_hides_no_note_of_another_thread(monkeypatch, shown, written, time_format):
    """The probes that find a text time column (as dates, or by the format given) silence only
    their own thread."""
    frame = pl.DataFrame({"when": written, "sales": [1.0, 2.0, 3.0]})
    elsewhere = _Elsewhere()
    _pandas_meanwhile(monkeypatch, elsewhere.warn_now)
    try:
        assert detect_time_column(frame, time_format=time_format) == "when"
    finally:
        elsewhere.go.set()  # the thread ends whatever the probe did
    assert shown == [("elsewhere", NOTE)]
