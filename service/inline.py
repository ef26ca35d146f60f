"""Where a forecast runs: on the event loop (short), in the thread pool (medium), or in a worker
process within a time budget (large); chosen from the request's estimated CPU cost.

Why the event loop for short ones: a forecast of one series costs ~1 ms of CPU. Run in
Starlette's thread pool, eight concurrent requests meant eight threads plus the event loop
contending for the GIL, and each request paid two thread hand-offs; under load that contention,
not the model, made the latency tail (p99 ≈ 100 ms at concurrency 8 for p50 ≈ 10 ms). On the
loop, requests run one after the other with no hand-off, so the tail is close to
``concurrency × service time``. Only work that is known to be short runs inline: the model
version is already loaded (no registry call, no download:
:meth:`service.model_store.ModelStore.peek`) and the request's cost is at most
:data:`INLINE_MAX_COST`.

Why a cost and not a count of values: a window model reads only its last window (DLinear:
0.1–1 µs per posted value), a local statistical model fits every history (auto_theta: ~110 µs
per value), a routed ensemble profiles and fits several (~0.9 ms per value). With one threshold
of 20,000 values, 2 × 9,000 values to auto_theta ran on the loop and held ``/healthz`` for
0.6 s. The cost is values × :data:`COST_PER_VALUE` of the model's kind (1 for window models,
whose kind is not listed), in window-model microseconds.

Why a worker process for large ones: nothing can stop a thread. 1000 monthly series to a routed
ensemble computed for minutes, on after the client had given up; in a worker
(:mod:`service.forecast_worker`) a request past ``forecast_timeout_seconds`` is killed and
answered 504 naming the budget. Requests between the two thresholds (up to about a second of
CPU) stay in the thread pool: a worker hop costs a process start and the model's transfer. A
client that disconnects while its forecast runs in a worker has the worker stopped
(:mod:`service.disconnect`), which frees it for the next request.
"""

from __future__ import annotations

import logging
import pickle
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from service.disconnect import run_until_disconnected
from service.notes import add_caught

__all__ = [
    "run_short",
    "request_cost",
    "bounded_predict",
    "predict_here",
    "Predict",
    "INLINE_MAX_COST",
    "INLINE_MAX_VALUES",
    "POOL_MIN_COST",
    "COST_PER_VALUE",
    "FORECAST_ADVICE",
]

#: Largest request cost (:func:`request_cost`) forecast on the event loop (~a few ms of CPU).
INLINE_MAX_COST = 20_000
#: Largest request of a window model (cost 1 a value) forecast on the event loop.
INLINE_MAX_VALUES = INLINE_MAX_COST
#: Smallest request cost sent to a forecast worker, with its time budget (~1 s of CPU).
POOL_MIN_COST = 1_000_000
#: CPU per posted value relative to a window model's, by predictor ``kind`` (measured on
#: monthly series of 120 values: auto_theta ~110 µs a value, a routed ensemble ~0.9 ms, DLinear
#: 0.1–1 µs). Global panel models and window models (no ``kind``): 1.
COST_PER_VALUE = {"local": 100, "routed": 1000}
#: what a client can change when its forecast ran past the budget (the 504's message)
FORECAST_ADVICE = "send fewer series per request (split the batch into several requests) or shorter histories"

_T = TypeVar("_T")
log = logging.getLogger(__name__)

#: ``(loaded model, series, horizon, bounds) -> forecasts``: how :func:`service.forecasting.forecast`
#: computes the forecasts once it has checked the request
Predict = Callable[[Any, list[Any], int, dict[str, list[float]]], list[Any]]


def request_cost(predictor: Any, n_values: int) -> int:
    """Estimated CPU cost of forecasting ``n_values`` posted values with ``predictor``."""
    return int(n_values) * COST_PER_VALUE.get(str(getattr(predictor, "kind", "")), 1)


def predict_here(loaded: Any, series: list[Any], horizon: int, bounds: dict[str, list[float]]) -> list[Any]:
    """The forecasts, computed in this process and thread."""
    return list(loaded.predictor.predict_series(series, horizon, **bounds))


def bounded_predict(pool: Any | None, cancel: threading.Event | None = None) -> Predict:
    """A :data:`Predict` that sends a request costing :data:`POOL_MIN_COST` or more to ``pool``
    (a :class:`~service.cpu_pool.CpuPool`: 504 past its budget, 429 when busy, its worker stopped
    once ``cancel`` is set) and computes a smaller one here; ``None``: always here."""

    def predict(loaded: Any, series: list[Any], horizon: int, bounds: dict[str, list[float]]) -> list[Any]:
        if pool is None or request_cost(loaded.predictor, values_in(series)) < POOL_MIN_COST:
            return predict_here(loaded, series, horizon, bounds)
        try:
            token, blob = _pickled(loaded.predictor)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:  # e.g. a lambda inside
            log.warning(
                "%s/%s cannot be sent to a worker (%s): forecast here, without a budget",
                loaded.name,
                loaded.version,
                exc,
            )
            return predict_here(loaded, series, horizon, bounds)
        forecasts, caught = pool.run(
            "service.forecast_worker:predict",
            token,
            blob,
            series,
            horizon,
            bounds,
            what="this forecast",
            cancel=cancel,
        )
        add_caught(caught)
        return list(forecasts)

    return predict


_blob_lock = threading.Lock()
_blobs: weakref.WeakKeyDictionary[Any, tuple[str, bytes]] = weakref.WeakKeyDictionary()


def _pickled(predictor: Any) -> tuple[str, bytes]:
    """``(token, pickled predictor)``, pickled once per loaded predictor (a routed ensemble is
    ~6 MB and takes tens of ms); the token lets a worker keep it unpickled between requests."""
    with _blob_lock:
        try:
            found = _blobs.get(predictor)
        except TypeError:  # not weakly referenceable: pickled every time
            found = None
    if found is not None:
        return found
    found = (uuid.uuid4().hex, pickle.dumps(predictor, protocol=pickle.HIGHEST_PROTOCOL))
    with _blob_lock:
        try:
            _blobs[predictor] = found
        except TypeError:
            pass
    return found


async def run_short(
    store: Any,
    model: str | None,
    n_values: int,
    fn: Callable[[Predict], _T],
    pool: Any | None = None,
    request: Any | None = None,
) -> _T:
    """``fn(predict)`` inline when the model is loaded and the request's cost small, else in the
    thread pool with a ``predict`` that sends a large request to ``pool``.

    ``n_values``: the values posted (summed over the series), for the inline decision; the
    thread pool's ``predict`` counts the series it is given. ``request``: the HTTP request, whose
    client leaving stops its forecast's worker (``None``: never stopped before its budget).
    """
    peek = getattr(store, "peek", None)
    loaded = peek(model) if peek is not None else None
    if loaded is not None and request_cost(loaded.predictor, n_values) <= INLINE_MAX_COST:
        return fn(predict_here)
    return await run_until_disconnected(request, lambda cancel: fn(bounded_predict(pool, cancel)))


def values_in(series: Sequence[Any]) -> int:
    """Values posted in ``series`` (each has ``values``)."""
    return sum(len(s.values) for s in series)
