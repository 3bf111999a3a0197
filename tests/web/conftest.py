"""Fixtures for the dashboard tests: the real site on a SQLite file, at a fixed instant.

The example configuration and events (tests/data) give one well-known ticket (T-1);
a small generated workload gives a queue long enough to page and filter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.app_state import Services
from slaclock.store.db import make_engine, upgrade
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
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    upgrade(engine)
    yield Services(engine)
    engine.dispose()


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
        result = services.ingest(EXAMPLE_EVENTS, clock.now())
        assert not result.rejected
        yield _site(services, clock)


WORKLOAD_START = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def workload_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with 150 generated tickets, built once for the module."""
    path = tmp_path_factory.mktemp("workload")
    for services in _services(path, "workload.db"):
        services.config_apply(EXAMPLE_CONFIG, "test", WORKLOAD_START)
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
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def text_of() -> Any:
    return page_text
