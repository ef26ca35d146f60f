"""``tsforge serve``: run the forecast service (FastAPI app in ``service/``) under uvicorn."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tsforge.cli.app import app, console
from tsforge.errors import ConfigError

__all__ = ["serve_cmd"]


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind (default: 127.0.0.1, or TSFORGE_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="TCP port (default: 8000, or TSFORGE_PORT).")] = None,
    tracking_uri: Annotated[
        str | None,
        typer.Option(
            "--tracking-uri",
            help="MLflow tracking/registry URI (default: TSFORGE_TRACKING_URI or MLFLOW_TRACKING_URI, else mlruns/ SQLite).",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Default model: name (→ @champion), name@alias or name/version (default: TSFORGE_MODEL)."
        ),
    ] = None,
    poll: Annotated[
        float | None,
        typer.Option(
            help="Seconds between alias re-resolutions (0 = off; default 5, or TSFORGE_ALIAS_POLL_SECONDS)."
        ),
    ] = None,
    torch_threads: Annotated[
        int | None,
        typer.Option(
            "--torch-threads", help="torch.set_num_threads at start (default: TSFORGE_TORCH_THREADS)."
        ),
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve forecasts from registered MLflow models (REST + MLflow /invocations).

    The API key, when wanted, comes from the environment only (TSFORGE_API_KEY), never a flag.
    SIGTERM (or Ctrl-C) stops the service within 10 s: profiling workers are stopped at once,
    requests in flight get up to TSFORGE_SHUTDOWN_SECONDS (default 5) to finish.
    """
    from service.main import create_app
    from service.settings import ServiceSettings

    settings = ServiceSettings.from_env(
        host=host,
        port=port,
        tracking_uri=tracking_uri,
        default_model=model,
        alias_poll_seconds=poll,
        torch_threads=torch_threads,
        cpu_warm_start=True,
    )
    check_can_listen(settings.host, settings.port)  # before models load and workers start
    console.print(
        f"tsforge service on http://{settings.host}:{settings.port} "
        f"(docs: /docs; default model: {settings.default_model or 'none'}; "
        f"API key: {'required' if settings.api_key else 'off'})"
    )
    app = create_app(settings)
    _server(app, settings, log_level).run()


def check_can_listen(host: str, port: int) -> None:
    """Refuse, in one line, an address the service cannot listen on (a port in use, an unknown host).

    Why before anything starts: uvicorn finds out only after the app has loaded its models and
    started its worker processes, then logs the failure among its start-up lines and exits 3.
    The check binds the way uvicorn does (``SO_REUSEADDR``, so a port held only by closing
    connections is not refused); another process may still take the port in between.
    """
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ConfigError(f"cannot resolve host {host!r}: {exc}", field="host") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another service running "
                "there? choose another --port)",
                field="port",
            ) from None


def _server(app: Any, settings: Any, log_level: str) -> Any:
    """A uvicorn server whose shutdown is bounded: the signal handler also stops the CPU workers
    (a profile request blocked on one then answers 503 at once instead of holding the shutdown),
    and requests still running after ``shutdown_seconds`` are cancelled."""
    import uvicorn

    class _Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            pool = getattr(app.state, "cpu_pool", None)
            if pool is not None:
                pool.close()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        timeout_graceful_shutdown=settings.shutdown_seconds,
    )
    return _Server(config)
