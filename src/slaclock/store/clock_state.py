"""An open clock's state as of "now", in SQL: the read-time breach rule.

The projection is as of a ticket's last event; "now" is applied at read time. The
rule (policies.md: a breach is elapsed open time beyond the target): a clock
projected as running is breached once ``now`` is past its ``overdue_from``, the first
open instant at or after its ``due_at``. Between ``due_at`` and ``overdue_from`` (its
calendar is closed) it is still running, due with 0 left. The service applies the
same rule to the rows it reads (:func:`slaclock.service.queue.read_state`); the queue
and the summary filter and count with these expressions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from slaclock.store.models import InstanceRow

#: The states an open clock can have as of now.
OPEN_STATES = ("running", "paused", "breached")


def past_target(now: datetime) -> ColumnElement[bool]:
    """Projected as running, but ``now`` is past its ``overdue_from``: breached."""
    i = InstanceRow
    return and_(i.state == "running", i.overdue_from < now)


def still_running(now: datetime) -> ColumnElement[bool]:
    """Projected as running and not past its target at ``now``."""
    i = InstanceRow
    return and_(i.state == "running", or_(i.overdue_from.is_(None), i.overdue_from >= now))


def state_is(state: str, now: datetime) -> ColumnElement[bool]:
    """An open clock's state as of ``now`` is ``state``; ValueError for another name."""
    i = InstanceRow
    if state == "breached":
        return or_(i.state == "breached", past_target(now))
    if state == "running":
        return still_running(now)
    if state == "paused":
        return i.state == "paused"
    raise ValueError(f"unknown queue state {state!r}; expected one of {', '.join(OPEN_STATES)}")
