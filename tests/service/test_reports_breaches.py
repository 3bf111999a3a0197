"""issue 23, "Breach analysis": the heatmap, breaches over time, the top lists, OLA
attribution and pause usage equal the same figures computed in plain Python from the
stored instance rows (and, for pauses by status, the stored events), on SQLite and
PostgreSQL; the heatmap across Amsterdam's spring DST change; an OLA that breached
after the SLA was judged is not attributed; empty ranges give empty (or all-zero)
reports; bad parameters are named."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.app_state import Services
from slaclock.service.breach_analysis import (
    BreachParams,
    breach_heatmap,
    breaches_over_time,
    ola_attribution,
    pause_report,
    supports_of,
    top_breaches,
)
from slaclock.service.compose import services_on
from slaclock.service.ingest import Limits
from slaclock.service.reports import ReportError
from slaclock.store.models import EventRow, InstanceRow, TicketRow

CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
START = datetime(2026, 3, 16, tzinfo=UTC)  # 30 days; Amsterdam springs forward March 29
AS_OF = START + timedelta(days=30)
COLUMN = {"policy": "policy", "metric": "metric", "kind": "kind", "group": "dim_group",
          "assignee": "dim_assignee", "customer": "dim_customer"}  # fmt: skip


@pytest.fixture(scope="module")
def spring(module_db: Engine) -> Iterator[Services]:
    """400 generated tickets over March 16 – April 14, 2026."""
    from slaclock.store.testing import clear

    clear(module_db)
    services = services_on(module_db)
    services.limits = Limits(future_skew=timedelta(days=400))
    services.config_apply(CONFIG, "test", START - timedelta(days=1))
    events = list(generate_events(parse_config(CONFIG), 400, 30, 7, START))
    assert not services.ingest(events, AS_OF).rejected
    yield services


def _rows(db: Engine) -> list[dict[str, Any]]:
    """Every stored instance with its ticket's creation and projection instants."""
    query = select(*InstanceRow.__table__.c, TicketRow.created_at, TicketRow.projected_at).join(
        TicketRow, TicketRow.id == InstanceRow.ticket_id
    )
    with db.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def judged(row: dict[str, Any], as_of: datetime) -> tuple[str, datetime | None] | None:
    """reports.md's table, row by row: (verdict, judgement instant); None: not counted."""
    if row["state"] == "cancelled" or row["started_at"] > as_of:
        return None
    stopped = row["stopped_at"]
    if row["state"] in ("met", "breached") and stopped is not None and stopped <= as_of:
        return row["state"], stopped
    overdue = {"breached": row["due_at"], "running": row["overdue_from"]}.get(row["state"])
    return ("breached", row["due_at"]) if overdue and overdue <= as_of else ("open", None)


def in_range(db: Engine, p: BreachParams, verdicts: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows judged in the range with one of ``verdicts``, passing the filters; each
    with ``verdict`` and ``judged_at``."""
    out = []
    for row in _rows(db):
        found = judged(row, p.as_of)
        if found is None or found[0] not in verdicts or found[1] is None:
            continue
        if p.start <= found[1] < p.end and all(row[COLUMN[k]] == v for k, v in p.filters.items()):
            out.append({**row, "verdict": found[0], "judged_at": found[1]})
    return out


def _params(**extra: Any) -> BreachParams:
    return BreachParams(START + timedelta(days=3), START + timedelta(days=27), AS_OF, **extra)


# --------------------------------------------------------------------------- heatmap


@pytest.mark.parametrize(
    ("by", "extra"),
    [("due", dict(tz="Europe/Amsterdam")), ("created", dict(tz="America/New_York")),
     ("due", dict(tz="Europe/Amsterdam", filters={"kind": "sla", "metric": "resolution"}))],
)  # fmt: skip
def test_heatmap_equals_the_plain_python_counts(
    spring: Services, module_db: Engine, by: str, extra: dict[str, Any]
) -> None:
    params = _params(**extra)
    zone = ZoneInfo(params.tz)
    expected: Counter[tuple[int, int]] = Counter()
    for row in in_range(module_db, params, ("breached",)):
        local = row["due_at" if by == "due" else "created_at"].astimezone(zone)
        expected[(local.weekday(), local.hour)] += 1
    assert sum(expected.values()) > 20  # a real sample
    with spring.db.reading() as tx:
        report = breach_heatmap(tx, params, by=by)
    assert len(report.rows) == 7 * 24
    got = {(r["weekday"], r["hour"]): r["breached"] for r in report.rows}
    assert got == {(d, h): expected.get((d, h), 0) for d in range(7) for h in range(24)}
    assert report.grid[2][14] == expected.get((2, 14), 0)
    assert [c.name for c in report.columns] == ["weekday", "day", "hour", "breached"]


# ------------------------------------------------------------- over time, top lists


def test_breaches_over_time_equal_the_plain_python_counts(
    spring: Services, module_db: Engine
) -> None:
    params = _params(tz="Europe/Amsterdam", filters={"kind": "sla"})
    zone = ZoneInfo(params.tz)
    expected: dict[Any, Counter[str]] = defaultdict(Counter)
    for row in in_range(module_db, params, ("met", "breached")):
        expected[row["judged_at"].astimezone(zone).date()][row["verdict"]] += 1
    with spring.db.reading() as tx:
        report = breaches_over_time(tx, params, bucket="day")
    assert len(report.rows) == 24 + 1  # the range's days, the DST day once
    for row in report.rows:
        want = expected.pop(row["bucket"].astimezone(zone).date(), Counter())
        assert (row["breached"], row["met"]) == (want["breached"], want["met"])
        judged_count = want["breached"] + want["met"]
        assert row["judged"] == judged_count
        assert row["breach_share"] == (want["breached"] / judged_count if judged_count else None)
        assert row["bucket"].tzinfo is not None and row["bucket"].utcoffset() == timedelta(0)
    assert not expected


@pytest.mark.parametrize("limit", [3, 10])
def test_top_lists_equal_the_plain_python_ranking(
    spring: Services, module_db: Engine, limit: int
) -> None:
    params = _params()
    rows = in_range(module_db, params, ("met", "breached"))
    with spring.db.reading() as tx:
        report = top_breaches(tx, params, limit=limit)
    assert report.dimensions == ("policy", "group", "customer", "assignee")
    for dimension in report.dimensions:
        breached: Counter[Any] = Counter()
        judged_count: Counter[Any] = Counter()
        for row in rows:
            judged_count[row[COLUMN[dimension]]] += 1
            breached[row[COLUMN[dimension]]] += row["verdict"] == "breached"
        ranking = sorted(
            (v for v in judged_count if breached[v]),
            key=lambda v: (-breached[v], -judged_count[v], v is None, v or ""),
        )[:limit]
        expected = [
            {"dimension": dimension, "rank": n, "value": v, "breached": breached[v],
             "judged": judged_count[v], "breach_share": breached[v] / judged_count[v]}
            for n, v in enumerate(ranking, 1)
        ]  # fmt: skip
        assert report.of(dimension) == expected
        assert expected
    assert len(report.of("customer")) == limit  # enough customers with breaches


# ------------------------------------------------------------------ OLA attribution


def test_ola_attribution_equals_the_plain_python_pairs(spring: Services, module_db: Engine) -> None:
    params = BreachParams(START, AS_OF, AS_OF)
    supports = supports_of(parse_config(CONFIG))
    assert supports == {"engineering-triage": ("resolution",)}
    slas = [r for r in in_range(module_db, params, ("breached",)) if r["kind"] == "sla"]
    slas = [r for r in slas if r["metric"] == "resolution"]
    olas = [r for r in _rows(module_db) if r["kind"] == "ola"]
    olas = [r for r in olas if (judged(r, AS_OF) or ("",))[0] == "breached"]
    assert olas  # the workload breaches the engineering OLA
    pairs = set()
    for sla in slas:
        for ola in olas:
            breached_at = ola["breached_at"] or ola["due_at"]
            if ola["ticket_id"] == sla["ticket_id"] and breached_at <= sla["judged_at"]:
                share = ola["elapsed_seconds"] / sla["elapsed_seconds"]
                pairs.add((sla["ticket_id"], sla["cycle"], sla["judged_at"], ola["policy"],
                           ola["cycle"], ola["elapsed_seconds"], round(share, 9)))  # fmt: skip
    assert pairs
    with spring.db.reading() as tx:
        report = ola_attribution(tx, params, supports)
    got = [(r["ticket"], r["sla_cycle"], r["sla_judged_at"], r["ola"], r["ola_cycle"],
            r["ola_elapsed_seconds"], round(r["share"], 9)) for r in report.rows]  # fmt: skip
    assert len(got) == len(pairs) and all(g in pairs for g in got)
    assert report.sla_breaches == len(slas)
    assert report.attributed == len({(p[0], p[1]) for p in pairs})
    [summary] = report.summary.rows
    shares = [r["share"] for r in report.rows]
    assert summary["ola"] == "engineering-triage"
    assert summary["sla_breaches"] == report.attributed
    assert summary["ola_instances"] == len(pairs)
    assert summary["share_total"] == pytest.approx(sum(shares))
    assert summary["share_avg"] == pytest.approx(sum(shares) / report.attributed)


# --------------------------------------------------------------------------- pauses


#: The statuses that pause each metric in example_config.yaml (a target's own pause,
#: else the metric's default).
PAUSES = {"resolution": {"pending"}, "periodic_update": {"pending"},
          "engineering_triage": {"pending"},
          ("enterprise", "resolution"): {"pending", "on_hold"}}  # fmt: skip


def _status_timelines(db: Engine) -> dict[str, list[tuple[datetime, str]]]:
    """Each ticket's status over time, read off its stored events in order."""
    query = select(EventRow.ticket_id, EventRow.at, EventRow.type, EventRow.body).order_by(
        EventRow.ticket_id, EventRow.at, EventRow.seq
    )
    out: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    done: set[str] = set()
    with db.connect() as conn:
        for ticket, at, kind, body in conn.execute(query):
            steps = out[ticket]
            now = steps[-1][1] if steps else None
            if ticket in done or (kind != "ticket.created" and now is None):
                continue
            new = now
            if kind == "ticket.created" and now is None:
                new = body["fields"].get("status", "new")
            elif kind == "ticket.updated" and "status" in body["changes"]:
                new = body["changes"]["status"]
            elif (
                kind == "message"
                and body.get("author") == "customer"
                and now in ("pending", "solved")
            ):
                new = "open"
            elif kind == "ticket.deleted":
                done.add(ticket)
            if new != now:
                steps.append((at, new))
    return out


def test_pauses_equal_the_plain_python_figures(spring: Services, module_db: Engine) -> None:
    params = _params(tz="Europe/Amsterdam")
    config = parse_config(CONFIG)
    held = []  # judged in the range, or open and started in it
    for row in _rows(module_db):
        found = judged(row, AS_OF)
        if found is not None and params.start <= (found[1] or row["started_at"]) < params.end:
            held.append({**row, "verdict": found[0], "judged_at": found[1]})
    by_assignee: dict[Any, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])
    for row in held:
        figures = by_assignee[row["dim_assignee"]]
        figures[0] += 1
        figures[1] += row["paused_seconds"] > 0
        figures[2] += row["paused_seconds"]
        figures[3] += row["elapsed_seconds"]
    timelines = _status_timelines(module_db)
    by_status: dict[str, float] = defaultdict(float)
    paused = [r for r in held if r["paused_seconds"] > 0]
    assert len(paused) > 20
    for row in paused:
        statuses = PAUSES.get((row["policy"], row["metric"]), PAUSES[row["metric"]])
        calendar = config.calendars[row["calendar"]]
        end = row["stopped_at"] or row["projected_at"]
        steps = timelines[row["ticket_id"]]
        measured = 0.0
        for (at, status), (later, _) in zip(steps, [*steps[1:], (end, "")], strict=True):
            low, high = max(at, row["started_at"]), min(later, end)
            if status in statuses and high > low:
                by_status[status] += calendar.elapsed(low, high)
                measured += calendar.elapsed(low, high)
        assert measured == pytest.approx(row["paused_seconds"], abs=1), row  # the engine's
    with spring.db.reading() as tx:
        report = pause_report(tx, params, config)
    assignees = {r["value"]: r for r in report.rows if r["dimension"] == "assignee"}
    assert set(assignees) == set(by_assignee)
    for name, (count, with_pause, paused_seconds, elapsed) in by_assignee.items():
        row = assignees[name]
        assert (row["instances"], row["paused_instances"]) == (count, with_pause)
        assert row["paused_seconds"] == paused_seconds and row["elapsed_seconds"] == elapsed
        total = paused_seconds + elapsed
        assert row["paused_share"] == pytest.approx(paused_seconds / total if total else None)
    statuses = {r["value"]: r["paused_seconds"] for r in report.rows if r["dimension"] == "status"}
    assert set(statuses) == set(by_status) and "on_hold" in statuses
    for name, seconds in by_status.items():
        assert statuses[name] == pytest.approx(seconds, abs=len(paused))
    assert sum(statuses.values()) == pytest.approx(sum(r["paused_seconds"] for r in paused))
    for threshold in (0.5, 0.2):
        with spring.db.reading() as tx:
            parked = pause_report(tx, params, threshold=threshold, parked_limit=5)
        shares = [
            (r["paused_seconds"] / (r["paused_seconds"] + r["elapsed_seconds"]), r)
            for r in held if r["paused_seconds"] + r["elapsed_seconds"] > 0
        ]  # fmt: skip
        above = sorted(
            ((s, r) for s, r in shares if s > threshold),
            key=lambda x: (-x[0], -x[1]["paused_seconds"], x[1]["ticket_id"], x[1]["kind"],
                           x[1]["metric"], x[1]["cycle"]),
        )  # fmt: skip
        assert parked.parked_total == len(above) > 5
        assert [(r["ticket"], r["metric"], r["cycle"]) for r in parked.parked.rows] == [
            (r["ticket_id"], r["metric"], r["cycle"]) for _, r in above[:5]
        ]
        assert [r["paused_share"] for r in parked.parked.rows] == [s for s, _ in above[:5]]


# ------------------------------------------------------------------ empty, bad input


def test_an_empty_range_gives_empty_reports(spring: Services) -> None:
    zone = ZoneInfo("Europe/Amsterdam")
    params = BreachParams(datetime(2025, 1, 1, tzinfo=zone), datetime(2025, 1, 8, tzinfo=zone),
                          AS_OF, tz="Europe/Amsterdam")  # fmt: skip
    config = parse_config(CONFIG)
    with spring.db.reading() as tx:
        heatmap = breach_heatmap(tx, params)
        trend = breaches_over_time(tx, params, bucket="day")
        top = top_breaches(tx, params)
        attribution = ola_attribution(tx, params, supports_of(config))
        pauses = pause_report(tx, params, config)
    assert len(heatmap.rows) == 168 and heatmap.total == 0
    assert len(trend.rows) == 7 and all(r["judged"] == 0 for r in trend.rows)
    assert all(r["breach_share"] is None for r in trend.rows)
    assert top.rows == ()
    assert attribution.rows == () and attribution.summary.rows == ()
    assert (attribution.sla_breaches, attribution.attributed) == (0, 0)
    assert pauses.rows == () and pauses.parked.rows == () and pauses.parked_total == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda tx, p: breach_heatmap(tx, p, by="closed"), "by: 'closed'; expected due or"),
        (lambda tx, p: breach_heatmap(tx, BreachParams(p.start, p.end, p.as_of, tz="Mars/Base")),
         "tz: unknown time zone 'Mars/Base'"),
        (lambda tx, p: top_breaches(tx, BreachParams(p.start, p.end, p.as_of, filters={"x": "y"})),
         "filters: unknown grouping 'x'"),
        (lambda tx, p: top_breaches(tx, p, dimensions=("colour",)), "dimensions: unknown"),
        (lambda tx, p: top_breaches(tx, p, limit=0), "limit: 0"),
        (lambda tx, p: breaches_over_time(tx, p, bucket="fortnight"), "bucket: 'fortnight'"),
        (lambda tx, p: pause_report(tx, p, threshold=1.5), "threshold: 1.5"),
        (lambda tx, p: pause_report(tx, p, parked_limit=0), "parked_limit: 0"),
        (lambda tx, p: pause_report(tx, p, parse_config(CONFIG), status_limit=3),
         "status_limit: "),
        (lambda tx, p: ola_attribution(tx, p, {"eng": "resolution"}), "supports: 'eng'"),
        (lambda tx, p: breach_heatmap(tx, BreachParams(p.end, p.start, p.as_of)),
         "to: 2026-03-19T00:00:00+00:00 is not after from"),
    ],
)  # fmt: skip
def test_bad_parameters_are_named(spring: Services, call: Any, message: str) -> None:
    with spring.db.reading() as tx, pytest.raises(ReportError, match=re.escape(message)):
        call(tx, _params())


# ------------------------------------- small hand-made workloads (the `db` fixture clears
# the module's database, so these run after every test of the generated one)


SMALL_CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
groups:
  - {id: support, name: Support}
  - {id: engineering, name: Engineering}
metrics:
  engineering_triage:
    start: [{event: group_entered, group: engineering}]
    stop:
      - {event: group_left, group: engineering}
      - {event: solved}
policies:
  - id: std
    calendar: always
    targets:
      resolution: {within: 4h, pause: {status: [pending, on_hold]}}
olas:
  - id: eng
    group: engineering
    metric: engineering_triage
    within: 1h
    calendar: always
    supports: [resolution]
"""
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _ticket(name: str, group: str, *changes: tuple[float, dict[str, Any]]) -> list[Any]:
    events = [{"id": f"{name}0", "ticket": name, "at": T0.isoformat(), "type": "ticket.created",
               "by": "customer", "fields": {"status": "new", "group": group}}]  # fmt: skip
    for n, (hours, change) in enumerate(changes, 1):
        at = T0 + timedelta(hours=hours)
        events.append({"id": f"{name}{n}", "ticket": name, "at": at.isoformat(),
                       "type": "ticket.updated", "changes": change})  # fmt: skip
    return events


@pytest.fixture
def small(db: Engine) -> Services:
    """A: in engineering from 1h (OLA due 2h), SLA judged at its due 4h: attributed.
    B: in engineering from 3h30 (OLA due 4h30), after the SLA's judgement at 4h: not.
    C: in engineering from the start (OLA due 1h), solved at 5h: attributed.
    D: in engineering from 3h (OLA due 4h), exactly at the SLA's judgement: attributed.
    E: pending 1h–3h, on hold 3h–4h, solved at 6h: 3h elapsed, 3h paused, met."""
    services = services_on(db)
    services.limits = Limits(future_skew=timedelta(days=400))
    services.config_apply(SMALL_CONFIG, "test", T0 - timedelta(days=1))
    events = [
        *_ticket("A", "support", (1, {"group": "engineering"})),
        *_ticket("B", "support", (3.5, {"group": "engineering"})),
        *_ticket("C", "engineering", (5, {"status": "solved"})),
        *_ticket("D", "support", (3, {"group": "engineering"})),
        *_ticket("E", "support", (1, {"status": "pending"}), (3, {"status": "on_hold"}),
                 (4, {"status": "open"}), (6, {"status": "solved"})),
    ]  # fmt: skip
    assert not services.ingest(events, T0 + timedelta(hours=10)).rejected
    return services


def test_heatmap_hours_across_the_spring_dst_change(db: Engine) -> None:
    """Amsterdam, March 29 2026: 02:00 CET became 03:00 CEST. Tickets nobody resolves,
    their resolution due 4h after creation, at the instants below (UTC)."""
    services = services_on(db)
    services.limits = Limits(future_skew=timedelta(days=400))
    services.config_apply(SMALL_CONFIG, "test", datetime(2026, 3, 1, tzinfo=UTC))
    dues = [
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),  # Sat 02:30 CET
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # Sun 01:30 CET
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # Sun 03:30 CEST (02:xx never was)
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # Mon 02:30 CEST
    ]
    events = [
        {"id": f"c{n}", "ticket": f"T{n}", "at": (due - timedelta(hours=4)).isoformat(),
         "type": "ticket.created", "by": "customer", "fields": {"status": "new"}}
        for n, due in enumerate(dues)
    ]  # fmt: skip
    as_of = datetime(2026, 3, 31, tzinfo=UTC)
    assert not services.ingest(events, as_of).rejected
    zone = ZoneInfo("Europe/Amsterdam")
    params = BreachParams(datetime(2026, 3, 27, tzinfo=zone), datetime(2026, 4, 1, tzinfo=zone),
                          as_of, tz="Europe/Amsterdam")  # fmt: skip
    with services.db.reading() as tx:
        by_due = breach_heatmap(tx, params).grid
        by_created = breach_heatmap(tx, params, by="created").grid
    cells = {(d, h): n for d, row in enumerate(by_due) for h, n in enumerate(row) if n}
    assert cells == {(5, 2): 1, (6, 1): 1, (6, 3): 1, (0, 2): 1}
    assert by_due[6][2] == 0
    # created: Fri 22:30 CET, Sat 21:30 CET, Sat 22:30 CET, Sun 22:30 CEST
    cells = {(d, h): n for d, row in enumerate(by_created) for h, n in enumerate(row) if n}
    assert cells == {(4, 22): 1, (5, 21): 1, (5, 22): 1, (6, 22): 1}


def test_an_ola_breached_after_the_sla_was_judged_is_not_attributed(small: Services) -> None:
    params = BreachParams(T0, T0 + timedelta(days=1), T0 + timedelta(hours=10))
    with small.db.reading() as tx:
        report = ola_attribution(tx, params, {"eng": ["resolution"]})
        none = ola_attribution(tx, params, {"eng": []})
    got = [(r["ticket"], r["ola_breached_at"] - T0, r["share"]) for r in report.rows]
    assert got == [  # by the SLA's judgement instant
        ("A", timedelta(hours=2), pytest.approx(9 / 10)),  # both still running at 10h
        ("D", timedelta(hours=4), pytest.approx(7 / 10)),
        ("C", timedelta(hours=1), 1.0),  # both stopped at 5h
    ]
    assert (report.sla_breaches, report.attributed) == (4, 3)  # B's SLA breach: no OLA
    assert [(r["ola"], r["sla_breaches"]) for r in report.summary.rows] == [("eng", 3)]
    assert none.rows == () and none.summary.rows == () and none.sla_breaches == 0


def test_pauses_by_status_and_the_parked_threshold(small: Services) -> None:
    params = BreachParams(T0, T0 + timedelta(days=1), T0 + timedelta(hours=10))
    config = parse_config(SMALL_CONFIG)
    with small.db.reading() as tx:
        report = pause_report(tx, params, config)
        lower = pause_report(tx, params, threshold=0.4)
    status = {r["value"]: r for r in report.rows if r["dimension"] == "status"}
    assert {k: v["paused_seconds"] for k, v in status.items()} == {"pending": 7200, "on_hold": 3600}
    assert status["pending"]["share_of_paused"] == pytest.approx(2 / 3)
    assert report.parked.rows == () and report.parked_total == 0  # 50% is not above 50%
    assert [(r["ticket"], r["paused_share"]) for r in lower.parked.rows] == [("E", 0.5)]
    assert not lower.by_status and all(r["dimension"] == "assignee" for r in lower.rows)
