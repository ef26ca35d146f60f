"""Choosing the engine: argument, then the current engine, then ``TSFORGE_ENGINE``, then ``local``."""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator

from tsforge.engine.base import Engine
from tsforge.engine.local import LocalEngine
from tsforge.engine.ray_engine import RayEngine
from tsforge.errors import ConfigError

__all__ = ["ENGINES", "ENGINE_ENV", "RAY_ADDRESS_ENV", "get_engine", "using", "current_engine"]

ENGINES = ("local", "ray")
ENGINE_ENV = "TSFORGE_ENGINE"
RAY_ADDRESS_ENV = "RAY_ADDRESS"

_current: contextvars.ContextVar[Engine | None] = contextvars.ContextVar("tsforge_engine", default=None)


def current_engine() -> Engine | None:
    """The engine made current by :func:`using`, if any."""
    return _current.get()


@contextlib.contextmanager
def using(engine: Engine) -> Iterator[Engine]:
    """Make ``engine`` the default of every :func:`get_engine` call inside the block.

    Why: a front end (the CLI's ``--engine``) reaches per-series work through layers that have no
    engine parameter of their own (``train_panel`` → ``forecast_local``); the block hands the
    choice down without threading an argument through every signature.
    """
    token = _current.set(engine)
    try:
        yield engine
    finally:
        _current.reset(token)


def _n_jobs(n_jobs: int) -> int:
    from tsforge.arguments import whole_number

    n = whole_number(n_jobs, "n_jobs")  # 2.5 is refused, not cut to 2
    if n == -1:
        return os.cpu_count() or 1
    if n < 1:
        raise ConfigError(f"n_jobs must be >= 1 (or -1 for every CPU), got {n_jobs}", field="n_jobs")
    return n


def get_engine(engine: str | Engine | None = None, *, n_jobs: int = 1, address: str | None = None) -> Engine:
    """The engine to run per-series work on.

    Args:
        engine: ``"local"``, ``"ray"`` or an engine object (returned as is). ``None``: the engine
            made current by :func:`using`, else ``$TSFORGE_ENGINE``, else ``"local"``.
        n_jobs: local workers (``-1`` = every CPU); for Ray, the CPUs of a local instance.
        address: Ray cluster address (default ``$RAY_ADDRESS``; none = a local Ray instance).

    Raises:
        ConfigError: an unknown engine name (the message says where it came from), a bad
            ``n_jobs``, or an explicit Ray address with the local engine.
    """
    if engine is not None and not isinstance(engine, str):
        return engine
    if engine is None and address is None:
        cur = current_engine()
        if cur is not None:
            return cur
    source = "engine"
    if engine is None:
        env = os.environ.get(ENGINE_ENV, "").strip()
        engine, source = (env, ENGINE_ENV) if env else ("local", "engine")
    name = engine.strip().lower()
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}", field=source)
    jobs = _n_jobs(n_jobs)
    if name == "local":
        if address:
            raise ConfigError("a Ray address needs the ray engine (--engine ray)", field="ray_address")
        return LocalEngine(jobs)
    if address:
        return RayEngine(address, jobs)
    from_env = os.environ.get(RAY_ADDRESS_ENV, "").strip() or None
    # an address the user did not type is blamed on the variable that holds it
    return RayEngine(from_env, jobs, address_field=RAY_ADDRESS_ENV if from_env else "ray_address")
