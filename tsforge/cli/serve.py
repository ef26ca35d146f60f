"""``tsforge serve``: run the forecast service (FastAPI app in ``service/``) under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from tsforge.cli.app import app, console

__all__ = ["serve_cmd"]


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind [default: 127.0.0.1, or TSFORGE_HOST].")
    ] = None,
    port: Annotated[int | None, typer.Option(help="TCP port [default: 8000, or TSFORGE_PORT].")] = None,
    tracking_uri: Annotated[
        str | None,
        typer.Option("--tracking-uri", help="MLflow tracking/registry URI (default: mlruns/ SQLite)."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Default model: name (→ @champion), name@alias or name/version.")
    ] = None,
    poll: Annotated[
        float | None, typer.Option(help="Seconds between alias re-resolutions (0 = off; default 5).")
    ] = None,
    torch_threads: Annotated[
        int | None, typer.Option("--torch-threads", help="torch.set_num_threads at start.")
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve forecasts from registered MLflow models (REST + MLflow /invocations).

    The API key, when wanted, comes from the environment only (TSFORGE_API_KEY), never a flag.
    """
    import uvicorn

    from service.main import create_app
    from service.settings import ServiceSettings

    settings = ServiceSettings.from_env(
        host=host,
        port=port,
        tracking_uri=tracking_uri,
        default_model=model,
        alias_poll_seconds=poll,
        torch_threads=torch_threads,
    )
    console.print(
        f"tsforge service on http://{settings.host}:{settings.port} "
        f"(docs: /docs; default model: {settings.default_model or 'none'}; "
        f"API key: {'required' if settings.api_key else 'off'})"
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=log_level)
