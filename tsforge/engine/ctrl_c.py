"""Holding a Ctrl-C off while an engine starts or stops processes, and raising it once done.

Why a module of its own: the local pool (starting its workers) and the Ray engine (stopping the
local instance it started) must each finish what a ``KeyboardInterrupt`` raised half-way would
leave broken — a worker no one knows of, a Ray instance whose agents outlive the command — and
both hold the Ctrl-C off the same way.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["ctrl_c_blocked", "ctrl_c_noted"]


@contextlib.contextmanager
def ctrl_c_noted() -> Iterator[None]:
    """A Ctrl-C that comes inside the block is raised at its end, once for any number pressed
    meanwhile, to the handler the caller had (as if it came then); also over an error.

    Why a handler and not only a mask (:func:`ctrl_c_blocked`): a mask is one thread's, and the
    kernel hands a Ctrl-C to another thread that does not block it (tqdm's, Polars', MLflow's,
    Ray's), whose C handler makes the main thread raise ``KeyboardInterrupt`` at its next
    bytecode anyway. Only the main thread can set a handler: called from another thread, or
    where the handler was installed outside Python, the block holds nothing off (Python then
    raises no ``KeyboardInterrupt`` in that thread anyway).
    """
    came: list[int] = []
    previous = _note_ctrl_c_in(came)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        if came:  # to the handler the caller had, as if it came now
            signal.raise_signal(signal.SIGINT)


@contextlib.contextmanager
def ctrl_c_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread inside the block, and in every process started inside (a
    child inherits the mask, through ``exec`` too); one pending arrives when the block ends.

    Inside :func:`ctrl_c_noted`, the one that arrives is noted, not raised.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no masks
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _note_ctrl_c_in(came: list[int]) -> Any:
    """Make SIGINT append to ``came``; return the handler it replaced, or ``None`` where it
    cannot be replaced (not the main thread; a handler installed outside Python)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGINT) is None:
        return None
    return signal.signal(signal.SIGINT, lambda signum, _frame: came.append(signum))
