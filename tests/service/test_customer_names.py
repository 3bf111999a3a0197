"""Customers' names by id (``Services.customer_names``): what the reports pages show
for the ids the reports group by — taken from the tickets' ``customer.name``, on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from slaclock.service.compose import services_on

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
policies:
  - id: std
    name: Standard
    calendar: always
    targets:
      first_response: {within: 1h}
"""


def created(ticket: str, customer: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{ticket}-c",
        "ticket": ticket,
        "at": "2026-03-04T08:00:00Z",
        "type": "ticket.created",
        "fields": {"status": "new", "priority": "normal", "customer": customer},
    }


def test_names_come_from_the_tickets_and_unnamed_customers_are_left_out(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    events = [
        created("T-1", {"id": "acme", "name": "Acme Retail"}),
        created("T-2", {"id": "acme", "name": "Acme Retail"}),
        created("T-3", {"id": "globex", "name": "Globex"}),
        created("T-4", {"id": "nameless"}),
    ]
    assert not services.ingest(events, NOW).rejected
    names = services.customer_names(["acme", "globex", "nameless", "unknown"])
    assert names == {"acme": "Acme Retail", "globex": "Globex"}
    assert services.customer_names([]) == {}


def test_a_renamed_customer_is_named_as_its_tickets_now_say(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    assert not services.ingest([created("T-1", {"id": "acme", "name": "Acme"})], NOW).rejected
    renamed = {
        "id": "T-1-u",
        "ticket": "T-1",
        "at": "2026-03-04T08:30:00Z",
        "type": "ticket.updated",
        "changes": {"customer": {"id": "acme", "name": "Acme Retail"}},
    }
    assert not services.ingest([renamed], NOW).rejected
    assert services.customer_names(["acme"]) == {"acme": "Acme Retail"}
