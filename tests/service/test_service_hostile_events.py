"""issue 26: an event the store cannot keep alike on SQLite and PostgreSQL is rejected
alone, with its reason, before the write — the batch's other events are stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from slaclock.service.app_state import Services
from slaclock.service.compose import services_on

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
policies:
  - {id: p, name: P, calendar: always, targets: {resolution: {within: 8h}}}
"""


def created(event_id: str, ticket: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "ticket": ticket, "at": "2026-03-02T08:15:00Z",
            "type": "ticket.created", "by": "customer",
            "fields": {"status": "new", "priority": "high", **fields}}  # fmt: skip


_DEEP = json.loads("[" * 40 + "]" * 40)
HOSTILE = {
    "lone surrogate in a field": (created("s", "S", subject="x\ud800"), "lone surrogate"),
    "lone surrogate in a key": (created("k", "K", custom={"\udc00": 1}), "lone surrogate"),
    "NUL in a string": (created("n", "N", subject="a\x00b"), "NUL character"),
    "NaN": (created("nan", "NAN", custom={"score": float("nan")}), "not a number JSON"),
    "infinity (1e400)": (created("i", "I", custom={"n": json.loads("1e400")}), "not a number"),
    "nested too deep": (created("d", "D", custom={"x": _DEEP}), "nests more"),
    "overflows into UTC": (
        {**created("o", "O"), "at": "0001-01-01T00:30:00+01:00"},
        "outside the years",
    ),
    "before 1900": ({**created("e", "E"), "at": "1899-12-31T23:59:59Z"}, "outside the years"),
    "after 2199": ({**created("l", "L"), "at": "2200-01-01T00:00:00Z"}, "outside the years"),
}


@pytest.fixture
def services(db: Engine) -> Services:
    services = services_on(db)
    services.config_apply(CONFIG, "test", NOW)
    return services


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_event_is_rejected_alone_and_the_rest_is_stored(
    services: Services, case: str
) -> None:
    hostile, reason = HOSTILE[case]
    result = services.ingest([created("ok-1", "OK1"), hostile, created("ok-2", "OK2")], NOW)
    assert [a["id"] for a in result.accepted] == ["ok-1", "ok-2"]
    (rejected,) = result.rejected
    assert rejected["index"] == 1 and reason in rejected["reason"]
    assert json.dumps(rejected)  # the answer can carry it (no lone surrogate)
    assert services.ticket("OK1") is not None and services.ticket("OK2") is not None
    assert services.ticket(hostile["ticket"]) is None
