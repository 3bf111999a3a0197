"""The summary on top of the dashboard: counts of clocks by state, overall and per group.

"Today" is the UTC day of ``now``; "at risk" is running and due within the window. As
in the queue, a running clock whose calendar has run past its ``due_at`` counts as
breached (and breached today if its due_at, its ``breached_at``, fell today); one due
in the closed hours before that is still running. The store counts
(:mod:`slaclock.store.summary`); the totals are the sums over the groups.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slaclock.service.views import Counts, Summary
from slaclock.store.database import Tx
from slaclock.store.summary import COUNTS


def summary(tx: Tx, now: datetime, at_risk_within_seconds: int) -> Summary:
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    risk_until = now + timedelta(seconds=at_risk_within_seconds)
    groups = tx.summary.counts(now, day_start, risk_until)
    totals = {name: sum(g[name] for g in groups.values()) for name in COUNTS}
    return Summary(
        now=now,
        at_risk_within_seconds=at_risk_within_seconds,
        totals=Counts(**totals),
        groups={group: Counts(**counts) for group, counts in sorted(groups.items())},
    )
