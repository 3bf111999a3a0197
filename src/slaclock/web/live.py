"""Live updates of the dashboard and the ticket page: server-sent events at ``GET /live``.

A page kept open (a wall screen, a lead's tab) opens ``/live`` with ``EventSource``
(``static/live.js``). The stream carries no data of its own, only "what you show may
have changed": an event ``change`` whose ``id`` is the change marker
(:meth:`Services.change_marker`, read from the database by one
:class:`~slaclock.service.change_feed.ChangeFeed` per process, so the writes of every
process count). The page then fetches its own URL again and swaps in its live regions,
rendered as always with the site's clock; a page without JavaScript stays as it was
rendered. Why not push the regions themselves: the page's own route renders them, with
the viewer's language, zone, filters and page, so nothing is rendered twice or
differently, and an idle stream costs only a sleeping coroutine.

The stream follows the sign-in cookie like the pages (admin, agent, viewer; an ingest
token is refused), answers only a client that asks for ``text/event-stream`` (as
``EventSource`` does), tells the browser when to reconnect (``retry:``), sends a
comment line every :data:`HEARTBEAT_SECONDS` so proxies keep the connection (and checks
then that the token still works), ends after :data:`MAX_STREAM_SECONDS` (the browser
reconnects, with ``Last-Event-ID``), and is refused (503) past
``SLACLOCK_LIVE_STREAMS`` open streams in the process. It ends when the server shuts
down: uvicorn waits for every response in progress before it stops, and a stream never
ends by itself (see :func:`end_streams_when_uvicorn_stops`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from slaclock.api.context import ApiContext
from slaclock.api.problems import Problem
from slaclock.api.query import reject_nul_characters
from slaclock.service.change_feed import ChangeFeed
from slaclock.web.session import TOKEN_COOKIE, verify

__all__ = [
    "LIVE_PATH",
    "LIVE_STREAMS_ENV",
    "LiveStreams",
    "end_streams_when_uvicorn_stops",
    "install_live",
    "router",
]

LIVE_PATH = "/live"
LIVE_STREAMS_ENV = "SLACLOCK_LIVE_STREAMS"
#: Open streams per process unless SLACLOCK_LIVE_STREAMS says otherwise (0: no stream).
DEFAULT_MAX_STREAMS = 200
#: A comment line this often keeps proxies from closing an idle stream.
HEARTBEAT_SECONDS = 15.0
#: How long the browser waits before it reconnects a stream that ended.
RETRY_MILLISECONDS = 5000
#: A stream ends after this long and the browser reconnects: after a restart or a scale
#: up, pages spread over the processes again.
MAX_STREAM_SECONDS = 30 * 60.0
EVENT_STREAM = "text/event-stream"
#: A marker is 16 hex digits; anything longer in ``since`` or ``Last-Event-ID`` is not one.
MAX_MARKER_CHARS = 64
STREAM_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
}

router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul_characters)])
log = logging.getLogger(__name__)
#: Every site's streams in this process, for the uvicorn shutdown hook.
_SITES: weakref.WeakSet[LiveStreams] = weakref.WeakSet()


class _Stream:
    """One open stream: the loop serving it and how to wake it from another thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.wake = asyncio.Event()
        self.ended = False

    def notify(self) -> None:
        """Wake the stream (from any thread); a loop already gone is ignored."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: its server is gone
            self.loop.call_soon_threadsafe(self.wake.set)

    def end(self) -> None:
        self.ended = True
        self.notify()


class LiveStreams:
    """The live streams of one site in this process: the change feed they share, how
    many are open (at most ``max_streams``), and their end when the server stops."""

    def __init__(self, feed: ChangeFeed, max_streams: int = DEFAULT_MAX_STREAMS) -> None:
        self.feed = feed
        self.max_streams = max_streams
        self.heartbeat_seconds = HEARTBEAT_SECONDS
        self.retry_milliseconds = RETRY_MILLISECONDS
        self.max_stream_seconds = MAX_STREAM_SECONDS
        self._open: set[_Stream] = set()
        self._lock = threading.Lock()
        _SITES.add(self)

    @property
    def open_count(self) -> int:
        return len(self._open)

    def open(self) -> _Stream | None:
        """A new stream on the running loop, or None when ``max_streams`` are open."""
        with self._lock:
            if len(self._open) >= self.max_streams:
                return None
            stream = _Stream(asyncio.get_running_loop())
            self._open.add(stream)
            return stream

    def close(self, stream: _Stream) -> None:
        with self._lock:
            self._open.discard(stream)

    def end(self, loop: asyncio.AbstractEventLoop | None = None) -> int:
        """End the open streams served by ``loop`` (all with None); how many."""
        with self._lock:
            ending = [s for s in self._open if loop is None or s.loop is loop]
        for stream in ending:
            stream.end()
        return len(ending)

    def stream_url(self) -> str:
        """Where a page opens its stream: ``/live?since=<the marker now>``, so a change
        between rendering the page and opening the stream is not missed."""
        try:
            marker = self.feed.current()
        except Exception:  # the page still renders; its stream just starts unknowing
            log.warning("reading the change marker failed", exc_info=True)
            return LIVE_PATH
        return f"{LIVE_PATH}?since={quote(marker, safe='')}"


def max_streams_from(environ: Mapping[str, str]) -> int:
    """``SLACLOCK_LIVE_STREAMS`` (a whole number ≥ 0), else the default; a bad value is
    an error naming the variable."""
    text = environ.get(LIVE_STREAMS_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_STREAMS
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"{LIVE_STREAMS_ENV}: expected a whole number ≥ 0, not {text!r}")
    return int(text)


def install_live(app: FastAPI) -> LiveStreams:
    """Add ``/live`` to the site, its streams as ``app.state.live``, and the template
    function ``live_stream_url()`` the live pages link their stream with."""
    ctx: ApiContext = app.state.ctx
    streams = LiveStreams(ChangeFeed(ctx.services.change_marker), max_streams_from(ctx.environ))
    app.state.live = streams
    app.state.web_templates.add_global("live_stream_url", streams.stream_url)
    app.include_router(router, include_in_schema=False)
    end_streams_when_uvicorn_stops()
    return streams


@router.get(LIVE_PATH)
async def live(
    request: Request, since: Annotated[str | None, Query(max_length=MAX_MARKER_CHARS)] = None
) -> Response:
    """The change events of the site, for a signed-in page (see the module)."""
    ctx: ApiContext = request.app.state.ctx
    streams: LiveStreams = request.app.state.live
    secret = request.cookies.get(TOKEN_COOKIE)
    viewer = await run_in_threadpool(verify, ctx, secret)  # may read the database
    if viewer is None:
        raise Problem(401, "sign in to the dashboard first: the stream follows its cookie")
    if not viewer.may_see_pages:
        raise Problem(403, f"the role of this token ({viewer.role}) may not see the dashboard")
    if EVENT_STREAM not in request.headers.get("accept", ""):
        raise Problem(406, f"this is an event stream: ask for it with Accept: {EVENT_STREAM}")
    stream = streams.open()
    if stream is None:
        raise Problem(
            503,
            "too many live pages on this server process; the page refreshes every minute",
            headers={"Retry-After": "60"},
        )
    last = request.headers.get("last-event-id") or since
    known = last if last and len(last) <= MAX_MARKER_CHARS else None
    still_signed_in = functools.partial(_signed_in, ctx, secret)
    return EventStream(streams, stream, known, ctx, still_signed_in)


async def _signed_in(ctx: ApiContext, secret: str | None) -> bool:
    viewer = await run_in_threadpool(verify, ctx, secret)
    return viewer is not None and viewer.may_see_pages


class EventStream(Response):
    """The ``text/event-stream`` answer of one page: a change event whenever the feed's
    marker moves, a comment line as heartbeat, until the client goes, the stream's time
    is up, the token stops working, or the server shuts down."""

    media_type = EVENT_STREAM

    def __init__(
        self,
        streams: LiveStreams,
        stream: _Stream,
        known: str | None,
        ctx: ApiContext,
        still_signed_in: Callable[[], Awaitable[bool]],
    ) -> None:
        # No Response.__init__: it would set a body, and with it a Content-Length.
        self.status_code = 200
        self.background = None
        self.init_headers(STREAM_HEADERS)
        self._streams = streams
        self._stream = stream
        self._known = known
        self._ctx = ctx
        self._still_signed_in = still_signed_in

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._streams.feed.subscribe(self._stream.notify)
        gone = False
        try:
            await send({"type": "http.response.start", "status": 200,
                        "headers": self.raw_headers})  # fmt: skip
            async with anyio.create_task_group() as group:

                async def watch_disconnect() -> None:
                    nonlocal gone
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    gone = True
                    group.cancel_scope.cancel()

                group.start_soon(watch_disconnect)
                await self._pump(send)
                group.cancel_scope.cancel()
            if not gone:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the client went while we wrote
            pass
        finally:
            self._streams.feed.unsubscribe(key)
            self._streams.close(self._stream)

    async def _pump(self, send: Send) -> None:
        streams, stream = self._streams, self._stream

        async def emit(text: str) -> None:
            await send({"type": "http.response.body", "body": text.encode(), "more_body": True})

        await emit(f"retry: {streams.retry_milliseconds}\n: slaclock live updates\n\n")
        known = await run_in_threadpool(streams.feed.current)
        if self._known is not None and self._known != known:
            await emit(self._change(known))  # it changed since the page was rendered
        loop = asyncio.get_running_loop()
        deadline = loop.time() + streams.max_stream_seconds
        while not stream.ended:
            wait = min(streams.heartbeat_seconds, deadline - loop.time())
            if wait <= 0:
                return
            try:
                await asyncio.wait_for(stream.wake.wait(), wait)
                woken = True
            except TimeoutError:
                woken = False
            stream.wake.clear()
            if stream.ended:
                return
            marker = streams.feed.marker
            if marker is not None and marker != known:
                known = marker
                await emit(self._change(marker))
            elif not woken:
                if not await self._still_signed_in():
                    return
                await emit(": keep-alive\n\n")

    def _change(self, marker: str) -> str:
        data = json.dumps({"now": self._ctx.now().isoformat()})
        return f"id: {marker}\nevent: change\ndata: {data}\n\n"


def end_streams_when_uvicorn_stops() -> None:
    """Make uvicorn end this process's live streams first when it shuts down.

    uvicorn's ``Server.shutdown`` stops listening, then waits for every response in
    progress to finish before it runs the app's shutdown (for ever, unless
    ``--timeout-graceful-shutdown``): an event stream would hold it up, and nothing
    reaches the app before that wait. So ``Server.shutdown`` is wrapped, once per
    process, to first end the streams served on the loop that is shutting down (the
    browsers reconnect to the next server after ``retry:``). This covers a signal, a
    programmatic ``should_exit`` and ``--reload``; where uvicorn is not installed, or
    another server runs the app, nothing is changed.
    """
    try:
        from uvicorn.server import Server
    except ImportError:  # pragma: no cover - uvicorn is a dependency
        return
    original = Server.shutdown
    if getattr(original, "_ends_live_streams", False):
        return

    @functools.wraps(original)
    async def shutdown(self: Server, *args: Any, **kwargs: Any) -> None:
        loop = asyncio.get_running_loop()
        for site in list(_SITES):
            site.end(loop)
        await original(self, *args, **kwargs)

    shutdown._ends_live_streams = True  # type: ignore[attr-defined]
    Server.shutdown = shutdown  # type: ignore[method-assign]
