"""``/docs``: the interactive API docs (Swagger UI), served from the package.

FastAPI's own page loads Swagger UI from a CDN: an offline install shows a blank page,
and a third-party script runs on the service's origin, where the dashboard's session
lives. Here the page loads the copy of ``swagger-ui-dist`` vendored under
``static/swagger/`` (with its licence; the version is in its ``package.json``), and a
Content-Security-Policy lets the page run only that file and its own inline start-up
script (by hash), and talk only to its own origin. ReDoc is not served.

Like ``/openapi.json``, the page and its files need no token: they describe the API,
and every call made from them still needs one.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["ASSETS_PATH", "DOCS_PATH", "STATIC_DIR", "content_security_policy", "install"]

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
STATIC_DIR = Path(__file__).resolve().parent / "static" / "swagger"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(html: str) -> str:
    """The page's policy: scripts from this origin plus the page's own inline scripts,
    each by its SHA-256; styles and images from this origin (Swagger UI's icons are
    ``data:`` images, and it sets some style attributes); requests to this origin only."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]
    return "; ".join(
        [
            "default-src 'none'",
            " ".join(["script-src 'self'", *hashes]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def install(app: FastAPI) -> None:
    """Serve the docs page at ``/docs`` and Swagger UI's files under ``/docs/assets``."""
    html = bytes(
        get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API docs",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # else a badge from swagger.io
        ).body
    ).decode()
    headers = {
        "Content-Security-Policy": content_security_policy(html),
        "X-Content-Type-Options": "nosniff",
    }

    async def docs() -> HTMLResponse:
        return HTMLResponse(html, headers=headers)

    app.add_api_route(DOCS_PATH, docs, methods=["GET"], include_in_schema=False)
    app.mount(ASSETS_PATH, StaticFiles(directory=STATIC_DIR), name="docs-assets")
