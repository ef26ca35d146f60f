"""Naming a posted series' rate leaves other requests' notes where they go.

Why: the service names each posted series' rate (:func:`tsforge.data.frequency.infer_freq`, from
``service/step_grids.py`` and ``service/recommending.py``) in several threads at once. It silenced
pandas' notice with ``catch_warnings`` + ``simplefilter("ignore")``, which swaps the one filter list
every thread shares: a note another request raised while the block was open was dropped (the
review's repro lost 20 of 20,000), or printed to the server's console when the block restored
``showwarning`` over the service's routing hook.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from service.notes import Caught, caught_notes
from tsforge.data.frequency import infer_freq, named_freq
from tsforge.errors import TsforgeWarning

MONTHS = pd.date_range("2020-01-01", periods=24, freq="MS").values


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
            self.go.wait(timeout=60)
            warnings.warn(TsforgeWarning("a note of another request"), stacklevel=1)
        self.got.extend(sink)

    def warn_now(self) -> None:
        self.go.set()
        self.thread.join(timeout=60)


def _pandas_meanwhile(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], None]) -> None:
    """Pandas' frequency inference runs ``meanwhile`` before answering, as a thread switch would."""
    original = pd.infer_freq

    def infer(index: pd.DatetimeIndex) -> str | None:
        meanwhile()
        return original(index)

    monkeypatch.setattr(pd, "infer_freq", infer)


def test_another_requests_note_raised_meanwhile_reaches_it(monkeypatch):
    """The review's repro made deterministic: a request already answering in another thread warns
    while this one's rate is being named."""
    other = _OtherRequest()
    _pandas_meanwhile(monkeypatch, other.warn_now)
    assert infer_freq(MONTHS) == "MS"
    assert [c.message for c in other.got] == ["a note of another request"]


def test_the_rate_is_named_without_swapping_filters(monkeypatch):
    """No tsforge frame opens ``catch_warnings`` (pandas' own inference of a quarterly step opens
    one inside, out of tsforge's hands)."""
    opened: list[str] = []
    original = warnings.catch_warnings

    def spy(*args, **kwargs):
        opened.append(sys._getframe(1).f_globals["__name__"])
        return original(*args, **kwargs)

    monkeypatch.setattr(warnings, "catch_warnings", spy)
    assert infer_freq(MONTHS) == "MS"  # the first call may add its one filter (for good)
    before = (list(warnings.filters), warnings.showwarning)
    assert infer_freq(MONTHS) == "MS"
    assert named_freq(pd.DatetimeIndex(pd.date_range("2020-01-01", periods=6, freq="6MS"))) == "6MS"
    assert [m for m in opened if m.split(".")[0] in ("tsforge", "service")] == []
    assert (list(warnings.filters), warnings.showwarning) == before


def test_pandas_notice_that_infer_freq_will_change_stays_silent(monkeypatch):
    """As before: later pandas warn (a ``FutureWarning`` naming the caller's line) on every call;
    the user is not told. Another ``FutureWarning`` is still shown."""

    def notice() -> None:  # pandas attributes it to the first frame outside pandas: named_freq's
        warnings.warn("infer_freq will return a DateOffset", FutureWarning, stacklevel=3)
        warnings.warn("something else will change", FutureWarning, stacklevel=3)

    _pandas_meanwhile(monkeypatch, notice)
    with warnings.catch_warnings(record=True) as caught:  # the test's own thread, nothing beside it
        warnings.resetwarnings()  # Python's defaults: no filter for FutureWarning, shown
        assert infer_freq(np.asarray(MONTHS)) == "MS"
    assert [str(w.message) for w in caught] == ["something else will change"]
