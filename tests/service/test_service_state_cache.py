"""Continuing a cached engine state gives exactly the replay, and a stale state is
never trusted (another process added events, the configuration changed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from slaclock.service import projection
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.ingest import Limits

DATA = Path(__file__).parents[1] / "data"
CONFIG_TEXT = (DATA / "example_config.yaml").read_text()
EVENTS = [json.loads(line) for line in (DATA / "example_events.jsonl").read_text().splitlines()]
NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def in_time_order(ticket: str) -> list[dict[str, Any]]:
    return sorted((e for e in EVENTS if e["ticket"] == ticket), key=lambda e: e["at"])


def replayed(services: Services, ticket: str) -> list[dict[str, Any]]:
    """``instances_as_of(ticket, NOW)`` as replay JSON."""
    return [i.to_json() for i in services.instances_as_of(ticket, NOW) or []]


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tickets replayed from the log (not continued from a cached state)."""
    seen: list[str] = []
    original = projection._replayed

    def counting(engine: Any, events: Any, now: datetime) -> Any:
        seen.extend({e.ticket for e in events})
        return original(engine, events, now)

    monkeypatch.setattr(projection, "_replayed", counting)
    return seen


def test_in_order_events_continue_the_cached_state(db: Engine, replays: list[str]) -> None:
    services = services_on(db)
    services.config_apply(CONFIG_TEXT, "test", NOW)
    events = in_time_order("T-1")
    for event in events:
        assert services.ingest([event], NOW).accepted
        view = services.ticket("T-1")
        assert view is not None
        assert list(view.instances) == replayed(services, "T-1")
    assert replays == ["T-1"]  # only the first event, with no cached state yet


def test_late_event_replays(db: Engine, replays: list[str]) -> None:
    services = services_on(db)
    services.config_apply(CONFIG_TEXT, "test", NOW)
    events = in_time_order("T-1")
    services.ingest([events[0], events[2]], NOW)
    services.ingest([events[1]], NOW)  # earlier than what the state has seen
    assert replays == ["T-1", "T-1"]
    assert list(services.ticket("T-1").instances) == replayed(services, "T-1")  # type: ignore[union-attr]


def test_events_from_another_process_invalidate(db: Engine, replays: list[str]) -> None:
    first, second = services_on(db), services_on(db)
    first.config_apply(CONFIG_TEXT, "test", NOW)
    events = in_time_order("T-1")
    first.ingest(events[:2], NOW)
    second.ingest(events[2:3], NOW)  # first's cached state misses this event
    first.ingest(events[3:], NOW)
    assert replays == ["T-1", "T-1", "T-1"]
    assert list(first.ticket("T-1").instances) == replayed(first, "T-1")  # type: ignore[union-attr]


def test_configuration_change_invalidates(db: Engine, replays: list[str]) -> None:
    services = services_on(db)
    services.config_apply(CONFIG_TEXT, "test", NOW)
    events = in_time_order("T-1")
    services.ingest(events[:2], NOW)
    services.config_apply(CONFIG_TEXT.replace("within: 16h", "within: 12h"), "test", NOW)
    replays.clear()
    services.ingest(events[2:3], NOW)
    assert replays == ["T-1"]
    assert list(services.ticket("T-1").instances) == replayed(services, "T-1")  # type: ignore[union-attr]


def test_future_events_are_not_cached(db: Engine, replays: list[str]) -> None:
    services = services_on(db)
    services.config_apply(CONFIG_TEXT, "test", NOW)
    services.limits = Limits(future_skew=timedelta(days=30))  # events of days ahead
    events = in_time_order("T-1")
    early = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # before most of T-1's events
    services.ingest(events, early)
    services.ingest([e for e in EVENTS if e["ticket"] != "T-1"][:1], NOW)
    replays.clear()
    late = {"id": "late-1", "ticket": "T-1", "at": "2026-03-05T10:00:00Z", "type": "message",
            "author": "customer", "public": True}  # fmt: skip
    services.ingest([late], NOW)
    assert replays == ["T-1"]
    assert list(services.ticket("T-1").instances) == replayed(services, "T-1")  # type: ignore[union-attr]
