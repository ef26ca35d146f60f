"""The default engine: in this process, or a local process pool of ``n_jobs`` workers."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from tsforge.engine.base import OnResult

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
        with ProcessPoolExecutor(max_workers=min(self.n_jobs, len(items)), mp_context=ctx) as pool:
            futures = {pool.submit(fn, item): i for i, item in enumerate(items)}
            try:
                for fut in as_completed(futures):
                    i = futures[fut]
                    results[i] = fut.result()
                    if on_result is not None:
                        on_result(i, results[i])
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
        return results
