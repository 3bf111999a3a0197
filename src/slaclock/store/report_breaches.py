"""Breach-analysis queries over the instances, computed in the database (reports.md,
"Breach analysis").

The same builder serves SQLite and PostgreSQL, on the helpers of ``store/reports.py``:
each instance's verdict and judgement instant as of ``as_of``
(:func:`~slaclock.store.reports.verdict_and_instant`), epoch seconds and local
wall-clock seconds (:func:`~slaclock.store.reports.epoch_seconds`,
:func:`~slaclock.store.reports.local_epoch`). A query covers the instances **judged**
in ``[start, end)`` (reports.md, "Which instances a period holds"), except the pause
queries, which also hold the open instances started in the range (a clock parked in
``pending`` is usually still open). Cancelled instances never count. Ticket fields
(assignee, group, customer, …) are those at the judgement instant (``dim_*``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Float, and_, case, cast, distinct, func, null, or_, select

from slaclock.store.models import InstanceRow, TicketRow
from slaclock.store.reports import (
    GROUPINGS,
    LocalClock,
    epoch_seconds,
    judged_in,
    judged_or_started_in,
    local_epoch,
    verdict_and_instant,
)

__all__ = ["BreachQuery", "Breaches", "HeatmapBy"]

#: What the heatmap places an instance by: its ``due_at``, or its ticket's creation.
HeatmapBy = Literal["due", "created"]
_DAY = 86_400


@dataclass(frozen=True)
class BreachQuery:
    """The instances judged in ``[start, end)`` with their verdicts as of ``as_of``,
    narrowed by equality ``filters`` on :data:`~slaclock.store.reports.GROUPINGS`."""

    start: datetime
    end: datetime
    as_of: datetime
    filters: Mapping[str, str] = field(default_factory=dict)


def _judged_in(query: BreachQuery) -> tuple[Any, Any, list[Any]]:
    """The verdict, the judgement instant and the conditions of "judged in the range"."""
    i = InstanceRow
    verdict, judged_at = verdict_and_instant(query.as_of)
    where = [
        i.state != "cancelled",
        i.started_at <= query.as_of,
        *judged_in(judged_at, query.start, query.end),
        *(GROUPINGS[name] == value for name, value in query.filters.items()),
    ]
    return verdict, judged_at, where


def _held(query: BreachQuery) -> tuple[Any, Any, list[Any]]:
    """As :func:`_judged_in`, and also the open instances started in the range."""
    i = InstanceRow
    verdict, judged_at = verdict_and_instant(query.as_of)
    where = [
        i.state != "cancelled",
        i.started_at <= query.as_of,
        judged_or_started_in(judged_at, query.start, query.end),
        *(GROUPINGS[name] == value for name, value in query.filters.items()),
    ]
    return verdict, judged_at, where


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _paused_share() -> Any:
    """``paused / (elapsed + paused)``; null for an instance with no open time."""
    i = InstanceRow
    total = i.elapsed_seconds + i.paused_seconds
    return case((total > 0, cast(i.paused_seconds, Float) / cast(total, Float)), else_=null())


class Breaches:
    """Breach-analysis queries, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -------------------------------------------------------------------- heatmap

    def _placed_at(self, by: HeatmapBy) -> Any:
        return TicketRow.created_at if by == "created" else InstanceRow.due_at

    def _breached(self, query: BreachQuery, by: HeatmapBy, *columns: Any) -> Any:
        """``SELECT columns`` over the breached instances judged in the range that have
        the instant they are placed by."""
        verdict, _, where = _judged_in(query)
        stmt = select(*columns).where(*where, verdict == "breached")
        stmt = stmt.where(self._placed_at(by).is_not(None))
        if by == "created":
            stmt = stmt.join_from(InstanceRow, TicketRow, TicketRow.id == InstanceRow.ticket_id)
        return stmt

    def heatmap_span(self, query: BreachQuery, by: HeatmapBy) -> tuple[datetime, datetime] | None:
        """The earliest and latest instant the heatmap places a breach at (None: no
        breach), for the caller to know the time zone's offsets over them."""
        at = self._placed_at(by)
        row = self._conn.execute(self._breached(query, by, func.min(at), func.max(at))).one()
        return None if row[0] is None else (row[0], row[1])

    def heatmap(self, query: BreachQuery, by: HeatmapBy, clock: LocalClock) -> list[dict[str, Any]]:
        """Breached instances judged in the range, counted by the local ``weekday``
        (Monday 0) and ``hour`` of ``due_at`` (or of the ticket's ``created_at``) on
        ``clock``; only the cells that hold any."""
        conn = self._conn
        local = local_epoch(conn, epoch_seconds(conn, self._placed_at(by)), clock)
        # 1970-01-01, local day 0, was a Thursday (weekday 3)
        placed = self._breached(
            query, by, ((local // _DAY + 3) % 7).label("weekday"),
            ((local % _DAY) // 3600).label("hour"),
        ).subquery("placed")  # fmt: skip
        p = placed.c
        counted = (
            select(p.weekday, p.hour, func.count().label("breached"))
            .group_by(p.weekday, p.hour)
            .order_by(p.weekday, p.hour)
        )
        return [
            {"weekday": int(w), "hour": int(h), "breached": int(n)}
            for w, h, n in conn.execute(counted)
        ]

    # ----------------------------------------------------------------------- top

    def top(self, query: BreachQuery, dimension: str, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` values of a grouping (policy, group, customer, assignee, …)
        with the most breaches among the instances judged in the range: ``value``,
        ``breached`` and ``judged`` (met + breached); most breaches first, then most
        judged, then by value (null last). Values without a breach are not listed."""
        verdict, _, where = _judged_in(query)
        judged = (
            select(GROUPINGS[dimension].label("value"), verdict.label("verdict"))
            .where(*where)
            .subquery("judged")
        )
        j = judged.c
        breached = _count(j.verdict == "breached").label("breached")
        count = func.count().label("judged")
        ranked = (
            select(j.value, breached, count)
            .group_by(j.value)
            .having(_count(j.verdict == "breached") > 0)
            .order_by(breached.desc(), count.desc(), j.value.is_(None), j.value)
            .limit(limit)
        )
        return [
            {"value": value, "breached": int(b), "judged": int(n)}
            for value, b, n in self._conn.execute(ranked)
        ]

    # ---------------------------------------------------------------- attribution

    def _attribution_pairs(
        self, query: BreachQuery, supports: Mapping[str, Sequence[str]]
    ) -> tuple[Any, Any]:
        """The breached SLA instances judged in the range whose metric some OLA
        supports (``sla``), and their pairs with the breached OLA instances of the same
        ticket whose OLA supports that metric and whose breach instant (``due_at``,
        when its open time ran past the target) is at or before the SLA's judgement
        instant (``pairs``)."""
        i = InstanceRow
        olas_of: dict[str, set[str]] = {}
        for ola_id, metrics in supports.items():
            for metric in metrics:
                olas_of.setdefault(metric, set()).add(ola_id)
        verdict, judged_at, where = _judged_in(query)
        sla = (
            select(
                i.pk.label("pk"), i.ticket_id, i.policy, i.metric, i.cycle, i.dim_group,
                i.dim_customer, i.due_at, judged_at.label("judged_at"), i.elapsed_seconds,
                i.target_seconds,
            )
            .where(*where, i.kind == "sla", verdict == "breached")
            .where(i.metric.in_(sorted(olas_of)))
        ).subquery("sla")  # fmt: skip
        ola_verdict, _ = verdict_and_instant(query.as_of)
        ola = (
            select(
                i.ticket_id, i.policy, i.metric, i.cycle, i.elapsed_seconds, i.target_seconds,
                func.coalesce(i.breached_at, i.due_at).label("breached_at"),
            )
            .where(i.kind == "ola", i.started_at <= query.as_of, ola_verdict == "breached")
            .where(i.policy.in_(sorted(supports)))
        ).subquery("ola")  # fmt: skip
        s, o = sla.c, ola.c
        supported = or_(
            *(and_(s.metric == metric, o.policy.in_(sorted(ids))) for metric, ids in
              sorted(olas_of.items()))
        )  # fmt: skip
        ratio = cast(o.elapsed_seconds, Float) / cast(s.elapsed_seconds, Float)
        share = case((s.elapsed_seconds > 0, ratio), else_=null())
        pairs = select(
            s.pk.label("sla_pk"), s.ticket_id.label("ticket"), s.policy.label("sla_policy"),
            s.metric.label("metric"), s.cycle.label("sla_cycle"), s.dim_group.label("group"),
            s.dim_customer.label("customer"), s.due_at.label("sla_due_at"),
            s.judged_at.label("sla_judged_at"), s.target_seconds.label("sla_target_seconds"),
            s.elapsed_seconds.label("sla_elapsed_seconds"), o.policy.label("ola"),
            o.metric.label("ola_metric"), o.cycle.label("ola_cycle"),
            o.breached_at.label("ola_breached_at"), o.target_seconds.label("ola_target_seconds"),
            o.elapsed_seconds.label("ola_elapsed_seconds"), share.label("share"),
        ).join_from(
            sla, ola, and_(o.ticket_id == s.ticket_id, supported, o.breached_at <= s.judged_at)
        )  # fmt: skip
        return sla, pairs

    def attribution(
        self, query: BreachQuery, supports: Mapping[str, Sequence[str]]
    ) -> list[dict[str, Any]]:
        """One row per (breached SLA instance, OLA instance that contributed to it);
        ``supports`` maps each OLA id to the SLA metrics it supports. ``share`` is the
        OLA instance's ``elapsed_seconds`` over the SLA's (each on its own calendar).
        Ordered by the SLA's judgement instant, ticket, metric, cycle, then OLA."""
        if not any(supports.values()):
            return []
        _, pairs = self._attribution_pairs(query, supports)
        p = pairs.subquery("pairs").c
        ordered = select(*(c for c in p if c.key != "sla_pk")).order_by(
            p.sla_judged_at, p.ticket, p.metric, p.sla_cycle, p.ola, p.ola_cycle
        )
        return [dict(row._mapping) for row in self._conn.execute(ordered)]

    def attribution_summary(
        self, query: BreachQuery, supports: Mapping[str, Sequence[str]]
    ) -> tuple[list[dict[str, Any]], int, int]:
        """Per OLA: ``sla_breaches`` (distinct SLA instances it contributed to),
        ``ola_instances`` (its breached instances counted in pairs) and ``share_total``
        (the sum of the pairs' shares); with the number of breached SLA instances of
        supported metrics judged in the range and how many of them any OLA
        contributed to."""
        if not any(supports.values()):
            return [], 0, 0
        sla, pairs = self._attribution_pairs(query, supports)
        p = pairs.subquery("pairs").c
        per_ola = (
            select(
                p.ola,
                func.count(distinct(p.sla_pk)).label("sla_breaches"),
                func.count().label("ola_instances"),
                func.coalesce(func.sum(p.share), 0.0).label("share_total"),
            )
            .group_by(p.ola)
            .order_by(p.ola)
        )
        rows = [dict(row._mapping) for row in self._conn.execute(per_ola)]
        total = self._conn.execute(select(func.count()).select_from(sla)).scalar_one()
        attributed = self._conn.execute(select(func.count(distinct(p.sla_pk)))).scalar_one()
        return rows, int(total), int(attributed)

    # --------------------------------------------------------------------- pauses

    def pauses_by_assignee(self, query: BreachQuery) -> list[dict[str, Any]]:
        """Per assignee at the judgement instant (for open instances: now), over the
        instances judged in the range or open and started in it: ``instances``,
        ``paused_instances`` (those with any paused time), ``paused_seconds`` and
        ``elapsed_seconds`` (sums). Most paused time first, then by assignee."""
        i = InstanceRow
        _, _, where = _held(query)
        held = (
            select(i.dim_assignee.label("value"), i.paused_seconds.label("paused"),
                   i.elapsed_seconds.label("elapsed"))
            .where(*where)
            .subquery("held")
        )  # fmt: skip
        h = held.c
        paused = func.coalesce(func.sum(h.paused), 0.0).label("paused_seconds")
        grouped = (
            select(
                h.value,
                func.count().label("instances"),
                _count(h.paused > 0).label("paused_instances"),
                paused,
                func.coalesce(func.sum(h.elapsed), 0.0).label("elapsed_seconds"),
            )
            .group_by(h.value)
            .order_by(paused.desc(), h.value.is_(None), h.value)
        )
        return [dict(row._mapping) for row in self._conn.execute(grouped)]

    def parked(
        self, query: BreachQuery, threshold: float, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """The instances (judged in the range, or open and started in it) whose share
        of open time spent paused, ``paused / (elapsed + paused)``, is above
        ``threshold``: the first ``limit`` by share, then paused time, and how many
        there are in all."""
        i = InstanceRow
        verdict, judged_at, where = _held(query)
        share = _paused_share()
        above = [*where, share > threshold]
        rows = self._conn.execute(
            select(
                i.ticket_id.label("ticket"), i.kind, i.policy, i.metric, i.cycle,
                i.dim_assignee.label("assignee"), i.dim_group.label("group"),
                verdict.label("verdict"), judged_at.label("judged_at"), i.started_at,
                i.elapsed_seconds, i.paused_seconds, share.label("paused_share"),
            )
            .where(*above)
            .order_by(share.desc(), i.paused_seconds.desc(), i.ticket_id, i.kind, i.metric,
                      i.cycle, i.policy)
            .limit(limit)
        )  # fmt: skip
        found = [dict(row._mapping) for row in rows]
        total = self._conn.execute(select(func.count()).select_from(InstanceRow).where(*above))
        return found, int(total.scalar_one())

    def paused_count(self, query: BreachQuery) -> int:
        """How many instances (judged in the range, or open and started in it) have
        any paused time."""
        _, _, where = _held(query)
        stmt = select(func.count()).select_from(InstanceRow).where(*where)
        return int(self._conn.execute(stmt.where(InstanceRow.paused_seconds > 0)).scalar_one())

    def paused_page(
        self, query: BreachQuery, after: int | None, limit: int
    ) -> list[dict[str, Any]]:
        """A page of the instances with paused time (judged in the range, or open and
        started in it), by ``pk`` after ``after``: what measuring their pauses needs —
        ticket, kind, policy, metric, calendar, ``started_at``, ``stopped_at``,
        ``paused_seconds``, and ``projected_at`` (the instant a row still running was
        measured at)."""
        i = InstanceRow
        _, _, where = _held(query)
        stmt = (
            select(
                i.pk, i.ticket_id.label("ticket"), i.kind, i.policy, i.metric, i.cycle,
                i.calendar, i.started_at, i.stopped_at, i.paused_seconds,
                TicketRow.projected_at,
            )
            .join_from(InstanceRow, TicketRow, TicketRow.id == i.ticket_id)
            .where(*where, i.paused_seconds > 0)
            .order_by(i.pk)
            .limit(limit)
        )  # fmt: skip
        if after is not None:
            stmt = stmt.where(i.pk > after)
        return [dict(row._mapping) for row in self._conn.execute(stmt)]
