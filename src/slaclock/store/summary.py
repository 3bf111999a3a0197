"""The summary's counts: clocks by state as of now, per group, in two queries.

Each query reads only what it counts: the open clocks (through
``ix_instances_summary``, which covers every column this reads, so no wide row is
visited), and the clocks that stopped today (through ``stopped_at``) — never the
whole history. The states as of now follow the read-time breach rule
(:mod:`slaclock.store.clock_state`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, case, false, func, or_, select, true

from slaclock.store.clock_state import past_target, still_running
from slaclock.store.models import InstanceRow

#: The counts, in the order the summary reports them.
COUNTS = ("running", "paused", "at_risk", "breached", "breached_today", "met_today")


class SummaryCounts:
    """The counts, inside one (read) transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def counts(
        self, now: datetime, day_start: datetime, risk_until: datetime
    ) -> dict[str, dict[str, int]]:
        """Per group (``""`` for none), each of :data:`COUNTS` as of ``now``.

        ``at_risk``: running and due by ``risk_until``; ``breached_today`` and
        ``met_today``: breached or met between ``day_start`` and ``now``. A running clock
        past its target counts as breached, and as breached today if its ``due_at`` (its
        ``breached_at``) fell today.
        """
        i = InstanceRow
        past_due = past_target(now)
        running = still_running(now)
        breached_today = and_(
            i.state == "breached", i.breached_at >= day_start, i.breached_at <= now
        )
        open_counts = {
            "running": running,
            "paused": i.state == "paused",
            "at_risk": and_(running, i.due_at <= risk_until),
            "breached": or_(past_due, i.state == "breached"),
            "breached_today": or_(and_(past_due, i.due_at >= day_start), breached_today),
        }
        stopped_counts = {"met_today": i.state == "met", "breached_today": breached_today}
        stopped_today = and_(i.open == false(), i.stopped_at >= day_start, i.stopped_at <= now)
        groups: dict[str, dict[str, int]] = {}
        self._count(i.open == true(), open_counts, groups)
        self._count(stopped_today, stopped_counts, groups)
        return groups

    def _count(
        self,
        where: ColumnElement[bool],
        conditions: Mapping[str, ColumnElement[bool]],
        groups: dict[str, dict[str, int]],
    ) -> None:
        """Add, per group, how many rows matching ``where`` meet each condition."""
        i = InstanceRow
        columns = [func.sum(case((c, 1), else_=0)).label(name) for name, c in conditions.items()]
        rows = self._conn.execute(select(i.group_id, *columns).where(where).group_by(i.group_id))
        for row in rows:
            counts = groups.setdefault(row.group_id or "", dict.fromkeys(COUNTS, 0))
            for name in conditions:
                counts[name] += int(getattr(row, name) or 0)
