"""The default engine: in this process, or a local process pool of ``n_jobs`` workers."""

from __future__ import annotations

import multiprocessing as mp
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from tsforge.engine.base import OnResult
from tsforge.errors import add_note

__all__ = ["LocalEngine"]

#: How long the driver waits for a chunk before it looks at signals again (seconds).
POLL_S = 0.5
#: How long a stopped worker gets to die from SIGTERM before it is sent SIGKILL (seconds).
GRACE_S = 2.0


class LocalEngine:
    """Runs chunks in this process (``n_jobs == 1``) or in a ``fork`` process pool.

    Why ``fork`` where available: workers inherit the already imported (and compiled)
    statsforecast / NumPy state instead of re-importing it, which costs seconds per worker;
    chunks hold only NumPy arrays, so no thread state is shared. The pool lives for one ``map``
    call, so an idle tsforge keeps no processes around.
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
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        pool = ProcessPoolExecutor(
            max_workers=min(self.n_jobs, len(items)), mp_context=ctx, initializer=_leave_ctrl_c_to_the_driver
        )
        futures: dict[Future[Any], int] = {}
        try:
            for i, item in enumerate(items):
                futures[pool.submit(fn, item)] = i
            for i, result in _as_they_finish(futures):
                results[i] = result
                if on_result is not None:
                    on_result(i, result)
        except BaseException as exc:
            _stop(pool)
            if isinstance(exc, BrokenProcessPool):  # Python's words name neither cause nor remedy
                add_note(
                    exc,
                    "a tsforge worker process died while running a chunk of series (killed by the "
                    "system, e.g. out of memory, or a crash in native code); no result of this run "
                    "is kept: rerun with fewer --n-jobs, or --n-jobs 1 to see the error in this process",
                )
            raise
        pool.shutdown(wait=True)
        return results


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
