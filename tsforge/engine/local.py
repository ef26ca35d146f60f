"""The default engine: in this process, or a local process pool of ``n_jobs`` workers."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from tsforge.engine.base import OnResult
from tsforge.engine.ctrl_c import ctrl_c_blocked, ctrl_c_noted
from tsforge.errors import add_note

__all__ = ["LocalEngine", "fresh_workers", "start_method"]

F = TypeVar("F", bound=Callable[..., Any])

#: The attribute :func:`fresh_workers` sets on a chunk function.
_FRESH_ATTR = "__tsforge_fresh_workers__"

#: How long the driver waits for a chunk before it looks at signals again (seconds).
POLL_S = 0.5
#: How long a stopped worker gets to die from SIGTERM before it is sent SIGKILL (seconds).
GRACE_S = 2.0


def fresh_workers(fn: F) -> F:
    """Mark ``fn`` as a chunk function whose local pool starts fresh interpreters (``spawn``),
    not forks of this process; returns ``fn``.

    Why: a forked worker inherits the driver's OpenMP state but none of its threads. Once the
    driver has run one parallel torch op, torch's OpenMP (libgomp) pool belongs to its main
    thread, and the first parallel op in a forked worker waits forever for the pool's threads,
    which the worker does not have: an ensemble member of 720 x 96 weights hung in its weight
    initialisation (``--n-jobs 4``), before its training set one thread. Setting one thread
    in the worker does not help either: a member that asks for more threads hangs the same way,
    and torch refuses CUDA in a forked child of a process that had used it. A fresh
    interpreter has no such state; it costs the imports (torch: seconds per worker, once per
    ``map``), which a member's training (minutes) dwarfs. Mark every function that runs torch
    (or other OpenMP) code.
    """
    setattr(fn, _FRESH_ATTR, True)
    return fn


def start_method(fn: Callable[..., Any]) -> str | None:
    """How the local pool starts the workers that run ``fn`` (``None``: the platform's default).

    ``spawn`` for functions marked by :func:`fresh_workers`; ``fork`` for the rest where the
    platform has it: their workers inherit the already imported (and compiled) statsforecast /
    NumPy state instead of re-importing it, which costs seconds per worker.
    """
    if getattr(fn, _FRESH_ATTR, False):
        return "spawn"
    return "fork" if "fork" in mp.get_all_start_methods() else None


class LocalEngine:
    """Runs chunks in this process (``n_jobs == 1``) or in a process pool.

    The pool forks this process, except for chunk functions marked by :func:`fresh_workers`
    (torch work), whose workers are fresh interpreters (:func:`start_method` says why). The pool
    lives for one ``map`` call, so an idle tsforge keeps no processes around.
    """

    name = "local"

    def __init__(self, n_jobs: int = 1) -> None:
        self.n_jobs = max(1, int(n_jobs))

    @property
    def workers(self) -> int:
        return self.n_jobs

    def describe(self) -> str:
        return "local" if self.n_jobs == 1 else f"local x{self.n_jobs}"

    def map(
        self, fn: Callable[[Any], Any], items: Sequence[Any], on_result: OnResult | None = None
    ) -> list[Any]:
        """``[fn(x) for x in items]`` in input order; ``on_result`` is called as chunks finish."""
        items = list(items)
        results: list[Any] = [None] * len(items)
        if self.n_jobs == 1 or len(items) <= 1:
            for i, item in enumerate(items):
                results[i] = fn(item)
                if on_result is not None:
                    on_result(i, results[i])
            return results
        method = start_method(fn)
        ctx = mp.get_context(method) if method is not None else None
        pool = ProcessPoolExecutor(
            max_workers=min(self.n_jobs, len(items)),
            mp_context=ctx,
            initializer=_start_worker,
            initargs=(_logging_of_this_process(),),
        )
        futures: dict[Future[Any], int] = {}
        try:
            with _ctrl_c_deferred():  # the pool starts its workers in submit
                for i, item in enumerate(items):
                    futures[pool.submit(fn, item)] = i
            for i, result in _as_they_finish(futures):
                results[i] = result
                if on_result is not None:
                    on_result(i, result)
        except BaseException as exc:
            _stop(pool)
            if isinstance(exc, BrokenProcessPool):  # Python's words name neither cause nor remedy
                add_note(exc, _died_note(method))
            raise
        pool.shutdown(wait=True)
        return results


def _died_note(method: str | None) -> str:
    """What a :class:`BrokenProcessPool` means, for a pool started by ``method``."""
    note = (
        "a tsforge worker process died while running a chunk of series (killed by the "
        "system, e.g. out of memory, or a crash in native code); no result of this run "
        "is kept: rerun with fewer --n-jobs, or --n-jobs 1 to see the error in this process"
    )
    if method == "spawn":  # a fresh worker imports the driver's script: unguarded, it runs again
        note += (
            "; from a Python script, a worker that fails to start may also mean that the script "
            'runs its work at import: put it under `if __name__ == "__main__":`'
        )
    return note


def _logging_of_this_process() -> tuple[int, str | None]:
    """The root logger's level and its first handler's format, for :func:`_start_worker`.

    Why: a forked worker inherits the driver's logging (the CLI's ``WARNING name: message``
    lines); a fresh one has none, and a member's warning came out bare (Python's last-resort
    handler) or not at all.
    """
    root = logging.getLogger()
    fmt = next((h.formatter._fmt for h in root.handlers if h.formatter is not None), None)
    return root.level, fmt


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """A Ctrl-C that comes inside the block is raised at its end (:func:`ctrl_c_noted`), and
    workers started inside keep SIGINT blocked until their start-up ignores it
    (:func:`ctrl_c_blocked`).

    Why the mask: a worker inherits it, through ``exec`` too, and keeps a Ctrl-C pending until
    its initializer (:func:`_leave_ctrl_c_to_the_driver`) ignores it. A fresh worker spends
    seconds importing before that, and a Ctrl-C then killed it with a ``KeyboardInterrupt``
    traceback of its own. (Python's resource tracker starts its process the same way, and
    unblocks SIGINT when done: it is started first, outside the mask.)

    Why the handler as well: the kernel may hand the Ctrl-C to another thread, and the main
    thread then raises ``KeyboardInterrupt`` anyway. Raised between a worker's ``fork`` and the
    pool recording it, that worker was unknown to :func:`_stop`: it outlived the driver, holding
    its stderr open, idle for ever. Noted instead, it is raised once every worker started is on
    the pool's books.
    """
    with ctrl_c_noted():
        if hasattr(signal, "pthread_sigmask"):  # POSIX: Windows has no masks and no tracker process
            from multiprocessing import resource_tracker

            resource_tracker.ensure_running()
        with ctrl_c_blocked():
            yield


def _start_worker(logging_setup: tuple[int, str | None]) -> None:
    """Pool worker start-up: Ctrl-C left to the driver; a fresh worker logs as the driver does."""
    _leave_ctrl_c_to_the_driver()
    if hasattr(signal, "pthread_sigmask"):  # ignored now: one pending since start-up is dropped
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    level, fmt = logging_setup
    root = logging.getLogger()
    if not root.handlers and fmt is not None:  # a forked worker already has the driver's handlers
        logging.basicConfig(level=level, format=fmt)


def _leave_ctrl_c_to_the_driver() -> None:
    """Pool worker start-up: ignore SIGINT; the driver stops the workers when Ctrl-C reaches it.

    Why: a Ctrl-C in a terminal goes to every process of the foreground group, workers included.
    An idle worker (waiting for its next chunk) died of it with a ``KeyboardInterrupt``
    traceback of its own on stderr, a busy one sent the interrupt back as its chunk's result and
    went on to the next chunk; the driver ends them either way (:func:`_stop`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _as_they_finish(futures: dict[Future[Any], int]) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, result)`` for each future as it finishes (by index within one poll).

    Why a timed wait, not ``as_completed``: a wait without a timeout blocks the main thread in a
    lock that only a signal delivered to *that* thread interrupts. The kernel may hand Ctrl-C
    to any thread that does not block it, and Polars' (and other native libraries') threads do
    not, so the ``KeyboardInterrupt`` waited for the next chunk to finish (minutes on a big
    panel). Waking every :data:`POLL_S` lets Python run the pending signal handler.
    """
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
        for fut in sorted(done, key=futures.__getitem__):
            yield futures[fut], fut.result()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose map failed (a chunk raised, Ctrl-C): drop the chunks not started and
    end the workers still busy with others, so the error reaches the caller now.

    Why not just leave the ``with`` block: its ``shutdown(wait=True)`` waited for every chunk
    already running, so a series failing in the first second of a long map surfaced only when
    the other workers' chunks (minutes each on a big panel) had finished, their results then
    thrown away; a worker left running after the driver gave up would also keep a core busy.

    Why in this order, and not by cancelling the futures here: the pool's manager thread marks
    every future it still holds as failed once the workers are gone, and one already cancelled
    made it raise ``InvalidStateError`` (a traceback on stderr) before it had closed the queue
    of chunks; the thread that writes chunks into that queue's pipe then stayed blocked on a
    chunk bigger than the pipe buffer that no worker would read, and the interpreter, joining
    that thread at exit, never exited. So: no join of that writer at exit, the pool cancels
    what it had not started, then the workers end, then the manager is given time to close up.
    """
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    call_queue = getattr(pool, "_call_queue", None)
    if call_queue is not None:
        call_queue.cancel_join_thread()  # its data is thrown away: nothing to wait for at exit
    pool.shutdown(wait=False, cancel_futures=True)
    _end_processes(workers)
    if manager is not None:
        manager.join(timeout=GRACE_S)


def _end_processes(workers: Sequence[Any]) -> None:
    """SIGTERM every live worker, then SIGKILL those still alive after :data:`GRACE_S`.

    Why the second step: a worker that handles SIGTERM (a handler inherited from the driver,
    native code that masks it) would otherwise outlive the driver as an orphan, still computing.
    """
    for proc in workers:
        if proc.is_alive():
            proc.terminate()
    for proc in workers:
        proc.join(timeout=GRACE_S)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=GRACE_S)
