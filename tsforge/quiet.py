"""Warnings kept from the user without swapping the process' warning state, safely from several
threads at once: a fit's library noise (:func:`quiet_libraries`) and what a reader's probes raise
(:func:`held_warnings`, :func:`silenced`).

Why not ``warnings.catch_warnings()`` and ``simplefilter("ignore")``, as the fits did: that block
saves and restores the *process-wide* filter list. The service fits series in several threads,
and two such blocks overlapping in two threads restored each other's lists: an "ignore
everything" filter stayed in front for good, and every later answer lost its notes (while a
block was open, it also hid the notes of any request answered beside it).

What a fit warns is noise to the user — statsforecast's ETS dividing by zero on a flat series,
statsmodels' autocorrelation of a constant one, ARIMA's "Setting seasonal period to 1" — and it
stays silent here, by two means:

* floating-point warnings (overflow, division by zero, invalid values; nearly everything a fit
  raises) are switched off with ``np.errstate``, which holds for the calling thread only;
* the libraries' own Python-level warnings need a filter. Each filter is added when the first
  thread enters and taken out (never restored over another thread's list) when the last one
  leaves, and it matches only warnings issued from those libraries' modules, or a third-party
  category: a tsforge warning is never hidden by it, whichever thread raises it. Third-party
  warnings of another thread are silenced while it is in — noise too.

A ``catch_warnings`` block elsewhere (third-party code) that saves the list while the filter is in
and restores it after the last thread has left brings a filter back; it is taken out again the
next time a thread adds it, and in the meantime hides only third-party warnings.

The readers' probes (:mod:`tsforge.data.timeaxis`, :mod:`tsforge.data.validation`) run on every
request that sends text times the fast path does not read: pandas' "could not infer format"
advice is silenced, a probe's own notes are dropped (the real reading gives them), and reading a
frame series by series *keeps* each reading's notes to decide on them. With ``catch_warnings``
those blocks hid another request's notes while open (``ignore::UserWarning`` covers every tsforge
warning) or, recording, took them into the probe's list, where they were lost. A block of
:func:`held_warnings` or :func:`silenced` holds the warnings of *its own thread* only:

* while it is open, one filter entry of its own, put first when it opens: its category is a class
  whose ``issubclass`` test asks the issuing thread (:class:`_HeldHere`), so it matches — action
  ``"always"``, past any ``ignore`` or ``error`` filter — a warning whose category a block open in
  that thread holds, and nothing in any other thread, whose warnings the other filters decide as
  if it were not there. It is inserted and taken out in place, one entry a block, by its value;
* one ``showwarning`` hook, put outermost when a block opens, hands such a warning to the
  innermost block of the thread holding its category (kept, or dropped) and every other warning
  to the hook it wraps. It takes on the attributes of the hook it wraps, so a hook that checks
  for its own mark outermost (the service's :mod:`service.notes`) finds it and wraps nothing
  again: the chain grows by one hook in a process, not by one a request.

Left as they are: a ``catch_warnings`` block open in another thread (pandas opens a few inside
``infer_freq`` and ``to_datetime``) that restores its saved list or hook can take a block's entry
out early, or drop the hook when it was put in first meanwhile; the block's remaining warnings are
then decided by the other filters and hooks, as without it. A recording block of another thread
(``catch_warnings(record=True)``) takes every warning while open, held ones too.
"""

from __future__ import annotations

import itertools
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from tsforge.errors import TsforgeWarning

__all__ = ["QUIET_LIBRARIES", "quiet_libraries", "held_warnings", "silenced", "is_quiet_filter"]

#: the libraries a fit calls whose warnings are silenced (top-level package names)
QUIET_LIBRARIES = ("numpy", "scipy", "statsmodels", "statsforecast")

#: the filter every :func:`quiet_libraries` block adds: any warning issued from those packages
_FROM_LIBRARIES = ("ignore", None, Warning, re.compile(rf"({'|'.join(QUIET_LIBRARIES)})(\.|$)"), 0)

#: the module pattern of a category filter a block adds: it matches every module, and no filter
#: of the user's (``simplefilter("ignore", FutureWarning)`` has none) equals one of ours, so
#: taking ours out never takes out theirs
_ANY_MODULE = re.compile(r"(?#added by tsforge.quiet)")

_lock = threading.Lock()
_inside: dict[tuple[Any, ...], int] = {}  # filter -> blocks open that added it; guarded by _lock


@contextmanager
def quiet_libraries(*categories: type[Warning]) -> Iterator[None]:
    """Inside: no floating-point warnings in this thread, and no warning issued from
    :data:`QUIET_LIBRARIES` in any thread; tsforge's own warnings pass as outside.

    ``categories``: also these, from any module. Why: statsmodels attributes some of its warnings
    to its caller (``stacklevel=2``: adfuller's ``FutureWarning``, kpss' ``InterpolationWarning``
    name our line). A category a tsforge warning belongs to (``UserWarning``, ``Warning``) is
    refused: it would hide other threads' notes.
    """
    for category in categories:
        if issubclass(TsforgeWarning, category):
            raise ValueError(f"{category.__name__} would silence tsforge's own warnings")
    added = [_FROM_LIBRARIES, *(("ignore", None, c, _ANY_MODULE, 0) for c in categories)]
    _enter(added)
    try:
        with np.errstate(all="ignore"):
            yield
    finally:
        _leave(added)


def _enter(added: list[tuple[Any, ...]]) -> None:
    with _lock:
        for f in added:
            _inside[f] = _inside.get(f, 0) + 1
            if _inside[f] == 1:
                _take_out(f)  # a copy a third-party catch_warnings block brought back
            if f not in warnings.filters:  # first in, or one such block restored a list without it
                _filters().insert(0, f)


def _leave(added: list[tuple[Any, ...]]) -> None:
    with _lock:
        for f in added:
            _inside[f] -= 1
            if _inside[f] == 0:
                del _inside[f]
                _take_out(f)


def _take_out(added: tuple[Any, ...]) -> None:
    """Remove ``added`` wherever it is, in place, one ``list.remove`` at a time: the list is
    shared, and rewriting it whole (``filters[:] = ...``) could drop a filter another thread
    inserted meanwhile (the service's own, which takes no lock of ours).

    No ``warnings._filters_mutated()`` (private): an "ignore" filter never writes the registries
    that call invalidates, so adding or removing one leaves none stale."""
    filters = _filters()
    while True:
        try:
            filters.remove(added)
        except ValueError:
            return


def is_quiet_filter(entry: Any) -> bool:
    """Whether a ``warnings.filters`` entry is one this module added: a :func:`quiet_libraries`
    filter never matches a tsforge warning, and a hold's matches only warnings its own thread
    holds (they go to the hold, never to a request's notes), so a filter that must come first for
    tsforge warnings may sit after either."""
    try:
        return entry == _FROM_LIBRARIES or entry in _inside or _is_hold_filter(entry)
    except TypeError:  # an unhashable entry someone else added: not ours
        return False


def _filters() -> list[Any]:
    """``warnings.filters``, the list itself (typeshed declares it a read-only ``Sequence``)."""
    return cast(list[Any], warnings.filters)


@contextmanager
def held_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning this thread issues inside, in the list it yields (in order), none shown;
    other threads' warnings pass as outside. What ``catch_warnings(record=True)`` with
    ``simplefilter("always")`` gave, for this thread alone (why: the module's docstring).

    Entering forgets which warnings Python has shown once at a place (``filterwarnings`` does, as
    ``catch_warnings`` did): the registry of shown warnings is read before any filter, and a note
    shown once before at the same place was not held (a series read by a guess, unnoticed).
    """
    kept: list[warnings.WarningMessage] = []
    with _holding(_Hold((Warning,), kept), forget_shown=True):
        yield kept


@contextmanager
def silenced(*categories: type[Warning]) -> Iterator[None]:
    """The warnings of ``categories`` (none given: every warning) this thread issues inside are
    dropped; other threads' warnings pass as outside (why: the module's docstring).

    Unlike :func:`held_warnings`, Python's memory of warnings shown once is kept: a warning it
    skips as shown is dropped here all the same, and forgetting it repeats every library's
    once-per-place warnings in a server's log after each block."""
    with _holding(_Hold(categories or (Warning,), None), forget_shown=False):
        yield


@dataclass(eq=False)
class _Hold:
    """One open block: the categories it holds, and its list (``None``: dropped)."""

    categories: tuple[type[Warning], ...]
    kept: list[warnings.WarningMessage] | None


_here = threading.local()  # .holds: the blocks open in this thread, innermost last


def _holds() -> list[_Hold]:
    holds: list[_Hold] | None = getattr(_here, "holds", None)
    if holds is None:
        holds = _here.holds = []
    return holds


def _holder(category: type) -> _Hold | None:
    """The innermost block open in this thread that holds ``category``."""
    for hold in reversed(getattr(_here, "holds", ())):
        if issubclass(category, hold.categories):
            return hold
    return None


class _AskingTheThread(type):
    """The metaclass of :class:`_HeldHere`: its ``issubclass`` asks the calling thread's blocks,
    and ``warnings`` tests a filter's category with ``issubclass`` in the thread that warns."""

    def __subclasscheck__(cls, category: type) -> bool:
        return _holder(category) is not None


class _HeldHere(Warning, metaclass=_AskingTheThread):
    """The category of a hold's filter: a warning is one while a block open in the thread that
    issues it holds its category."""


#: numbers the blocks' filters: each entry is its block's own (its module pattern, which matches
#: every module, says which), so it is taken out by its value without touching another's
_numbers = itertools.count()
_open: set[tuple[Any, ...]] = set()  # the entries of the blocks open in any thread; guarded by _lock


@contextmanager
def _holding(hold: _Hold, *, forget_shown: bool) -> Iterator[None]:
    entry = _open_entry(forget_shown)
    holds = _holds()
    holds.append(hold)
    try:
        yield
    finally:
        holds.pop()
        with _lock:
            _open.discard(entry)
            _take_out(entry)


def _open_entry(forget_shown: bool) -> tuple[Any, ...]:
    """Put a new block's filter first (and the hook outermost); its entry, to take out."""
    module = f"(?#held by tsforge.quiet, block {next(_numbers)})"
    entry = ("always", None, _HeldHere, re.compile(module), 0)
    with _lock:
        for f in list(warnings.filters):  # one a catch_warnings block brought back after its block
            if _is_hold_filter(f) and f not in _open:
                _take_out(f)
        _open.add(entry)
        if forget_shown:  # the same insert at the front, and the registries of shown warnings reset
            warnings.filterwarnings("always", category=_HeldHere, module=module)
        else:
            _filters().insert(0, entry)
        if not getattr(warnings.showwarning, "_hands_to_holds", False):
            warnings.showwarning = _handing_to_holds(warnings.showwarning)
    return entry


def _is_hold_filter(entry: Any) -> bool:
    return isinstance(entry, tuple) and len(entry) == 5 and entry[2] is _HeldHere


def _handing_to_holds(previous: Callable[..., None]) -> Callable[..., None]:
    """A ``showwarning`` that hands a warning held in the calling thread to its block and any
    other to ``previous``, whose attributes it takes on (why: the module's docstring)."""

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        hold = _holder(category)
        if hold is None:
            previous(message, category, *args, **kwargs)
        elif hold.kept is not None:
            hold.kept.append(warnings.WarningMessage(message, category, *args, **kwargs))

    show.__dict__.update(getattr(previous, "__dict__", {}))
    show._hands_to_holds = True  # type: ignore[attr-defined]
    return show
