"""Caps on what a request may make the server hold: its header fields and its body.

Header fields: ``slaclock serve`` runs uvicorn's h11 parser, which stops reading a
request whose unfinished head passes the cap (it answers 400 and closes), so a header
can never pile up in memory; a head that arrived whole but passes the cap is refused
here, exactly, with 431.

Bodies: a declared ``Content-Length`` over the cap is refused at once; a chunked body is
counted as it streams in and refused as soon as it passes the cap (the route never sees
it). A route may have a lower cap of its own (``PUT /api/v1/config``). Both answer 413.

Every refusal is problem+json, answered before the route, the token check included.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slaclock.api.problems import Problem, problem_response

__all__ = [
    "DEFAULT_MAX_HEADER_BYTES",
    "HEADER_BYTES_ENV",
    "HeaderSizeMiddleware",
    "MaxBodySizeMiddleware",
    "head_size",
    "max_header_bytes_from",
]

#: The request target and header fields together (h11's and Node's default too; a
#: browser's headers with the dashboard's cookie take well under 2 KiB).
DEFAULT_MAX_HEADER_BYTES = 16 * 1024
#: The environment setting ``slaclock serve --max-header-bytes`` passes to its workers.
HEADER_BYTES_ENV = "SLACLOCK_MAX_HEADER_BYTES"
#: The shortest head a server can sensibly take (a request line and a Host header).
MIN_HEADER_BYTES = 1024


def max_header_bytes_from(environ: Mapping[str, str]) -> int:
    """The header cap set in ``environ`` (``SLACLOCK_MAX_HEADER_BYTES``), else the default."""
    text = environ.get(HEADER_BYTES_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_HEADER_BYTES
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < MIN_HEADER_BYTES:
        raise ValueError(f"{HEADER_BYTES_ENV}={text!r}: expected a whole number >= 1024")
    return value


def head_size(scope: Scope) -> int:
    """The bytes of the request's target and header fields, about as sent
    (``name: value`` and CRLF per field)."""
    size = len(scope.get("raw_path") or b"") + len(scope.get("query_string", b""))
    for name, value in scope.get("headers", ()):
        size += len(name) + len(value) + 4
    return size


class HeaderSizeMiddleware:
    """Refuse a request whose target and header fields pass ``max_header_bytes`` (431)."""

    def __init__(self, app: ASGIApp, max_header_bytes: int) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and head_size(scope) > self.max_header_bytes:
            detail = f"request target and header fields larger than {self.max_header_bytes} bytes"
            await _refuse(scope, receive, send, Problem(431, detail, slug="headers-too-large"))
            return
        await self.app(scope, receive, send)


class MaxBodySizeMiddleware:
    """Refuse request bodies longer than ``max_body_bytes`` with 413; ``route_limits``
    maps ``(method, path)`` to a lower cap of that route's own."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        route_limits: Mapping[tuple[str, str], int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.route_limits = dict(route_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.route_limits.get((scope["method"], scope["path"]), self.max_body_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, Problem(413, _detail(limit)))
            return
        await self.app(scope, _counting(receive, limit), send)


def _detail(limit: int) -> str:
    return f"request body larger than {limit} bytes"


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, _detail(limit))
        return message

    return counted


async def _refuse(scope: Scope, receive: Receive, send: Send, problem: Problem) -> None:
    """Answer ``problem`` without reading the body, and close the connection after."""
    problem.headers = {"Connection": "close", **(problem.headers or {})}
    response = problem_response(Request(scope), problem)
    await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
