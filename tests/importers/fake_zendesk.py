"""A fake Zendesk on 127.0.0.1 for the API importer's tests: the two incremental
exports, time-based as documented (a page holds the items at or after ``start_time``,
``next_page`` starts at the page's ``end_time``, so the items of that instant come
again), with rate-limit answers (429 and ``Retry-After``) and outages on request.

Nothing here sleeps: the importer's rate limiter gets a fake clock (:class:`FakeClock`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from .helpers import ZENDESK_EVENTS, ZENDESK_METRICS

_PATHS = {
    "/api/v2/incremental/ticket_events.json": ("ticket_events", "timestamp"),
    "/api/v2/incremental/ticket_metric_events.json": ("ticket_metric_events", "time"),
}


def sample_items(key: str) -> list[dict[str, Any]]:
    """The items of the sample export files (their pages joined, repeats dropped)."""
    from slaclock.service.importers.json_reading import read_json_items

    path = ZENDESK_EVENTS if key == "ticket_events" else ZENDESK_METRICS
    seen: dict[Any, dict[str, Any]] = {}
    for item in read_json_items([path], [key]):
        seen.setdefault(item.value["id"], item.value)
    return list(seen.values())


def _seconds(item: dict[str, Any], field_name: str) -> int:
    value = item[field_name]
    if isinstance(value, int):
        return value
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


@dataclass
class FakeZendesk:
    """What the fake serves and what it was asked. ``per_page``: ticket events per page
    (metric events: ``metric_page``; a page must hold more than the items that share
    one instant, or a time-based export cannot move on);
    ``throttle``: request numbers (1 = the first) answered 429 with ``retry_after``;
    ``down_from``: from this request on, every answer is a 503 (until ``down_from``
    is set back to None); ``elsewhere``: a next_page on another host."""

    items: dict[str, list[dict[str, Any]]]
    per_page: int = 4
    metric_page: int = 10
    throttle: set[int] = field(default_factory=set)
    retry_after: str = "7"
    down_from: int | None = None
    elsewhere: bool = False
    requests: list[tuple[str, dict[str, list[str]], str | None]] = field(default_factory=list)
    base_url: str = ""

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        number = len(self.requests) + 1
        if number in self.throttle:
            return 429, {"Retry-After": self.retry_after}, b'{"error": "TooManyRequests"}'
        if self.down_from is not None and number >= self.down_from:
            return 503, {}, b"Service Unavailable"
        if path not in _PATHS:
            return 404, {}, b'{"error": "InvalidEndpoint"}'
        key, time_field = _PATHS[path]
        start = int(query.get("start_time", ["0"])[0])
        ordered = sorted(self.items[key], key=lambda i: (_seconds(i, time_field), i["id"]))
        later = [i for i in ordered if _seconds(i, time_field) >= start]
        size = self.per_page if key == "ticket_events" else self.metric_page
        page = later[:size]
        end = _seconds(page[-1], time_field) if page else start
        host = "http://elsewhere.invalid" if self.elsewhere else self.base_url
        include = "&include=comment_events" if key == "ticket_events" else ""
        body = {
            key: page,
            "next_page": f"{host}{path}?start_time={end}{include}",
            "count": len(page),
            "end_time": end,
            "end_of_stream": len(later) <= size,
        }
        return 200, {"Content-Type": "application/json"}, orjson.dumps(body)


@contextmanager
def serving(fake: FakeZendesk) -> Iterator[FakeZendesk]:
    """``fake`` on a free port of 127.0.0.1 (its ``base_url``), in a thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            status, headers, body = fake.answer(parts.path, query)
            fake.requests.append((parts.path, query, self.headers.get("Authorization")))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class FakeClock:
    """The rate limiter's clock and sleep: sleeping moves the clock, instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
