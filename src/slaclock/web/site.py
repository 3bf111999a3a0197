"""The whole web service: the REST API plus the dashboard pages and their static files.

``create_site`` builds the API exactly as ``slaclock.api.app.create_app`` does and adds
the pages beside it (outside the OpenAPI schema, which stays the API's). The pages'
"JSON" links open the API endpoints with the same data; so that they work from the
browser, a GET under ``/api/v1/`` without an ``Authorization`` header uses the
signed-in cookie's token as its bearer token. Only reads are bridged, and the cookie is
``SameSite=Strict``, so no other site can make a browser use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from slaclock.api.app import create_app, utc_now
from slaclock.service.app_state import Services
from slaclock.web.ack import router as ack_router
from slaclock.web.customer import router as customer_router
from slaclock.web.customer_link_page import router as customer_link_router
from slaclock.web.i18n import load_all
from slaclock.web.live import install_live
from slaclock.web.manage import router as manage_router
from slaclock.web.policies import router as policies_router
from slaclock.web.query_check import (
    UnknownPageQuery,
    refuse_unknown_page_query,
    unknown_query_page,
)
from slaclock.web.reader import PageRefused, page_refused
from slaclock.web.report_breaches import router as report_breaches_router
from slaclock.web.report_statements import router as report_statements_router
from slaclock.web.reports import router as reports_router
from slaclock.web.routes import router
from slaclock.web.session import TOKEN_COOKIE
from slaclock.web.templating import Templates

__all__ = ["STATIC_DIR", "create_site"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
_READS = ("GET", "HEAD")
#: What every page checks before it runs: no query parameter it does not know.
PAGE_CHECKS = [Depends(refuse_unknown_page_query)]


def create_site(
    services: Services,
    now: Callable[[], datetime] = utc_now,
    *,
    environ: Mapping[str, str] | None = None,
    **app_kwargs: Any,
) -> FastAPI:
    """The API app of ``create_app(services, now, environ=...)`` with the dashboard added."""
    app = create_app(services, now, environ=environ, **app_kwargs)
    app.state.web_templates = Templates(load_all())
    app.add_exception_handler(UnknownPageQuery, unknown_query_page)
    app.add_exception_handler(PageRefused, page_refused)
    for pages in (
        router,
        ack_router,
        customer_router,
        customer_link_router,
        manage_router,
        reports_router,
        report_breaches_router,
        report_statements_router,
        policies_router,
    ):
        app.include_router(pages, include_in_schema=False, dependencies=PAGE_CHECKS)
    install_live(app)  # GET /live: the pages' live updates
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(CookieBearerMiddleware)
    return app


class CookieBearerMiddleware:
    """Lets the pages' JSON links work: the cookie's token as bearer, for API reads only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in _READS
            and scope["path"].startswith("/api/v1/")
        ):
            scope = _with_cookie_bearer(scope)
        await self.app(scope, receive, send)


def _with_cookie_bearer(scope: Scope) -> Scope:
    headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
    if any(name == b"authorization" for name, _ in headers):
        return scope
    cookie_header = b"; ".join(value for name, value in headers if name == b"cookie")
    if not cookie_header:
        return scope
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header.decode("latin-1"))
    except CookieError:  # a malformed cookie header is simply not a session
        return scope
    morsel = jar.get(TOKEN_COOKIE)
    if morsel is None or not morsel.value:
        return scope
    headers.append((b"authorization", b"Bearer " + morsel.value.encode("latin-1")))
    return {**scope, "headers": headers}
