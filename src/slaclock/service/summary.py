"""The summary on top of the dashboard: counts of clocks by state, overall and per group.

"Today" is the UTC day of ``now``. As in the queue, a running clock past its
``due_at`` counts as breached (and breached today if its due_at fell today).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from slaclock.service.formats import iso_z
from slaclock.store.models import InstanceRow

COUNTS = ("running", "paused", "at_risk", "breached", "breached_today", "met_today")


def summary(conn: Connection, now: datetime, at_risk_within_seconds: int) -> dict[str, Any]:
    i = InstanceRow
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    risk_until = now + timedelta(seconds=at_risk_within_seconds)
    past_due = and_(i.open.is_(True), i.state == "running", i.due_at < now)
    running = and_(i.open.is_(True), i.state == "running", or_(i.due_at.is_(None), i.due_at >= now))
    conditions = {
        "running": running,
        "paused": and_(i.open.is_(True), i.state == "paused"),
        "at_risk": and_(running, i.due_at <= risk_until),
        "breached": or_(past_due, and_(i.open.is_(True), i.state == "breached")),
        "breached_today": or_(
            and_(past_due, i.due_at >= day_start),
            and_(i.state == "breached", i.breached_at >= day_start, i.breached_at <= now),
        ),
        "met_today": and_(i.state == "met", i.stopped_at >= day_start, i.stopped_at <= now),
    }
    columns = [func.sum(case((cond, 1), else_=0)).label(name) for name, cond in conditions.items()]
    relevant = or_(i.open.is_(True), i.stopped_at >= day_start, i.breached_at >= day_start)
    rows = conn.execute(select(i.group_id, *columns).where(relevant).group_by(i.group_id)).all()
    totals = dict.fromkeys(COUNTS, 0)
    groups: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = {name: int(getattr(row, name) or 0) for name in COUNTS}
        groups[row.group_id or ""] = counts
        for name in COUNTS:
            totals[name] += counts[name]
    return {
        "now": iso_z(now),
        "at_risk_within_seconds": at_risk_within_seconds,
        "totals": totals,
        "groups": dict(sorted(groups.items())),
    }
