"""FastAPI dependencies as ``Annotated`` aliases: settings, the model store, limits, the CPU pool
and the API key."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from service.convert import Limits
from service.cpu_pool import CpuPool
from service.errors import AuthenticationError
from service.model_store import ModelStore
from service.settings import ServiceSettings

__all__ = [
    "get_settings",
    "get_store",
    "get_limits",
    "get_cpu_pool",
    "get_forecast_pool",
    "require_api_key",
    "api_key_problem",
    "SettingsDep",
    "ModelStoreDep",
    "LimitsDep",
    "CpuPoolDep",
    "ForecastPoolDep",
    "ApiKeyDep",
]

_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Required when TSFORGE_API_KEY is set."
)
_bearer = HTTPBearer(auto_error=False, description="Alternative to X-API-Key: 'Authorization: Bearer <key>'.")


def get_settings(request: Request) -> ServiceSettings:
    """The settings :func:`service.main.create_app` was built with (read once, at app creation)."""
    return request.app.state.settings


def get_store(request: Request) -> ModelStore:
    """The app's model store (opened in the lifespan unless one was passed to ``create_app``);
    a dependency so tests can swap in a fake through ``app.dependency_overrides``."""
    return request.app.state.store


def get_limits(request: Request) -> Limits:
    """The request-size limits (series, length, horizon, profiled windows) from the settings."""
    return request.app.state.limits


def get_cpu_pool(request: Request) -> CpuPool:
    """The bounded pool of worker processes that runs CPU-heavy requests (with a queue and a
    timeout), so they neither block the event loop nor pile up without limit."""
    return request.app.state.cpu_pool


def get_forecast_pool(request: Request) -> CpuPool | None:
    """The worker processes that run large forecasts within a time budget (``None`` on an app
    built without one: every forecast then runs in the server)."""
    return getattr(request.app.state, "forecast_pool", None)


SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
ModelStoreDep = Annotated[ModelStore, Depends(get_store)]
LimitsDep = Annotated[Limits, Depends(get_limits)]
CpuPoolDep = Annotated[CpuPool, Depends(get_cpu_pool)]
ForecastPoolDep = Annotated[CpuPool | None, Depends(get_forecast_pool)]


def api_key_problem(settings: ServiceSettings, api_key: str | None, bearer: str | None) -> str | None:
    """Why a request's credentials are refused, or ``None`` when it may pass (no key configured,
    or the right one given; constant-time comparison). Shared by the dependency and the
    :mod:`service.gate` middleware, which checks it before the body is read."""
    if settings.api_key is None:
        return None
    expected = settings.api_key.get_secret_value().encode()
    given = api_key if api_key is not None else bearer
    if given is None:
        return "missing API key: send header 'X-API-Key' or 'Authorization: Bearer <key>'"
    if not secrets.compare_digest(given.encode(), expected):
        return "wrong API key"
    return None


def require_api_key(
    settings: SettingsDep,
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """Pass when no key is configured, or the request carries it (constant-time comparison)."""
    problem = api_key_problem(settings, api_key, bearer.credentials if bearer is not None else None)
    if problem is not None:
        raise AuthenticationError(problem, field="X-API-Key")


ApiKeyDep = Depends(require_api_key)
