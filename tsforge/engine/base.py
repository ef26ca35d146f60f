"""What every engine offers: an ordered ``map`` of a pure function over chunks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = ["Engine", "OnResult"]

T = TypeVar("T")
R = TypeVar("R")

#: Called in the driver process as ``on_result(index, result)`` each time a chunk finishes
#: (in completion order); progress bars are driven from here, never from workers.
OnResult = Callable[[int, Any], None]


@runtime_checkable
class Engine(Protocol):
    """A scheduler for independent chunks of per-series work.

    ``map`` must return ``[fn(items[0]), fn(items[1]), ...]`` — one result per item, in input
    order, whatever the order in which workers finish — so that swapping engines cannot change
    a result. ``fn`` must be a module-level function (it is pickled to the workers).
    """

    name: str

    @property
    def workers(self) -> int:
        """How many chunks can run at once (used to size chunks, never to change results)."""
        ...

    def map(
        self, fn: Callable[[Any], Any], items: Sequence[Any], on_result: OnResult | None = None
    ) -> list[Any]:
        """``[fn(x) for x in items]``, computed by the engine's workers."""
        ...

    def describe(self) -> str:
        """A short label for logs and MLflow params (``local x2``, ``ray 127.0.0.1:6379``)."""
        ...
