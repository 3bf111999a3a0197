"""What a customer link shows (service/customer_view.py, ``Services.customer_status``):
the ticket's SLA promises only — no OLA, no goal, the latest cycle of each — with the
reason of a pause in the customer's terms, the requester's language and zone, and the
team calendar's zone; on SQLite and PostgreSQL (issue 24, "Customer view")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.customer_links import CustomerClaim, customer_token, read_customer_token

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Amsterdam
CONFIG = """
calendars:
  - id: office
    tz: Europe/Amsterdam
    week: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"],
           thu: ["09:00-17:00"], fri: ["09:00-17:00"]}
  - {id: always, tz: UTC, always_open: true}
people:
  - {id: anna, name: Anna de Vries, groups: [support]}
groups:
  - {id: support, name: Customer Support}
  - {id: engineering, name: Engineering}
metrics:
  triage:
    start: [{event: group_entered, group: engineering}]
    stop: [{event: solved}]
policies:
  - id: std
    name: Standard
    calendar: office
    targets:
      first_response: {within: 1h, goal: 30m}
      next_response: {within: 2h}
      resolution: {within: 8h, pause: {status: [pending, on_hold]}}
olas:
  - {id: eng, group: engineering, metric: triage, within: 4h, calendar: always}
"""


def _at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _created(ticket: str, minutes: float = 0, **fields: Any) -> dict[str, Any]:
    base = {"status": "new", "priority": "high", "group": "support", "assignee": "anna",
            "subject": f"Subject of {ticket}"}  # fmt: skip
    return {"id": f"{ticket}-c", "ticket": ticket, "at": _at(minutes), "type": "ticket.created",
            "by": "customer", "fields": {**base, **fields}}  # fmt: skip


def _reply(ticket: str, minutes: float, author: str = "agent") -> dict[str, Any]:
    return {"id": f"{ticket}-m{minutes}", "ticket": ticket, "at": _at(minutes),
            "type": "message", "author": author, "public": True}  # fmt: skip


def _update(ticket: str, minutes: float, **changes: Any) -> dict[str, Any]:
    return {"id": f"{ticket}-u{minutes}", "ticket": ticket, "at": _at(minutes),
            "type": "ticket.updated", "changes": changes}  # fmt: skip


@pytest.fixture
def services(db: Engine) -> Services:
    services = services_on(db)
    services.config_apply(CONFIG, "test", START - timedelta(days=1))
    requester = {"id": "u1", "name": "Jan", "locale": "nl-BE", "tz": "America/New_York"}
    events = [
        _created("T-1", requester=requester),
        _reply("T-1", 20),
        _update("T-1", 21, status="pending"),
        _update("T-1", 22, group="engineering"),  # an OLA starts: internal
        _created("T-2", 0, requester={"id": "u2", "time_zone": "Not/AZone"}),
        _reply("T-2", 10),
        _reply("T-2", 30, author="customer"),  # next_response: cycle 0 met, cycle 1 runs
        _reply("T-2", 40),
        _reply("T-2", 50, author="customer"),
        _update("T-2", 51, status="on_hold"),
        _created("T-3", 0),  # nobody answers: past due by the read below
        _created("T-4", 0),
        {"id": "T-4-d", "ticket": "T-4", "at": _at(5), "type": "ticket.deleted"},
    ]
    result = services.ingest(events, START + timedelta(hours=1))
    assert not result.rejected, result.rejected
    return services


def _clocks(status: Any) -> dict[str, Any]:
    return {clock.metric: clock for clock in status.clocks}


def test_only_the_sla_promises_with_the_reason_of_a_pause(services: Services) -> None:
    now = START + timedelta(hours=2)
    status = services.customer_status("T-1", now)
    assert status is not None
    assert (status.ticket, status.subject) == ("T-1", "Subject of T-1")
    assert [clock.metric for clock in status.clocks] == ["first_response", "resolution"]
    first, resolution = status.clocks
    assert (first.state, first.stopped_at) == ("met", START + timedelta(minutes=20))
    assert first.pause_reason is None and not first.open
    assert (resolution.state, resolution.pause_reason) == ("paused", "waiting_for_you")
    assert resolution.due_at is None and resolution.open
    assert resolution.remaining_seconds == 8 * 3600 - 21 * 60  # the time used before the pause
    # nothing internal: the view has no field for the OLA, a goal, a group or an agent
    assert "triage" not in repr(status) and "anna" not in repr(status)
    assert "engineering" not in repr(status) and "goal" not in repr(status)


def test_the_requesters_language_and_zone_and_the_teams_zone(services: Services) -> None:
    status = services.customer_status("T-1", START + timedelta(hours=2))
    assert status is not None
    assert status.requester_locale == "nl-BE"
    assert status.requester_zone == ZoneInfo("America/New_York")
    assert status.calendar_zone == ZoneInfo("Europe/Amsterdam")
    other = services.customer_status("T-2", START + timedelta(hours=2))
    assert other is not None
    assert other.requester_locale is None and other.requester_zone is None  # not a zone


def test_the_latest_cycle_and_on_hold(services: Services) -> None:
    status = services.customer_status("T-2", START + timedelta(hours=1))
    assert status is not None
    clocks = _clocks(status)
    assert list(clocks) == ["first_response", "next_response", "resolution"]
    assert clocks["next_response"].state == "running"  # cycle 1, not the met cycle 0
    assert clocks["next_response"].due_at == START + timedelta(minutes=50 + 120)
    assert clocks["resolution"].pause_reason == "on_hold"


def test_a_promise_past_due_is_breached_and_open(services: Services) -> None:
    status = services.customer_status("T-3", START + timedelta(hours=3))
    assert status is not None
    first = _clocks(status)["first_response"]
    assert (first.state, first.open, first.due_at) == ("breached", True, START + timedelta(hours=1))
    assert first.remaining_seconds < 0


def test_unknown_and_deleted_tickets_show_nothing(services: Services) -> None:
    now = START + timedelta(hours=2)
    assert services.customer_status("T-404", now) is None
    assert services.customer_status("T-4", now) is None
    assert services.customer_link("T-404", "s", "https://x", now) is None
    assert services.customer_link("T-4", "s", "https://x", now) is None


def test_a_link_names_its_ticket_and_expiry(services: Services) -> None:
    expires = START + timedelta(days=30)
    link = services.customer_link("T-1", "secret", "https://sla.example/", expires)
    assert link is not None
    assert link.url.startswith("https://sla.example/status/")
    token = link.url.rpartition("/")[2]
    assert token == customer_token("secret", CustomerClaim("T-1", expires))
    assert read_customer_token("secret", token, START) == CustomerClaim("T-1", expires)
    assert link.to_json() == {
        "ticket": "T-1",
        "url": link.url,
        "expires_at": "2026-04-01T09:00:00Z",
    }
