"""The one engine switch: where per-series work runs — in this process / a local process pool, or on Ray.

Why a package of its own: profiling, cross-validation, fitting of local models and batch
forecasting all do the same thing — apply a *pure* chunk function (chunk in → table out) to a
list of chunks and keep the results in input order. Only the scheduler differs between one
laptop and a cluster, so the scheduler is chosen in one place:

* ``local`` (default): in this process when one worker is asked for, else a process pool of
  ``n_jobs`` workers, forked, or fresh interpreters for torch work (ensemble members, see
  :func:`tsforge.engine.local.fresh_workers`);
* ``ray``: one Ray task per chunk on an existing cluster (``--ray-address`` / ``RAY_ADDRESS``)
  or on a local Ray instance started on first use with ``n_jobs`` CPUs (and stopped by
  :func:`shut_down_ray`, which the CLI calls as each command ends). A worker that dies is
  replaced and its task re-run (``max_retries``); each chunk's result is stored once, by index,
  so no series is lost or duplicated, and progress is reported from the driver.

Selection (first that applies): an explicit ``engine=`` argument, the engine made current with
:func:`using` (how the CLI hands ``--engine`` to library code it does not call directly), the
``TSFORGE_ENGINE`` environment variable, ``local``. Results never depend on the engine: the
work functions are the same and deterministic, and every map returns results in input order.
"""

from __future__ import annotations

from tsforge.engine.base import Engine, OnResult, name_series
from tsforge.engine.choice import (
    ENGINE_ENV,
    ENGINES,
    RAY_ADDRESS_ENV,
    current_engine,
    get_engine,
    using,
)
from tsforge.engine.local import LocalEngine
from tsforge.engine.ray_engine import RayEngine, shut_down_ray

__all__ = [
    "ENGINES",
    "ENGINE_ENV",
    "RAY_ADDRESS_ENV",
    "Engine",
    "LocalEngine",
    "OnResult",
    "RayEngine",
    "current_engine",
    "get_engine",
    "name_series",
    "shut_down_ray",
    "using",
]
