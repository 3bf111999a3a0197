"""``GET /live``, the server-sent events that keep the dashboard and the ticket page live.

The refusals are asked through the test client; the stream itself is read from the real
site served by uvicorn (``tools/live_site.py``), with httpx and read timeouts, so a
stream that does not say what it should fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from live_site import LiveServer

from slaclock.web import create_site
from slaclock.web.live import LIVE_STREAMS_ENV, LiveStreams
from slaclock.web.session import TOKEN_COOKIE

from .conftest import BASE_URL, Site

#: Longest wait for any one line of a stream.
READ_SECONDS = 5.0
EVENT_STREAM = {"Accept": "text/event-stream"}


def _cookie(secret: str) -> dict[str, str]:
    return {"Cookie": f"{TOKEN_COOKIE}={secret}"}


def _live(site: Site) -> LiveStreams:
    streams: LiveStreams = site.client.app.state.live
    return streams


def _created(ticket: str, site: Site) -> dict[str, Any]:
    at = site.clock.now().isoformat().replace("+00:00", "Z")
    fields = {"status": "new", "priority": "high", "group": "support", "subject": "Live"}
    return {"id": f"{ticket}-c", "ticket": ticket, "at": at, "type": "ticket.created",
            "by": "customer", "fields": fields}  # fmt: skip


class EventReader:
    """An open stream, read one event block (the lines up to a blank one) at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.iter_lines()

    def block(self) -> list[str]:
        """The next block; StopIteration when the server ended the stream."""
        lines: list[str] = []
        for line in self._lines:
            if line == "":
                if lines:
                    return lines
                continue
            lines.append(line)
        if lines:
            return lines
        raise StopIteration

    def until_change(self, blocks: int = 20) -> dict[str, str]:
        """The next ``change`` event's fields (id, event, data), skipping heartbeats."""
        for _ in range(blocks):
            fields = _fields(self.block())
            if fields.get("event") == "change":
                return fields
        raise AssertionError(f"no change event within {blocks} blocks")

    def ended(self, blocks: int = 5) -> bool:
        """Whether the server ends the stream within ``blocks`` more blocks."""
        for _ in range(blocks):
            try:
                self.block()
            except StopIteration:
                return True
        return False


def _fields(block: list[str]) -> dict[str, str]:
    fields = {}
    for line in block:
        name, _, value = line.partition(":")
        fields[name or "comment"] = value.lstrip(" ")
    return fields


@contextmanager
def stream(
    url: str, secret: str, *, since: str | None = None, **headers: str
) -> Iterator[EventReader]:
    params = {"since": since} if since is not None else {}
    timeout = httpx.Timeout(READ_SECONDS)
    with (
        httpx.Client(timeout=timeout) as client,
        client.stream(
            "GET",
            url + "/live",
            params=params,
            headers={**EVENT_STREAM, **_cookie(secret), **headers},
        ) as response,  # fmt: skip
    ):
        assert response.status_code == 200, response.read()
        yield EventReader(response)


@pytest.fixture
def served(site: Site) -> Iterator[str]:
    """The site served by uvicorn on 127.0.0.1; its address."""
    _live(site).heartbeat_seconds = 0.3
    with LiveServer(site.client.app) as server:
        yield server.url


def _post(url: str, site: Site, *events: dict[str, Any]) -> None:
    response = httpx.post(
        url + "/api/v1/events",
        json=list(events),
        headers={"Authorization": f"Bearer {site.tokens['ingest']}"},
        timeout=10,
    )
    assert response.status_code == 200 and not response.json()["rejected"], response.text


# Refusals ------------------------------------------------------------------------------


def test_no_cookie_and_an_ingest_token_are_refused(site: Site) -> None:
    anonymous = site.browser().get("/live", headers=EVENT_STREAM)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    ingest = site.browser().get("/live", headers={**EVENT_STREAM, **_cookie(site.tokens["ingest"])})
    assert ingest.status_code == 403
    assert "ingest" in ingest.json()["detail"]


def test_a_client_that_does_not_ask_for_an_event_stream_gets_406(site: Site) -> None:
    answer = site.signed_in("viewer").get("/live")
    assert answer.status_code == 406
    assert "text/event-stream" in answer.json()["detail"]


def test_past_the_bound_a_stream_is_refused_with_503(site: Site) -> None:
    app = create_site(site.services, site.clock.now, environ={LIVE_STREAMS_ENV: "0"})
    client = TestClient(app, base_url=BASE_URL)
    answer = client.get("/live", headers={**EVENT_STREAM, **_cookie(site.tokens["agent"])})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "60"


def test_a_bad_bound_is_an_error_naming_the_variable(site: Site) -> None:
    with pytest.raises(ValueError, match=LIVE_STREAMS_ENV):
        create_site(site.services, site.clock.now, environ={LIVE_STREAMS_ENV: "many"})


@pytest.mark.parametrize("path", ["/", "/tickets/T-1"])
def test_a_live_page_links_its_stream_with_the_marker_it_was_rendered_at(
    site: Site, path: str
) -> None:
    html = site.signed_in("viewer").get(path).text
    marker = site.services.change_marker()
    assert f'<script src="/static/live.js" defer data-stream="/live?since={marker}">' in html
    assert re.search(r'id="live-[a-z]+" data-live', html)


# The stream ----------------------------------------------------------------------------


def test_an_event_ingested_through_the_api_is_announced(site: Site, served: str) -> None:
    with stream(served, site.tokens["viewer"]) as events:
        first = events.block()
        assert first[0] == "retry: 5000"  # the browser's reconnection delay
        assert events.response.headers["content-type"].startswith("text/event-stream")
        assert events.response.headers["cache-control"] == "no-store"
        _post(served, site, _created("T-LIVE", site))
        change = events.until_change()
        assert change["id"] == site.services.change_marker()
        # rendered with the site's clock, which the tests move
        assert json.loads(change["data"]) == {"now": site.clock.now().isoformat()}


def test_heartbeats_keep_an_idle_stream_open(site: Site, served: str) -> None:
    with stream(served, site.tokens["agent"]) as events:
        events.block()
        assert events.block() == [": keep-alive"]
        assert events.block() == [": keep-alive"]


def test_a_page_older_than_the_marker_hears_of_it_at_once(site: Site, served: str) -> None:
    marker = site.services.change_marker()
    with stream(served, site.tokens["viewer"], since="0123456789abcdef") as stale:
        stale.block()
        assert stale.block()[0] == f"id: {marker}"
    with stream(served, site.tokens["viewer"], since=marker) as fresh:
        fresh.block()
        assert fresh.block() == [": keep-alive"]  # nothing changed since its page
    # a reconnecting browser's Last-Event-ID wins over the page's since
    with stream(
        served, site.tokens["viewer"], since="0123456789abcdef", **{"Last-Event-ID": marker}
    ) as again:
        again.block()
        assert again.block() == [": keep-alive"]


def test_a_stream_ends_when_its_token_is_revoked(site: Site, served: str) -> None:
    token_id, secret = site.services.tokens.create("viewer", "wall", site.clock.now())
    with stream(served, secret) as events:
        events.block()
        site.services.tokens.revoke(token_id, site.clock.now())
        # heartbeats until the token memory (1 s) lets go, then the end
        assert events.ended(blocks=20), "the stream went on after the token was revoked"


def test_a_stream_ends_after_its_time_and_the_bound_counts_open_streams(
    site: Site, served: str
) -> None:
    live = _live(site)
    live.max_streams = 1
    with stream(served, site.tokens["viewer"]) as one:
        one.block()
        refused = httpx.get(
            served + "/live", headers={**EVENT_STREAM, **_cookie(site.tokens["viewer"])},
            timeout=READ_SECONDS,
        )  # fmt: skip
        assert refused.status_code == 503
    _eventually(lambda: live.open_count == 0)  # the client left: its place is free
    live.max_stream_seconds = 0.5
    started = time.monotonic()
    with stream(served, site.tokens["viewer"]) as short:
        short.block()
        assert short.ended()
    assert time.monotonic() - started < 3


def test_one_reader_serves_every_stream(site: Site, served: str) -> None:
    feed = _live(site).feed
    with stream(served, site.tokens["viewer"]) as a, stream(served, site.tokens["agent"]) as b:
        a.block()
        b.block()
        _eventually(lambda: feed.listeners == 2 and feed.running)
        _post(served, site, _created("T-BOTH", site))
        assert a.until_change()["id"] == b.until_change()["id"]
    _eventually(lambda: not feed.running)  # nobody listens: no reading


def _eventually(check: Any, seconds: float = READ_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.02)


# Shutdown ------------------------------------------------------------------------------


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_open_streams_do_not_hold_up_the_server_s_shutdown(site: Site, http: str) -> None:
    """uvicorn waits for every response in progress before it stops; the streams end
    when it starts to shut down, so it stops at once (it would wait for ever)."""
    _live(site).heartbeat_seconds = 30.0  # nothing but the shutdown ends these streams
    config = uvicorn.Config(site.client.app, host="127.0.0.1", port=0, log_level="warning",
                            http=http, ws="none", lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _eventually(lambda: server.started)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with stream(url, site.tokens["viewer"]) as one, stream(url, site.tokens["agent"]) as two:
        one.block()
        two.block()
        _eventually(lambda: _live(site).open_count == 2)
        asked = time.monotonic()
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "the server is still waiting for its streams"
        assert time.monotonic() - asked < 3
        assert one.ended() and two.ended()
    assert _live(site).open_count == 0


def test_the_clock_of_the_site_is_the_one_pages_render_with(site: Site, served: str) -> None:
    """A live page fetches itself again: the site's clock, moved by the test, shows."""
    site.clock.at += timedelta(hours=1)
    html = httpx.get(served + "/", headers=_cookie(site.tokens["viewer"]), timeout=10).text
    assert "12:00" in html  # the fixture's 11:00 UTC, an hour on
