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
from collections.abc import Callable, Sequence
from typing import Any

from tsforge.engine.base import OnResult
from tsforge.errors import ConfigError

__all__ = ["RayEngine", "DEFAULT_MAX_RETRIES"]

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
        constants.ENABLE_RAY_CLUSTER = False


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
            dashboard) that lives as long as this process. A process holds one Ray connection:
            once it has joined a cluster, every Ray engine in it uses that one. The cluster's
            nodes need tsforge installed (the tasks import its chunk functions).
        n_jobs: CPUs of that local instance; ignored when joining a cluster (its CPUs decide).
        max_retries: re-runs of a task whose worker died.
        max_in_flight: chunks submitted but not yet collected (default: twice the cluster's CPUs);
            bounds the driver's and the object store's memory on huge panels.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        n_jobs: int = 1,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_in_flight: int | None = None,
    ) -> None:
        self.address = address or None
        self.n_jobs = max(1, int(n_jobs))
        self.max_retries = int(max_retries)
        self.max_in_flight = max_in_flight
        self._remote: dict[Callable[..., Any], Any] = {}

    # -- connection ------------------------------------------------------------------------------
    def connect(self) -> Any:
        """Join the cluster (or start the local instance) unless this process already did."""
        if _is_loopback(self.address):
            _keep_loopback()
        ray = _ray()
        if ray.is_initialized():
            return ray
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        common: dict[str, Any] = {
            "include_dashboard": False,
            "logging_level": logging.WARNING,
            "log_to_driver": False,  # worker chatter would break the driver's progress bars
        }
        try:
            if self.address:
                ray.init(address=self.address, **common)
            else:
                ray.init(address="local", num_cpus=self.n_jobs, **common)
        except ConnectionError as exc:
            raise ConfigError(
                f"cannot reach the Ray cluster at {self.address!r}: {exc}", field="ray_address"
            ) from exc
        log.info("ray engine: %s", self.describe())
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


def _get(ray: Any, ref: Any) -> Any:
    """``ray.get`` that re-raises a task's own exception (a ``ConfigError`` stays one) with the
    worker's traceback attached as a note."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, Exception):
            cause.add_note(f"raised in a Ray worker:\n{exc}")
            raise cause from None
        raise
