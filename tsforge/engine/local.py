"""The default engine: in this process, or a local process pool of ``n_jobs`` workers."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from tsforge.engine.base import OnResult
from tsforge.errors import add_note

__all__ = ["LocalEngine"]


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
        pool = ProcessPoolExecutor(max_workers=min(self.n_jobs, len(items)), mp_context=ctx)
        futures: dict[Future[Any], int] = {}
        try:
            for i, item in enumerate(items):
                futures[pool.submit(fn, item)] = i
            for fut in as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                if on_result is not None:
                    on_result(i, results[i])
        except BaseException as exc:
            _stop(pool, futures)
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


def _stop(pool: ProcessPoolExecutor, futures: Iterable[Future[Any]]) -> None:
    """Stop a pool whose map failed (a chunk raised, Ctrl-C): cancel the chunks not started and
    end the workers still busy with others, so the error reaches the caller now.

    Why not just leave the ``with`` block: its ``shutdown(wait=True)`` waited for every chunk
    already running, so a series failing in the first second of a long map surfaced only when
    the other workers' chunks (minutes each on a big panel) had finished, their results then
    thrown away; a worker left running after the driver gave up would also keep a core busy.
    """
    for fut in futures:
        fut.cancel()
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for proc in workers:
        if proc.is_alive():
            proc.terminate()
    for proc in workers:
        proc.join(timeout=5)
    pool.shutdown(wait=True, cancel_futures=True)
