"""The FastAPI application: ``create_app(settings)`` builds a fresh app; the lifespan owns the model store.

Run it with ``tsforge serve`` (or ``make serve``); tests build one app per test with
``TestClient(create_app(settings))``. Routes: ``/v1/forecast``, ``/v1/models``,
``/v1/admin/reload``, ``/v1/profile`` and ``/v1/recommend`` (when ``recommender`` is importable),
MLflow's ``/invocations``, ``/ping``, ``/health``, ``/version``, and probes ``/healthz``, ``/readyz``.
Alias moves are picked up by the store's background poll (``alias_poll_seconds``) and by
``POST /v1/admin/reload``; see :mod:`service.model_store`.

Bounded work per request: :class:`~service.gate.RequestGate` checks the API key and the body
size before any body is read; ``/v1/profile`` and ``/v1/recommend`` run in the worker processes
of :class:`~service.cpu_pool.CpuPool` (time budget, 429/504), so forecasts never wait on them;
large forecasts run in a pool of their own, with their own budget (:mod:`service.inline`);
``/docs`` and ``/redoc`` are served from local files (:mod:`service.docs`).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from service.convert import Limits
from service.cpu_pool import CpuPool
from service.docs import install_docs
from service.errors import install_error_handlers
from service.gate import RequestGate
from service.inline import FORECAST_ADVICE
from service.model_store import ModelStore
from service.routers import forecast, health, invocations, models
from service.settings import ServiceSettings

__all__ = ["create_app", "protected_paths", "json_body_routes"]

log = logging.getLogger(__name__)

#: What the CPU-heavy endpoints run in the worker processes (``/v1/profile``, ``/v1/recommend``).
CPU_ENDPOINT_MODULES = ("service.profiling", "service.recommending")
#: What the large-forecast workers import before their first request (the local and routed
#: models' libraries; ~seconds of a first request's budget otherwise). ``statsforecast.models``
#: by name: tsforge imports it only when a local model first forecasts (it brings statsmodels,
#: fugue, ... : ~690 modules), so the first large local or routed forecast of every fresh worker
#: spent 0.5–0.6 s of its budget importing it (measured on a warm disk cache; more on a cold one).
FORECAST_WORKER_MODULES = (
    "service.forecast_worker",
    "tsforge.panels.predictor",
    "recommender.routed",
    "statsforecast.models",
    "tsforge.models.local_forms",  # a local forecast records the seasonal form AutoETS / AutoARIMA chose
)


def _tsforge_version() -> str:
    try:
        return version("tsforge")
    except PackageNotFoundError:
        return "0.0.0"


def _optional_routers() -> list:
    """Routers whose libraries may be absent: included only when they import."""
    out = []
    try:
        from service.routers import profile

        out.append(profile.router)
    except ImportError as exc:
        log.info("/v1/profile disabled: %s", exc)
    try:
        from service.routers import recommend

        out.append(recommend.router)
    except ImportError as exc:
        log.info("/v1/recommend disabled: %s", exc)
    return out


def create_app(settings: ServiceSettings | None = None, *, store: ModelStore | None = None) -> FastAPI:
    """Build the app. ``store`` replaces the registry-backed store (tests); otherwise the lifespan makes one."""
    settings = settings or ServiceSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.torch_threads:
            import torch

            torch.set_num_threads(settings.torch_threads)
        own = getattr(app.state, "store", None) is None
        if own:
            app.state.store = ModelStore(
                settings.tracking_uri,
                default_model=settings.default_model,
                default_alias=settings.default_alias,
                max_cached_versions=settings.max_cached_versions,
            )
        st: ModelStore = app.state.store
        if settings.preload_default and st.default_model:
            try:
                st.warm()
            except Exception as exc:  # serve anyway: /readyz says 503 until it loads
                log.warning("default model %s not loaded at start-up: %s", st.default_model, exc)
        st.start_polling(settings.alias_poll_seconds)
        if settings.cpu_warm_start:
            try:
                app.state.cpu_pool.warm()
                app.state.forecast_pool.warm()
            except Exception as exc:  # the workers start on first use instead
                log.warning("could not start the CPU workers ahead of use: %s", exc)
        _freeze_startup_objects()
        try:
            yield
        finally:
            app.state.cpu_pool.close()
            app.state.forecast_pool.close()
            st.stop()
            if own:
                app.state.store = None

    app = FastAPI(
        title="tsforge forecast service",
        version=_tsforge_version(),
        summary="Forecasts from registered MLflow models over REST; MLflow scoring-protocol compatible.",
        lifespan=lifespan,
        docs_url=None,  # served from local files by install_docs (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.limits = Limits(
        settings.max_series,
        settings.max_series_length,
        settings.max_horizon,
        settings.max_profile_windows,
        settings.max_profile_window,
    )
    app.state.store = store
    app.state.cpu_pool = CpuPool(
        settings.cpu_workers,
        settings.cpu_queue,
        settings.cpu_timeout_seconds,
        # a warm-started service imports the endpoints' libraries before the first request
        preload=CPU_ENDPOINT_MODULES if settings.cpu_warm_start else (),
    )
    app.state.forecast_pool = CpuPool(
        settings.forecast_workers,
        settings.cpu_queue,
        settings.forecast_timeout_seconds,
        nice=5,  # after the server's own (small) forecasts, before profiling
        preload=FORECAST_WORKER_MODULES if settings.cpu_warm_start else (),
        label="large-forecast",
        advice=FORECAST_ADVICE,
        budget_setting="TSFORGE_FORECAST_TIMEOUT_SECONDS",
    )
    app.add_middleware(
        RequestGate,
        settings=settings,
        protected=lambda: protected_paths(app),
        json_bodies=lambda: json_body_routes(app),
    )
    install_error_handlers(app)
    install_docs(app)
    app.include_router(health.router)
    app.include_router(forecast.router)
    app.include_router(models.router)
    app.include_router(invocations.router)
    for router in _optional_routers():
        app.include_router(router)
    return app


def _freeze_startup_objects() -> None:
    """Move everything allocated at start-up (torch, MLflow, pandas, the loaded models: millions
    of objects) out of the garbage collector's reach.

    Why: a full (generation-2) collection walks every tracked object; with that heap one took
    ~0.5 s, and while it ran no request was answered: it was the p99 of the load benchmark. The
    start-up objects live as long as the process, so scanning them can never free anything;
    after :func:`gc.freeze` a full collection only walks what requests allocated since.
    """
    gc.collect()
    gc.freeze()


def protected_paths(app: FastAPI) -> frozenset[str]:
    """Paths whose operations require the API key (the ``require_api_key`` dependency declares its
    security schemes in the OpenAPI document): the gate checks the key on these before it lets
    the body be read."""
    paths = app.openapi().get("paths", {})
    return frozenset(
        path
        for path, operations in paths.items()
        if any(isinstance(op, dict) and op.get("security") for op in operations.values())
    )


def json_body_routes(app: FastAPI) -> frozenset[tuple[str, str]]:
    """``(METHOD, path)`` of the operations that take a JSON request body (from the OpenAPI
    document): the gate answers 415 when such a body is not sent as JSON."""
    paths = app.openapi().get("paths", {})
    return frozenset(
        (method.upper(), path)
        for path, operations in paths.items()
        for method, op in operations.items()
        if isinstance(op, dict) and "application/json" in op.get("requestBody", {}).get("content", {})
    )
