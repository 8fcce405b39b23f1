"""The interactive API docs, /docs (Swagger UI) and /redoc (ReDoc), with every file they load served
by the service itself from the installed `fastapi-offline` package, so they render on an intranet.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, a favicon from FastAPI's site and ReDoc's
fonts from Google Fonts; these pages ask no host but the service for anything. ReDoc's side menu
always shows Redocly's logo from Redocly's CDN, so ReDoc's script is served with that one address
replaced by an empty image (ReDoc leaves a logo that does not load out, as it would on an intranet)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"
# The package's data folder: swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js, favicon.png.
ASSETS_PACKAGE = ("fastapi_offline", "static")
# Everything from the service itself; inline styles and Swagger UI's inline start-up script; images
# drawn as data: URLs and ReDoc's search worker as a blob: URL. Nothing from another host.
DOCS_CSP = "default-src 'self' 'unsafe-inline' data: blob:"
REDOC_JS = "redoc.standalone.js"
REDOCLY_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def redoc_script() -> bytes:
    package, folder = ASSETS_PACKAGE
    return (files(package) / folder / REDOC_JS).read_bytes().replace(REDOCLY_LOGO, b"data:,")


def install_docs(app: FastAPI) -> None:
    """Adds /docs, /redoc and their files under /docs/assets to an app made with
    `docs_url=None, redoc_url=None`. The API uses bearer tokens, not an OAuth2 flow, so Swagger UI
    needs no OAuth2 redirect page."""

    @app.get(f"{ASSETS_URL}/{REDOC_JS}", include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(redoc_script(), media_type="text/javascript")

    app.mount(ASSETS_URL, StaticFiles(packages=[ASSETS_PACKAGE]), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        page = get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/{REDOC_JS}",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page
