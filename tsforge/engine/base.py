"""What every engine offers: an ordered ``map`` of a pure function over chunks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = ["Engine", "OnResult", "name_series"]

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


def name_series(exc: BaseException, series: Any, what: str) -> BaseException:
    """Say in ``exc`` which series (and which work on it) raised it; returns ``exc`` to re-raise.

    Why: a chunk holds hundreds of series, and the engine (a pool worker, a Ray task) hands back
    only the exception: "RuntimeError: ..." from deep inside statsforecast did not say which
    series of a 10^5-series panel to look at. A tsforge error gets ``series=`` in its one-line
    message (the CLI prints that line); any other exception keeps its type and traceback and
    gets a note (shown under the traceback), which survives pickling to the driver.
    """
    from tsforge.errors import TsforgeError, add_note

    label = str(series)
    if isinstance(exc, TsforgeError):
        if "series" not in exc.where:
            exc.where["series"] = label
            exc.args = (exc._render(exc.message), *exc.args[1:])
        return exc
    add_note(exc, f"raised by {what} on series {label!r}")
    return exc
