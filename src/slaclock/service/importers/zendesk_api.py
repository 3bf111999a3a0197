"""``zendesk`` from the API: the incremental exports, page by page, within Zendesk's
documented rate limit, resumable from a state file.

- **Endpoints.** ``/api/v2/incremental/ticket_events.json?start_time=T&include=comment_events``
  (the ticket events, with their comments), then, when verdicts are wanted,
  ``/api/v2/incremental/ticket_metric_events.json?start_time=T``. Both are time-based:
  a page ``{"ticket_events": [...], "next_page": URL, "end_time": T2,
  "end_of_stream": bool}`` leads to the next by ``next_page``; a cursor-based answer
  (``after_url``, ``after_cursor``) is followed the same way. The export ends at
  ``end_of_stream``, at a page without a next one, or at a page that leads back to
  itself. Time-based pages repeat the items of the instant where they meet; the
  importer drops the repeats by id (:class:`.json_source.Recent`).
- **Rate limit.** At most :data:`REQUESTS_PER_MINUTE` requests in any 60 seconds
  (:class:`RateLimiter`, whose clock and sleep are given, so tests need not wait); a
  ``429`` answer waits its ``Retry-After`` seconds and asks again; a ``5xx`` or a
  broken connection is asked again after a growing pause, up to :data:`ATTEMPTS`
  times, then the import stops with the state file at the last safe page.
- **Resumable.** The state file records, per export, the URL of the page to ask for
  next, and the requester of each ticket not yet closed (a later run must still tell
  the requester's comments from an agent's). It is written (atomically) only once the
  events of every page before it are safely delivered: written to the output, or
  committed by the ingest (:meth:`ExportState.delivered`). Metric events become
  verdicts only at the end of the export, so their place is recorded then
  (:meth:`ExportState.finish`). A run stopped anywhere resumes from the last safe
  page; what it reads again makes the same event ids, so nothing is doubled. A next
  URL must stay on the account's host:
  the credentials go nowhere else.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import orjson

from slaclock.core.errors import SlaclockError
from slaclock.service.importers.json_reading import JsonItem

__all__ = [
    "ATTEMPTS",
    "EXPORTS",
    "REQUESTS_PER_MINUTE",
    "ExportState",
    "RateLimiter",
    "ZendeskApi",
    "auth_headers",
]

#: Zendesk's documented limit for the incremental export endpoints.
REQUESTS_PER_MINUTE = 10
#: Tries of one page on a server error or a broken connection.
ATTEMPTS = 5
#: The exports read, in order: (name in the state file and of the page's array, path).
EXPORTS = {
    "ticket_events": "/api/v2/incremental/ticket_events.json",
    "ticket_metric_events": "/api/v2/incremental/ticket_metric_events.json",
}
#: Wait of a 429 answer without a usable Retry-After.
_DEFAULT_RETRY_AFTER = 60.0
_MAX_RETRY_AFTER = 3600.0


def auth_headers(
    email: str | None, api_token: str | None, oauth_token: str | None
) -> dict[str, str]:
    """The Authorization header: an OAuth token, else an agent's email and API token
    (``email/token:TOKEN``, HTTP basic)."""
    if oauth_token:
        return {"Authorization": f"Bearer {oauth_token}"}
    if email and api_token:
        basic = httpx.BasicAuth(f"{email}/token", api_token)
        request = next(basic.auth_flow(httpx.Request("GET", "https://x")))
        return {"Authorization": request.headers["Authorization"]}
    raise SlaclockError(
        "the Zendesk API needs SLACLOCK_ZENDESK_OAUTH_TOKEN, or SLACLOCK_ZENDESK_EMAIL "
        "and SLACLOCK_ZENDESK_API_TOKEN"
    )


class RateLimiter:
    """At most ``requests`` in any ``period`` seconds: :meth:`wait` before each
    request sleeps until one more fits. ``clock`` (monotonic seconds) and ``sleep``
    are given, so a test runs a minute of requests in no time."""

    def __init__(
        self,
        requests: int = REQUESTS_PER_MINUTE,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.requests = requests
        self.period = period
        self.clock = clock
        self.sleep = sleep
        self.sent: deque[float] = deque()

    def wait(self) -> None:
        now = self.clock()
        while self.sent and self.sent[0] <= now - self.period:
            self.sent.popleft()
        if len(self.sent) >= self.requests:
            self.sleep(self.sent[0] + self.period - now)
            self.sent.popleft()
        self.sent.append(max(now, self.clock()))


@dataclass
class ExportState:
    """Where each export resumes: the URL of its next page, kept in ``path`` (JSON).

    ``reached`` records a page's successor as the place to resume once what came
    before is delivered; ``delivered`` (called by the sink after each write or
    commit) saves the latest such place; ``finish`` saves every export's place."""

    path: Path | None
    base_url: str
    next_urls: dict[str, str] = field(default_factory=dict)
    #: What the importer must remember between runs (the requester of each ticket
    #: not closed yet, to tell a customer's comment from an agent's).
    memory: dict[str, dict[str, str]] = field(default_factory=dict)
    _safe: dict[str, str] = field(default_factory=dict)
    _pending: dict[str, str] = field(default_factory=dict)
    _held: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None, base_url: str) -> ExportState:
        state = cls(path, base_url)
        if path is None or not path.exists():
            return state
        try:
            saved = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise SlaclockError(f"{path}: not a state file of slaclock import ({exc})") from None
        if not isinstance(saved, dict) or not isinstance(saved.get("next"), dict):
            raise SlaclockError(f"{path}: not a state file of slaclock import")
        if saved.get("base_url") != base_url:
            raise SlaclockError(
                f"{path}: the state of an export from {saved.get('base_url')!r}, not {base_url!r}"
            )
        state.next_urls = {k: v for k, v in saved["next"].items() if isinstance(v, str)}
        memory = saved.get("memory")
        if isinstance(memory, dict):
            state.memory = {k: v for k, v in memory.items() if isinstance(v, dict)}
        state._safe = dict(state.next_urls)
        return state

    def reached(self, export: str, next_url: str, hold: bool = False) -> None:
        """The pages of ``export`` before ``next_url`` are read (and their events
        handed on); ``hold``: save it only at :meth:`finish`."""
        self.next_urls[export] = next_url
        (self._held if hold else self._pending)[export] = next_url

    def delivered(self) -> None:
        """Every event handed on so far is written or committed: save the places."""
        if self._pending:
            self._safe.update(self._pending)
            self._pending.clear()
            self._save()

    def finish(self) -> None:
        """The import is done: save every export's place."""
        self._safe.update(self._pending)
        self._safe.update(self._held)
        self._pending.clear()
        self._held.clear()
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        saved = {"base_url": self.base_url, "next": self._safe, "memory": self.memory}
        data = orjson.dumps(saved, option=orjson.OPT_INDENT_2)
        try:
            with tempfile.NamedTemporaryFile("wb", dir=self.path.parent, delete=False) as out:
                out.write(data)
            os.replace(out.name, self.path)
        except OSError as exc:
            raise SlaclockError(f"{self.path}: cannot write it ({exc.strerror or exc})") from None


class ZendeskApi:
    """The incremental exports of one account, page by page (see the module's
    docstring); ``client`` is an httpx client (its transport and timeouts)."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        state: ExportState,
        client: httpx.Client,
        limiter: RateLimiter | None = None,
        start_time: int = 0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers)
        self.state = state
        self.client = client
        self.limiter = limiter or RateLimiter()
        self.start_time = start_time
        self.requests = 0
        self.items = 0
        #: Told the items read so far (and 0: the total is not known).
        self.progress: Callable[[int, int], None] | None = None

    def pages(self, export: str, hold: bool = False) -> Iterator[list[JsonItem]]:
        """The items of ``export``, a page at a time. Before each page is asked for,
        the one before it has been handed on completely (see :class:`ExportState`)."""
        url = self.state.next_urls.get(export) or self._first_url(export)
        number = 0
        while True:
            number += 1
            page = self._get(url)
            items = page.get(export)
            if not isinstance(items, list):
                raise SlaclockError(f"{_shown(url)}: the answer has no {export!r} list")
            self.items += len(items)
            if self.progress is not None:
                self.progress(self.items, 0)
            label = f"{export} page {number}"
            yield [JsonItem(label, i, value) for i, value in enumerate(items, start=1)]
            following = page.get("after_url") or page.get("next_page")
            done = page.get("end_of_stream") is True or not following or following == url
            if isinstance(following, str) and following:
                self._check_host(following)
                self.state.reached(export, following, hold)
            if done:
                return
            assert isinstance(following, str)
            url = following

    def _first_url(self, export: str) -> str:
        query: dict[str, Any] = {"start_time": self.start_time}
        if export == "ticket_events":
            query["include"] = "comment_events"
        return f"{self.base_url}{EXPORTS[export]}?{urlencode(query)}"

    def _get(self, url: str) -> dict[str, Any]:
        failures = 0
        while True:
            self.limiter.wait()
            self.requests += 1
            try:
                response = self.client.get(url, headers=self.headers)
            except httpx.HTTPError as exc:
                failures = self._failed(url, failures, f"{type(exc).__name__}: {exc}")
                continue
            if response.status_code == 429:
                self.limiter.sleep(_retry_after(response.headers.get("Retry-After")))
                continue
            if response.status_code >= 500:
                failures = self._failed(url, failures, f"HTTP {response.status_code}")
                continue
            if response.status_code != 200:
                detail = response.text[:200].strip()
                raise SlaclockError(f"{_shown(url)}: HTTP {response.status_code}: {detail}")
            try:
                page = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                raise SlaclockError(f"{_shown(url)}: the answer is not JSON") from None
            if not isinstance(page, dict):
                raise SlaclockError(f"{_shown(url)}: the answer is not a JSON object")
            return page

    def _failed(self, url: str, failures: int, what: str) -> int:
        failures += 1
        if failures >= ATTEMPTS:
            raise SlaclockError(
                f"{_shown(url)}: {what}, {failures} times; run again to resume where it stopped"
            )
        self.limiter.sleep(float(2**failures))
        return failures

    def _check_host(self, url: str) -> None:
        mine, theirs = urlsplit(self.base_url), urlsplit(url)
        if (mine.scheme, mine.netloc) != (theirs.scheme, theirs.netloc):
            raise SlaclockError(f"the next page {_shown(url)} is not on {self.base_url}")


def _retry_after(header: str | None) -> float:
    try:
        seconds = float(header) if header is not None else _DEFAULT_RETRY_AFTER
    except ValueError:
        seconds = _DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def _shown(url: str) -> str:
    """A URL for a message: without its query (a cursor says nothing to a reader)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
