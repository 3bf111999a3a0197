"""Fixtures for the dashboard tests: the real site on a SQLite file, at a fixed instant.

The example configuration and events (tests/data) give one well-known ticket (T-1);
a small generated workload gives a queue long enough to page and filter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.app_state import Services
from slaclock.service.compose import open_services
from slaclock.service.ingest import Limits
from slaclock.web import create_site

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLE_CONFIG = (DATA / "example_config.yaml").read_text(encoding="utf-8")
EXAMPLE_EVENTS = [
    json.loads(line) for line in (DATA / "example_events.jsonl").read_text().splitlines()
]
BASE_URL = "http://dash.test"
ROLES = ("admin", "agent", "viewer", "ingest")


@dataclass
class Clock:
    at: datetime

    def now(self) -> datetime:
        return self.at


@dataclass
class Site:
    """A browser-like client on the site, the services behind it, one token per role."""

    services: Services
    clock: Clock
    tokens: dict[str, str]
    client: TestClient
    origin: str = BASE_URL

    def browser(self, base_url: str = BASE_URL) -> TestClient:
        """A fresh client (its own cookie jar) on the same app."""
        return TestClient(self.client.app, base_url=base_url, raise_server_exceptions=True)

    def signed_in(self, role: str = "viewer", **headers: str) -> TestClient:
        """A client whose cookie holds the role's token (as after a login)."""
        client = self.browser()
        client.headers.update(headers)
        response = client.post(
            "/login",
            data={"token": self.tokens[role], "next": "/"},
            headers={"Origin": BASE_URL},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client


def _services(tmp_path: Path, name: str) -> Iterator[Services]:
    services = open_services(f"sqlite:///{tmp_path / name}", upgrade=True)
    yield services
    services.close()


def _site(services: Services, clock: Clock) -> Site:
    tokens = {role: services.tokens.create(role, f"{role}-test", clock.now())[1] for role in ROLES}
    app = create_site(services, clock.now, environ={})
    client = TestClient(app, base_url=BASE_URL, raise_server_exceptions=True)
    return Site(services, clock, tokens, client)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """The example ticket T-1 (and T-2) as of 2026-03-03 11:00 UTC."""
    for services in _services(tmp_path, "web.db"):
        clock = Clock(datetime(2026, 3, 3, 11, 0, tzinfo=UTC))
        services.config_apply(EXAMPLE_CONFIG, "test", clock.now())
        _store_the_future(services)
        result = services.ingest(EXAMPLE_EVENTS, clock.now())
        assert not result.rejected
        yield _site(services, clock)


WORKLOAD_START = datetime(2026, 3, 2, tzinfo=UTC)


def _store_the_future(services: Services) -> None:
    """The fixtures store a whole history while their clock stands before its end, so
    the pages show events not counted yet: the future-skew rule is widened for them."""
    services.limits = Limits(future_skew=timedelta(days=30))


@pytest.fixture(scope="module")
def workload_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with 150 generated tickets, built once for the module."""
    path = tmp_path_factory.mktemp("workload")
    for services in _services(path, "workload.db"):
        services.config_apply(EXAMPLE_CONFIG, "test", WORKLOAD_START)
        _store_the_future(services)
        config = parse_config(EXAMPLE_CONFIG)
        events = list(generate_events(config, 150, 5, 11, WORKLOAD_START))
        result = services.ingest(events, WORKLOAD_START + timedelta(days=4, hours=10))
        assert not result.rejected
    return path


@pytest.fixture
def busy_site(workload_db: Path) -> Iterator[Site]:
    """The workload as of Friday 2026-03-06 10:00 UTC (tests add tokens, nothing else)."""
    for services in _services(workload_db, "workload.db"):
        yield _site(services, Clock(WORKLOAD_START + timedelta(days=4, hours=10)))


def page_text(html: str) -> str:
    """The visible words of a page, for assertions that ignore markup."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def text_of() -> Any:
    return page_text


class _QueueTable(HTMLParser):
    """Reads the rows of ``<table class="queue">``: each cell's text and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, dict[str, str | None]]]] = []
        self._in_queue = False
        self._cell: list[str] | None = None
        self._attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("class") == "queue":
            self._in_queue = True
        elif self._in_queue and tag == "tr":
            self.rows.append([])
        elif self._in_queue and tag == "td":
            self._cell, self._attrs = [], found
        elif self._in_queue and tag == "a" and self._cell is not None:
            self._attrs = {**self._attrs, "href": found.get("href")}

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_queue = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append((" ".join("".join(self._cell).split()), self._attrs))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


COLUMNS = (
    "left",
    "ticket",
    "subject",
    "customer",
    "assignee",
    "group",
    "metric",
    "kind",
    "policy",
    "due",
)


def queue_rows(html: str) -> list[dict[str, Any]]:
    """The dashboard's queue rows: ``{column: text}`` plus ``due_epoch``, ``css``, ``href``."""
    table = _QueueTable()
    table.feed(html)
    rows = []
    for cells in table.rows:
        if not cells:
            continue  # the header row
        row: dict[str, Any] = {name: text for name, (text, _) in zip(COLUMNS, cells, strict=True)}
        left_attrs, ticket_attrs = cells[0][1], cells[1][1]
        due = left_attrs.get("data-due")
        row["due_epoch"] = int(due) if due else None
        row["css"] = (left_attrs.get("class") or "").replace("left", "").strip()
        row["href"] = ticket_attrs.get("href")
        rows.append(row)
    return rows


@pytest.fixture
def rows_of() -> Any:
    return queue_rows
