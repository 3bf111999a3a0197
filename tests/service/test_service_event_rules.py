"""issue 26, parts 2 and 3: what the service refuses beyond the event format — events
from the future, ids in its own namespace, ticket ids no API path can name, a ticket
past its limit — and the record of who sent each event, paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from slaclock.service.app_state import Services
from slaclock.service.compose import max_ticket_events, services_on
from slaclock.service.ingest import DEFAULT_MAX_TICKET_EVENTS, Limits, Origin

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
metrics:
  reply:
    start: [{event: customer_message}]
    stop: [{event: agent_reply}]
    repeat: true
policies:
  - {id: p, name: P, calendar: always, targets: {resolution: {within: 8h}, reply: {within: 1h}}}
"""


def created(event_id: str, ticket: str, at: datetime = NOW) -> dict[str, Any]:
    return {"id": event_id, "ticket": ticket, "at": _z(at), "type": "ticket.created",
            "by": "customer", "fields": {"status": "new", "priority": "high"}}  # fmt: skip


def message(event_id: str, ticket: str, at: datetime, author: str) -> dict[str, Any]:
    return {"id": event_id, "ticket": ticket, "at": _z(at), "type": "message",
            "author": author, "public": True}  # fmt: skip


def _z(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@pytest.fixture
def services(db: Engine) -> Services:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    return services


def _reasons(result: Any) -> dict[str, str]:
    return {item["id"]: item["reason"] for item in result.rejected}


def test_no_event_may_lie_more_than_the_skew_ahead(services: Services) -> None:
    skew = Limits().future_skew
    result = services.ingest(
        [
            created("edge", "A", NOW + skew),
            created("beyond", "B", NOW + skew + timedelta(seconds=1)),
        ],
        NOW,
    )
    assert [a["id"] for a in result.accepted] == ["edge"]
    assert (
        "is more than 5m ahead of the server's clock (2026-03-02T09:00:00Z)"
        in (_reasons(result)["beyond"])
    )
    assert services.ticket("B") is None


def test_the_past_stays_open_to_feeds_and_imports(services: Services) -> None:
    result = services.ingest([created("old", "OLD", datetime(2001, 1, 1, tzinfo=UTC))], NOW)
    assert [a["id"] for a in result.accepted] == ["old"]


def test_the_services_id_namespace_is_its_own(services: Services) -> None:
    feed = Origin(source="tok_feed")
    taken = created("slaclock:agent:0123", "A")
    result = services.ingest([taken, created("fine", "B")], NOW, [feed, feed])
    assert (
        "ids starting 'slaclock:' are the service's own" in _reasons(result)["slaclock:agent:0123"]
    )
    stamped = services.ingest([taken], NOW, [Origin(source="tok_agent", server_stamped=True)])
    assert [a["id"] for a in stamped.accepted] == ["slaclock:agent:0123"]


def test_a_ticket_id_with_a_slash_is_refused(services: Services) -> None:
    result = services.ingest([created("s", "ACME/42")], NOW)
    assert "has a '/', which no API path can name" in _reasons(result)["s"]


def test_a_ticket_holds_at_most_its_limit_and_others_go_on(services: Services) -> None:
    services.limits = Limits(max_ticket_events=3)
    first = [created("c", "BIG")] + [
        message(f"m{n}", "BIG", NOW + timedelta(minutes=n), "customer") for n in (1, 2, 3)
    ]
    result = services.ingest([*first, created("other", "SMALL")], NOW + timedelta(minutes=5))
    assert [a["id"] for a in result.accepted] == ["c", "m1", "m2", "other"]
    assert _reasons(result) == {
        "m3": "ticket 'BIG' holds its limit of 3 events (SLACLOCK_MAX_TICKET_EVENTS)"
    }
    again = services.ingest([message("m4", "BIG", NOW, "agent")], NOW + timedelta(minutes=5))
    assert [r["id"] for r in again.rejected] == ["m4"]
    view = services.ticket("BIG")
    assert view is not None and view.event_count == 3


def test_the_limit_is_read_from_the_environment_or_refused() -> None:
    assert max_ticket_events({}) == DEFAULT_MAX_TICKET_EVENTS
    assert max_ticket_events({"SLACLOCK_MAX_TICKET_EVENTS": "250"}) == 250
    for bad in ("0", "-3", "ten", "1e3", "²"):
        with pytest.raises(ValueError, match="SLACLOCK_MAX_TICKET_EVENTS: expected a whole"):
            max_ticket_events({"SLACLOCK_MAX_TICKET_EVENTS": bad})


def test_every_event_records_its_sender_and_the_timeline_pages(services: Services) -> None:
    token_id, _ = services.tokens.create("ingest", "helpdesk-feed", NOW)
    events = [created("c", "T")] + [
        message(f"m{n}", "T", NOW + timedelta(minutes=n), "customer" if n % 2 else "agent")
        for n in range(1, 7)
    ]
    later = NOW + timedelta(hours=1)
    services.ingest(events[:4], later, [Origin(source=token_id)] * 4)
    services.ingest(events[4:], later)  # no token: an import, say
    seen: list[Any] = []
    cursor = None
    while True:
        page = services.ticket_events("T", cursor, 3)
        seen.extend(page.rows)
        assert len(page.rows) <= 3
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [row.event["id"] for row in seen] == [e["id"] for e in events]
    assert [row.source for row in seen] == [token_id] * 4 + [None] * 3
    assert {row.source_name for row in seen} == {"helpdesk-feed", None}
    assert seen[0].received_at == later
    assert seen[0].to_json()["received_at"] == "2026-03-02T10:00:00Z"


def test_a_bad_event_cursor_is_refused(services: Services) -> None:
    services.ingest([created("c", "T")], NOW)
    for bad in ("nope", "WzFd", "W3RydWUsMV0", "WzkwMDAwMDAwMDAwMDAwMDAwMDAsMV0"):
        with pytest.raises(ValueError, match="invalid event cursor"):
            services.ticket_events("T", bad, 10)


def test_a_long_ticket_numbers_every_cycle(services: Services) -> None:
    """Thousands of cycles of a repeating metric: numbered 0, 1, 2 … in order (the
    numbering once walked every earlier cycle for each new one)."""
    pairs = 1_500
    events = [created("c", "LONG")]
    for n in range(pairs):
        at = NOW + timedelta(minutes=2 * n + 1)
        events += [message(f"q{n}", "LONG", at, "customer"),
                   message(f"a{n}", "LONG", at + timedelta(minutes=1), "agent")]  # fmt: skip
    end = NOW + timedelta(minutes=2 * pairs + 1)
    assert not services.ingest(events, end).rejected
    view = services.ticket("LONG")
    assert view is not None
    cycles = [i["cycle"] for i in view.instances if i["metric"] == "reply"]
    assert cycles == list(range(pairs))
    assert view.event_count == len(events) and len(view.events) == 200


def _row_pks(db: Engine, ticket: str) -> dict[tuple[str, str, int], int]:
    with db.connect() as conn:
        rows = conn.execute(
            text("SELECT kind, metric, cycle, pk FROM instances WHERE ticket_id = :t"),
            {"t": ticket},
        )
        return {(kind, metric, cycle): pk for kind, metric, cycle, pk in rows}


def test_an_in_order_event_rewrites_only_the_rows_it_moved(db: Engine) -> None:
    """A warm projection of a long ticket touches the clocks the event moved, not the
    ticket's history — and the rows still equal a replay, also after a field that every
    row copies (the assignee) changes."""
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    events = [created("c", "LONG")]
    for n in range(200):
        at = NOW + timedelta(minutes=2 * n + 1)
        events += [message(f"q{n}", "LONG", at, "customer"),
                   message(f"a{n}", "LONG", at + timedelta(minutes=1), "agent")]  # fmt: skip
    now = NOW + timedelta(hours=8)
    services.ingest(events, now)
    before = _row_pks(db, "LONG")
    services.ingest([message("q-new", "LONG", now - timedelta(minutes=1), "customer")], now)
    after = _row_pks(db, "LONG")
    moved = {key for key in after if before.get(key) != after[key]}
    assert moved == {("sla", "reply", 200), ("sla", "resolution", 0)}

    def stored_equals_replay() -> None:
        view = services.ticket("LONG")
        assert view is not None
        replayed = services.instances_as_of("LONG", now)
        assert replayed is not None
        assert list(view.instances) == [i.to_json() for i in replayed]

    stored_equals_replay()
    reassign = {"id": "u1", "ticket": "LONG", "at": _z(now), "type": "ticket.updated",
                "changes": {"assignee": "anna"}}  # fmt: skip
    services.ingest([reassign], now)
    stored_equals_replay()
    with db.connect() as conn:
        copied = conn.execute(
            text("SELECT DISTINCT assignee FROM instances WHERE ticket_id = 'LONG'")
        ).all()
    assert copied == [("anna",)]  # every row, old cycles too, copies the new assignee
