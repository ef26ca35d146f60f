"""FastAPI dependencies as ``Annotated`` aliases: settings, the model store, limits and the API key."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from service.convert import Limits
from service.errors import AuthenticationError
from service.model_store import ModelStore
from service.settings import ServiceSettings

__all__ = [
    "get_settings",
    "get_store",
    "get_limits",
    "require_api_key",
    "SettingsDep",
    "ModelStoreDep",
    "LimitsDep",
    "ApiKeyDep",
]

_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Required when TSFORGE_API_KEY is set."
)
_bearer = HTTPBearer(auto_error=False, description="Alternative to X-API-Key: 'Authorization: Bearer <key>'.")


def get_settings(request: Request) -> ServiceSettings:
    return request.app.state.settings


def get_store(request: Request) -> ModelStore:
    return request.app.state.store


def get_limits(request: Request) -> Limits:
    return request.app.state.limits


SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
ModelStoreDep = Annotated[ModelStore, Depends(get_store)]
LimitsDep = Annotated[Limits, Depends(get_limits)]


def require_api_key(
    settings: SettingsDep,
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """Pass when no key is configured, or the request carries it (constant-time comparison)."""
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value().encode()
    given = api_key if api_key is not None else (bearer.credentials if bearer is not None else None)
    if given is None:
        raise AuthenticationError(
            "missing API key: send header 'X-API-Key' or 'Authorization: Bearer <key>'", field="X-API-Key"
        )
    if not secrets.compare_digest(given.encode(), expected):
        raise AuthenticationError("wrong API key", field="X-API-Key")


ApiKeyDep = Depends(require_api_key)
