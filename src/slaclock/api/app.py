"""The FastAPI application factory: wires routers, the role check, limits and errors.

``create_app`` takes everything from outside as arguments — the services, the clock,
the environment holding webhook secrets — so a test builds the same app production
runs, with a fixed ``now``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from fastapi import Depends, FastAPI

from slaclock.api import (
    docs_ui,
    problems,
    routes_actions,
    routes_config,
    routes_customer_links,
    routes_events,
    routes_notifications,
    routes_queue,
    routes_reports,
    routes_snapshots,
    routes_statements,
    routes_tickets,
    routes_tokens,
    routes_webhooks,
    routes_whatif,
)
from slaclock.api.batching import IngestBatcher
from slaclock.api.context import ApiContext
from slaclock.api.limits import (
    HeaderSizeMiddleware,
    MaxBodySizeMiddleware,
    max_header_bytes_from,
)
from slaclock.api.query import reject_nul_characters, reject_unknown_query
from slaclock.api.schemas import MAX_BATCH_EVENTS
from slaclock.api.token_cache import FailureThrottle, TokenCache
from slaclock.service.app_state import Services

__all__ = [
    "DEFAULT_FAILED_AUTH_LIMIT",
    "DEFAULT_FAILED_AUTH_WINDOW_SECONDS",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_CONFIG_BYTES",
    "DEFAULT_TOKEN_CACHE_SECONDS",
    "create_app",
    "utc_now",
]

#: A full batch of 10,000 events of ~2 KB each fits; anything larger is refused (413).
DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024
#: ``PUT /api/v1/config``: a configuration of hundreds of policies and calendars is tens
#: of KiB; parsing one of many MiB would hold a worker (and the GIL) for seconds.
DEFAULT_MAX_CONFIG_BYTES = 1024 * 1024
#: How long a verified token is trusted without asking the database again (per process).
DEFAULT_TOKEN_CACHE_SECONDS = 1.0
#: Failed token checks a client address may make within the window before it must wait.
DEFAULT_FAILED_AUTH_LIMIT = 20
DEFAULT_FAILED_AUTH_WINDOW_SECONDS = 60.0

ROUTERS = (
    routes_events.router,
    routes_webhooks.router,
    routes_tickets.router,
    routes_actions.router,
    routes_customer_links.router,
    routes_queue.router,
    routes_notifications.router,
    routes_reports.router,
    routes_snapshots.router,
    routes_statements.router,
    routes_config.router,
    routes_tokens.router,
    routes_whatif.router,
)


def utc_now() -> datetime:
    """The production clock: the only place the API reads the time."""
    return datetime.now(UTC)


def create_app(
    services: Services,
    now: Callable[[], datetime] = utc_now,
    *,
    environ: Mapping[str, str] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES,
    max_header_bytes: int | None = None,
    token_cache_seconds: float = DEFAULT_TOKEN_CACHE_SECONDS,
    failed_auth_limit: int = DEFAULT_FAILED_AUTH_LIMIT,
    failed_auth_window_seconds: float = DEFAULT_FAILED_AUTH_WINDOW_SECONDS,
) -> FastAPI:
    """Build the API around ``services`` (from :mod:`slaclock.service.compose`).

    ``max_header_bytes`` defaults to ``SLACLOCK_MAX_HEADER_BYTES`` in ``environ``, else
    16 KiB; ``failed_auth_limit`` 0 turns the throttle of failed token checks off.
    """
    environ = os.environ if environ is None else environ
    if max_header_bytes is None:
        max_header_bytes = max_header_bytes_from(environ)
    app = FastAPI(
        title="slaclock",
        version="1",
        summary="SLA clocks for support teams",
        description="See docs/api.md: roles, errors (RFC 9457) and webhook signing.",
        docs_url=None,  # served from the package by docs_ui, not from a CDN
        redoc_url=None,
    )
    app.state.ctx = ApiContext(
        services=services,
        now=now,
        environ=environ,
        max_body_bytes=max_body_bytes,
        tokens=TokenCache(services.tokens, token_cache_seconds),
        throttle=FailureThrottle(failed_auth_limit, failed_auth_window_seconds),
        batcher=IngestBatcher(services.ingest, now, MAX_BATCH_EVENTS),
    )
    for router in ROUTERS:
        # Unknown query parameters are refused on the API only (a typo must not silently
        # drop a filter); pages mounted beside it (the dashboard) decide for themselves.
        app.include_router(
            router,
            dependencies=[Depends(reject_nul_characters), Depends(reject_unknown_query)],
        )
    docs_ui.install(app)
    problems.install(app)
    text_limit = min(max_config_bytes, max_body_bytes)  # configuration texts: a draft too
    config_limit = {
        ("PUT", routes_config.CONFIG_PATH): text_limit,
        ("POST", routes_whatif.WHATIF_PATH): text_limit,
    }
    app.add_middleware(
        MaxBodySizeMiddleware, max_body_bytes=max_body_bytes, route_limits=config_limit
    )
    app.add_middleware(HeaderSizeMiddleware, max_header_bytes=max_header_bytes)
    return app
