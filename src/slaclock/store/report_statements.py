"""Contract statements (reports.md, "Contracts and service credits"): the SLA instances
a contract counts, and the tickets its conditions are evaluated on.

A contract's ``customers`` and ``exclude`` are conditions on ticket fields, evaluated
in Python by the service (``core.conditions``), so the ticket fields are read once per
ticket, apart from the figures; the queries stay few whatever the number of customers:

- :meth:`Statements.tickets`: the customers' tickets with their current fields, to tell
  which customers a contract applies to (also in a period where nothing of theirs was
  judged) and which tickets it counts;
- :meth:`Statements.judged`: every SLA instance of a contract's metrics judged in the
  period, one row each (the statement's counts per metric and its breaches);
- :meth:`Statements.counts`: met and breached per earlier period, customer and ticket,
  counted in the database (the chart of attainment over the last periods);
- :meth:`Statements.fields`: the fields of the few tickets an instance names that the
  first query did not hold (a ticket moved to another customer since it was judged).

The verdict and judgement instant are the compliance report's
(:func:`~slaclock.store.reports.verdict_and_instant`); cancelled instances never count.
The customer of an instance is the ticket's ``customer.id`` at its judgement instant
(``dim_customer``); the fields the conditions read are the ticket's current ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Result, case, func, literal, select

from slaclock.store.models import InstanceRow, TicketRow
from slaclock.store.reports import judged_in, verdict_and_instant
from slaclock.store.sql import chunks

__all__ = ["StatementQuery", "Statements"]


@dataclass(frozen=True)
class StatementQuery:
    """The SLA instances of ``metrics`` judged in ``[start, end)``, verdicts as of
    ``as_of``, of the ``customers`` named (None: of every customer)."""

    start: datetime
    end: datetime
    as_of: datetime
    metrics: tuple[str, ...]
    customers: tuple[str, ...] | None = None


def _judged_in(query: StatementQuery) -> tuple[Any, Any, list[Any]]:
    """The verdict, the judgement instant and the conditions of the query's instances."""
    i = InstanceRow
    verdict, judged_at = verdict_and_instant(query.as_of)
    where = [
        i.kind == "sla",
        i.state != "cancelled",
        i.started_at <= query.as_of,
        i.metric.in_(query.metrics),
        i.dim_customer.is_not(None),
        *judged_in(judged_at, query.start, query.end),
    ]
    if query.customers is not None:
        where.append(i.dim_customer.in_(query.customers))
    return verdict, judged_at, where


def _dicts(result: Result[Any]) -> list[dict[str, Any]]:
    """The rows as dicts (the keys made once, not per row)."""
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


class Statements:
    """Contract-statement queries, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def judged(self, query: StatementQuery) -> list[dict[str, Any]]:
        """One row per instance: ``ticket``, ``customer``, ``metric``, ``cycle``,
        ``verdict`` (met or breached), ``judged_at``, ``due_at``, ``stopped_at``,
        ``state``, ``elapsed_seconds``, ``target_seconds``, ``calendar`` and
        ``projected_at`` (the ticket's last projection); by customer, judgement
        instant, ticket, metric and cycle."""
        i, t = InstanceRow, TicketRow
        verdict, judged_at, where = _judged_in(query)
        stmt = (
            select(
                i.ticket_id.label("ticket"), i.dim_customer.label("customer"), i.metric,
                i.cycle, verdict.label("verdict"), judged_at.label("judged_at"), i.due_at,
                i.stopped_at, i.state, i.elapsed_seconds, i.target_seconds, i.calendar,
                t.projected_at,
            )
            .join(t, t.id == i.ticket_id)
            .where(*where)
            .order_by(i.dim_customer, judged_at, i.ticket_id, i.metric, i.cycle)
        )  # fmt: skip
        return _dicts(self._conn.execute(stmt))

    def counts(self, bounds: Sequence[datetime], query: StatementQuery) -> list[dict[str, Any]]:
        """Met and breached instances per period, customer and ticket, for the periods
        ``[bounds[k], bounds[k + 1])`` (``query.start`` and ``end`` are ignored):
        ``period`` (k), ``customer``, ``ticket``, ``met`` and ``breached``. One query,
        grouped in the database."""
        if len(bounds) < 2:
            return []
        i = InstanceRow
        spanned = StatementQuery(bounds[0], bounds[-1], query.as_of, query.metrics,
                                 query.customers)  # fmt: skip
        verdict, judged_at, where = _judged_in(spanned)
        period = case(
            *((judged_at < edge, literal(k)) for k, edge in enumerate(bounds[1:-1])),
            else_=literal(len(bounds) - 2),
        ).label("period")
        grouped = (
            select(
                period,
                i.dim_customer.label("customer"),
                i.ticket_id.label("ticket"),
                func.sum(case((verdict == "met", 1), else_=0)).label("met"),
                func.sum(case((verdict == "breached", 1), else_=0)).label("breached"),
            )
            .where(*where)
            .group_by(period, i.dim_customer, i.ticket_id)
            .order_by(i.dim_customer, period, i.ticket_id)
        )
        return [
            {"period": int(k), "customer": customer, "ticket": ticket, "met": int(met),
             "breached": int(breached)}
            for k, customer, ticket, met, breached in self._conn.execute(grouped)
        ]  # fmt: skip

    def tickets(self, customers: tuple[str, ...] | None, before: datetime) -> list[dict[str, Any]]:
        """The tickets created before ``before`` of the ``customers`` named (None: of
        every customer): ``customer`` (the current ``customer.id``), ``ticket``,
        ``created_at``, ``deleted`` and the current ``fields``; by customer and ticket."""
        t = TicketRow
        stmt = select(
            t.customer_id.label("customer"), t.id.label("ticket"), t.created_at, t.deleted,
            t.fields,
        ).where(t.customer_id.is_not(None), t.created_at < before)  # fmt: skip
        if customers is not None:
            stmt = stmt.where(t.customer_id.in_(customers))
        stmt = stmt.order_by(t.customer_id, t.id)
        return _dicts(self._conn.execute(stmt))

    def fields(self, tickets: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """The current fields of the ``tickets`` named, by id."""
        t = TicketRow
        found: dict[str, dict[str, Any] | None] = {}
        for part in chunks(sorted(set(tickets))):
            found.update(self._conn.execute(select(t.id, t.fields).where(t.id.in_(part))).all())
        return found
