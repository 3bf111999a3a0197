"""issue 23: reports group an instance by the ticket's fields as they were at its
judgement instant (reports.md, "Compliance"): a ticket reassigned after its first
reply still counts for the agent who answered; a clock that ran past its target counts
for the group that had it then. The projection stores them (``instances.dim_*``) the
same whether the events came one by one, all at once, or out of order — on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from slaclock.service.compose import services_on
from slaclock.service.judged_fields import FieldHistory, dimensions
from slaclock.store.models import InstanceRow

CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
policies:
  - id: std
    calendar: always
    targets:
      first_response: {within: 1h}
      resolution: {within: 8h}
"""
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1)


def _at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


EVENTS = [
    {"id": "c", "ticket": "T-1", "at": _at(0), "type": "ticket.created", "by": "customer",
     "fields": {"status": "new", "priority": "high", "channel": "email", "type": "incident",
                "group": "support", "assignee": "anna",
                "customer": {"id": "acme", "plan": "gold"}}},
    {"id": "r", "ticket": "T-1", "at": _at(20), "type": "message", "author": "agent",
     "author_id": "anna", "public": True},
    {"id": "u1", "ticket": "T-1", "at": _at(40), "type": "ticket.updated",
     "changes": {"assignee": "bob", "group": "engineering", "priority": "urgent"}},
    # resolution ran out at 17:00; at 18:00 the ticket moves on again
    {"id": "u2", "ticket": "T-1", "at": _at(9 * 60), "type": "ticket.updated",
     "changes": {"group": "escalations", "assignee": "carl", "channel": "phone"}},
]  # fmt: skip
FIRST_RESPONSE = ("support", "anna", "acme", "gold", "high", "email", "incident")
RESOLUTION = ("engineering", "bob", "acme", "gold", "urgent", "email", "incident")


def _dims(db: Engine) -> dict[str, tuple[Any, ...]]:
    columns = (InstanceRow.dim_group, InstanceRow.dim_assignee, InstanceRow.dim_customer,
               InstanceRow.dim_plan, InstanceRow.dim_priority, InstanceRow.dim_channel,
               InstanceRow.dim_type)  # fmt: skip
    with db.connect() as conn:
        rows = conn.execute(select(InstanceRow.metric, InstanceRow.assignee, *columns))
        return {row[0]: (row[1], *row[2:]) for row in rows}


@pytest.mark.parametrize("order", ["one by one", "all at once", "late event"])
def test_dimensions_are_those_at_the_judgement_instant(db: Engine, order: str) -> None:
    services = services_on(db)
    services.config_apply(CONFIG, "test", T0 - timedelta(hours=1))
    if order == "one by one":
        for event in EVENTS:
            assert not services.ingest([event], NOW).rejected
    elif order == "all at once":
        assert not services.ingest(EVENTS, NOW).rejected
    else:  # the reassignment arrives last: the ticket is replayed
        assert not services.ingest([e for e in EVENTS if e["id"] != "u1"], NOW).rejected
        assert not services.ingest([e for e in EVENTS if e["id"] == "u1"], NOW).rejected
    found = _dims(db)
    # now: carl has the ticket; the instances keep who had it when they were judged
    assert found["first_response"] == ("carl", *FIRST_RESPONSE)
    assert found["resolution"] == ("carl", *RESOLUTION)


def test_a_clock_not_judged_yet_has_the_fields_of_now(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(CONFIG, "test", T0 - timedelta(hours=1))
    early = T0 + timedelta(minutes=50)
    assert not services.ingest(EVENTS[:3], early).rejected
    assert _dims(db)["resolution"][1:] == RESOLUTION  # due 17:00, still ahead


def test_history_looks_up_the_fields_in_force() -> None:
    history = FieldHistory()
    assert history.at(T0) == (None,) * 7
    history.note(T0, {"group": "a"})
    history.note(T0 + timedelta(hours=1), {"group": "a"})  # no change: not noted
    history.note(T0 + timedelta(hours=2), {"group": "b", "customer": {"id": "x"}})
    assert len(history.values) == 2
    assert history.at(T0 - timedelta(hours=1))[0] == "a"  # before the first: the first
    assert history.at(T0 + timedelta(hours=1, minutes=59))[0] == "a"
    assert history.at(T0 + timedelta(hours=2))[:3] == ("b", None, "x")
    assert history.at(None)[0] == "b"


def test_dimensions_read_customer_id_and_plan() -> None:
    fields = {"customer": {"id": 7, "plan": "gold"}, "priority": "low", "type": None}
    assert dimensions(fields) == (None, None, "7", "gold", "low", None, None)
    assert dimensions({"customer": "not-a-mapping"})[2:4] == (None, None)
