"""The SLA log (reports.md, "SLA log"): every instance judged in a range, or open and
started in it, with every column of the spec — a page at a time for the API and the
dashboard, streamed whole for exports.

A stored row is as of its ticket's last projection. For a clock still running, the
log brings ``elapsed_seconds`` and ``remaining_seconds`` up to ``as_of`` with the
clock's calendar (the open time since that projection), so an open row says how much
time is left now, negative once overdue. A clock already breached at its last
projection keeps the times of that projection (its row does not say whether it has
been paused since).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slaclock.core.calendar import Calendar
from slaclock.service.cursors import decode_cursor, encode_cursor
from slaclock.service.exports import Column
from slaclock.service.formats import iso_z
from slaclock.service.reports import ReportError, check_groupings
from slaclock.store.database import Tx
from slaclock.store.report_log import LOG_SORTS, LogQuery

__all__ = ["LOG_COLUMNS", "LOG_SORTS", "LogPage", "LogParams", "log_page", "log_rows"]

MAX_LIMIT = 500
VERDICTS = ("met", "breached", "open")

#: The log's columns, in the spec's order, with their kinds for the exporters.
LOG_COLUMNS: tuple[Column, ...] = (
    Column("requester", "text"), Column("ticket", "text"), Column("subject", "text"),
    Column("group", "text"), Column("assignee", "text"), Column("customer", "text"),
    Column("plan", "text"), Column("priority", "text"), Column("channel", "text"),
    Column("type", "text"), Column("policy", "text"), Column("policy_version", "int"),
    Column("kind", "text"), Column("metric", "text"), Column("cycle", "int"),
    Column("calendar", "text"), Column("started_at", "instant"), Column("due_at", "instant"),
    Column("stopped_at", "instant"), Column("state", "text"), Column("judged", "text"),
    Column("judged_at", "instant"), Column("target_seconds", "seconds"),
    Column("elapsed_seconds", "seconds"), Column("paused_seconds", "seconds"),
    Column("remaining_seconds", "seconds"), Column("goal_seconds", "seconds"),
    Column("goal_breached", "bool"),
)  # fmt: skip
_NAMES = tuple(column.name for column in LOG_COLUMNS)


@dataclass(frozen=True)
class LogParams:
    """The log's range and verdicts as of ``as_of``, its filters (groupings, a ticket,
    verdicts) and its order (:data:`LOG_SORTS`, ascending unless ``descending``)."""

    start: datetime
    end: datetime
    as_of: datetime
    filters: Mapping[str, str] = field(default_factory=dict)
    ticket: str | None = None
    judged: tuple[str, ...] = ()
    sort: str = "judged"
    descending: bool = False

    def query(self) -> LogQuery:
        """The store's query; ReportError naming the first bad parameter."""
        if self.end <= self.start:
            raise ReportError(f"to: {self.end.isoformat()} is not after from")
        check_groupings(self.filters, "unknown filter")
        for verdict in self.judged:
            if verdict not in VERDICTS:
                raise ReportError(f"judged: {verdict!r}; expected any of {', '.join(VERDICTS)}")
        if self.sort not in LOG_SORTS:
            raise ReportError(f"sort: {self.sort!r}; expected one of {', '.join(LOG_SORTS)}")
        return LogQuery(
            start=self.start, end=self.end, as_of=self.as_of, filters=dict(self.filters),
            ticket=self.ticket, judged=self.judged, sort=self.sort,
            descending=self.descending,
        )  # fmt: skip


@dataclass(frozen=True)
class LogPage:
    rows: tuple[dict[str, Any], ...]
    next_cursor: str | None

    def to_json(self) -> dict[str, Any]:
        rows = [
            {k: iso_z(v) if isinstance(v, datetime) else v for k, v in row.items()}
            for row in self.rows
        ]
        return {"rows": rows, "next_cursor": self.next_cursor}


def log_page(
    tx: Tx,
    params: LogParams,
    calendars: Mapping[str, Calendar],
    cursor: str | None,
    limit: int,
) -> LogPage:
    """One page of the log; ValueError (ReportError) for a bad cursor or parameter."""
    query = params.query()
    after = decode_cursor(cursor, 2, "log") if cursor else None
    found, more = tx.reports.log_page(query, after, max(1, min(limit, MAX_LIMIT)))  # type: ignore[arg-type]
    rows = tuple(_as_of(row, params.as_of, calendars) for row in found)
    last = found[-1] if more and found else None
    return LogPage(rows, None if last is None else encode_cursor(last["sort_key"], last["pk"]))


def log_rows(
    tx: Tx, params: LogParams, calendars: Mapping[str, Calendar]
) -> Iterator[dict[str, Any]]:
    """Every row of the log, in order, streamed (for exports)."""
    query = params.query()
    as_of = params.as_of
    for row in tx.reports.log_rows(query):
        yield _as_of(row, as_of, calendars)


def _as_of(
    row: Mapping[str, Any], as_of: datetime, calendars: Mapping[str, Calendar]
) -> dict[str, Any]:
    """The spec's columns of a stored row, a running clock's times brought to ``as_of``."""
    out = {name: row[name] for name in _NAMES}
    # "breached" does not say whether the clock is paused: only a running one is moved on
    running = row["stopped_at"] is None and row["state"] == "running"
    since = row["projected_at"]
    calendar = calendars.get(row["calendar"] or "")
    if running and since is not None and calendar is not None and since < as_of:
        more = _open_seconds(calendar, since, as_of)
        out["elapsed_seconds"] = row["elapsed_seconds"] + more
        if row["remaining_seconds"] is not None:
            out["remaining_seconds"] = row["remaining_seconds"] - more
    return out


def _open_seconds(calendar: Calendar, a: datetime, b: datetime) -> float:
    return round(calendar.elapsed(a, b))
