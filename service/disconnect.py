"""Blocking work in the thread pool that learns when its client has gone.

Why: a large forecast, a profile or a recommendation waits in a thread on a worker process of
:class:`~service.cpu_pool.CpuPool`. When its client gave up (a timeout, a closed tab), nothing
told the thread: the worker computed on until the time budget ran out, and with one worker
(the default) every other large request meanwhile got 429. Here the event loop waits for the
ASGI ``http.disconnect`` message while the thread works, and sets the ``threading.Event`` the
thread hands to :meth:`CpuPool.run <service.cpu_pool.CpuPool.run>`, which then stops the worker.

Waiting on ``receive()`` rather than polling ``Request.is_disconnected()``: the body has been
read by then, so the next message the server can send is the disconnect itself; the wait costs
nothing and sees the disconnect as soon as the server does.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

__all__ = ["run_until_disconnected"]

_T = TypeVar("_T")

#: pause between two ``receive()`` calls that brought something else than the disconnect
_PAUSE_SECONDS = 0.1


async def run_until_disconnected(request: Any | None, fn: Callable[[threading.Event], _T]) -> _T:
    """``fn(cancel)`` in the thread pool; ``cancel`` is set once ``request``'s client disconnects
    (``request`` ``None``: never)."""
    cancel = threading.Event()
    if request is None:
        return await run_in_threadpool(fn, cancel)
    watcher = asyncio.ensure_future(_set_on_disconnect(request, cancel))
    try:
        return await run_in_threadpool(fn, cancel)
    finally:
        watcher.cancel()


async def _set_on_disconnect(request: Any, cancel: threading.Event) -> None:
    """Set ``cancel`` when the ASGI server reports the client gone (the request's body has been
    read: any other message is an empty one, and the wait goes on, after a pause in case a
    server answers such messages at once)."""
    while True:
        message = await request.receive()
        if message.get("type") == "http.disconnect":
            cancel.set()
            return
        await asyncio.sleep(_PAUSE_SECONDS)
