"""issue 22: the worker's email sender — each fire's emails arrive once, in the reader's
language and time zone, under a Message-ID derived from the delivery id; SMTP 5xx is a
dead letter and 4xx a retry. Against a real SMTP server (aiosmtpd on 127.0.0.1), on
SQLite and PostgreSQL."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine

from slaclock.service.app_state import Services
from slaclock.service.channels import DeliveryError, smtp_settings
from slaclock.service.compose import services_on
from slaclock.service.delivery_facts import reader_zone
from slaclock.service.email_sender import email_sender
from slaclock.service.worker import Worker
from slaclock.store.outbox import Delivery

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.clock import Clock
from kit.receivers import SmtpInbox, smtp_inbox

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; due 10:00Z is 11:00 in Amsterdam
CONFIG = """
calendars:
  - {id: office, tz: Europe/Amsterdam, always_open: true}
  - {id: oslo, tz: Europe/Oslo, always_open: true}
people:
  - {id: anna, name: Anna de Vries, email: anna@example.com, locale: nl, groups: [support]}
  - {id: bernd, name: Bernd Müller, email: bernd@example.com, locale: de, groups: [support]}
groups:
  - {id: support, name: Support Team, lead: bernd}
policies:
  - id: std
    name: Standard Plan
    calendar: office
    targets:
      first_response: {within: 1h}
    reminders:
      - {before: 15m, notify: [assignee], metrics: [first_response]}
    escalations:
      - {after: 0m, notify: [group_lead, customer], metrics: [first_response]}
"""


@pytest.fixture
def inbox() -> Iterator[SmtpInbox]:
    with smtp_inbox() as handler:
        yield handler


@pytest.fixture
def world(db: Engine, inbox: SmtpInbox) -> tuple[Services, Worker, Clock]:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    environ = {"SLACLOCK_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
               "SLACLOCK_MAIL_FROM": "Slaclock <sla@example.com>"}  # fmt: skip
    settings = smtp_settings(environ)
    assert settings is not None
    clock = Clock(NOW)
    sender = email_sender(services, settings, "https://sla.example/")
    return services, Worker(services, {"email": sender}, clock.now), clock


def created(ticket: str) -> dict[str, Any]:
    fields = {"status": "open", "priority": "high", "group": "support", "assignee": "anna",
              "subject": "Drucker brennt", "customer": {"id": "acme", "name": "Acme"},
              "requester": {"email": "claire@example.fr", "locale": "fr"}}  # fmt: skip
    return {"id": f"{ticket}-c", "ticket": ticket, "at": "2026-03-02T09:00:00Z",
            "type": "ticket.created", "by": "customer", "fields": fields}  # fmt: skip


def deliveries(services: Services) -> dict[str, Delivery]:
    with services.db.reading() as tx:
        return {d.address: d for d in tx.outbox.listing()}


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_reminder_and_breach_arrive_once_each_in_the_readers_language_and_zone(
    world: Any, inbox: SmtpInbox
) -> None:
    services, worker, clock = world
    services.ingest([created("T-1")], NOW)
    clock.at = NOW + timedelta(minutes=45)
    assert worker.run_once() == (1, 1)
    clock.at = NOW + timedelta(hours=1)
    assert worker.run_once() == (1, 2)
    assert worker.run_once() == (0, 0)
    clock.at += timedelta(days=1)
    assert worker.run_once() == (0, 0)  # nothing is sent again
    received = inbox.messages()
    assert len(inbox.envelopes) == 3
    assert set(received) == {"anna@example.com", "bernd@example.com", "claire@example.fr"}
    sent = deliveries(services)
    for address, message in received.items():
        delivery = sent[address]
        assert delivery.state == "sent" and delivery.attempts == 1
        assert message["Message-ID"] == f"<{delivery.id}@example.com>"
        assert message["X-Slaclock-Delivery"] == delivery.id

    anna = received["anna@example.com"]  # the reminder, in Dutch, Amsterdam time
    assert anna["To"] == "Anna de Vries <anna@example.com>"
    assert "eerste reactie" in anna["Subject"] and "15 minuten" in anna["Subject"]
    text = " ".join(plain(anna).split())
    assert "11:00" in text and "Midden-Europese" in text  # due 10:00Z
    assert "Standard Plan" in text and "Support Team" in text and "Anna de Vries" in text
    assert "https://sla.example/tickets/T-1" in text

    bernd = received["bernd@example.com"]  # the breach, in German
    assert sent["bernd@example.com"].body["type"] == "sla.breached"
    assert bernd["Subject"] == "[SLA verletzt] T-1: Erstantwort überfällig"
    assert "11:00" in plain(bernd) and "Mitteleuropäische" in plain(bernd)

    claire = received["claire@example.fr"]  # the customer notice, in French, missed
    assert claire["To"] == "claire@example.fr"
    assert claire["Subject"] == "Votre demande T-1\u00a0: le délai promis est dépassé"
    notice = " ".join(plain(claire).split())
    assert "lundi 2 mars 2026, 11:00 (heure normale d’Europe centrale)" in notice
    assert "Standard Plan" not in notice and "sla.example" not in notice


def test_an_smtp_550_is_a_dead_letter_with_the_reply(world: Any, inbox: SmtpInbox) -> None:
    services, worker, clock = world
    inbox.replies = ["550 5.1.1 <anna@example.com>: no such user"]
    services.ingest([created("T-1")], NOW)
    clock.at = NOW + timedelta(minutes=45)
    assert worker.run_once() == (1, 1)
    [delivery] = deliveries(services).values()
    assert delivery.state == "dead" and delivery.attempts == 1
    assert delivery.last_error is not None and "550 5.1.1" in delivery.last_error
    assert "no such user" in delivery.last_error
    assert inbox.envelopes == []


def test_an_smtp_451_is_retried_later_under_the_same_id(world: Any, inbox: SmtpInbox) -> None:
    services, worker, clock = world
    inbox.replies = ["451 4.7.1 greylisted, try again later"]
    services.ingest([created("T-1")], NOW)
    clock.at = NOW + timedelta(minutes=45)
    worker.run_once()
    [delivery] = deliveries(services).values()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.last_error is not None and "451 4.7.1" in delivery.last_error
    assert delivery.next_attempt_at > clock.at
    clock.at = delivery.next_attempt_at
    assert worker.run_once() == (0, 1)
    [again] = deliveries(services).values()
    assert again.state == "sent" and again.attempts == 2
    [message] = inbox.messages().values()
    assert message["X-Slaclock-Delivery"] == delivery.id


def test_a_notice_that_cannot_be_rendered_fails_for_good(world: Any) -> None:
    services, worker, clock = world
    services.ingest([created("T-1")], NOW)
    clock.at = NOW + timedelta(hours=1)
    worker.senders = {"email": lambda delivery, now: None}
    worker.run_once()  # only to have real delivery rows
    customer = next(d for d in deliveries(services).values() if d.recipient == "customer")
    no_due = replace(customer, body={**customer.body, "due_at": None})
    settings = smtp_settings({"SLACLOCK_SMTP_URL": "smtp://127.0.0.1:9",
                              "SLACLOCK_MAIL_FROM": "sla@example.com"})  # fmt: skip
    assert settings is not None
    send = email_sender(services, settings, "https://sla.example")
    with pytest.raises(DeliveryError, match="promised time") as failure:
        send(no_due, clock.at)
    assert not failure.value.retryable


def test_the_readers_zone(world: Any) -> None:
    services, _, _ = world
    config = services.config_current()[2]
    body = {"instance": {"calendar": "office"}}
    assert reader_zone("person:anna", body, config) == "Europe/Amsterdam"
    assert reader_zone("customer", body, config) == "Europe/Amsterdam"
    assert reader_zone("customer", {"instance": None}, config) == "UTC"
    # a person's own calendar comes first, where the configuration has one
    olaf = SimpleNamespace(id="olaf", name="Olaf", groups=("support",), calendar="oslo")
    with_calendar = replace(config, people={**config.people, "olaf": olaf})
    assert reader_zone("person:olaf", body, with_calendar) == "Europe/Oslo"
