"""issue 22, quiet hours: a message to a person outside the open hours of their calendar
is held until it next opens (unless the entry is ``urgent``); the messages held for one
person arrive together as one digest; ``customer``, ``email:`` and webhooks are never
held. Against real receivers (aiosmtpd and an HTTP server on 127.0.0.1), on SQLite and
PostgreSQL."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from slaclock.service.app_state import Services
from slaclock.service.channels import smtp_settings
from slaclock.service.compose import services_on
from slaclock.service.deliverer import Sender
from slaclock.service.email_sender import digest_id, email_sender
from slaclock.service.worker import Worker, webhook_sender
from slaclock.store.outbox import Delivery

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.clock import Clock
from kit.receivers import HttpReceiver, SmtpInbox, http_receiver, smtp_inbox

MONDAY_EVENING = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # 20:00 in Amsterdam: closed
TUESDAY_OPENS = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam
OFFICE_HOURS = ["09:00-17:00"]
CONFIG = f"""
calendars:
  - {{id: always, tz: UTC, always_open: true}}
  - id: office
    tz: Europe/Amsterdam
    week: {{mon: {OFFICE_HOURS}, tue: {OFFICE_HOURS}, wed: {OFFICE_HOURS},
           thu: {OFFICE_HOURS}, fri: {OFFICE_HOURS}}}
people:
  - {{id: anna, name: Anna, email: anna@example.com, groups: [support], calendar: office}}
  - {{id: bernd, name: Bernd, email: bernd@example.com, groups: [night, support]}}
  - {{id: carl, name: Carl, email: carl@example.com}}
groups:
  - {{id: night, name: Night}}
  - {{id: support, name: Support, lead: bernd, calendar: office}}
webhooks:
  - {{id: ops, url: "%(url)s", secret_env: OPS_SECRET}}
policies:
  - id: std
    calendar: always
    targets:
      first_response: {{within: 1h}}
    reminders:
      - {{before: 15m, notify: [assignee, group_lead, "person:carl", customer,
                              "email:desk@example.com", "webhook:ops"]}}
      - {{before: 30m, notify: [assignee]}}
    escalations:
      - {{after: 0m, notify: [assignee], urgent: true}}
"""


@dataclass
class World:
    services: Services
    worker: Worker
    clock: Clock
    inbox: SmtpInbox
    hooks: HttpReceiver

    def run_at(self, at: datetime) -> tuple[int, int]:
        self.clock.at = at
        return self.worker.run_once()

    def deliveries(self, recipient: str) -> list[Delivery]:
        with self.services.db.reading() as tx:
            found = [d for d in tx.outbox.listing() if d.recipient == recipient]
        return sorted(found, key=lambda d: d.body["entry"])


@pytest.fixture
def inbox() -> Iterator[SmtpInbox]:
    with smtp_inbox() as handler:
        yield handler


@pytest.fixture
def hooks() -> Iterator[HttpReceiver]:
    with http_receiver() as state:
        yield state


@pytest.fixture
def world(db: Engine, inbox: SmtpInbox, hooks: HttpReceiver) -> Iterator[World]:
    services = services_on(db)
    services.config_apply(CONFIG % {"url": hooks.url}, "test", MONDAY_EVENING)
    settings = smtp_settings({"SLACLOCK_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
                              "SLACLOCK_MAIL_FROM": "Slaclock <sla@example.com>"})  # fmt: skip
    assert settings is not None
    clock = Clock(MONDAY_EVENING)
    with httpx.Client() as client:
        senders: dict[str, Sender] = {
            "email": email_sender(services, settings, "https://sla.example"),
            "webhook": webhook_sender(services, {"OPS_SECRET": "whsec-0123456789"}, client),
        }
        yield World(services, Worker(services, senders, clock.now), clock, inbox, hooks)


def created(ticket: str, at: datetime = MONDAY_EVENING) -> dict[str, Any]:
    fields = {"status": "open", "priority": "high", "group": "support", "assignee": "anna",
              "subject": "Printer on fire", "customer": {"id": "acme", "name": "Acme"},
              "requester": {"email": "claire@example.fr", "locale": "fr"}}  # fmt: skip
    return {"id": f"{ticket}-c", "ticket": ticket, "at": at.isoformat().replace("+00:00", "Z"),
            "type": "ticket.created", "by": "customer", "fields": fields}  # fmt: skip


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


def test_people_are_held_until_their_hours_open_and_get_one_digest(world: World) -> None:
    world.services.ingest([created("T-1")], MONDAY_EVENING)

    # 19:30Z: the 30-minute reminder to anna (her own calendar is closed) is held
    assert world.run_at(MONDAY_EVENING + timedelta(minutes=30)) == (1, 0)
    [first] = world.deliveries("person:anna")
    assert first.state == "pending" and first.held_until == TUESDAY_OPENS
    assert first.next_attempt_at == TUESDAY_OPENS and first.attempts == 0

    # 19:45Z: the 15-minute reminder — the customer, the email: address, the webhook and
    # carl (no calendar at all) at once; anna and bernd (his first group with a
    # calendar: support) held
    assert world.run_at(MONDAY_EVENING + timedelta(minutes=45)) == (1, 4)
    assert world.inbox.addresses() == ["carl@example.com", "claire@example.fr",
                                       "desk@example.com"]  # fmt: skip
    assert len(world.hooks.received) == 1
    for recipient in ("customer", "email:desk@example.com", "webhook:ops", "person:carl"):
        [delivery] = world.deliveries(recipient)
        assert delivery.state == "sent" and delivery.held_until is None
    [bernd] = world.deliveries("person:bernd")
    assert bernd.state == "pending" and bernd.held_until == TUESDAY_OPENS

    # 20:00Z: the breach is urgent: anna gets it now, quiet hours or not
    assert world.run_at(MONDAY_EVENING + timedelta(hours=1)) == (1, 1)
    urgent = next(d for d in world.deliveries("person:anna") if d.body["type"] == "sla.breached")
    assert urgent.state == "sent" and urgent.held_until is None
    assert len(world.inbox.envelopes) == 4

    # nothing more before the office opens, however often the worker looks
    assert world.run_at(TUESDAY_OPENS - timedelta(seconds=1)) == (0, 0)
    assert world.worker.next_due() == TUESDAY_OPENS
    assert len(world.inbox.envelopes) == 4

    # 08:00Z (09:00 in Amsterdam): anna's two held reminders as ONE digest, bernd his one
    assert world.run_at(TUESDAY_OPENS) == (0, 3)
    later = world.inbox.received()[4:]
    assert sorted(address for address, _ in later) == ["anna@example.com", "bernd@example.com"]
    anna = next(message for address, message in later if address == "anna@example.com")
    held = [d for d in world.deliveries("person:anna") if d.held_until is not None]
    assert len(held) == 2
    assert anna["Subject"] == "[SLA] 2 messages from outside your working hours"
    assert anna["Message-ID"] == f"<{digest_id(held)}@example.com>"
    assert anna["X-Slaclock-Delivery"] == digest_id(held)
    assert set(anna["X-Slaclock-Deliveries"].replace(",", " ").split()) == {d.id for d in held}
    text = plain(anna)
    assert text.count("T-1: first response due in") == 2
    assert "due in 30 minutes" in text and "due in 15 minutes" in text
    assert text.index("due in 30 minutes") < text.index("due in 15 minutes")  # oldest first
    assert {d.state for d in held} == {"sent"}
    assert held[0].sent_at == held[1].sent_at == TUESDAY_OPENS
    assert [d.attempts for d in held] == [1, 1]

    bernd_mail = next(message for address, message in later if address == "bernd@example.com")
    [bernd] = world.deliveries("person:bernd")
    assert bernd.state == "sent"
    assert bernd_mail["Message-ID"] == f"<{bernd.id}@example.com>"  # alone: his own message

    assert world.run_at(TUESDAY_OPENS + timedelta(days=1)) == (0, 0)  # sent once
    assert len(world.inbox.envelopes) == 6


def test_a_message_inside_open_hours_is_not_held(world: World) -> None:
    opened = TUESDAY_OPENS + timedelta(hours=1)
    world.services.ingest([created("T-2", opened)], opened)
    assert world.run_at(opened + timedelta(minutes=30)) == (1, 1)
    [delivery] = world.deliveries("person:anna")
    assert delivery.state == "sent" and delivery.held_until is None
    assert world.inbox.addresses() == ["anna@example.com"]


def test_a_digest_is_retried_and_recorded_as_a_whole(world: World) -> None:
    world.services.ingest([created("T-1")], MONDAY_EVENING)
    world.run_at(MONDAY_EVENING + timedelta(minutes=30))
    world.run_at(MONDAY_EVENING + timedelta(minutes=45))
    world.run_at(MONDAY_EVENING + timedelta(hours=1))  # the urgent breach, sent at once
    sent_before = len(world.inbox.envelopes)
    world.inbox.refuse_once["anna@example.com"] = "451 4.7.1 greylisted, try again later"
    assert world.run_at(TUESDAY_OPENS) == (0, 3)
    held = [d for d in world.deliveries("person:anna") if d.held_until is not None]
    assert [d.state for d in held] == ["pending", "pending"]
    assert held[0].next_attempt_at == held[1].next_attempt_at > TUESDAY_OPENS
    assert all(d.last_error and "451 4.7.1" in d.last_error for d in held)
    assert world.run_at(held[0].next_attempt_at) == (0, 2)
    again = [d for d in world.deliveries("person:anna") if d.held_until is not None]
    assert [d.state for d in again] == ["sent", "sent"] and [d.attempts for d in again] == [2, 2]
    digests = [m for a, m in world.inbox.received()[sent_before:] if a == "anna@example.com"]
    assert len(digests) == 1 and digests[0]["X-Slaclock-Delivery"] == digest_id(held)
