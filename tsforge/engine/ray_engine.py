"""The Ray engine: one Ray task per chunk, on a cluster or on a local Ray instance.

Why Ray and not a home-made scheduler: it already does what a many-series job needs across
machines — placing tasks on free cores, shipping NumPy chunks through a shared-memory object
store, and re-running a task whose worker process or node died (``max_retries``). The driver
keeps a bounded number of chunks in flight, so a panel of 10^7 series is never copied into the
object store at once, and collects each result by its chunk index: a retried task overwrites
nothing and a finished chunk is never counted twice.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from tsforge.engine.base import OnResult
from tsforge.engine.ctrl_c import ctrl_c_blocked, ctrl_c_noted
from tsforge.errors import ConfigError, add_note

__all__ = ["RayEngine", "DEFAULT_MAX_RETRIES", "shut_down_ray"]

log = logging.getLogger(__name__)

#: Re-runs of a task whose worker died (Ray's own default is 3; an application error inside the
#: task is not retried — it would fail the same way again).
DEFAULT_MAX_RETRIES = 3


_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def _is_loopback(address: str | None) -> bool:
    """Whether ``address`` (``host:port``; ``None`` = a local instance) is this host."""
    if not address:
        return True
    host = address.split("://", 1)[-1].rsplit(":", 1)[0]
    return host in _LOOPBACK_HOSTS


def _keep_loopback() -> None:
    """Keep a single-host Ray on 127.0.0.1.

    Why: on Linux Ray swaps a loopback node address for the machine's outward-facing one (so that
    nodes on other hosts can join); for a local instance or a cluster on 127.0.0.1 that would
    send this process's traffic over the network interface. ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``
    is Ray's own switch for "this machine only" (its default on macOS and Windows), read when
    ``ray`` is imported; if ``ray`` was already imported, the constant it sets is updated as well.
    """
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    constants = sys.modules.get("ray._private.ray_constants")
    if constants is not None and os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] == "0":
        constants.ENABLE_RAY_CLUSTER = False  # type: ignore[attr-defined]  # Ray's module, seen as a bare ModuleType


#: Seconds to wait for a TCP connection to a cluster's GCS before giving up (see :func:`_probe`).
PROBE_TIMEOUT_S = 5.0


def _probe(address: str, timeout: float = PROBE_TIMEOUT_S, *, field: str = "ray_address") -> None:
    """Refuse a cluster address nobody answers on, before ``ray.init`` is called.

    Why: ``ray.init(address=...)`` on a port nobody listens on does not fail; it retries for
    many minutes, prints a warning every few seconds and ignores SIGTERM and Ctrl-C meanwhile
    (it waits in C++), so ``--ray-address 10.0.0.5:6397`` (a typo) hung the command until
    SIGKILL. A plain TCP connect answers in milliseconds (or ``timeout``). Only ``host:port``
    addresses are probed; ``auto`` and anything without a port are left to Ray.

    ``field``: where the address came from, named in the error (``ray_address``: the argument or
    ``--ray-address``; ``RAY_ADDRESS``: the environment, which the user may not know is set).

    Raises:
        ConfigError: the address is malformed or nothing accepts connections there.
    """
    import socket

    text = address.strip()
    scheme = ""
    if "://" in text:
        scheme, text = text.split("://", 1)
    if scheme not in ("", "ray") or text.lower() == "auto" or ":" not in text:
        return
    said = f"{address!r}" if field == "ray_address" else f"{address!r} (from ${field})"
    host, _, port_text = text.rpartition(":")
    host = host.strip("[]")
    try:
        port = int(port_text)
        if not 0 < port < 65536:
            raise ValueError(port_text)
    except ValueError:
        raise ConfigError(
            f"bad Ray address {said}: expected host:port (e.g. 10.0.0.5:6379)", field=field
        ) from None
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            f"cannot reach the Ray cluster at {said}: {reason} (is `ray start --head` running "
            "there, and is this its GCS port?)",
            field=field,
        ) from None


#: the logger of Ray's token-authentication set-up (``ray._private.authentication``), and the
#: start of the notice it logs when ``ray.init()`` turns token authentication on by default
_TOKEN_SETUP_LOGGER = "ray._private.authentication.authentication_token_setup"
_DEFAULT_TOKEN_NOTICE = "Token authentication is enabled for this Ray cluster"


class _DropDefaultTokenNotice(logging.Filter):
    """Drops the one record of Ray's default token-authentication notice, keeps the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_DEFAULT_TOKEN_NOTICE)


@contextmanager
def _default_token_notice_dropped() -> Iterator[None]:
    """While the local instance tsforge starts itself comes up: no notice that Ray turned
    token authentication on for it.

    Why: Ray ≥ 2.59 turns it on for every ``ray.init()`` that starts a local instance and logs
    ``WARNING authentication_token_setup.py:85 -- Token authentication is enabled for this Ray
    cluster. Set RAY_AUTH_MODE=disabled to opt out …`` each time: on every ``--engine ray`` run
    of a command whose output is a table, about a cluster the user never started and that ends
    with the command. Authentication stays on (Ray makes and uses its token as before): only the
    notice is dropped. Why not ``RAY_AUTH_MODE=token``, with which Ray says nothing either: set
    after ``import ray`` (a test, a notebook, the service may import it first), the driver keeps
    the mode it read at import ("disabled") while the instance it starts gets "token", and
    ``ray.init`` failed with ``InvalidAuthToken``. A cluster the user names (``--ray-address``)
    keeps every notice Ray gives about it.
    """
    logger = logging.getLogger(_TOKEN_SETUP_LOGGER)
    dropped = _DropDefaultTokenNotice()
    logger.addFilter(dropped)
    try:
        yield
    finally:
        logger.removeFilter(dropped)


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - ray is a dependency; a trimmed install may lack it
        raise ConfigError(
            "the ray engine needs the 'ray' package (pip install 'ray>=2.40')", field="engine"
        ) from exc
    return ray


class RayEngine:
    """Runs chunks as Ray tasks.

    Args:
        address: an existing cluster's GCS address (``host:6379``, what ``ray start --head``
            prints); ``None`` starts a local Ray instance on first use (``n_jobs`` CPUs, no
            dashboard) that lives until :func:`shut_down_ray` (the CLI calls it as each command
            ends) or the end of this process. A process holds one Ray connection:
            once it has joined a cluster, every Ray engine in it uses that one. The cluster's
            nodes need tsforge installed (the tasks import its chunk functions).
        n_jobs: CPUs of that local instance; ignored when joining a cluster (its CPUs decide).
        max_retries: re-runs of a task whose worker died.
        max_in_flight: chunks submitted but not yet collected (default: twice the cluster's CPUs);
            bounds the driver's and the object store's memory on huge panels.
        address_field: where ``address`` came from, the field its errors name: ``ray_address``
            (the argument, ``--ray-address``) or ``RAY_ADDRESS`` (the environment). Why: an
            unreachable address from the environment was blamed on ``ray_address``, which the
            user never gave.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        n_jobs: int = 1,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_in_flight: int | None = None,
        address_field: str = "ray_address",
    ) -> None:
        self.address = address or None
        self.address_field = address_field
        self.n_jobs = max(1, int(n_jobs))
        self.max_retries = int(max_retries)
        self.max_in_flight = max_in_flight
        self._remote: dict[Callable[..., Any], Any] = {}
        #: seconds ``ray.init`` took in :meth:`connect` (``None`` until this engine connected)
        self.startup_seconds: float | None = None
        #: called once with a one-line note ("ray local x2 started in 9.8 s") after ``ray.init``;
        #: the CLI prints it, so that Ray's start-up cost is visible next to the work's own time
        self.on_connect: Callable[[str], None] | None = None

    # -- connection ------------------------------------------------------------------------------
    def connect(self) -> Any:
        """Join the cluster (or start the local instance) unless this process already did."""
        if _is_loopback(self.address):
            _keep_loopback()
        ray = _ray()
        if ray.is_initialized():
            return ray
        if self.address:
            _probe(self.address, field=self.address_field)
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        common: dict[str, Any] = {
            "include_dashboard": False,
            "logging_level": logging.WARNING,
            "log_to_driver": False,  # worker chatter would break the driver's progress bars
        }
        t0 = time.perf_counter()
        global _connected_here
        _connected_here = True  # before: a Ctrl-C may stop ray.init after it started processes
        try:
            if self.address:
                ray.init(address=self.address, **common)
            else:
                with _default_token_notice_dropped():
                    ray.init(address="local", num_cpus=self.n_jobs, **common)
        except ConnectionError as exc:
            raise ConfigError(
                f"cannot reach the Ray cluster at {self.address!r}: {exc}", field=self.address_field
            ) from exc
        self.startup_seconds = time.perf_counter() - t0
        note = f"{self.describe()} {'joined' if self.address else 'started'} in {self.startup_seconds:.1f} s"
        log.info("ray engine: %s", note)
        if self.on_connect is not None:  # a local instance costs seconds (tens on a busy machine)
            self.on_connect(note)
        return ray

    @property
    def workers(self) -> int:
        ray = self.connect()
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def describe(self) -> str:
        return f"ray {self.address}" if self.address else f"ray local x{self.n_jobs}"

    # -- work ------------------------------------------------------------------------------------
    def _remote_fn(self, fn: Callable[[Any], Any]) -> Any:
        ray = self.connect()
        remote = self._remote.get(fn)
        if remote is None:
            remote = self._remote[fn] = ray.remote(fn).options(
                max_retries=self.max_retries, retry_exceptions=False, num_cpus=1
            )
        return remote

    def map(
        self, fn: Callable[[Any], Any], items: Sequence[Any], on_result: OnResult | None = None
    ) -> list[Any]:
        """``[fn(x) for x in items]`` as Ray tasks, in input order; ``on_result`` runs in the driver."""
        items = list(items)
        if not items:
            return []
        ray = self.connect()
        remote = self._remote_fn(fn)
        limit = self.max_in_flight or 2 * self.workers
        results: list[Any] = [None] * len(items)
        owner: dict[Any, int] = {}
        pending: list[Any] = []
        nxt = 0
        try:
            while nxt < len(items) or pending:
                while nxt < len(items) and len(pending) < limit:
                    ref = remote.remote(items[nxt])
                    owner[ref] = nxt
                    pending.append(ref)
                    nxt += 1
                done, pending = ray.wait(pending, num_returns=1)
                for ref in done:
                    i = owner.pop(ref)
                    results[i] = _get(ray, ref)
                    if on_result is not None:
                        on_result(i, results[i])
        except BaseException:
            for ref in pending:
                ray.cancel(ref)
            raise
        return results


#: whether a :class:`RayEngine` made this process's Ray connection (started the local instance,
#: or joined the cluster), or began to; False: none, or one the caller made
_connected_here = False


def shut_down_ray() -> None:
    """End the Ray connection a :class:`RayEngine` made in this process, if any: stop the local
    instance it started (its GCS, raylet, agents and workers), or leave the cluster it joined
    (which keeps running, as ``ray.shutdown`` leaves a cluster it did not start). A connection
    the caller made with ``ray.init`` is theirs, and left alone.

    Why, when Ray's own ``atexit`` hook stops the instance too: that hook runs with Ctrl-C live,
    and a second Ctrl-C — pressed while ``tsforge cv --engine ray`` winds up after the first —
    broke it half-way: ``Exception ignored in atexit callback … KeyboardInterrupt`` on stderr,
    and the instance's agents outlived the command, orphaned, for one to two minutes. Here a
    Ctrl-C waits for the end of the shutdown and is raised then (:func:`ctrl_c_noted`). The wait
    is short: Ray gives each process it stops a second to end on SIGTERM, then sends SIGKILL.
    """
    global _connected_here
    if not _connected_here:
        return
    ray = sys.modules.get("ray")
    with ctrl_c_noted(), ctrl_c_blocked():
        _connected_here = False
        if ray is not None:  # also after a ray.init cut short: it stops what that had started
            ray.shutdown()
        log.info("ray engine: shut down")


def _get(ray: Any, ref: Any) -> Any:
    """``ray.get`` that re-raises a task's own exception (a ``ConfigError`` stays one) with the
    worker's traceback attached as a note."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, Exception):
            add_note(cause, f"raised in a Ray worker:\n{exc}")
            raise cause from None
        raise
