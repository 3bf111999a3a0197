"""The service reads the breach rule as the engine does (policies.md): a running clock
due at Friday's closing time is due, 0 left, over the weekend, and breached one instant
into Monday's opening hours — in the queue, the summary and after re-projection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.queue import QueueFilters

CONFIG = """
calendars:
  - id: office
    tz: UTC
    week: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00],
           thu: [09:00-17:00], fri: [09:00-17:00]}
policies:
  - {id: p, name: P, calendar: office, targets: {first_response: {within: 8h, goal: 8h}}}
"""
FRIDAY = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # due at 17:00, closing time
SATURDAY = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
MONDAY_OPENING = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ticket(tid: str, reply_at: datetime | None) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {"id": f"{tid}-c", "ticket": tid, "at": _iso(FRIDAY), "type": "ticket.created",
         "by": "customer", "fields": {"status": "new", "priority": "normal", "group": "g"}}
    ]  # fmt: skip
    if reply_at is not None:
        events.append(
            {"id": f"{tid}-r", "ticket": tid, "at": _iso(reply_at), "type": "message",
             "author": "agent", "public": True}
        )  # fmt: skip
    return events


@pytest.fixture
def services(db: Engine) -> Services:
    services = services_on(db)
    services.config_apply(CONFIG, "test", FRIDAY)
    events = [
        *_ticket("RUNNING", None),
        *_ticket("AT-DUE", FRIDAY.replace(hour=17)),
        *_ticket("SATURDAY", SATURDAY),
    ]
    assert not services.ingest(events, SATURDAY).rejected
    return services


def _state(services: Services, tid: str) -> tuple[str, int]:
    view = services.ticket(tid)
    assert view is not None
    (inst,) = view.instances
    return inst["state"], inst["remaining_seconds"]


def _rows(services: Services, f: QueueFilters, now: datetime) -> list[dict[str, Any]]:
    return [row.to_json() for row in services.queue(f, None, 10, now).rows]


def test_stops_at_due_and_in_the_closed_hours_after_it_are_met(services: Services) -> None:
    assert _state(services, "AT-DUE") == ("met", 0)
    assert _state(services, "SATURDAY") == ("met", 0)


def test_over_the_weekend_the_clock_is_due_with_nothing_left(services: Services) -> None:
    (row,) = _rows(services, QueueFilters(), SATURDAY)
    assert (row["ticket"], row["state"], row["seconds_to_due"]) == ("RUNNING", "running", 0)
    assert row["overdue_from"] == "2026-03-09T09:00:00Z"
    assert _rows(services, QueueFilters(state="breached"), SATURDAY) == []
    assert len(_rows(services, QueueFilters(state="running"), SATURDAY)) == 1
    totals = services.summary(SATURDAY).totals
    assert (totals.running, totals.breached) == (1, 0)
    # The opening's first instant still has nothing left, and is not a breach.
    (row,) = _rows(services, QueueFilters(), MONDAY_OPENING)
    assert (row["state"], row["seconds_to_due"]) == ("running", 0)


def test_one_second_into_monday_it_is_breached_without_re_projection(
    services: Services,
) -> None:
    later = MONDAY_OPENING + ONE_SECOND
    (row,) = _rows(services, QueueFilters(state="breached"), later)
    assert row["ticket"] == "RUNNING" and row["breached"] is True
    assert row["breached_at"] == "2026-03-06T17:00:00Z" and row["seconds_to_due"] < 0
    totals = services.summary(later).totals
    assert (totals.running, totals.breached) == (0, 1)


def test_re_projection_at_its_next_change_stores_the_breach(services: Services) -> None:
    assert services.refresh_due(MONDAY_OPENING) == 0  # not breached yet: nothing to do
    assert _state(services, "RUNNING") == ("running", 0)
    assert services.refresh_due(MONDAY_OPENING + ONE_SECOND) == 1
    assert _state(services, "RUNNING") == ("breached", -1)
