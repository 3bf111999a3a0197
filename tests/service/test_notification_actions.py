"""issue 22: an escalation's actions run once per fire, as system events with ids
derived from the fire, stored and projected with it (notifications.md, "Actions")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.worker import Worker, webhook_sender

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
people:
  - {id: mark, name: Mark, groups: [support]}
groups:
  - {id: support, name: Support, lead: mark}
policies:
  - id: std
    name: Standard
    calendar: always
    match: {all: [{field: priority, op: in, value: [high, normal]}]}
    targets: {first_response: {within: 1h}}
    escalations:
      - after: 0m
        actions: [{set: {priority: urgent}}, {add_tags: [sla-breached]}, {reassign: group_lead}]
  - id: hot
    name: Urgent
    calendar: always
    targets: {first_response: {within: 30m}}
"""


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def world(db: Engine) -> Iterator[tuple[Services, Worker, Clock]]:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    clock = Clock()
    with httpx.Client() as client:
        senders = {"webhook": webhook_sender(services, {}, client)}
        yield services, Worker(services, senders, clock.now), clock


def created() -> dict[str, Any]:
    return {"id": "c", "ticket": "T-1", "at": "2026-03-02T09:00:00Z", "type": "ticket.created",
            "by": "customer", "fields": {"status": "open", "priority": "high",
                                         "group": "support", "assignee": "anna"}}  # fmt: skip


def test_the_breach_runs_its_actions_once_as_system_events(world: Any) -> None:
    services, worker, clock = world
    services.ingest([created()], NOW)
    clock.at = NOW + timedelta(hours=1)
    assert worker.run_once()[0] == 1
    view = services.ticket("T-1")
    assert view is not None
    assert (view.priority, view.assignee) == ("urgent", "mark")
    assert "sla-breached" in view.fields["tags"]
    actions = [e for e in view.events if e.event["id"].startswith("slaclock:action:")]
    assert len(actions) == 3
    assert {e.event["author"] for e in actions} == {"system"}
    assert {e.source for e in actions} == {"slaclock"}
    assert actions[0].event["cause"]["entry"] == "escalations[0]"
    # The new priority picks another policy: the ticket was projected with the fire.
    assert {i["policy"] for i in view.instances} == {"hot"}
    assert worker.run_once() == (0, 0)
    assert services.ticket("T-1").event_count == 4  # no second run of the actions


def test_reassign_to_the_lead_changes_nothing_when_the_lead_has_it(world: Any) -> None:
    services, worker, clock = world
    event = created()
    event["fields"]["assignee"] = "mark"
    services.ingest([event], NOW)
    clock.at = NOW + timedelta(hours=1)
    worker.run_once()
    view = services.ticket("T-1")
    assert view is not None and view.event_count == 3  # set and add_tags; no reassign
