"""The world the fuzz tests attack (issue 26, part 5): the whole site (API and pages, as
``slaclock serve`` runs it) on a SQLite file or a private PostgreSQL schema, holding the
example configuration (plus a signed webhook source), the example events and one token
per role; and the checks every answer must pass.

A refused request must store nothing: :meth:`World.snapshot` counts the rows of every
table (and the revoked tokens), and the counts before and after a 4xx must agree.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, note, reject, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from starlette.types import ASGIApp, Receive, Scope, Send

from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.customer_links import CUSTOMER_LINK_SECRET_ENV
from slaclock.store.models import Base
from slaclock.store.testing import drop_scratch, postgres_unreachable_reason, scratch_engine
from slaclock.web import create_site

__all__ = [
    "BASE_CONFIG",
    "BASE_URL",
    "DATABASES",
    "FUZZ",
    "NOW",
    "PROBLEM_JSON",
    "ROLES",
    "SOURCE_SECRET",
    "HostileRequest",
    "World",
    "check_answer",
    "fuzz",
    "open_world",
    "world_fixture",
]

DATA = Path(__file__).resolve().parent / "data"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ROLES = ("admin", "agent", "viewer", "ingest")
SOURCE_SECRET = "whsec-fuzz-0123456789"
SOURCE_ENV = "SLACLOCK_SOURCE_HELPDESK_SECRET"
PROBLEM_JSON = "application/problem+json"
BASE_CONFIG = (
    (DATA / "example_config.yaml").read_text(encoding="utf-8")
    + f"""
sources:
  - id: helpdesk
    secret_env: {SOURCE_ENV}
    tolerance: 5m
    mapping: {{id: $.delivery_id, ticket: $.ticket.id, at: $.occurred_at, changes: $.changes}}
    constants: {{type: ticket.updated}}
"""
)
BASE_CONFIG_DATA: dict[str, Any] = yaml.safe_load(BASE_CONFIG)
EXAMPLE_EVENTS = [
    json.loads(line) for line in (DATA / "example_events.jsonl").read_text().splitlines()
]
#: Longest body shown in a failure message; the rest is summarised.
SHOWN_CHARS = 600
BASE_URL = "http://fuzz.test"
STRANGER = ("192.0.2.66", 4321)


class HostileRequest:
    """One request as sent, bytes for bytes; its repr (in a failure message) shows it
    with long URLs, headers and bodies cut short."""

    __slots__ = ("content", "headers", "method", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: dict[str, bytes] | None = None,
        content: bytes | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers or {}
        self.content = content

    def __repr__(self) -> str:
        body = self.content or b""
        shown = repr(body[:SHOWN_CHARS]) + (
            f"... ({len(body)} bytes)" if len(body) > SHOWN_CHARS else ""
        )
        url = self.url if len(self.url) <= SHOWN_CHARS else self.url[:SHOWN_CHARS] + "..."
        headers = {k: v[:200] for k, v in self.headers.items()}
        return f"HostileRequest({self.method} {url!r}, headers={headers!r}, content={shown})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass
class World:
    """The site under attack, the services and database behind it, and its tokens."""

    site: FastAPI
    client: TestClient
    #: Garbage credentials come from another address: the API throttles an address
    #: whose token checks keep failing (429), and the callers with real tokens must
    #: not be caught by it.
    stranger: TestClient
    services: Services
    engine: Engine
    tokens: dict[str, str]
    spare_token_id: str
    sent: int = 0

    def send(self, request: HostileRequest, *, stranger: bool = False) -> Any:
        """Send ``request`` as it is: no cookie kept from an earlier answer."""
        self.sent += 1
        client = self.stranger if stranger else self.client
        client.cookies.clear()
        return client.request(
            request.method,
            request.url,
            headers=RawHeaders.wrap(request.headers),
            content=request.content,
            follow_redirects=False,
        )

    def snapshot(self) -> tuple[int, ...]:
        """Rows per table, and revoked tokens: what a refused request must not change."""
        tables = Base.metadata.sorted_tables
        counts = [select(func.count()).select_from(t).scalar_subquery() for t in tables]
        tokens = Base.metadata.tables["api_tokens"]
        revoked = select(func.count()).select_from(tokens).where(tokens.c.revoked_at.is_not(None))
        with self.engine.connect() as conn:
            row = conn.execute(select(*counts, revoked.scalar_subquery())).one()
        return tuple(row)

    def caller_headers(self, role: str) -> dict[str, bytes]:
        return {"Authorization": f"Bearer {self.tokens[role]}".encode()}

    def restore_config(self) -> None:
        """Apply the base configuration again, if an accepted PUT replaced it."""
        if self.services.config_current()[1] != BASE_CONFIG:
            self.services.config_apply(BASE_CONFIG, "fuzz", NOW)


class RawHeaders:
    """Lets a test send any header bytes: the test client re-encodes header values as
    UTF-8, so it cannot send ``b"t=\\xb2"`` (which a server reads as ``t=²``). A value
    that is not ASCII travels base64-encoded under ``x-raw-<name>``, and this wrapper
    around the app puts the bytes back before the app sees them."""

    PREFIX = b"x-raw-"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @classmethod
    def wrap(cls, headers: dict[str, bytes]) -> dict[str, bytes]:
        return {
            (name if value.isascii() else cls.PREFIX.decode() + name): (
                value if value.isascii() else base64.b64encode(value)
            )
            for name, value in headers.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [
                (name[len(self.PREFIX) :], base64.b64decode(value))
                if name.startswith(self.PREFIX)
                else (name, value)
                for name, value in scope["headers"]
            ]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


@contextmanager
def open_world(kind: str, directory: Path, **site_options: Any) -> Iterator[World]:
    """A world on a new database: ``sqlite`` (a file in ``directory``) or ``postgresql``
    (a private schema, dropped afterwards); ``site_options`` go to ``create_site``."""
    engine = scratch_engine(kind, directory)
    services = services_on(engine)
    try:
        services.config_apply(BASE_CONFIG, "fuzz", NOW)
        assert not services.ingest(EXAMPLE_EVENTS, NOW).rejected
        tokens = {role: services.tokens.create(role, f"{role}-fuzz", NOW)[1] for role in ROLES}
        spare_token_id = str(services.tokens.create("viewer", "spare", NOW)[0])
        environ = {SOURCE_ENV: SOURCE_SECRET, CUSTOMER_LINK_SECRET_ENV: "fuzz-customer-links"}
        site = create_site(services, lambda: NOW, environ=environ, **site_options)
        raw = RawHeaders(site)
        with (
            TestClient(raw, BASE_URL, raise_server_exceptions=False) as client,
            TestClient(raw, BASE_URL, False, client=STRANGER) as stranger,
        ):
            yield World(site, client, stranger, services, engine, tokens, spare_token_id)
    finally:
        services.close()
        drop_scratch(engine)


def world_fixture(
    request: pytest.FixtureRequest, directory: Path, **site_options: Any
) -> Iterator[World]:
    """The body of a module fixture parametrized by :data:`DATABASES`."""
    if request.param == "postgresql" and (reason := postgres_unreachable_reason()):
        pytest.skip(reason)
    with open_world(request.param, directory, **site_options) as world:
        yield world


#: The parameters of a world fixture: each fuzz test runs on both databases.
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def check_answer(
    request: HostileRequest,
    response: Any,
    before: tuple[int, ...] | None,
    after: tuple[int, ...] | None,
    *,
    pages: bool = False,
) -> None:
    """No 5xx; a redirect stays on the site; a 4xx is problem+json (or, on a page, an
    HTML page) with its own status; a refused request changed no table."""
    status = response.status_code
    said = f"{request!r} -> {status} {response.text[:SHOWN_CHARS]!r}"
    assert status < 500, said
    if 300 <= status < 400:
        location = response.headers.get("location", "")
        relative = location.startswith("/") and location[1:2] not in ("/", "\\")
        assert relative or location.startswith(BASE_URL + "/"), f"a redirect off the site: {said}"
    if status < 400:
        return
    media = response.headers.get("content-type", "")
    if media.startswith(PROBLEM_JSON):
        if request.method != "HEAD":  # an answer to HEAD has no body to read
            problem = response.json()
            assert problem["status"] == status and problem["type"] and problem["title"], said
    else:
        assert pages and media.startswith("text/html"), said
    assert before == after, f"a refused request stored something: {said}"


#: Hypothesis, as the fuzz tests run it: the same requests every run, no example
#: database, no deadline (a request may take a while), no health checks (the strategies
#: are large on purpose).
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz(
    world: World,
    requests: st.SearchStrategy[HostileRequest],
    examples: int,
    attack: Callable[[HostileRequest], bool],
) -> None:
    """Send ``examples`` requests drawn from ``requests`` through ``attack`` (which
    checks each answer; False: a known open 5xx, not counted as an example)."""
    sent = world.sent

    @settings(FUZZ, max_examples=examples)
    @given(request=requests)
    def attack_one(request: HostileRequest) -> None:
        note(repr(request))  # shown with a failing example, whatever fails
        if not attack(request):
            reject()

    attack_one()
    assert world.sent - sent >= examples, "the fuzzing sent fewer requests than it counts"
