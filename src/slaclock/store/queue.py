"""The queue's query: open clocks by time left, filtered, with keyset pagination.

Order is by ``sort_key`` (``due_at`` in epoch seconds; paused clocks after all
others), then by instance pk. Ordering by ``due_at`` puts the breached first, most late
first, then the rest by due time — "time left" without "now" in the index. A page
starts after a ``(sort_key, pk)`` key, so it is one index range scan
(``(open, sort_key, pk)``, or the group/assignee variants) whatever the page number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, select, true, tuple_

from slaclock.store.clock_state import state_is
from slaclock.store.models import InstanceRow
from slaclock.store.tickets import TicketCopies


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


@dataclass(frozen=True, slots=True)
class OpenClock(TicketCopies):
    """What the queue reads of an open clock's row: its ticket's copied fields, then
    these."""

    pk: int
    sort_key: int
    json: dict[str, Any]  # the replay JSON, as the projection stored it
    state: str  # as projected; "now" is applied by the reader
    due_at: datetime | None
    overdue_from: datetime | None


_I = InstanceRow
#: The columns of an :class:`OpenClock`, in its fields' order.
_COLUMNS = (
    _I.priority, _I.group_id, _I.assignee, _I.customer_id, _I.customer_plan, _I.subject,
    _I.customer_name,
    _I.pk, _I.sort_key, _I.json, _I.state, _I.due_at, _I.overdue_from,
)  # fmt: skip


def _conditions(filters: QueueFilters, now: datetime) -> list[ColumnElement[bool]]:
    # ``open = true``, not ``IS TRUE``, so that PostgreSQL uses the queue indexes.
    conds: list[ColumnElement[bool]] = [_I.open == true()]
    equal = {
        _I.group_id: filters.group,
        _I.assignee: filters.assignee,
        _I.policy: filters.policy,
        _I.metric: filters.metric,
        _I.kind: filters.kind,
        _I.customer_id: filters.customer,
        _I.customer_plan: filters.plan,
        _I.priority: filters.priority,
    }
    conds.extend(column == value for column, value in equal.items() if value is not None)
    if filters.state is not None:
        conds.append(state_is(filters.state, now))
    if filters.due_within_seconds is not None:
        due_by = now + timedelta(seconds=filters.due_within_seconds)
        conds.append(_I.due_at <= due_by)
        conds.append(_I.sort_key <= math.floor(due_by.timestamp()))  # implied, for the index
    return conds


class Queue:
    """The queue, inside one (read) transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def page(
        self, filters: QueueFilters, after: tuple[int, int] | None, limit: int, now: datetime
    ) -> tuple[list[OpenClock], bool]:
        """At most ``limit`` open clocks passing ``filters`` (state as of ``now``), after
        the ``(sort_key, pk)`` key ``after``; and whether more follow.
        ValueError for an unknown state."""
        conds = _conditions(filters, now)
        if after is not None:
            conds.append(tuple_(_I.sort_key, _I.pk) > tuple_(*after))
        found = self._conn.execute(
            select(*_COLUMNS).where(*conds).order_by(_I.sort_key, _I.pk).limit(limit + 1)
        ).all()
        return [OpenClock(*row) for row in found[:limit]], len(found) > limit
