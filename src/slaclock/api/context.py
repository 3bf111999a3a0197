"""What every route needs from outside: the services, the clock and the environment.

Held on ``app.state.ctx`` by :func:`slaclock.api.app.create_app`; routes reach it with the
:func:`get_ctx` dependency, so tests can pass a fixed clock and their own environment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from slaclock.api.batching import IngestBatcher
from slaclock.api.token_cache import FailureThrottle, TokenCache
from slaclock.service.app_state import Services

__all__ = ["ApiContext", "get_ctx"]


@dataclass(frozen=True)
class ApiContext:
    """``now`` returns an aware UTC instant; ``environ`` holds webhook source secrets."""

    services: Services
    now: Callable[[], datetime]
    environ: Mapping[str, str]
    max_body_bytes: int
    batcher: IngestBatcher
    tokens: TokenCache
    throttle: FailureThrottle


async def get_ctx(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx
