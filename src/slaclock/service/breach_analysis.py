"""Breach analysis (reports.md, "Breach analysis"): the weekday × hour heatmap, breaches
over time, the top policies, groups, customers and agents by breaches, OLA attribution
and pause usage.

The database counts (``store/report_breaches.py``): each report here validates its
parameters (:class:`~slaclock.service.reports.ReportError` naming the parameter),
turns them into a query and the answer into rows with raw values — seconds as
numbers, ratios from 0 to 1, instants as aware UTC datetimes — under ``columns`` the
exporters read (``service/exports``).

**Pauses by status.** An instance stores only its total ``paused_seconds``, not when
each pause began and ended. The split by status is therefore measured here, in the
service, from the tickets' events: for each instance with paused time (read a page at
a time, at most ``status_limit`` of them), its ticket's status over time comes from
feeding the ticket's stored events to the engine (exactly as the projection saw them:
a customer message reopening a pending ticket, events held until creation), and the
time the ticket spent in each status that pauses the instance (its target's ``pause``,
else its metric's, in the current configuration) is measured on the instance's
calendar between ``started_at`` and ``stopped_at`` (or the instant the row was
projected). The stored ``paused_seconds`` stay the truth: when the measured time
exceeds them (a ``pause`` edited since) the statuses share them in proportion; what
the statuses do not explain (a pause by a ``when`` condition, a policy since removed)
is reported under the status ``None``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, get_args
from zoneinfo import ZoneInfo

from slaclock.core.engine import Engine
from slaclock.core.engine.engine import dedupe_sorted
from slaclock.core.engine.state import TicketState
from slaclock.core.events import Event
from slaclock.core.model import Config
from slaclock.service.exports import Column
from slaclock.service.reports import (
    ReportError,
    ReportParams,
    check_groupings,
    compliance_report,
)
from slaclock.service.reports import local_clock as zone_clock
from slaclock.store.database import Tx
from slaclock.store.report_breaches import BreachQuery, HeatmapBy

__all__ = [
    "TOP_DIMENSIONS",
    "WEEKDAYS",
    "BreachParams",
    "BreachTrend",
    "Heatmap",
    "OlaAttribution",
    "PauseReport",
    "ReportTable",
    "TopBreaches",
    "breach_heatmap",
    "breaches_over_time",
    "ola_attribution",
    "pause_report",
    "pausing_statuses",
    "status_timeline",
    "supports_of",
    "top_breaches",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The top lists of the issue: policies, groups, customers, agents (assignees).
TOP_DIMENSIONS = ("policy", "group", "customer", "assignee")
#: Instances whose pauses are measured per database page (their tickets' events read
#: together).
STATUS_PAGE = 500


@dataclass(frozen=True)
class BreachParams:
    """What every breach report covers: instances judged in ``[start, end)``, verdicts
    as of ``as_of``, local times in the IANA zone ``tz``, and equality ``filters`` on
    groupings (policy, metric, kind, group, assignee, customer, …)."""

    start: datetime
    end: datetime
    as_of: datetime
    tz: str = "UTC"
    filters: Mapping[str, str] = field(default_factory=dict)

    def check(self) -> ZoneInfo:
        """The zone, once the range, ``as_of``, the filters and ``tz`` are known good;
        ReportError naming the first that is not."""
        check_groupings(self.filters, "filters: unknown grouping")
        return self._compliance().check()

    def query(self) -> BreachQuery:
        return BreachQuery(self.start, self.end, self.as_of, dict(self.filters))

    def _compliance(self, bucket: str | None = None) -> ReportParams:
        return ReportParams(
            start=self.start, end=self.end, as_of=self.as_of, bucket=bucket, tz=self.tz,
            filters=dict(self.filters),
        )  # fmt: skip


@dataclass(frozen=True)
class ReportTable:
    """A table of a report: its columns and rows (raw values by column name)."""

    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]


def _columns(*spec: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(name, kind) for name, kind in spec)  # type: ignore[arg-type]


# ------------------------------------------------------------------------- heatmap

HEATMAP_COLUMNS = _columns(("weekday", "int"), ("day", "text"), ("hour", "int"),
                           ("breached", "int"))  # fmt: skip


@dataclass(frozen=True)
class Heatmap:
    """Breaches by local weekday (Monday 0) × hour: always 168 rows, weekday by
    weekday, hour by hour, each ``weekday``, ``day`` (``mon`` … ``sun``), ``hour``,
    ``breached``."""

    params: BreachParams
    by: HeatmapBy
    rows: tuple[dict[str, Any], ...]
    columns: tuple[Column, ...] = HEATMAP_COLUMNS

    @property
    def grid(self) -> tuple[tuple[int, ...], ...]:
        """``grid[weekday][hour]``: the counts as 7 rows of 24."""
        return tuple(
            tuple(int(row["breached"]) for row in self.rows[day * 24 : day * 24 + 24])
            for day in range(7)
        )

    @property
    def total(self) -> int:
        return sum(int(row["breached"]) for row in self.rows)


def breach_heatmap(tx: Tx, params: BreachParams, by: str = "due") -> Heatmap:
    """Breached instances judged in the range by the local weekday × hour of their
    ``due_at`` (``by="due"``) or of their ticket's creation (``by="created"``) in
    ``params.tz``: the database counts, every cell of the week is listed."""
    zone = params.check()
    if by not in get_args(HeatmapBy):
        raise ReportError(f"by: {by!r}; expected due or created")
    placed_by: HeatmapBy = "created" if by == "created" else "due"
    query = params.query()
    counts: dict[tuple[int, int], int] = {}
    span = tx.breaches.heatmap_span(query, placed_by)
    if span is not None:
        clock = zone_clock(zone, span[0], span[1] + timedelta(seconds=1))
        found = tx.breaches.heatmap(query, placed_by, clock)
        counts = {(row["weekday"], row["hour"]): row["breached"] for row in found}
    rows = tuple(
        {"weekday": day, "day": WEEKDAYS[day], "hour": hour, "breached": counts.get((day, hour), 0)}
        for day in range(7)
        for hour in range(24)
    )
    return Heatmap(params, placed_by, rows)


# ---------------------------------------------------------------- breaches over time

TREND_COLUMNS = _columns(
    ("bucket", "instant"), ("breached", "int"), ("met", "int"), ("judged", "int"),
    ("breach_share", "ratio"), ("breached_overdue_avg", "seconds"),
)  # fmt: skip


@dataclass(frozen=True)
class BreachTrend:
    """Breaches per time bucket: every bucket of the range, each ``bucket`` (its local
    start), ``breached``, ``met``, ``judged`` (both), ``breach_share`` (breached /
    judged; null when none was judged) and ``breached_overdue_avg``."""

    params: BreachParams
    bucket: str
    rows: tuple[dict[str, Any], ...]
    columns: tuple[Column, ...] = TREND_COLUMNS


def breaches_over_time(tx: Tx, params: BreachParams, bucket: str = "day") -> BreachTrend:
    """The compliance report (computed in the database) by ``bucket`` (hour, day,
    week, month) in ``params.tz``, read as breaches."""
    params.check()
    report = compliance_report(tx, params._compliance(bucket))
    rows = []
    for row in report.rows:
        judged = row["met"] + row["breached"]
        rows.append({
            "bucket": row["bucket"].astimezone(UTC), "breached": row["breached"],
            "met": row["met"], "judged": judged,
            "breach_share": row["breached"] / judged if judged else None,
            "breached_overdue_avg": row.get("breached_overdue_avg"),
        })  # fmt: skip
    return BreachTrend(params, bucket, tuple(rows))


# ------------------------------------------------------------------------ top lists

TOP_COLUMNS = _columns(
    ("dimension", "text"), ("rank", "int"), ("value", "text"), ("breached", "int"),
    ("judged", "int"), ("breach_share", "ratio"),
)  # fmt: skip


@dataclass(frozen=True)
class TopBreaches:
    """The values of each dimension with the most breaches, one table in long form:
    ``dimension``, ``rank`` (from 1), ``value`` (null: none, e.g. unassigned),
    ``breached``, ``judged`` (met + breached) and ``breach_share``."""

    params: BreachParams
    dimensions: tuple[str, ...]
    limit: int
    rows: tuple[dict[str, Any], ...]
    columns: tuple[Column, ...] = TOP_COLUMNS

    def of(self, dimension: str) -> list[dict[str, Any]]:
        """The rows of one dimension, by rank."""
        return [row for row in self.rows if row["dimension"] == dimension]


def top_breaches(
    tx: Tx, params: BreachParams, dimensions: Sequence[str] = TOP_DIMENSIONS, limit: int = 10
) -> TopBreaches:
    """For each of ``dimensions`` (groupings; by default policies, groups, customers
    and agents), the ``limit`` values with the most breached instances judged in the
    range; values without a breach are left out."""
    params.check()
    check_groupings(dimensions, "dimensions: unknown grouping")
    if len(set(dimensions)) != len(dimensions):
        raise ReportError(f"dimensions: a grouping is named twice in {','.join(dimensions)}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ReportError(f"limit: {limit!r}; expected a whole number of at least 1")
    query = params.query()
    rows = []
    for name in dimensions:
        for rank, found in enumerate(tx.breaches.top(query, name, limit), 1):
            breached, judged = found["breached"], found["judged"]
            rows.append({
                "dimension": name, "rank": rank, "value": found["value"], "breached": breached,
                "judged": judged, "breach_share": breached / judged,
            })  # fmt: skip
    return TopBreaches(params, tuple(dimensions), limit, tuple(rows))


# ----------------------------------------------------------------- OLA attribution

ATTRIBUTION_COLUMNS = _columns(
    ("ticket", "text"), ("sla_policy", "text"), ("metric", "text"), ("sla_cycle", "int"),
    ("group", "text"), ("customer", "text"), ("sla_due_at", "instant"),
    ("sla_judged_at", "instant"), ("sla_target_seconds", "seconds"),
    ("sla_elapsed_seconds", "seconds"), ("ola", "text"), ("ola_metric", "text"),
    ("ola_cycle", "int"), ("ola_breached_at", "instant"), ("ola_target_seconds", "seconds"),
    ("ola_elapsed_seconds", "seconds"), ("share", "ratio"),
)  # fmt: skip
ATTRIBUTION_SUMMARY_COLUMNS = _columns(
    ("ola", "text"), ("sla_breaches", "int"), ("ola_instances", "int"),
    ("share_total", "ratio"), ("share_avg", "ratio"),
)  # fmt: skip


@dataclass(frozen=True)
class OlaAttribution:
    """``rows``: one per breached SLA instance judged in the range and OLA instance
    that contributed to it (same ticket, the OLA supports the SLA's metric, breached
    at or before the SLA's judgement instant); ``share`` is the OLA instance's
    ``elapsed_seconds`` over the SLA's (each on its own calendar, so it may exceed
    1). ``summary``: per OLA, the SLA breaches it contributed to, its instances among
    the pairs, the total of their shares and the average per SLA breach.
    ``sla_breaches``: the breached SLA instances of supported metrics judged in the
    range; ``attributed``: how many of them any OLA contributed to."""

    params: BreachParams
    supports: Mapping[str, tuple[str, ...]]
    rows: tuple[dict[str, Any], ...]
    summary: ReportTable
    sla_breaches: int
    attributed: int
    columns: tuple[Column, ...] = ATTRIBUTION_COLUMNS


def supports_of(config: Config) -> dict[str, tuple[str, ...]]:
    """Each OLA id of the configuration with the SLA metrics it ``supports``."""
    return {ola.id: tuple(ola.supports) for ola in config.olas}


def ola_attribution(
    tx: Tx, params: BreachParams, supports: Mapping[str, Sequence[str]]
) -> OlaAttribution:
    """OLA attribution of the SLA breaches judged in the range; ``supports`` maps each
    OLA id to the SLA metrics it supports (:func:`supports_of` the current
    configuration)."""
    params.check()
    for ola, metrics in supports.items():
        if isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics):
            raise ReportError(f"supports: {ola!r} must map to a list of metric names")
    supported = {ola: tuple(metrics) for ola, metrics in supports.items()}
    query = params.query()
    rows = tuple(_utc_instants(tx.breaches.attribution(query, supported)))
    per_ola, total, attributed = tx.breaches.attribution_summary(query, supported)
    summary = tuple(
        {
            "ola": row["ola"], "sla_breaches": int(row["sla_breaches"]),
            "ola_instances": int(row["ola_instances"]),
            "share_total": float(row["share_total"]),
            "share_avg": float(row["share_total"]) / int(row["sla_breaches"]),
        }
        for row in per_ola
    )  # fmt: skip
    return OlaAttribution(
        params, supported, rows, ReportTable(ATTRIBUTION_SUMMARY_COLUMNS, summary), total,
        attributed,
    )  # fmt: skip


# -------------------------------------------------------------------------- pauses

PAUSE_COLUMNS = _columns(
    ("dimension", "text"), ("value", "text"), ("instances", "int"),
    ("paused_instances", "int"), ("paused_seconds", "seconds"), ("elapsed_seconds", "seconds"),
    ("paused_share", "ratio"), ("share_of_paused", "ratio"),
)  # fmt: skip
PARKED_COLUMNS = _columns(
    ("ticket", "text"), ("kind", "text"), ("policy", "text"), ("metric", "text"),
    ("cycle", "int"), ("assignee", "text"), ("group", "text"), ("verdict", "text"),
    ("judged_at", "instant"), ("started_at", "instant"), ("elapsed_seconds", "seconds"),
    ("paused_seconds", "seconds"), ("paused_share", "ratio"),
)  # fmt: skip


@dataclass(frozen=True)
class PauseReport:
    """Pause usage over the instances judged in the range or open and started in it.

    ``rows``, one table in long form: ``dimension`` ``assignee`` (at the judgement
    instant; null: unassigned) with ``instances``, ``paused_instances``,
    ``paused_seconds``, ``elapsed_seconds`` and ``paused_share`` = paused / (elapsed +
    paused); then ``dimension`` ``status`` (null: paused time no status explains) with
    ``paused_instances`` (instances paused in that status) and ``paused_seconds``.
    ``share_of_paused`` is a row's part of all paused time. ``parked``: the instances
    whose ``paused_share`` is above ``threshold`` (the first ``parked_limit`` of
    ``parked_total``), most parked first. ``by_status`` False: no status rows (no
    configuration given)."""

    params: BreachParams
    threshold: float
    rows: tuple[dict[str, Any], ...]
    parked: ReportTable
    parked_total: int
    by_status: bool
    columns: tuple[Column, ...] = PAUSE_COLUMNS


def pause_report(
    tx: Tx,
    params: BreachParams,
    config: Config | None = None,
    threshold: float = 0.5,
    parked_limit: int = 1000,
    status_limit: int = 20_000,
) -> PauseReport:
    """Paused time by assignee (in the database) and, given the current ``config``, by
    status (measured from the events; see the module's docstring); the instances
    parked above ``threshold``. ReportError ``status_limit`` when more instances than
    that have paused time (narrow the range or filters)."""
    params.check()
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ReportError(f"threshold: {threshold!r}; expected a ratio from 0 to 1")
    if not 0 <= threshold < 1:
        raise ReportError(f"threshold: {threshold!r}; expected a ratio from 0 to 1 (below 1)")
    for name, value in (("parked_limit", parked_limit), ("status_limit", status_limit)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ReportError(f"{name}: {value!r}; expected a whole number of at least 1")
    query = params.query()
    rows = [_assignee_row(row) for row in tx.breaches.pauses_by_assignee(query)]
    if config is not None:
        paused = tx.breaches.paused_count(query)
        if paused > status_limit:
            raise ReportError(
                f"status_limit: {paused} instances have paused time in the range, more than "
                f"{status_limit}; narrow the range or the filters, or raise status_limit"
            )
        rows += _status_rows(tx, query, config)
    everything = sum(float(row["paused_seconds"]) for row in rows if row["dimension"] == "assignee")
    for row in rows:
        row["share_of_paused"] = row["paused_seconds"] / everything if everything else None
    parked, total = tx.breaches.parked(query, float(threshold), parked_limit)
    table = ReportTable(PARKED_COLUMNS, tuple(_utc_instants(parked)))
    return PauseReport(params, float(threshold), tuple(rows), table, total, config is not None)


def _assignee_row(row: Mapping[str, Any]) -> dict[str, Any]:
    paused, elapsed = float(row["paused_seconds"]), float(row["elapsed_seconds"])
    return {
        "dimension": "assignee", "value": row["value"], "instances": int(row["instances"]),
        "paused_instances": int(row["paused_instances"]), "paused_seconds": paused,
        "elapsed_seconds": elapsed,
        "paused_share": paused / (paused + elapsed) if paused + elapsed else None,
    }  # fmt: skip


def _status_rows(tx: Tx, query: BreachQuery, config: Config) -> list[dict[str, Any]]:
    """Paused time by status, a page of instances at a time (module docstring)."""
    engine = Engine(config)
    seconds: dict[str | None, float] = defaultdict(float)
    instances: dict[str | None, int] = defaultdict(int)
    after: int | None = None
    while True:
        page = tx.breaches.paused_page(query, after, STATUS_PAGE)
        if not page:
            break
        after = page[-1]["pk"]
        events = tx.events.load(sorted({row["ticket"] for row in page}))
        timelines: dict[str, list[tuple[datetime, str | None]]] = {}
        for row in page:
            ticket = row["ticket"]
            if ticket not in timelines:
                until = row["projected_at"] or query.as_of
                timelines[ticket] = status_timeline(engine, events.get(ticket, []), until)
            split = paused_by_status(config, row, timelines[ticket])
            for status, amount in split.items():
                seconds[status] += amount
                instances[status] += 1
    ordered = sorted(seconds, key=lambda s: (-seconds[s], s is None, s or ""))
    return [
        {
            "dimension": "status", "value": status, "instances": None,
            "paused_instances": instances[status], "paused_seconds": seconds[status],
            "elapsed_seconds": None, "paused_share": None,
        }
        for status in ordered
    ]  # fmt: skip


def status_timeline(
    engine: Engine, events: Iterable[Event], until: datetime
) -> list[tuple[datetime, str | None]]:
    """The ticket's status from each instant on (``(at, status)``, in order), from its
    events up to ``until`` fed to the engine as the projection feeds them."""
    ordered = dedupe_sorted(events)
    state = TicketState(ordered[0].ticket if ordered else "")
    out: list[tuple[datetime, str | None]] = []
    for event in ordered:
        if event.at > until:
            break
        engine.feed(state, event)
        if not state.created or state.fields is None or state.created_at is None:
            continue
        status = state.fields.get("status")
        if not out or out[-1][1] != status:
            out.append((max(event.at, state.created_at), status))
    return out


def pausing_statuses(config: Config, kind: str, policy: str, metric: str) -> frozenset[str] | None:
    """The statuses that pause an instance: its target's ``pause``, else its metric's
    (as the engine binds them); None when the configuration no longer knows its policy
    or OLA."""
    definition = config.metrics.get(metric)
    if kind == "ola":
        ola = next((o for o in config.olas if o.id == policy), None)
        target = None if ola is None else ola.target
    else:
        found = next((p for p in config.policies if p.id == policy), None)
        target = None if found is None else found.targets.get(metric)
    if target is None or definition is None:
        return None
    rule = target.pause if target.pause is not None else definition.pause
    return frozenset() if rule is None else frozenset(rule.statuses)


def paused_by_status(
    config: Config, row: Mapping[str, Any], timeline: Sequence[tuple[datetime, str | None]]
) -> dict[str | None, float]:
    """One instance's ``paused_seconds`` split by the status the ticket was in (module
    docstring): measured on its calendar over its life, reconciled with the stored
    total (within a second they are taken as equal)."""
    stored = float(row["paused_seconds"])
    statuses = pausing_statuses(config, row["kind"], row["policy"], row["metric"])
    calendar = config.calendars.get(row["calendar"] or "")
    start = row["started_at"]
    end = row["stopped_at"] or row["projected_at"]
    if not statuses or calendar is None or start is None or end is None:
        return {None: stored}
    measured: dict[str | None, float] = defaultdict(float)
    for (at, status), (later, _) in zip(timeline, [*timeline[1:], (end, None)], strict=True):
        low, high = max(at, start), min(later, end)
        if status in statuses and high > low:
            measured[status] += calendar.elapsed(low, high)
    total = sum(measured.values())
    if total <= 0:
        return {None: stored}
    if total >= stored or stored - total <= 1:
        return {status: amount * stored / total for status, amount in measured.items()}
    return {**measured, None: stored - total}


def _utc_instants(rows: Iterable[Mapping[str, Any]]) -> Iterable[dict[str, Any]]:
    """Rows with every instant aware and in UTC."""
    for row in rows:
        yield {
            key: value.astimezone(UTC) if isinstance(value, datetime) else value
            for key, value in row.items()
        }
