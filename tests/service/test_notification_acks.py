"""issue 22: ``unless_acknowledged`` and ``ack_expires`` at fire time, and the signed
link in breach and escalation messages to people."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from slaclock.service.acknowledgements import read_ack_token
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.worker import Worker
from slaclock.store.outbox import Delivery

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "ack-secret-0123456789"
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
people:
  - {id: mark, name: Mark, email: mark@example.com, groups: [support]}
  - {id: sofia, name: Sofia, email: sofia@example.com}
groups:
  - {id: support, name: Support, lead: mark}
roles: {support_manager: [sofia]}
policies:
  - id: std
    name: Standard
    calendar: always
    targets: {first_response: {within: 1h}}
    reminders:
      - {before: 15m, notify: [group_lead]}
    escalations:
      - {after: 0m, notify: [group_lead]}
      - {after: 1h, notify: ["role:support_manager"], unless_acknowledged: true, ack_expires: 30m}
"""


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def world(db: Engine) -> Iterator[tuple[Services, Worker, Clock, list[Delivery]]]:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    clock = Clock()
    sent: list[Delivery] = []
    senders = {"email": lambda delivery, now: sent.append(delivery)}
    worker = Worker(services, senders, clock.now, "https://sla.example", SECRET)
    services.ingest([{"id": "c", "ticket": "T-1", "at": "2026-03-02T09:00:00Z",
                      "type": "ticket.created", "by": "customer",
                      "fields": {"status": "open", "priority": "high", "group": "support"}}],
                    NOW)  # fmt: skip
    yield services, worker, clock, sent


def _ack(services: Services, at: datetime) -> None:
    services.acknowledge("T-1", ("sla", "first_response", 0), "mark", at, None)


def _sent_to(sent: list[Delivery], recipient: str) -> list[Delivery]:
    return [d for d in sent if d.recipient == recipient]


def test_a_breach_message_to_a_person_carries_a_signed_link(world: Any) -> None:
    _, worker, clock, sent = world
    clock.at = NOW + timedelta(minutes=45)
    worker.run_once()
    [reminder] = sent
    assert "ack_url" not in reminder.body  # reminders ask for nothing
    clock.at = NOW + timedelta(hours=1)
    worker.run_once()
    [_, breach] = sent
    link = breach.body["ack_url"]
    assert link.startswith("https://sla.example/ack/")
    claim = read_ack_token(SECRET, link.rpartition("/")[2], clock.at)
    assert (claim.ticket, claim.metric, claim.cycle, claim.person) == (
        "T-1", "first_response", 0, "mark")  # fmt: skip


def test_an_acknowledged_instance_does_not_escalate(world: Any) -> None:
    services, worker, clock, sent = world
    _ack(services, NOW + timedelta(hours=1, minutes=40))  # 20 minutes before the level
    clock.at = NOW + timedelta(hours=2)
    worker.run_once()
    assert _sent_to(sent, "person:sofia") == []


def test_an_acknowledgement_lapses_after_ack_expires(world: Any) -> None:
    services, worker, clock, sent = world
    _ack(services, NOW + timedelta(hours=1, minutes=20))  # 40 minutes before: lapsed
    clock.at = NOW + timedelta(hours=2)
    worker.run_once()
    assert len(_sent_to(sent, "person:sofia")) == 1


def test_an_acknowledgement_after_the_time_does_not_count(world: Any) -> None:
    services, worker, clock, sent = world
    clock.at = NOW + timedelta(hours=2, minutes=5)
    _ack(services, clock.at)  # acknowledged after the level's time, before the worker ran
    worker.run_once()
    assert len(_sent_to(sent, "person:sofia")) == 1
