"""The SLA log (reports.md, "SLA log"): one row per instance judged in a range, or
open and started in it, filtered and sorted, a keyset page at a time or streamed
whole for an export.

The verdict and judgement instant are those of the compliance report
(:func:`~slaclock.store.reports.verdict_and_instant`). Rows are sorted by one numeric
key — the judgement instant (or the start, for open ones), the due time, the start,
the elapsed seconds or the overrun — then by the row's pk, so a page continues after
the ``(key, pk)`` of the last row shown: a cursor, never an offset.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, cast, func, select, tuple_

from slaclock.store.models import InstanceRow, TicketRow
from slaclock.store.reports import (
    GROUPINGS,
    epoch_seconds,
    judged_or_started_in,
    verdict_and_instant,
)

__all__ = ["LOG_SORTS", "LogQuery", "log_page", "log_rows"]

#: The sort keys a log may be ordered by.
LOG_SORTS = ("judged", "due", "started", "elapsed", "overdue")
#: A due time that is not there sorts after every real one.
_NEVER = 1 << 62


@dataclass(frozen=True)
class LogQuery:
    """Which instances (``[start, end)`` judged, or open and started in it, as of
    ``as_of``), narrowed by grouping values, a ticket and verdicts, in which order."""

    start: datetime
    end: datetime
    as_of: datetime
    filters: Mapping[str, str] = field(default_factory=dict)
    ticket: str | None = None
    judged: tuple[str, ...] = ()  # met / breached / open: any when empty
    sort: str = "judged"
    descending: bool = False


def _sort_key(conn: Connection, sort: str, judged_at: Any) -> Any:
    i = InstanceRow
    if sort == "judged":
        return epoch_seconds(conn, func.coalesce(judged_at, i.started_at))
    if sort == "due":
        return func.coalesce(epoch_seconds(conn, i.due_at), _NEVER)
    if sort == "started":
        return epoch_seconds(conn, i.started_at)
    if sort == "elapsed":
        return cast(i.elapsed_seconds, BigInteger)
    if sort == "overdue":
        return cast(i.elapsed_seconds - func.coalesce(i.target_seconds, 0), BigInteger)
    raise ValueError(f"sort: {sort!r}; expected one of {', '.join(LOG_SORTS)}")


def _select(conn: Connection, query: LogQuery) -> Any:
    """The log's SELECT (unordered, unlimited), with ``sort_key`` and ``pk``."""
    i, t = InstanceRow, TicketRow
    verdict, judged_at = verdict_and_instant(query.as_of)
    requester = t.fields["requester"]
    in_range = judged_or_started_in(judged_at, query.start, query.end)
    stmt = (
        select(
            i.pk.label("pk"),
            _sort_key(conn, query.sort, judged_at).label("sort_key"),
            func.coalesce(
                requester["name"].as_string(),
                requester["email"].as_string(),
                requester["id"].as_string(),
            ).label("requester"),
            i.ticket_id.label("ticket"),
            i.subject.label("subject"),
            *(GROUPINGS[name].label(name) for name in _FIELDS),
            i.policy, i.policy_version, i.kind, i.metric, i.cycle, i.calendar,
            i.started_at, i.due_at, i.stopped_at, i.state,
            verdict.label("judged"), judged_at.label("judged_at"),
            i.target_seconds, i.elapsed_seconds, i.paused_seconds, i.remaining_seconds,
            i.goal_seconds, i.goal_breached, i.overdue_from,
            t.projected_at.label("projected_at"),
        )
        .join(t, t.id == i.ticket_id)
        .where(i.state != "cancelled", i.started_at <= query.as_of, in_range)
        .where(*(GROUPINGS[name] == value for name, value in query.filters.items()))
    )  # fmt: skip
    if query.ticket is not None:
        stmt = stmt.where(i.ticket_id == query.ticket)
    if query.judged:
        stmt = stmt.where(verdict.in_(query.judged))
    return stmt.subquery("log")


#: The ticket fields of a log row, as they were at the judgement instant.
_FIELDS = ("group", "assignee", "customer", "plan", "priority", "channel", "type")


def log_page(
    conn: Connection, query: LogQuery, after: tuple[int, int] | None, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """At most ``limit`` rows after the ``(sort_key, pk)`` ``after``, and whether more
    follow."""
    log = _select(conn, query)
    key = tuple_(log.c.sort_key, log.c.pk)
    stmt = select(log)
    if after is not None:
        stmt = stmt.where(key < tuple_(*after) if query.descending else key > tuple_(*after))
    order = (log.c.sort_key.desc(), log.c.pk.desc()) if query.descending else (
        log.c.sort_key, log.c.pk)  # fmt: skip
    found = [dict(row._mapping) for row in conn.execute(stmt.order_by(*order).limit(limit + 1))]
    return found[:limit], len(found) > limit


def log_rows(conn: Connection, query: LogQuery, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every row of the log in order, streamed from the database (a server-side cursor
    on PostgreSQL), for an export."""
    log = _select(conn, query)
    order = (log.c.sort_key.desc(), log.c.pk.desc()) if query.descending else (
        log.c.sort_key, log.c.pk)  # fmt: skip
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(
        select(log).order_by(*order)
    )
    for row in result:
        yield dict(row._mapping)
