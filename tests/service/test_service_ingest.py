"""Ingest: accepted / duplicate / rejected lists, and a projection equal to a replay."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from slaclock.core.config import parse_config
from slaclock.core.engine import Engine as SlaEngine
from slaclock.core.errors import EventError
from slaclock.core.events import parse_event
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.ingest import Limits
from slaclock.store.models import EventRow

DATA = Path(__file__).parents[1] / "data"
CONFIG_TEXT = (DATA / "example_config.yaml").read_text()
EVENTS = [json.loads(line) for line in (DATA / "example_events.jsonl").read_text().splitlines()]
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def services(db: Engine) -> Services:
    services = services_on(db)
    services.config_apply(CONFIG_TEXT, "test", NOW)
    # The example history runs past NOW: the projection must ignore what lies after
    # it, so the future-skew rule is widened to store those events.
    services.limits = Limits(future_skew=timedelta(days=30))
    return services


def replay_json(
    services: Services, objs: list[dict[str, Any]], ticket: str, as_of: datetime
) -> list[dict[str, Any]]:
    """The reference: the engine's replay of these events, in request order."""
    events = [parse_event(o, seq=n) for n, o in enumerate(objs) if o["ticket"] == ticket]
    config = services.config_current()[2]
    return [i.to_json() for i in SlaEngine(config).replay_ticket(events, as_of).instances]


def replayed(services: Services, ticket: str, as_of: datetime) -> list[dict[str, Any]] | None:
    """``instances_as_of`` as replay JSON."""
    instances = services.instances_as_of(ticket, as_of)
    return None if instances is None else [i.to_json() for i in instances]


def stored_event_count(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(EventRow)).scalar_one())


def test_accepted_duplicates_rejected(services: Services, db: Engine) -> None:
    batch: list[Any] = [
        EVENTS[0],
        {"id": "x1", "ticket": "T-1", "type": "message", "at": "2026-03-02T09:00:00"},  # naive
        EVENTS[1],
        "not an object",
        EVENTS[0],  # repeated within the batch
        EVENTS[2],
    ]
    result = services.ingest(batch, NOW)
    assert result.accepted == [
        {"index": 0, "id": EVENTS[0]["id"]},
        {"index": 2, "id": EVENTS[1]["id"]},
        {"index": 5, "id": EVENTS[2]["id"]},
    ]
    assert result.duplicates == [{"index": 4, "id": EVENTS[0]["id"]}]
    assert [(r["index"], r["id"]) for r in result.rejected] == [(1, "x1"), (3, None)]
    assert all(r["reason"] for r in result.rejected)
    again = services.ingest(EVENTS[:3], NOW)
    assert again.accepted == []
    assert [d["index"] for d in again.duplicates] == [0, 1, 2]
    assert stored_event_count(db) == 3


def test_projection_equals_replay(services: Services) -> None:
    result = services.ingest(EVENTS, NOW)
    assert len(result.accepted) == len(EVENTS)
    for ticket in sorted({e["ticket"] for e in EVENTS}):
        expected = replay_json(services, EVENTS, ticket, NOW)
        view = services.ticket(ticket)
        assert view is not None
        assert list(view.instances) == expected
        assert replayed(services, ticket, NOW) == expected
        assert len(view.events) == sum(e["ticket"] == ticket for e in EVENTS)


def test_instances_as_of_the_past(services: Services) -> None:
    services.ingest(EVENTS, NOW)
    then = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert replayed(services, "T-1", then) == replay_json(services, EVENTS, "T-1", then)
    assert replayed(services, "T-404", NOW) is None
    assert services.ticket("T-404") is None
    assert services.explain("T-404", NOW) is None
    explained = services.explain("T-1", NOW)
    assert explained is not None and explained.instances


def test_late_event_reprojects_its_ticket(services: Services) -> None:
    t1 = [e for e in EVENTS if e["ticket"] == "T-1"]
    late = t1[1]  # the agent's first reply, delivered last
    services.ingest([e for e in t1 if e is not late], NOW)
    before = services.ticket("T-1")
    services.ingest([late], NOW)
    after = services.ticket("T-1")
    assert before is not None and after is not None
    assert list(after.instances) == replay_json(services, t1, "T-1", NOW)
    assert after.instances != before.instances


def test_events_before_creation_wait_for_it(services: Services) -> None:
    t1 = [e for e in EVENTS if e["ticket"] == "T-1"]
    services.ingest(t1[1:], NOW)
    waiting = services.ticket("T-1")
    assert waiting is not None
    assert (waiting.created, waiting.instances) == (False, ())
    services.ingest(t1[:1], NOW)
    created = services.ticket("T-1")
    assert created is not None and created.created is True
    assert list(created.instances) == replay_json(services, t1, "T-1", NOW)


def test_batch_limit(services: Services) -> None:
    with pytest.raises(EventError, match="at most 10000"):
        services.ingest([EVENTS[0]] * 10_001, NOW)


def test_rebuild_changes_nothing(services: Services) -> None:
    services.ingest(EVENTS, NOW)
    tickets = sorted({e["ticket"] for e in EVENTS})
    before = [services.ticket(t) for t in tickets]
    seen: list[tuple[int, int]] = []
    counts = services.rebuild(lambda done, total: seen.append((done, total)), now=NOW)
    assert counts["tickets"] == len(tickets)
    assert counts["events"] == len(EVENTS)
    assert seen[-1] == (len(tickets), len(tickets))
    after = [services.ticket(t) for t in tickets]
    for b, a in zip(before, after, strict=True):
        assert b is not None and a is not None
        assert a.instances == b.instances
        assert a.fields == b.fields


def test_config_change_reevaluates_open_tickets(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(_one_policy("1h"), "test", NOW)
    created = {
        "id": "c1", "ticket": "T-9", "at": "2026-03-04T10:00:00Z", "type": "ticket.created",
        "by": "customer", "fields": {"status": "new", "priority": "normal"},
    }  # fmt: skip
    services.ingest([created], NOW)
    [before] = _first_response(services)
    assert (before["due_at"], before["policy_version"]) == ("2026-03-04T11:00:00Z", 1)
    services.config_apply(_one_policy("3h"), "test", NOW)
    [after] = _first_response(services)
    assert (after["due_at"], after["policy_version"]) == ("2026-03-04T13:00:00Z", 2)
    parsed = parse_config(_one_policy("3h"))
    assert parsed.policies[0].version == 1  # the bare file knows no history


def _first_response(services: Services) -> list[Mapping[str, Any]]:
    view = services.ticket("T-9")
    assert view is not None
    return [i for i in view.instances if i["metric"] == "first_response"]


def _one_policy(within: str) -> str:
    return f"""
calendars:
  - {{id: always, tz: UTC, always_open: true}}
policies:
  - id: std
    name: Standard
    calendar: always
    targets:
      first_response: {{within: {within}}}
"""


def test_refresh_due_reprojects_tickets_whose_next_change_has_come(
    services: Services,
) -> None:
    """A clock that runs past its due time without any event is stored as breached only
    after ``refresh_due`` re-projects its ticket at a later ``now``."""
    created = {**EVENTS[0], "id": "rd-1", "ticket": "RD-1"}  # T-1's creation, own ticket
    at_ingest = datetime(2026, 3, 2, 8, 20, tzinfo=UTC)  # five minutes after creation
    services.ingest([created], at_ingest)

    def stored(metric: str) -> Mapping[str, Any]:
        ticket = services.ticket("RD-1")
        assert ticket is not None
        return next(i for i in ticket.instances if i["metric"] == metric)

    assert stored("first_response")["state"] == "running"
    assert services.refresh_due(at_ingest) == 0  # nothing has come due yet
    later = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)  # long past the 1h first response
    assert services.refresh_due(later) == 1
    assert stored("first_response")["state"] == "breached"
    for expected in replay_json(services, [created], "RD-1", later):
        mine = stored(expected["metric"])
        assert {k: mine[k] for k in expected} == expected
