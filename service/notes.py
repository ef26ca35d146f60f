"""The library's warnings raised while one request is answered, returned as that request's notes.

Why: the CLI prints every :class:`~tsforge.errors.TsforgeWarning` as a ``note:`` line and the
Python API and the MLflow pyfunc raise it as a warning, but the service returned only the notes it
recomputes itself (:func:`service.forecasting.forecast_notes`). A warning it does not recompute —
"1 of 3 series were too short for auto_ets ... and were forecast by its fallback" — went to the
server's log (once per process) and never to the client that sent the short series.

``warnings.catch_warnings`` cannot collect them: it swaps process-wide state, and the service
answers requests from several threads (and short ones on the event loop). Instead one
``warnings.showwarning`` hook routes a tsforge warning to the list of the request being answered
*in the calling thread* (``warnings.warn`` calls the hook in that thread), and every other
warning to the hook that was installed before. A filter shows tsforge warnings every time
(Python's default shows each one once per code location, so a second request would get no note).

Each note keeps its warning's class (:class:`Caught`), so the service can treat a kind of note
apart (drop the trimmed-history note of a padded frame) without reading its words; the class
travels with the text from a worker process (a class pickles by its importable name). A routed
ensemble's member note arrives framed by the ensemble (:mod:`recommender.routed`).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tsforge.errors import TsforgeWarning

__all__ = ["Caught", "caught_notes", "merge_notes", "add_caught"]


@dataclass(frozen=True)
class Caught:
    """One warning the library raised while a request was answered: its text and its class."""

    message: str
    category: type[Warning] = TsforgeWarning

    def __str__(self) -> str:
        return self.message


_local = threading.local()
_install_lock = threading.Lock()
#: the filter ``warnings.filterwarnings("always", category=TsforgeWarning)`` adds
_SHOWN_ALWAYS = ("always", None, TsforgeWarning, None, 0)


@contextmanager
def caught_notes() -> Iterator[list[Caught]]:
    """The tsforge warnings raised in this thread inside the block, in order."""
    _install()
    sink: list[Caught] = []
    outer = getattr(_local, "sink", None)
    _local.sink = sink
    try:
        yield sink
    finally:
        _local.sink = outer


def add_caught(caught: Iterable[Caught]) -> None:
    """Add ``caught`` to the notes :func:`caught_notes` collects in this thread, as if warned
    here: the warnings of a forecast computed in a worker process (:mod:`service.forecast_worker`)
    come back from it. Outside a :func:`caught_notes` block they are dropped."""
    sink = getattr(_local, "sink", None)
    if sink is not None:
        sink.extend(caught)


def merge_notes(computed: Iterable[str] | None, caught: Iterable[str | Caught]) -> list[str] | None:
    """``computed`` notes, then the ``caught`` ones not already among them (the library warns some
    of the notes the service also computes, in the same words); ``None`` when there are none."""
    out = list(dict.fromkeys([*(computed or ()), *(str(c) for c in caught)]))
    return out or None


def _install() -> None:
    """Put the routing hook in place, and the show-every-time filter *first* among the filters.

    Why on every request, and first: ``warnings.catch_warnings`` saves and restores the
    process-wide filter list, so two such blocks overlapping in two threads (third-party code, or
    ours outside :mod:`tsforge.quiet`) can leave an ``("ignore", Warning)`` filter in front of this
    one for good; a filter that is merely somewhere in the list then never sees a tsforge warning
    again, and every later answer lost its notes until the process restarted."""
    with _install_lock:
        if not _hooked(warnings.showwarning):
            warnings.showwarning = _routing(warnings.showwarning)
        if not _first():
            warnings.filterwarnings("always", category=TsforgeWarning)  # moved to the front


def _hooked(show: Any) -> bool:
    return bool(getattr(show, "_routes_tsforge_notes", False))


def _first() -> bool:
    """Whether the first filter that can match a tsforge warning, the one that decides its fate,
    is ours (those :func:`tsforge.quiet.quiet_libraries` puts in front never match one).

    Why skip those: a fit puts its filter first, and moving ours back in front of it on the next
    request cleared every module's warning registry (``filterwarnings`` does), once a request on a
    busy service, so a library's once-per-location warnings repeated in the server's log."""
    from tsforge.quiet import is_quiet_filter

    first = next((f for f in list(warnings.filters) if not is_quiet_filter(f)), None)
    return first == _SHOWN_ALWAYS


def _routing(previous: Any) -> Any:
    """A ``showwarning`` that hands a tsforge warning raised inside :func:`caught_notes` to its
    list and any other warning to ``previous``."""

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        sink = getattr(_local, "sink", None)
        if sink is not None and issubclass(category, TsforgeWarning):
            sink.append(Caught(str(message), category))
            return
        previous(message, category, *args, **kwargs)

    show._routes_tsforge_notes = True  # type: ignore[attr-defined]
    return show
