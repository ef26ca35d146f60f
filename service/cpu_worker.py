"""The worker process of :mod:`service.cpu_pool`: runs one named function per message, forever.

Kept free of heavy imports at module level: the process imports what a request needs on first
use (numpy, statsmodels, the recommender), after it has lowered its scheduling priority.
"""

from __future__ import annotations

import importlib
import os
import signal
import threading
from typing import Any

__all__ = ["worker_main", "resolve"]


def resolve(target: str) -> Any:
    """``"package.module:function"`` → that function."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _bars_lock_this_process_only() -> None:
    """Give tqdm's progress bars a thread lock in this process, not the ``multiprocessing`` lock
    the first bar creates by default.

    Why: that lock is a named semaphore, registered with the server's resource tracker, and a
    worker ends killed (past its budget, its client gone, at shutdown), so it never unregisters
    it: after a large local forecast (whose chunks open a bar, disabled or not) the server
    printed "resource_tracker: There appear to be N leaked semaphore objects to clean up at
    shutdown". A worker's bars are shared with no other process.
    """
    try:
        from tqdm import tqdm
    except ImportError:  # no bars without tqdm
        return
    tqdm.set_lock(threading.RLock())


def worker_main(conn: Any, nice: int, preload: tuple[str, ...] = ()) -> None:
    """Serve ``(target, args)`` messages on ``conn`` until it closes (or ``None`` arrives).

    ``preload``: modules imported before the first message, so a warm-started service does not
    spend the first request's budget on imports (torch, LightGBM, statsmodels: ~5 s of CPU).
    A module that fails to import is left to fail again, with its error, on the request.

    Answers ``("ok", result)``; ``("error", module:class, message, where)`` for a
    :class:`~tsforge.errors.TsforgeError` (rebuilt as the same class in the server, so the
    client gets the same 4xx as in-process); ``("crash", text)`` for anything else.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which stops us
    try:
        os.nice(nice)  # forecasts in the server process come first on a busy machine
    except OSError:
        pass
    from tsforge.errors import TsforgeError

    _bars_lock_this_process_only()
    for module in preload:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - the request that needs it reports the error
            pass
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        target, args = message
        try:
            reply: tuple[Any, ...] = ("ok", resolve(target)(*args))
        except TsforgeError as exc:
            kind = f"{type(exc).__module__}:{type(exc).__qualname__}"
            reply = ("error", kind, exc.message, dict(exc.where))
        except Exception as exc:  # noqa: BLE001 - reported to the server, which answers 500
            reply = ("crash", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - an unpicklable result
            conn.send(("crash", f"could not send the result back: {exc}"))
