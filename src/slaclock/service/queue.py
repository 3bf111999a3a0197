"""The work queue: open SLA/OLA clocks ordered by time left, with keyset pagination.

Order is by ``sort_key`` (``due_at`` in epoch seconds; paused clocks, which have no
``due_at``, after all others by remaining target), then by instance pk. Ordering by
``due_at`` puts the breached first, most late first, then the rest by due time —
"time left" without needing "now" in the index. The cursor is that pair, opaque
(base64 of JSON), so a page is one index range scan whatever the page number.

The projection is as of the last event; "now" is applied at read time: a running
clock whose calendar has run past its ``due_at`` (``overdue_from``) is shown (and
filtered) as breached. One due at closing time shows as due, 0 left, until the next
opening (policies.md: a breach is elapsed open time beyond the target).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select, true, tuple_

from slaclock.service.formats import iso_z
from slaclock.store.models import InstanceRow

QUEUE_STATES = ("running", "paused", "breached")
MAX_LIMIT = 500


@dataclass(frozen=True)
class QueueFilters:
    """Each filter, when set, must hold; ``None`` means "any"."""

    group: str | None = None
    assignee: str | None = None
    policy: str | None = None
    metric: str | None = None
    kind: str | None = None
    state: str | None = None  # running, paused or breached (as of "now")
    customer: str | None = None
    plan: str | None = None
    priority: str | None = None
    due_within_seconds: int | None = None


@dataclass(frozen=True)
class QueuePage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def encode_cursor(sort_key: int, pk: int) -> str:
    raw = json.dumps([sort_key, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """The (sort_key, pk) in a cursor; ValueError names a bad one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(key, int) or not isinstance(pk, int):
            raise TypeError
        return key, pk
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError(f"invalid queue cursor {cursor!r}") from exc


def _conditions(filters: QueueFilters, now: datetime) -> list[ColumnElement[bool]]:
    i = InstanceRow
    conds: list[ColumnElement[bool]] = [i.open == true()]
    equal = {
        i.group_id: filters.group,
        i.assignee: filters.assignee,
        i.policy: filters.policy,
        i.metric: filters.metric,
        i.kind: filters.kind,
        i.customer_id: filters.customer,
        i.customer_plan: filters.plan,
        i.priority: filters.priority,
    }
    conds.extend(column == value for column, value in equal.items() if value is not None)
    if filters.state is not None:
        conds.append(state_condition(filters.state, now))
    if filters.due_within_seconds is not None:
        due_by = now + timedelta(seconds=filters.due_within_seconds)
        conds.append(i.due_at <= due_by)
        conds.append(i.sort_key <= math.floor(due_by.timestamp()))  # implied, for the index
    return conds


def past_target(now: datetime) -> ColumnElement[bool]:
    """A clock projected as running whose calendar has run past its ``due_at`` by ``now``:
    breached, though not re-projected yet (``overdue_from``, policies.md)."""
    i = InstanceRow
    return and_(i.state == "running", i.overdue_from < now)


def still_running(now: datetime) -> ColumnElement[bool]:
    """A clock projected as running that is not past its target at ``now``; one due in
    closed hours waits, due with 0 left, until its calendar opens again."""
    i = InstanceRow
    return and_(i.state == "running", or_(i.overdue_from.is_(None), i.overdue_from >= now))


def state_condition(state: str, now: datetime) -> ColumnElement[bool]:
    """An open clock's state as of ``now`` (a running clock past its target is breached)."""
    i = InstanceRow
    if state == "breached":
        return or_(i.state == "breached", past_target(now))
    if state == "running":
        return still_running(now)
    if state == "paused":
        return i.state == "paused"
    raise ValueError(f"unknown queue state {state!r}; expected one of {', '.join(QUEUE_STATES)}")


def read_state(state: str, overdue_from: datetime | None, now: datetime) -> str:
    if state == "running" and overdue_from is not None and overdue_from < now:
        return "breached"
    return state


def queue_page(
    conn: Connection, filters: QueueFilters, cursor: str | None, limit: int, now: datetime
) -> QueuePage:
    """One page of the queue, at most ``limit`` rows (capped at MAX_LIMIT)."""
    limit = max(1, min(limit, MAX_LIMIT))
    i = InstanceRow
    conds = _conditions(filters, now)
    if cursor:
        key, pk = decode_cursor(cursor)
        conds.append(tuple_(i.sort_key, i.pk) > tuple_(key, pk))
    found = conn.execute(
        select(InstanceRow.__table__).where(*conds).order_by(i.sort_key, i.pk).limit(limit + 1)
    ).all()
    page = found[:limit]
    next_cursor = encode_cursor(page[-1].sort_key, page[-1].pk) if len(found) > limit else None
    return QueuePage([queue_row(r, now) for r in page], next_cursor)


def queue_row(row: Any, now: datetime) -> dict[str, Any]:
    """The instance's replay JSON plus the ticket's subject, customer and assignee."""
    out = dict(row.json)
    out["state"] = read_state(row.state, row.overdue_from, now)
    if out["state"] == "breached" and row.state == "running":
        out["breached"] = True
        out["breached_at"] = out.get("due_at")
    out["seconds_to_due"] = seconds_to_due(row.due_at, row.overdue_from, now)
    out["overdue_from"] = iso_z(row.overdue_from)
    out.update(
        {
            "subject": row.subject,
            "customer": row.customer_id,
            "plan": row.customer_plan,
            "assignee": row.assignee,
            "group": row.group_id,
            "priority": row.priority,
        }
    )
    return out


def seconds_to_due(due_at: datetime | None, overdue: datetime | None, now: datetime) -> int | None:
    """Real seconds to ``due_at``; 0 (due, none left) while the calendar is closed
    between ``due_at`` and the breach instant, negative once breached."""
    if due_at is None:
        return None
    if overdue is not None and due_at <= now <= overdue:
        return 0
    if overdue is not None and now > overdue:
        return min(-1, int((due_at - now).total_seconds()))
    return int((due_at - now).total_seconds())
