"""Report queries over the instances, computed in the database (reports.md).

One builder serves SQLite and PostgreSQL: the few expressions that differ (epoch
seconds of an instant, a local month's first day) come from :func:`epoch_seconds` and
:func:`month_start`; everything else is portable SQL with window functions.

Each instance gets a **verdict** as of ``as_of`` and a **judgement instant**
(reports.md, "Which instances a period holds"): ``met`` or ``breached`` at
``stopped_at`` once stopped; ``breached`` at ``due_at`` while still running past its
target (the stored state says so, or ``overdue_from`` has come by ``as_of``); else
``open``. Cancelled instances are never counted. A stored row is as of its ticket's
last projection, so a clock that stopped after ``as_of`` counts as it stood then only
as far as its stored times tell (a met clock stopped later is open at ``as_of``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Float,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
)

from slaclock.store.models import InstanceRow

if TYPE_CHECKING:
    from slaclock.store.report_log import LogQuery

__all__ = [
    "BUCKETS",
    "GROUPINGS",
    "ComplianceQuery",
    "LocalClock",
    "Reports",
    "compliance_rows",
    "epoch_seconds",
    "local_epoch",
    "verdict_and_instant",
]

#: What a report may group by, and the column holding it. Ticket fields are those at
#: the judgement instant (``dim_*``, service/judged_fields.py).
GROUPINGS: Mapping[str, Any] = {
    "policy": InstanceRow.policy,
    "metric": InstanceRow.metric,
    "kind": InstanceRow.kind,
    "calendar": InstanceRow.calendar,
    "group": InstanceRow.dim_group,
    "assignee": InstanceRow.dim_assignee,
    "customer": InstanceRow.dim_customer,
    "plan": InstanceRow.dim_plan,
    "priority": InstanceRow.dim_priority,
    "channel": InstanceRow.dim_channel,
    "type": InstanceRow.dim_type,
}
BUCKETS = ("hour", "day", "week", "month")
_DAY = 86_400


@dataclass(frozen=True)
class LocalClock:
    """A time zone's offset from UTC over the report's span, as steps: from each
    ``(utc_epoch, offset_seconds)`` on, until the next. Computed by the caller with
    zoneinfo; here it becomes a short ``CASE`` (a couple of DST changes a year)."""

    steps: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ComplianceQuery:
    """One compliance report: the range ``[start, end)``, the verdicts as of
    ``as_of``, the groupings (names of :data:`GROUPINGS`), an optional time bucket in
    ``clock``'s zone, ``date`` ``judged`` (by judgement instant) or ``started`` (a
    cohort by ``started_at``), and equality filters on groupings."""

    start: datetime
    end: datetime
    as_of: datetime
    by: tuple[str, ...] = ()
    bucket: str | None = None
    clock: LocalClock = LocalClock(((0, 0),))
    date: Literal["judged", "started"] = "judged"
    filters: Mapping[str, str] = field(default_factory=dict)


def epoch_seconds(conn: Connection, column: Any) -> ColumnElement[Any]:
    """Whole seconds since 1970 of a stored instant."""
    if conn.dialect.name == "postgresql":
        return cast(func.floor(func.date_part("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), BigInteger)


def month_start(conn: Connection, local_epoch: Any) -> ColumnElement[Any]:
    """The local month's first day (``YYYY-MM-01``) of local epoch seconds."""
    if conn.dialect.name == "postgresql":
        stamp = func.timezone("UTC", func.to_timestamp(local_epoch))
        return func.to_char(stamp, "YYYY-MM-01")
    return func.strftime("%Y-%m-01", local_epoch, "unixepoch")


def verdict_and_instant(as_of: datetime) -> tuple[Any, Any]:
    """The instance's verdict as of ``as_of`` and its judgement instant (SQL)."""
    i = InstanceRow
    stopped = and_(i.stopped_at.is_not(None), i.stopped_at <= as_of)
    met = and_(i.state == "met", stopped)
    breached_stopped = and_(i.state == "breached", stopped)
    overdue = or_(
        and_(i.state == "breached", i.due_at <= as_of),  # still running, or stopped later
        and_(i.state == "running", i.overdue_from.is_not(None), i.overdue_from <= as_of),
    )
    verdict = case(
        (met, literal("met")),
        (breached_stopped, literal("breached")),
        (overdue, literal("breached")),
        else_=literal("open"),
    )
    instant = case((met, i.stopped_at), (breached_stopped, i.stopped_at), (overdue, i.due_at))
    return verdict, instant


def stopped_or_due_in(start: datetime, end: datetime) -> Any:
    """The instance stopped or fell due in ``[start, end)``: implied by being judged in
    it (the judgement instant is one of the two), and what lets the indexes on
    ``stopped_at`` and ``due_at`` narrow the scan, which the ``CASE`` of the instant
    cannot."""
    i = InstanceRow
    return or_(
        and_(i.stopped_at >= start, i.stopped_at < end),
        and_(i.due_at >= start, i.due_at < end),
    )


def judged_in(judged_at: Any, start: datetime, end: datetime) -> list[Any]:
    """The conditions of "judged in ``[start, end)``" (``judged_at`` from
    :func:`verdict_and_instant`), with the index-friendly one it implies."""
    return [judged_at >= start, judged_at < end, stopped_or_due_in(start, end)]


def judged_or_started_in(judged_at: Any, start: datetime, end: datetime) -> Any:
    """Judged in ``[start, end)``, or still open and started in it (what the reports
    count), with the index-friendly condition it implies."""
    i = InstanceRow
    started_in = and_(i.started_at >= start, i.started_at < end)
    exact = or_(
        and_(judged_at.is_not(None), judged_at >= start, judged_at < end),
        and_(judged_at.is_(None), started_in),
    )
    return and_(exact, or_(stopped_or_due_in(start, end), started_in))


def local_epoch(conn: Connection, epoch: Any, clock: LocalClock) -> Any:
    """Local wall-clock seconds of ``epoch`` (UTC seconds) in the report's zone."""
    steps = clock.steps
    if len(steps) == 1:
        return epoch + steps[0][1]
    offset = case(
        *((epoch < later, offset) for (_, offset), (later, _) in pairwise(steps)),
        else_=steps[-1][1],
    )
    return epoch + offset


def _bucket(conn: Connection, kind: str, local: Any) -> Any:
    """The local start of the bucket holding ``local`` seconds: epoch seconds (hour,
    day, week from Monday) or ``YYYY-MM-01`` text (month)."""
    if kind == "hour":
        return (local // 3600) * 3600
    if kind == "day":
        return (local // _DAY) * _DAY
    if kind == "week":  # 1970-01-01 was a Thursday: Monday-based weeks start 3 days earlier
        return ((local // _DAY + 3) // 7 * 7 - 3) * _DAY
    if kind == "month":
        return month_start(conn, local)
    raise ValueError(f"unknown bucket {kind!r}; expected one of {', '.join(BUCKETS)}")


def compliance_rows(conn: Connection, query: ComplianceQuery) -> list[dict[str, Any]]:
    """One row per group: its key values (the groupings, then ``bucket``), the counts
    ``met``, ``breached``, ``open``, ``goal_met``, ``goal_breached``, and the elapsed
    statistics of met and breached instances (``*_elapsed_{avg,min,p50,p90,max}``,
    ``breached_overdue_avg``). Percentiles interpolate linearly between the two
    nearest ranks, as NumPy's default."""
    i = InstanceRow
    verdict, judged_at = verdict_and_instant(query.as_of)
    when = i.started_at if query.date == "started" else func.coalesce(judged_at, i.started_at)
    in_range = and_(when >= query.start, when < query.end)
    if query.date == "judged":
        in_range = judged_or_started_in(judged_at, query.start, query.end)
    keys = [GROUPINGS[name].label(name) for name in query.by]
    if query.bucket is not None:
        local = local_epoch(conn, epoch_seconds(conn, when), query.clock)
        keys.append(_bucket(conn, query.bucket, local).label("bucket"))
    names = [str(k.key) for k in keys]
    goal = case(
        (i.goal_seconds.is_(None), null()),
        (and_(verdict == "breached", i.stopped_at.is_(None)), literal(True)),
        else_=i.goal_breached,
    )
    elapsed = cast(i.elapsed_seconds, Float)
    base = (
        select(
            *keys,
            verdict.label("verdict"),
            goal.label("goal_missed"),
            elapsed.label("elapsed"),
            (elapsed - cast(i.target_seconds, Float)).label("overdue"),
        )
        .where(i.state != "cancelled", i.started_at <= query.as_of, in_range)
        .where(*(GROUPINGS[name] == value for name, value in query.filters.items()))
    ).subquery("judged")
    partition = [base.c[n] for n in names] + [base.c.verdict]
    ranked = select(
        base,
        func.row_number().over(partition_by=partition, order_by=base.c.elapsed).label("rn"),
        func.count().over(partition_by=partition).label("n"),
    ).subquery("ranked")
    r = ranked.c
    columns: list[Any] = [r[n] for n in names]
    columns += [_count(r.verdict == v).label(v) for v in ("met", "breached", "open")]
    judged = r.verdict != "open"
    columns += [
        _count(and_(judged, r.goal_missed.is_(False))).label("goal_met"),
        _count(and_(judged, r.goal_missed.is_(True))).label("goal_breached"),
    ]
    for v in ("met", "breached"):
        mine = r.verdict == v
        columns += [
            func.avg(case((mine, r.elapsed))).label(f"{v}_elapsed_avg"),
            func.min(case((mine, r.elapsed))).label(f"{v}_elapsed_min"),
            _percentile(r, mine, 5).label(f"{v}_elapsed_p50"),
            _percentile(r, mine, 9).label(f"{v}_elapsed_p90"),
            func.max(case((mine, r.elapsed))).label(f"{v}_elapsed_max"),
        ]
    columns.append(
        func.avg(case((r.verdict == "breached", r.overdue))).label("breached_overdue_avg")
    )
    grouped = select(*columns).group_by(*(r[n] for n in names)).order_by(*(r[n] for n in names))
    return [dict(row._mapping) for row in conn.execute(grouped)]


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _percentile(r: Any, mine: Any, tenths: int) -> Any:
    """The ``tenths``/10 quantile of ``elapsed`` over the rows where ``mine`` holds: the
    value at 0-based rank ``(n-1)·tenths/10``, interpolated between the ranks either
    side (integer arithmetic, so both databases floor alike)."""
    scaled = (r.n - 1) * tenths  # the rank times ten
    low = scaled // 10  # the rank below
    fraction = cast(scaled - low * 10, Float) / 10
    weight = case(
        (r.rn - 1 == low, 1 - fraction),
        (r.rn - 1 == low + 1, fraction),
        else_=0,
    )
    total = func.sum(case((mine, r.elapsed * weight)))
    return case((func.sum(case((mine, 1), else_=0)) > 0, total), else_=null())


class Reports:
    """Report queries, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def compliance(self, query: ComplianceQuery) -> list[dict[str, Any]]:
        return compliance_rows(self._conn, query)

    def log_page(
        self, query: LogQuery, after: tuple[int, int] | None, limit: int
    ) -> tuple[list[dict[str, Any]], bool]:
        from slaclock.store.report_log import log_page

        return log_page(self._conn, query, after, limit)

    def log_rows(self, query: LogQuery) -> Iterator[dict[str, Any]]:
        from slaclock.store.report_log import log_rows

        return log_rows(self._conn, query)
