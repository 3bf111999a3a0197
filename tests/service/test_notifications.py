"""issue 22: the schedule follows the projection; the worker fires each entry once and
delivers it, signed, with a stable id — against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from slaclock.api.signing import verify_signature
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.deliverer import MAX_ATTEMPTS
from slaclock.service.worker import Worker, webhook_sender

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.clock import Clock
from kit.receivers import HttpReceiver, http_receiver

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "whsec-ops-0123456789"
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
people:
  - {id: anna, name: Anna, email: anna@example.com, locale: nl, groups: [support]}
groups:
  - {id: support, name: Support, lead: anna}
webhooks:
  - {id: ops, url: "%(url)s", secret_env: OPS_SECRET, format: json}
policies:
  - id: std
    name: Standard
    calendar: always
    targets:
      first_response: {within: 1h}
      resolution: {within: 8h, pause: {status: [pending]}}
    reminders:
      - {before: 15m, notify: ["webhook:ops"], metrics: [first_response]}
    escalations:
      - {after: 0m, notify: ["webhook:ops", group_lead], metrics: [first_response]}
      - {after: 1h, notify: ["webhook:ops"], metrics: [first_response],
         when: {all: [{field: priority, op: eq, value: urgent}]}}
"""


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with http_receiver() as state:
        yield state


@pytest.fixture
def world(db: Engine, receiver: HttpReceiver) -> Iterator[tuple[Services, Worker, Clock]]:
    services = services_on(db)
    services.config_apply(CONFIG % {"url": receiver.url}, "test", NOW)
    clock = Clock(NOW)
    with httpx.Client() as client:
        senders = {"webhook": webhook_sender(services, {"OPS_SECRET": SECRET}, client)}
        yield services, Worker(services, senders, clock.now, "https://sla.example"), clock


def created(ticket: str, at: datetime = NOW, **fields: Any) -> dict[str, Any]:
    return {"id": f"{ticket}-c", "ticket": ticket, "at": _z(at), "type": "ticket.created",
            "by": "customer", "fields": {"status": "open", "priority": "high",
                                         "group": "support", **fields}}  # fmt: skip


def _z(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def planned(services: Services, ticket: str) -> dict[str, datetime]:
    with services.db.reading() as tx:
        return {p.entry: p.fire_at for p in tx.schedule.pending([ticket]).values()}


def test_a_new_ticket_plans_its_entries(world: Any) -> None:
    services, _, _ = world
    services.ingest([created("T-1")], NOW)
    assert planned(services, "T-1") == {
        "reminders[0]": NOW + timedelta(minutes=45),
        "escalations[0]": NOW + timedelta(hours=1),
        # escalations[1] needs priority urgent: not planned for a high ticket
    }


def test_a_stop_cancels_and_a_field_change_re_plans(world: Any) -> None:
    services, _, _ = world
    services.ingest([created("T-1")], NOW)
    urgent = {"id": "u", "ticket": "T-1", "at": _z(NOW + timedelta(minutes=5)),
              "type": "ticket.updated", "changes": {"priority": "urgent"}}  # fmt: skip
    services.ingest([urgent], NOW + timedelta(minutes=5))
    assert "escalations[1]" in planned(services, "T-1")  # a field its when: reads changed
    reply = {"id": "r", "ticket": "T-1", "at": _z(NOW + timedelta(minutes=10)),
             "type": "message", "author": "agent", "public": True}  # fmt: skip
    services.ingest([reply], NOW + timedelta(minutes=10))
    assert planned(services, "T-1") == {}  # first response met: its entries are gone


def test_a_passed_reminder_is_skipped_and_a_passed_escalation_fires_at_once(world: Any) -> None:
    services, worker, clock = world
    late = NOW + timedelta(minutes=50)  # the ticket arrives 50 minutes after it began
    services.ingest([created("T-1")], late)
    assert planned(services, "T-1") == {"escalations[0]": NOW + timedelta(hours=1)}
    clock.at = NOW + timedelta(hours=2)
    services.ingest([{**created("T-2", NOW + timedelta(minutes=30)), "id": "T-2-c"}], clock.at)
    assert planned(services, "T-2") == {"escalations[0]": NOW + timedelta(minutes=90)}
    assert worker.run_once()[0] == 2  # T-1's and T-2's breach escalations


def test_an_entry_fires_once_and_arrives_signed_with_a_stable_id(
    world: Any, receiver: HttpReceiver
) -> None:
    services, worker, clock = world
    services.ingest([created("T-1", subject="Printer on fire")], NOW)
    clock.at = NOW + timedelta(minutes=45)
    assert worker.run_once() == (1, 1)
    assert worker.run_once() == (0, 0)
    [request] = receiver.received
    headers = {k.lower(): v for k, v in request.headers.items()}
    verify_signature(headers["x-slaclock-signature"], SECRET, request.raw, clock.at, 300)
    body = json.loads(request.raw)
    assert body["delivery"] == headers["x-slaclock-delivery"]
    assert body["delivery"].startswith("d_") and len(body["delivery"]) == 34
    assert (body["type"], body["ticket"], body["metric"], body["entry"]) == (
        "sla.reminder", "T-1", "first_response", "reminders[0]")  # fmt: skip
    assert body["fire_at"] == "2026-03-02T09:45:00Z" and body["due_at"] == "2026-03-02T10:00:00Z"
    assert body["ticket_fields"]["subject"] == "Printer on fire"
    assert body["url"] == "https://sla.example/tickets/T-1"
    assert body["instance"]["metric"] == "first_response"
    # a later projection of the ticket never plans the fired entry again
    note = {"id": "n", "ticket": "T-1", "at": _z(clock.at), "type": "message",
            "author": "customer", "public": True}  # fmt: skip
    services.ingest([note], clock.at)
    assert "reminders[0]" not in planned(services, "T-1")


def test_the_breach_goes_to_the_webhook_and_to_the_lead_by_email(world: Any) -> None:
    services, worker, clock = world
    worker.senders = {**worker.senders, "email": lambda delivery, now: None}
    services.ingest([created("T-1")], NOW)
    clock.at = NOW + timedelta(hours=1)
    fired, attempted = worker.run_once()
    assert (fired, attempted) == (2, 3)  # the reminder (late) and the breach: 1 + 2 messages
    with services.db.reading() as tx:
        sent = tx.outbox.listing(state="sent")
    breach = sorted(
        (d.recipient, d.channel, d.address) for d in sent if d.body["type"] == "sla.breached"
    )
    assert breach == [("person:anna", "email", "anna@example.com"),
                      ("webhook:ops", "webhook", receiver_url(services))]  # fmt: skip


def receiver_url(services: Services) -> str:
    return services.config_current()[2].webhooks["ops"].url


def test_a_when_that_no_longer_holds_at_fire_time_fires_nothing(world: Any) -> None:
    services, worker, clock = world
    services.ingest([created("T-1", priority="urgent")], NOW)
    assert "escalations[1]" in planned(services, "T-1")
    clock.at = NOW + timedelta(hours=2)
    low = json.dumps({"status": "open", "priority": "low", "group": "support"})
    with services.db.engine.begin() as conn:  # the ticket changed, not yet re-planned
        conn.execute(text("UPDATE tickets SET fields = :f WHERE id = 'T-1'"), {"f": low})
    fired, _ = worker.run_once()
    with services.db.reading() as tx:
        kinds = {d.body["entry"] for d in tx.outbox.listing()}
    assert "escalations[1]" not in kinds and fired == 2


def test_retries_keep_the_id_and_a_4xx_goes_to_the_dead_letters(
    world: Any, receiver: HttpReceiver
) -> None:
    services, worker, clock = world
    receiver.script = [(503, {"Retry-After": "120"}), (200, {})]
    services.ingest([created("T-1")], NOW)
    clock.at = NOW + timedelta(minutes=45)
    worker.run_once()
    with services.db.reading() as tx:
        [delivery] = tx.outbox.listing()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.last_error == "HTTP 503 Service Unavailable"
    assert delivery.next_attempt_at >= clock.at + timedelta(seconds=120)
    clock.at = delivery.next_attempt_at
    worker.run_once()
    ids = [r.headers["X-Slaclock-Delivery"] for r in receiver.received]
    assert ids == [delivery.id, delivery.id]
    with services.db.reading() as tx:
        again = tx.outbox.get(delivery.id)
    assert again is not None and again.state == "sent" and again.attempts == 2

    receiver.script = [(400, {})]
    reply = {"id": "r", "ticket": "T-1", "at": _z(clock.at), "type": "message",
             "author": "agent", "public": True}  # fmt: skip
    services.ingest([reply, created("T-2", clock.at)], clock.at)  # only T-2 fires next
    clock.at += timedelta(minutes=45)
    worker.run_once()
    with services.db.reading() as tx:
        [dead] = tx.outbox.listing(state="dead")
    assert dead.ticket_id == "T-2" and dead.last_error == "HTTP 400 Bad Request"
    assert services.db.writing(lambda tx: tx.outbox.revive(dead.id, clock.at))
    worker.run_once()
    with services.db.reading() as tx:
        revived = tx.outbox.get(dead.id)
    assert revived is not None and revived.state == "sent"


def test_a_receiver_that_keeps_failing_ends_dead_after_the_limit(
    world: Any, receiver: HttpReceiver
) -> None:
    services, worker, clock = world
    receiver.script = [(500, {})] * (MAX_ATTEMPTS + 5)
    services.ingest([created("T-1")], NOW)
    clock.at = NOW + timedelta(minutes=45)
    for _ in range(MAX_ATTEMPTS):
        worker.run_once()
        with services.db.reading() as tx:
            delivery = next(d for d in tx.outbox.listing() if d.body["entry"] == "reminders[0]")
        clock.at = max(clock.at, delivery.next_attempt_at)
    assert delivery.state == "dead" and delivery.attempts == MAX_ATTEMPTS
    tries = [r for r in receiver.received if r.headers["X-Slaclock-Delivery"] == delivery.id]
    assert len(tries) == MAX_ATTEMPTS


def test_a_slack_webhook_gets_a_slack_message_signed_with_its_id(
    db: Engine, receiver: HttpReceiver
) -> None:
    services = services_on(db)
    slack = CONFIG.replace("format: json", "format: slack") % {"url": receiver.url}
    services.config_apply(slack, "test", NOW)
    clock = Clock(NOW)
    with httpx.Client() as client:
        hooks = webhook_sender(services, {"OPS_SECRET": SECRET}, client, "https://sla.example")
        worker = Worker(services, {"webhook": hooks, "slack": hooks}, clock.now)
        services.ingest([created("T-1", subject="Printer on fire")], NOW)
        clock.at = NOW + timedelta(minutes=45)
        assert worker.run_once() == (1, 1)
    [request] = receiver.received
    headers = {k.lower(): v for k, v in request.headers.items()}
    verify_signature(headers["x-slaclock-signature"], SECRET, request.raw, clock.at, 300)
    message = json.loads(request.raw)
    assert set(message) == {"text", "blocks"}
    assert "T-1" in message["text"] and "first response" in message["text"]
    assert "https://sla.example/tickets/T-1" in json.dumps(message["blocks"])
    assert headers["x-slaclock-delivery"].startswith("d_")
