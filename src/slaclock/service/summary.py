"""The summary on top of the dashboard: counts of clocks by state, overall and per group.

"Today" is the UTC day of ``now``. As in the queue, a running clock whose calendar
has run past its ``due_at`` counts as breached (and breached today if its due_at, its
``breached_at``, fell today); one due in the closed hours before that is still running.
Two queries, each reading only what it counts: the open clocks (through the
``open`` index), and the clocks that stopped today (through ``stopped_at``) — never
the whole history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, false, func, or_, select, true

from slaclock.service.formats import iso_z
from slaclock.service.queue import past_target, still_running
from slaclock.store.models import InstanceRow

COUNTS = ("running", "paused", "at_risk", "breached", "breached_today", "met_today")


def summary(conn: Connection, now: datetime, at_risk_within_seconds: int) -> dict[str, Any]:
    i = InstanceRow
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    risk_until = now + timedelta(seconds=at_risk_within_seconds)
    past_due = past_target(now)
    running = still_running(now)
    open_counts = {
        "running": running,
        "paused": i.state == "paused",
        "at_risk": and_(running, i.due_at <= risk_until),
        "breached": or_(past_due, i.state == "breached"),
        "breached_today": or_(
            and_(past_due, i.due_at >= day_start),
            and_(i.state == "breached", i.breached_at >= day_start, i.breached_at <= now),
        ),
    }
    stopped_counts = {
        "met_today": i.state == "met",
        "breached_today": and_(
            i.state == "breached", i.breached_at >= day_start, i.breached_at <= now
        ),
    }
    stopped_today = and_(i.open == false(), i.stopped_at >= day_start, i.stopped_at <= now)
    groups: dict[str, dict[str, int]] = {}
    _count(conn, i.open == true(), open_counts, groups)
    _count(conn, stopped_today, stopped_counts, groups)
    totals = {name: sum(g[name] for g in groups.values()) for name in COUNTS}
    return {
        "now": iso_z(now),
        "at_risk_within_seconds": at_risk_within_seconds,
        "totals": totals,
        "groups": dict(sorted(groups.items())),
    }


def _count(
    conn: Connection,
    where: ColumnElement[bool],
    conditions: Mapping[str, ColumnElement[bool]],
    groups: dict[str, dict[str, int]],
) -> None:
    """Add, per group, how many rows matching ``where`` meet each condition."""
    i = InstanceRow
    columns = [func.sum(case((c, 1), else_=0)).label(name) for name, c in conditions.items()]
    rows = conn.execute(select(i.group_id, *columns).where(where).group_by(i.group_id))
    for row in rows:
        counts = groups.setdefault(row.group_id or "", dict.fromkeys(COUNTS, 0))
        for name in conditions:
            counts[name] += int(getattr(row, name) or 0)
