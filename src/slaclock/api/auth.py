"""Bearer API tokens and the role check every route runs.

The check is one dependency installed on every router: it reads the token, asks the
token store who it is, and looks the matched route up in :data:`slaclock.api.roles.ENDPOINT_ROLES`.
A missing, unknown or revoked token answers 401; a known token whose role is not in the
table for the route answers 403. An address whose checks keep failing is throttled:
past the app's limit within its window, 429 with ``Retry-After``, and the database is
not asked, unless the token is one that verified before in this process
(:mod:`slaclock.api.token_cache`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from slaclock.api.context import ApiContext
from slaclock.api.problems import Problem
from slaclock.api.roles import allowed_roles
from slaclock.service.tokens import TokenInfo

__all__ = ["Caller", "authorize"]

_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer <token>`")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Caller:
    """The authenticated token behind a request."""

    token_id: str
    name: str
    role: str


def _unauthorized(detail: str) -> Problem:
    return Problem(401, detail, slug="unauthorized", headers=_CHALLENGE)


async def authorize(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """Authenticate the token, then check its role against the route's entry.

    A token verified a moment ago is answered from memory on the event loop; only a
    miss goes to the database, in a worker thread, unless the client is throttled.
    """
    ctx: ApiContext = request.app.state.ctx
    if credentials is None or not credentials.credentials:
        raise _unauthorized("missing bearer token (Authorization: Bearer <token>)")
    secret = credentials.credentials
    info = ctx.tokens.remembered(secret)
    if info is None:
        info = await _verify(ctx, secret, request.client.host if request.client else "")
    caller = Caller(token_id=info.id, name=info.name, role=info.role)
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    allowed = allowed_roles(request.method, template)
    if caller.role not in allowed:
        raise Problem(
            403,
            f"role {caller.role!r} may not {request.method} {template}; "
            f"allowed: {', '.join(sorted(allowed)) or 'nobody'}",
            slug="forbidden",
        )
    return caller


async def _verify(ctx: ApiContext, secret: str, client: str) -> TokenInfo:
    """Ask the database about ``secret``, unless ``client`` has failed too often and
    the token is not one that verified before."""
    now = ctx.now()
    wait = ctx.throttle.retry_after(client, now)
    if wait is not None and not ctx.tokens.known(secret):
        detail = f"too many failed token checks from this address; retry in {wait} s"
        raise Problem(
            429, detail, slug="too-many-failed-checks", headers={"Retry-After": str(wait)}
        )
    info = await run_in_threadpool(ctx.tokens.verify, secret, now)
    if info is None:
        ctx.throttle.failed(client, now)
        raise _unauthorized("invalid or revoked token")
    return info


CallerDep = Annotated[Caller, Depends(authorize)]
