"""Builders for engine tests: small configurations and events with explicit instants."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from slaclock.core.config import config_from_mapping
from slaclock.core.engine import Engine, Instance
from slaclock.core.events import Event, parse_event
from slaclock.core.model import Config

CALENDARS = [
    {"id": "24x7", "tz": "UTC", "always_open": True},
    {
        "id": "office",
        "tz": "UTC",
        "week": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    },
    {"id": "late", "tz": "UTC", "week": {d: ["12:00-20:00"] for d in ("mon", "tue", "wed")}},
]


def t(text: str) -> datetime:
    """'03-02 09:15' -> 2026-03-02T09:15Z (2026-03-02 is a Monday); seconds may follow
    ('03-02 09:15:01')."""
    seconds = "" if text.count(":") == 2 else ":00"
    return datetime.fromisoformat(f"2026-{text.replace(' ', 'T')}{seconds}+00:00").astimezone(UTC)


def make_config(policies: list[dict[str, Any]], **extra: Any) -> Config:
    return config_from_mapping({"calendars": CALENDARS, "policies": policies, **extra})


#: The three built-in promises on a 24x7 calendar: most event rules need nothing more.
BUILTIN_TARGETS = {
    "first_response": {"within": "1h"},
    "next_response": {"within": "2h"},
    "resolution": {"within": "8h"},
}


def one_policy() -> Config:
    """One policy ``p`` with :data:`BUILTIN_TARGETS` on the ``24x7`` calendar."""
    return make_config([{"id": "p", "name": "P", "calendar": "24x7", "targets": BUILTIN_TARGETS}])


class Ticket:
    """Event builder for one ticket; every event gets a fresh id and arrival order."""

    _ids = itertools.count(1)

    def __init__(self, ticket_id: str = "T-1") -> None:
        self.id = ticket_id
        self.events: list[Event] = []

    def add(self, at: str, kind: str, **data: Any) -> Ticket:
        n = next(self._ids)
        obj = {"id": f"e{n}", "ticket": self.id, "at": t(at).isoformat(), "type": kind, **data}
        self.events.append(parse_event(obj, seq=n))
        return self

    def create(self, at: str, by: str = "customer", **fields: Any) -> Ticket:
        fields = {"status": "new", "priority": "normal", **fields}
        return self.add(at, "ticket.created", by=by, fields=fields)

    def update(self, at: str, **changes: Any) -> Ticket:
        return self.add(at, "ticket.updated", changes=changes)

    def reply(self, at: str, public: bool = True, author_id: str | None = None) -> Ticket:
        extra = {"author_id": author_id} if author_id else {}
        return self.add(at, "message", author="agent", public=public, **extra)

    def customer(self, at: str) -> Ticket:
        return self.add(at, "message", author="customer", public=True)

    def delete(self, at: str) -> Ticket:
        return self.add(at, "ticket.deleted")


Run = Callable[..., dict[tuple[str, int], Instance]]


@pytest.fixture
def run() -> Run:
    """run(config, ticket, as_of) -> {(metric, cycle): Instance}."""

    def _run(config: Config, ticket: Ticket, as_of: str) -> dict[tuple[str, int], Instance]:
        result = Engine(config).replay_ticket(ticket.events, t(as_of))
        return {(i.metric, i.cycle): i for i in result.instances}

    return _run


@pytest.fixture
def kit(run: Run) -> Any:
    """The builders, for test modules (importlib mode: tests do not import conftest)."""
    from types import SimpleNamespace

    return SimpleNamespace(t=t, config=make_config, one_policy=one_policy, Ticket=Ticket, run=run)
