"""A bounded pool of worker processes with a time budget per request, for CPU-heavy endpoints.

Why processes, and why our own small pool: ``/v1/profile`` and ``/v1/recommend`` can cost
seconds to minutes of CPU (a cold STL operator for a long window costs O(window²) STL fits), and
so can a large forecast of a local or routed model (the service has a second pool for those:
:mod:`service.inline`, :mod:`service.forecast_worker`).
In the server's thread pool such work held the GIL and one core, forecasts went from ~9 ms to
tens of seconds and ``/healthz`` to seconds, and nothing could stop it. Here:

* the work runs in separate processes (at lower scheduling priority), so the server's
  forecasts keep their core and their latency;
* at most ``workers`` requests run and ``queue`` wait; any more get 429 at once
  (:class:`~service.errors.TooBusyError`, with ``Retry-After``);
* every request has a time budget (waiting included); past it, its worker process is killed —
  a thread cannot be stopped, a process can — and the request gets 504
  (:class:`~service.errors.DeadlineExceededError`); a fresh worker starts on next use;
* a request whose client has left (its ``cancel`` event set, see :mod:`service.disconnect`)
  leaves the waiting line, or has its worker killed, within :data:`CANCEL_POLL_SECONDS`: a large
  forecast whose client gave up held the only worker until its budget ran out, and every request
  meanwhile got 429;
* :meth:`CpuPool.close` kills the workers at once (SIGTERM), so a shutdown never waits on them.

``concurrent.futures.ProcessPoolExecutor`` cannot kill one task's process without breaking the
whole pool, hence this pool. Callers block in a thread (FastAPI runs sync endpoints in its thread
pool) on a pipe with a timeout, which holds no GIL while waiting.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from typing import Any

from service.cpu_worker import resolve, worker_main
from service.errors import (
    ClientDisconnectedError,
    DeadlineExceededError,
    ServiceUnavailableError,
    TooBusyError,
)
from tsforge.errors import TsforgeError

__all__ = ["CpuPool", "CANCEL_POLL_SECONDS"]

#: how often a request waiting on a worker (or for one) looks at its ``cancel`` event
CANCEL_POLL_SECONDS = 0.1

log = logging.getLogger(__name__)

# One BLAS/OpenMP thread per worker: a worker is meant to use one core, not all of them.
_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_env_lock = threading.Lock()


class _Worker:
    """One worker process and its pipe; (re)started on demand, killed on timeout."""

    def __init__(self, index: int, nice: int, preload: tuple[str, ...] = ()) -> None:
        self.index = index
        self.nice = nice
        self.preload = preload
        self.proc: Any = None
        self.conn: Any = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.is_alive()

    def start(self) -> None:
        if self.alive():
            return
        self.kill()
        ctx = multiprocessing.get_context("spawn")  # the server has threads: never fork it
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=worker_main,
            args=(child, self.nice, self.preload),
            name=f"tsforge-cpu-{self.index}",
            daemon=True,
        )
        with _env_lock:  # the child inherits the environment at spawn
            saved = {k: os.environ.get(k) for k in _THREAD_ENV}
            os.environ.update(_THREAD_ENV)
            try:
                proc.start()
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        child.close()
        self.proc, self.conn = proc, parent

    def kill(self) -> None:
        proc, conn = self.proc, self.conn
        self.proc = self.conn = None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass
        if proc is not None and proc.is_alive():
            proc.kill()
            proc.join(timeout=5)

    def terminate(self) -> None:
        """Kill the process, leaving the pipe to the thread that waits on it."""
        proc = self.proc
        if proc is not None and proc.is_alive():
            proc.kill()

    def call(
        self, target: str, args: tuple[Any, ...], deadline: float, cancel: threading.Event | None = None
    ) -> Any:
        """Run ``target(*args)`` in the process; kill it when ``deadline`` passes or ``cancel``
        is set."""
        self.start()
        conn = self.conn
        try:
            conn.send((target, args))
            ready = _wait_reply(conn, deadline, cancel)
        except (EOFError, OSError) as exc:  # closed under us (shutdown) or the process died
            self.kill()
            raise ServiceUnavailableError(f"the worker stopped: {exc}") from None
        if not ready:
            self.kill()
            if cancel is not None and cancel.is_set():
                raise ClientDisconnectedError("the client left")
            raise DeadlineExceededError("timed out")
        try:
            reply = conn.recv()
        except (EOFError, OSError):
            code = None if self.proc is None else self.proc.exitcode
            self.kill()
            raise ServiceUnavailableError(f"the worker process ended (exit code {code})") from None
        return _unpack(reply)


def _wait_reply(conn: Any, deadline: float, cancel: threading.Event | None) -> bool:
    """Whether the reply arrived before ``deadline`` and before ``cancel`` was set (looked at
    every :data:`CANCEL_POLL_SECONDS`; without ``cancel`` one wait, as before)."""
    while True:
        left = max(0.0, deadline - time.monotonic())
        if cancel is None:
            return bool(conn.poll(left))
        if conn.poll(min(left, CANCEL_POLL_SECONDS)):
            return True
        if cancel.is_set() or time.monotonic() >= deadline:
            return False


def _unpack(reply: tuple[Any, ...]) -> Any:
    kind = reply[0]
    if kind == "ok":
        return reply[1]
    if kind == "error":
        _, cls_path, message, where = reply
        try:
            cls = resolve(cls_path)
            exc = cls(message, **where)
        except Exception:  # noqa: BLE001 - an error class with another signature
            exc = TsforgeError(message, **where)
        raise exc
    raise RuntimeError(f"CPU worker failed: {reply[1]}")


class CpuPool:
    """At most ``workers`` CPU-heavy requests at once, ``queue`` more waiting, ``timeout_s`` each.

    Args:
        workers: worker processes (each uses one core).
        queue: requests that may wait for a worker; more are refused with 429.
        timeout_s: budget of one request, waiting included; past it: 504, worker killed.
        nice: scheduling-priority increment of the workers (forecasts in the server come first).
        preload: modules every worker imports as it starts, before its first request (see
            :meth:`warm`).
        label: what the workers do, in the 429 message ("profiling worker(s) are busy").
        advice: what a client can change when its request ran past the budget (the 504 message).
        budget_setting: the variable that sets ``timeout_s``, named in the 504 message so an
            operator knows what to raise (``None``: not named).
    """

    def __init__(
        self,
        workers: int = 1,
        queue: int = 4,
        timeout_s: float = 30.0,
        nice: int = 10,
        preload: tuple[str, ...] = (),
        *,
        label: str = "profiling",
        advice: str = "send shorter series, a smaller window or fewer windows",
        budget_setting: str | None = None,
    ) -> None:
        self.workers = max(1, int(workers))
        self.queue = max(0, int(queue))
        self.timeout_s = float(timeout_s)
        self.label = label
        self.advice = advice
        self.budget_setting = budget_setting
        self._workers = [_Worker(i, nice, tuple(preload)) for i in range(self.workers)]
        self._idle = list(self._workers)
        self._cond = threading.Condition()
        self._admitted = 0
        self._closed = False

    def run(
        self, target: str, *args: Any, what: str = "this request", cancel: threading.Event | None = None
    ) -> Any:
        """``target(*args)`` (``"module:function"``) in a worker, within the budget (blocking).

        ``cancel``: set when the request's client has gone (:mod:`service.disconnect`); the
        request then leaves the waiting line, or its worker is killed, so the next request gets
        the worker at once instead of a 429 until the budget ends.

        Raises:
            TooBusyError: every worker busy and the waiting line full (429).
            DeadlineExceededError: the budget passed, waiting or running (504).
            ClientDisconnectedError: ``cancel`` was set (nobody reads the answer).
            ServiceUnavailableError: the pool is closed (shutdown) or the worker died (503).
            TsforgeError: whatever ``target`` raised (same class, same 4xx).
        """
        deadline = time.monotonic() + self.timeout_s
        with self._cond:
            if self._closed:
                raise ServiceUnavailableError("the service is shutting down", field="service")
            if self._admitted >= self.workers + self.queue:
                raise TooBusyError(
                    f"all {self.workers} {self.label} worker(s) are busy and {self.queue} request(s) are "
                    "waiting; retry later",
                    field="service",
                    retry_after=max(1, round(self.timeout_s / 4)),
                )
            self._admitted += 1
            try:
                while not self._idle:
                    left = deadline - time.monotonic()
                    if left <= 0 or self._closed or (cancel is not None and cancel.is_set()):
                        break
                    self._cond.wait(left if cancel is None else min(left, CANCEL_POLL_SECONDS))
                if self._closed:
                    raise ServiceUnavailableError("the service is shutting down", field="service")
                if cancel is not None and cancel.is_set():
                    raise ClientDisconnectedError(
                        f"the client of {what} left while it waited", field="service"
                    )
                if not self._idle:
                    raise self._deadline(what, "waiting for a worker")
                worker = self._idle.pop()
            except BaseException:
                self._admitted -= 1
                raise
        try:
            return worker.call(target, args, deadline, cancel)
        except DeadlineExceededError:
            log.warning("%s ran past its %.0f s budget; its worker was stopped", what, self.timeout_s)
            raise self._deadline(what, "running") from None
        except ClientDisconnectedError:
            log.info("the client of %s left; its worker was stopped", what)
            raise ClientDisconnectedError(
                f"the client of {what} left; its worker was stopped", field="service"
            ) from None
        finally:
            self._restart_warm(worker)
            with self._cond:
                self._admitted -= 1
                self._idle.append(worker)
                self._cond.notify()

    def _restart_warm(self, worker: _Worker) -> None:
        """Start a stopped worker of a warm-started pool again now, so it imports its modules
        while idle, not inside the next request's budget (a killed large-forecast worker made
        the next large forecast spend ~5 s of its budget on imports)."""
        if self._closed or not worker.preload or worker.alive():
            return
        try:
            worker.start()
        except Exception as exc:  # noqa: BLE001 - it starts on next use instead
            log.warning("could not restart a CPU worker: %s", exc)

    def _deadline(self, what: str, phase: str) -> DeadlineExceededError:
        setting = f", {self.budget_setting}" if self.budget_setting else ""
        return DeadlineExceededError(
            f"{what} took longer than this service's budget of {self.timeout_s:g} s ({phase}{setting}) "
            f"and was stopped; {self.advice}",
            field="service",
        )

    def warm(self) -> None:
        """Start the worker processes now; they import the ``preload`` modules while the service
        waits for its first request, instead of inside that request's time budget."""
        with self._cond:
            workers = list(self._idle)
        for w in workers:
            w.start()

    def close(self) -> None:
        """Kill every worker now; requests running or waiting get 503 at once (idempotent)."""
        with self._cond:
            self._closed = True
            idle = list(self._idle)
            self._cond.notify_all()
        for w in self._workers:
            if w in idle:
                w.kill()
            else:  # busy: end the process only; its caller sees the pipe close and cleans up
                w.terminate()

    def processes(self) -> list[int]:
        """Pids of the running worker processes (for tests and diagnostics)."""
        return [w.proc.pid for w in self._workers if w.alive()]
