"""``/docs`` (Swagger UI) and ``/redoc`` from files this app serves itself: no CDN, works offline.

Why: FastAPI's default pages load their JavaScript and CSS from a CDN, so on a machine without
internet (a plant, a locked-down cluster) ``/docs`` and ``/redoc`` were blank pages. The assets
ship in the ``fastapi-offline`` package (Swagger UI bundle and CSS, the ReDoc standalone bundle,
a favicon); we serve its ``static/`` folder under :data:`STATIC_PATH` and render FastAPI's own
HTML pages pointing at it (ReDoc without Google Fonts).
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["install_docs", "assets_dir", "STATIC_PATH"]

log = logging.getLogger(__name__)

STATIC_PATH = "/docs-static"
_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")


def assets_dir() -> Path | None:
    """The installed folder holding the Swagger UI / ReDoc files, or ``None`` when absent."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if all((folder / name).is_file() for name in _ASSETS) else None


def install_docs(app: FastAPI) -> bool:
    """Add ``/docs``, ``/docs/oauth2-redirect`` and ``/redoc`` served from local files.

    Returns ``False`` (and leaves the app without docs pages) when the assets are not
    installed; ``/openapi.json`` is served either way.
    """
    folder = assets_dir()
    if folder is None:
        log.warning("fastapi-offline is not installed: /docs and /redoc are disabled (openapi.json works)")
        return False
    app.mount(STATIC_PATH, StaticFiles(directory=str(folder)), name="docs-static")
    title = app.title
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} — Swagger UI",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_PATH}/favicon.png",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} — ReDoc",
            redoc_js_url=f"{STATIC_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{STATIC_PATH}/favicon.png",
            with_google_fonts=False,
        )

    return True
