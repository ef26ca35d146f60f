"""The numerical libraries' warnings silenced around a fit, safely from several threads at once.

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
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import numpy as np

from tsforge.errors import TsforgeWarning

__all__ = ["QUIET_LIBRARIES", "quiet_libraries", "is_quiet_filter"]

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
    """Whether a ``warnings.filters`` entry is one :func:`quiet_libraries` added: it never
    matches a tsforge warning, so a filter that must come first for those may sit after it."""
    try:
        return entry == _FROM_LIBRARIES or entry in _inside  # a block's categories exclude ours
    except TypeError:  # an unhashable entry someone else added: not ours
        return False


def _filters() -> list[Any]:
    """``warnings.filters``, the list itself (typeshed declares it a read-only ``Sequence``)."""
    return cast(list[Any], warnings.filters)
