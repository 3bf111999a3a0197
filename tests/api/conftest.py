"""Fixtures for the API tests: a real Services on SQLite (tmp file) or PostgreSQL.

PostgreSQL tests each get their own schema (``search_path``), dropped afterwards, so
they never see each other's rows nor another engineer's. A fixed, movable clock makes
every answer deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slaclock.api import create_app
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.store.testing import drop_scratch, postgres_unreachable_reason, scratch_engine

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLE_CONFIG = (DATA / "example_config.yaml").read_text(encoding="utf-8")
SOURCE_SECRET = "whsec-test-0123456789"
CUSTOMER_LINK_SECRET = "customer-links-test-0123456789"
ROLES = ("admin", "agent", "viewer", "ingest")


@dataclass
class Clock:
    """A clock the test moves by hand."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, or a private PostgreSQL schema."""
    if request.param == "postgres" and (reason := postgres_unreachable_reason()):
        pytest.skip(reason)
    engine = scratch_engine("sqlite" if request.param == "sqlite" else "postgresql", tmp_path)
    yield engine
    drop_scratch(engine)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """SQLite only, for tests whose point is not the database."""
    engine = scratch_engine("sqlite", tmp_path)
    yield engine
    drop_scratch(engine)


@pytest.fixture
def services(engine: Engine) -> Services:
    return services_on(engine)


@dataclass
class Api:
    """A client on the app, the services behind it, and one token per role."""

    client: TestClient
    services: Any
    clock: Clock
    tokens: dict[str, str]

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_api(services: Any, clock: Clock, **app_kwargs: Any) -> Api:
    tokens = {role: services.tokens.create(role, f"{role}-test", clock.now())[1] for role in ROLES}
    environ = {
        "SLACLOCK_SOURCE_HELPDESK_SECRET": SOURCE_SECRET,
        "SLACLOCK_CUSTOMER_LINK_SECRET": CUSTOMER_LINK_SECRET,
    }
    app = create_app(services, clock.now, environ=environ, **app_kwargs)
    return Api(TestClient(app, raise_server_exceptions=False), services, clock, tokens)


@pytest.fixture
def api(services: Services, clock: Clock) -> Api:
    return make_api(services, clock)


@pytest.fixture
def sqlite_api(sqlite_engine: Engine, clock: Clock) -> Api:
    return make_api(services_on(sqlite_engine), clock)


@pytest.fixture
def example_config() -> str:
    return EXAMPLE_CONFIG


@pytest.fixture
def source_secret() -> str:
    return SOURCE_SECRET


@pytest.fixture
def api_factory() -> Any:
    """``make_api(services, clock, **create_app_kwargs)`` for tests needing a second app."""
    return make_api
