"""Service configuration: one validated object built from keyword arguments and/or the environment.

Why not ``pydantic-settings``: it is not a dependency of tsforge, and the service needs only a
handful of variables. :meth:`ServiceSettings.from_env` reads ``TSFORGE_*`` variables (and
``MLFLOW_TRACKING_URI``), keyword overrides win, and pydantic validates the result, so a bad
value (``TSFORGE_PORT=abc``) fails at start-up with a message naming the variable.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from tsforge.errors import ConfigError

__all__ = ["ServiceSettings", "ENV_PREFIX"]

ENV_PREFIX = "TSFORGE_"

# Environment variable → field. ``TSFORGE_API_KEY`` is the documented name of the key.
_ENV_FIELDS: dict[str, str] = {
    "TSFORGE_HOST": "host",
    "TSFORGE_PORT": "port",
    "TSFORGE_TRACKING_URI": "tracking_uri",
    "MLFLOW_TRACKING_URI": "tracking_uri",
    "TSFORGE_MODEL": "default_model",
    "TSFORGE_DEFAULT_ALIAS": "default_alias",
    "TSFORGE_MAX_SERIES": "max_series",
    "TSFORGE_MAX_SERIES_LENGTH": "max_series_length",
    "TSFORGE_MAX_HORIZON": "max_horizon",
    "TSFORGE_API_KEY": "api_key",
    "TSFORGE_ALIAS_POLL_SECONDS": "alias_poll_seconds",
    "TSFORGE_MAX_CACHED_VERSIONS": "max_cached_versions",
    "TSFORGE_TORCH_THREADS": "torch_threads",
    "TSFORGE_MAX_PROFILE_WINDOWS": "max_profile_windows",
    "TSFORGE_RECOMMENDER_PATH": "recommender_path",
    "TSFORGE_MAX_BODY_BYTES": "max_body_bytes",
    "TSFORGE_MAX_PROFILE_WINDOW": "max_profile_window",
    "TSFORGE_CPU_WORKERS": "cpu_workers",
    "TSFORGE_CPU_QUEUE": "cpu_queue",
    "TSFORGE_CPU_TIMEOUT_SECONDS": "cpu_timeout_seconds",
    "TSFORGE_SHUTDOWN_SECONDS": "shutdown_seconds",
    "TSFORGE_FORECAST_WORKERS": "forecast_workers",
    "TSFORGE_FORECAST_TIMEOUT_SECONDS": "forecast_timeout_seconds",
}


class ServiceSettings(BaseModel):
    """Everything the forecast service can be told at start-up.

    Attributes:
        host: interface uvicorn binds to; loopback by default so nothing is exposed by accident.
        port: TCP port.
        tracking_uri: MLflow tracking/registry URI (``None`` → ``tsforge.tracking`` default,
            ``sqlite:///mlruns/mlflow.db`` or ``MLFLOW_TRACKING_URI``).
        default_model: registered model used when a request names none; ``name`` (→ its
            ``default_alias``), ``name@alias`` or ``name/version``.
        default_alias: alias a bare model name resolves to.
        max_series: most series one request may carry.
        max_series_length: most values one series may carry.
        max_horizon: service-wide cap on the horizon (the model's own maximum also applies).
        api_key: when set, every non-probe request must carry it (``X-API-Key`` or
            ``Authorization: Bearer``).
        alias_poll_seconds: how often the background thread re-resolves the aliases in use;
            0 disables polling (``POST /v1/admin/reload`` still works).
        max_cached_versions: loaded model versions kept in memory (oldest-loaded evicted first, never one an alias in use points at).
        max_profile_windows: most windows one ``/v1/profile`` request may profile in total
            (profiling costs milliseconds per window; this bounds a request's CPU time).
        recommender_path: folder of the saved recommender for ``/v1/recommend`` (``None`` → the
            default, ``<cache root>/recommender/default``; in a clone
            ``datasets/cache/recommender/default``).
        torch_threads: ``torch.set_num_threads`` at start-up; ``None`` leaves torch's default.
        preload_default: load the default model in the lifespan, before the first request.
        max_body_bytes: largest request body accepted (413 before anything parses it; checked
            on ``Content-Length`` and on the bytes of a streamed body).
        max_profile_window: longest window ``/v1/profile`` accepts (default 336, the ARIES
            window). On a cold STL-operator cache the cost grows with the square of the window
            (336: ~10–30 s once, 512: ~2 min, 1024: minutes); raise it only with the operators
            pre-built on this machine (``tsforge profile --window N`` builds them).
        cpu_workers: worker processes for the CPU-heavy endpoints (``/v1/profile``,
            ``/v1/recommend``); forecasts never wait for them.
        cpu_queue: requests that may wait for a busy worker (of each pool: the CPU-heavy
            endpoints', the large forecasts'); more are refused with 429.
        cpu_timeout_seconds: time budget of one CPU-heavy request (queueing included); past it
            the worker is stopped and the request answered 504.
        cpu_warm_start: start the worker processes with the service (else on first use).
        forecast_workers: worker processes for large forecasts (``/v1/forecast``,
            ``/invocations``): a request whose estimated CPU cost (values × the model kind's cost
            per value, see :mod:`service.inline`) is about a second or more runs there, within
            ``forecast_timeout_seconds``; smaller ones run in the server as before. Up to
            ``cpu_queue`` more may wait (429 past that).
        forecast_timeout_seconds: time budget of one large forecast in its worker (waiting for
            the worker included; reading the body and loading the model are not); past it the
            worker is stopped and the request answered 504 naming the budget.
        shutdown_seconds: on SIGTERM, how long requests in flight may take to finish before the
            server closes them (the whole stop stays within 10 s).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    tracking_uri: str | None = None
    default_model: str | None = None
    default_alias: str = Field(default="champion", min_length=1)
    max_series: int = Field(default=1000, ge=1)
    max_series_length: int = Field(default=100_000, ge=1)
    max_horizon: int = Field(default=2000, ge=1)
    api_key: SecretStr | None = None
    alias_poll_seconds: float = Field(default=5.0, ge=0)
    max_cached_versions: int = Field(default=8, ge=1)
    max_profile_windows: int = Field(default=128, ge=1)
    recommender_path: str | None = None
    torch_threads: int | None = Field(default=None, ge=1)
    preload_default: bool = True
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    max_profile_window: int = Field(default=336, ge=32, le=4096)
    cpu_workers: int = Field(default=1, ge=1, le=8)
    cpu_queue: int = Field(default=4, ge=0)
    cpu_timeout_seconds: float = Field(default=60.0, gt=0)
    cpu_warm_start: bool = False
    forecast_workers: int = Field(default=1, ge=1, le=8)
    forecast_timeout_seconds: float = Field(default=60.0, gt=0)
    shutdown_seconds: float = Field(default=5.0, ge=0, le=9)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> ServiceSettings:
        """Build settings from ``TSFORGE_*`` variables; explicit ``overrides`` (not ``None``) win.

        Raises:
            ConfigError: a variable or override has an invalid value (names the variable).
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        source: dict[str, str] = {}
        for var, name in _ENV_FIELDS.items():
            raw = env.get(var)
            if raw is None or raw == "" or name in values:
                continue
            values[name] = raw
            source[name] = var
        for name, value in overrides.items():
            if value is not None:
                values[name] = value
                source[name] = name
        try:
            return cls(**values)
        except ValidationError as exc:
            first = exc.errors()[0]
            name = str(first["loc"][0]) if first["loc"] else "settings"
            where = source.get(name, name)
            raise ConfigError(f"invalid service setting {where}: {first['msg']}", field=where) from None
