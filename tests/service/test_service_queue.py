"""The queue and the summary, checked against a brute-force reading of every ticket."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.queue import QueueFilters, decode_cursor

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
policies:
  - id: std
    name: Standard
    calendar: always
    targets:
      first_response: {within: {urgent: 30m, high: 1h, normal: 2h, low: 4h}}
      resolution: {within: 8h}
"""
GROUPS = ("support", "billing", "engineering")
PEOPLE = ("anna", "omar", None)
PLANS = ("enterprise", "business", "free")


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_events(seed: int, tickets: int = 40) -> list[dict[str, Any]]:
    """Tickets opened over the last 10 hours; some answered, some pending, some solved."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    for n in range(tickets):
        tid = f"T-{seed}-{n}"
        start = NOW - timedelta(minutes=rng.randrange(0, 600))
        fields = {
            "status": "new",
            "priority": rng.choice(("urgent", "high", "normal", "low")),
            "group": rng.choice(GROUPS),
            "assignee": rng.choice(PEOPLE),
            "subject": f"Subject {n}",
            "customer": {"id": f"cust{n % 5}", "plan": rng.choice(PLANS)},
        }
        events.append(
            {"id": f"{tid}-c", "ticket": tid, "at": _iso(start), "type": "ticket.created",
             "by": "customer", "fields": fields}
        )  # fmt: skip
        step = rng.random()
        later = start + timedelta(minutes=rng.randrange(1, 60))
        if step < 0.3 and later < NOW:
            events.append(
                {"id": f"{tid}-r", "ticket": tid, "at": _iso(later), "type": "message",
                 "author": "agent", "author_id": "anna", "public": True}
            )  # fmt: skip
        elif step < 0.5 and later < NOW:
            events.append(
                {"id": f"{tid}-p", "ticket": tid, "at": _iso(later), "type": "ticket.updated",
                 "changes": {"status": "pending"}}
            )  # fmt: skip
        elif step < 0.6 and later < NOW:
            events.append(
                {"id": f"{tid}-s", "ticket": tid, "at": _iso(later), "type": "ticket.updated",
                 "changes": {"status": "solved"}}
            )  # fmt: skip
    return events


@pytest.fixture
def loaded(db: Engine) -> tuple[Services, list[dict[str, Any]]]:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    events = make_events(7)
    assert not services.ingest(events, NOW).rejected
    return services, events


def reference(services: Services, events: list[dict[str, Any]], f: QueueFilters) -> list[Any]:
    """Open instances passing ``f``, as (sort position, key) — by reading every ticket."""
    out = []
    for tid in sorted({e["ticket"] for e in events}):
        view = services.ticket(tid)
        assert view is not None
        for inst in view.instances:
            if inst["stopped_at"] is not None or inst["state"] == "cancelled":
                continue
            due = _parse(inst["due_at"])
            state = (
                "breached" if inst["state"] == "running" and due and due < NOW else inst["state"]
            )
            checks = {
                f.group: view.group, f.assignee: view.assignee, f.metric: inst["metric"],
                f.customer: view.customer, f.plan: view.plan, f.priority: view.priority,
                f.state: state, f.kind: inst["kind"], f.policy: inst["policy"],
            }  # fmt: skip
            if any(want is not None and want != got for want, got in checks.items()):
                continue
            if f.due_within_seconds is not None and (
                due is None or due > NOW + timedelta(seconds=f.due_within_seconds)
            ):
                continue
            position = due.timestamp() if due else 10**12 + inst["remaining_seconds"]
            out.append((position, (tid, inst["metric"], inst["cycle"]), state))
    return sorted(out)


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_all(services: Services, f: QueueFilters, limit: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = services.queue(f, cursor, limit, NOW)
        rows.extend(row.to_json() for row in page.rows)
        if page.next_cursor is None:
            return rows
        assert len(page.rows) == limit
        cursor = page.next_cursor


FILTERS = [
    QueueFilters(),
    QueueFilters(group="billing"),
    QueueFilters(assignee="anna"),
    QueueFilters(state="breached"),
    QueueFilters(state="running"),
    QueueFilters(state="paused"),
    QueueFilters(metric="resolution", plan="enterprise"),
    QueueFilters(customer="cust3"),
    QueueFilters(priority="urgent", state="breached"),
    QueueFilters(due_within_seconds=3600),
    QueueFilters(kind="sla", metric="first_response"),
    QueueFilters(policy="std", group="support", state="running"),
]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: repr(f)[12:60])
def test_queue_matches_reference(
    loaded: tuple[Services, list[dict[str, Any]]], f: QueueFilters
) -> None:
    services, events = loaded
    expected = reference(services, events, f)
    for limit in (7, 500):
        rows = read_all(services, f, limit)
        got = [(r["ticket"], r["metric"], r["cycle"]) for r in rows]
        assert sorted(got) == sorted(key for _, key, _ in expected)
        assert len(set(got)) == len(got)
        # Ordered by time left: positions of the returned rows never go down.
        position = {key: pos for pos, key, _ in expected}
        assert [position[k] for k in got] == sorted(position[k] for k in got)
        assert {(r["ticket"], r["metric"], r["cycle"]): r["state"] for r in rows} == {
            key: state for _, key, state in expected
        }


def test_queue_rows_carry_ticket_fields(loaded: tuple[Services, list[dict[str, Any]]]) -> None:
    services, _ = loaded
    row = services.queue(QueueFilters(), None, 1, NOW).rows[0]
    view = services.ticket(row.instance["ticket"])
    assert view is not None
    assert (row.subject, row.customer, row.assignee) == (view.subject, view.customer, view.assignee)
    assert row.state == "breached" and row.seconds_to_due is not None and row.seconds_to_due < 0


def test_bad_cursor_and_state(loaded: tuple[Services, list[dict[str, Any]]]) -> None:
    services, _ = loaded
    with pytest.raises(ValueError, match="invalid queue cursor"):
        services.queue(QueueFilters(), "not-a-cursor", 10, NOW)
    with pytest.raises(ValueError, match="unknown queue state"):
        services.queue(QueueFilters(state="sleepy"), None, 10, NOW)
    page = services.queue(QueueFilters(), None, 3, NOW)
    assert page.next_cursor is not None
    assert isinstance(decode_cursor(page.next_cursor)[1], int)


def test_summary_matches_reference(loaded: tuple[Services, list[dict[str, Any]]]) -> None:
    services, events = loaded
    got = services.summary(NOW, at_risk_within_seconds=1800)
    everything = reference(services, events, QueueFilters())
    states = [state for _, _, state in everything]
    assert got.totals.running == states.count("running")
    assert got.totals.paused == states.count("paused")
    assert got.totals.breached == states.count("breached")
    at_risk = reference(services, events, QueueFilters(state="running", due_within_seconds=1800))
    assert got.totals.at_risk == len(at_risk)
    met_today = breached_today = 0
    day = NOW.replace(hour=0, minute=0)
    for tid in sorted({e["ticket"] for e in events}):
        view = services.ticket(tid)
        assert view is not None
        for inst in view.instances:
            stopped, due = _parse(inst["stopped_at"]), _parse(inst["due_at"])
            met_today += inst["state"] == "met" and stopped is not None and stopped >= day
            late = inst["breached"] or (
                inst["state"] == "running" and due is not None and due < NOW
            )
            breached_today += bool(late and due is not None and day <= due <= NOW)
    assert got.totals.met_today == met_today
    assert got.totals.breached_today == breached_today
    assert sum(g.running for g in got.groups.values()) == got.totals.running
    assert set(got.groups) <= set(GROUPS)
