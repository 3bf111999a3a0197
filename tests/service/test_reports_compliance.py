"""issue 23, "Correctness": the compliance report, computed in the database, equals
the same figures computed independently in plain Python from the stored instances —
groupings of two and three dimensions, time buckets in Europe/Amsterdam across the
spring DST change and in America/Sao_Paulo across its (2018) one, instances judged on
a bucket edge, open instances, goals, cohorts by start — on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import Engine, select

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.ingest import Limits
from slaclock.service.reports import ReportError, ReportParams, compliance_report
from slaclock.store.models import InstanceRow

CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
DIMS = {"group": "dim_group", "assignee": "dim_assignee", "customer": "dim_customer",
        "plan": "dim_plan", "priority": "dim_priority", "channel": "dim_channel",
        "type": "dim_type", "policy": "policy", "metric": "metric", "kind": "kind",
        "calendar": "calendar"}  # fmt: skip


def _load(db: Engine, start: datetime, days: int, tickets: int) -> Services:
    services = services_on(db)
    services.limits = Limits(future_skew=timedelta(days=400))
    services.config_apply(CONFIG, "test", start - timedelta(days=1))
    events = list(generate_events(parse_config(CONFIG), tickets, days, 7, start))
    assert not services.ingest(events, start + timedelta(days=days)).rejected
    return services


@pytest.fixture(scope="module")
def spring(module_db: Engine) -> Iterator[tuple[Services, datetime]]:
    """400 tickets over March 16 – April 14, 2026 (Amsterdam springs forward March 29)."""
    from slaclock.store.testing import clear

    clear(module_db)
    start = datetime(2026, 3, 16, tzinfo=UTC)
    yield _load(module_db, start, 30, 400), start


def _stored(db: Engine) -> list[Any]:
    with db.connect() as conn:
        return [row._mapping for row in conn.execute(select(*InstanceRow.__table__.c))]


def _verdict(row: Any, as_of: datetime) -> tuple[str, datetime | None] | None:
    """reports.md, "Which instances a period holds", read off a stored row."""
    state, stopped, due = row["state"], row["stopped_at"], row["due_at"]
    if state == "cancelled" or row["started_at"] > as_of:
        return None
    if state in ("met", "breached") and stopped is not None and stopped <= as_of:
        return state, stopped
    overdue = row["overdue_from"]
    if (state == "breached" and due is not None and due <= as_of) or (
        state == "running" and overdue is not None and overdue <= as_of
    ):
        return "breached", due
    return "open", None


def _wall_start(at: datetime, zone: ZoneInfo, bucket: str) -> tuple[int, ...]:
    local = at.astimezone(zone)
    if bucket == "hour":
        return (local.year, local.month, local.day, local.hour)
    if bucket == "day":
        return (local.year, local.month, local.day, 0)
    if bucket == "week":
        monday = local.date() - timedelta(days=local.weekday())
        return (monday.year, monday.month, monday.day, 0)
    return (local.year, local.month, 1, 0)


def reference(db: Engine, params: ReportParams) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The report's figures, computed row by row in Python, with NumPy percentiles."""
    zone = ZoneInfo(params.tz)
    groups: dict[tuple[Any, ...], dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in _stored(db):
        judged = _verdict(row, params.as_of)
        if judged is None or any(row[DIMS[k]] != v for k, v in params.filters.items()):
            continue
        verdict, at = judged
        when = row["started_at"] if params.date == "started" or at is None else at
        if not params.start <= when < params.end:
            continue
        key = tuple(row[DIMS[name]] for name in params.by)
        if params.bucket:
            key += (_wall_start(when, zone, params.bucket),)
        figures = groups[key]
        figures[verdict].append(float(row["elapsed_seconds"]))
        if verdict == "breached":
            figures["overdue"].append(float(row["elapsed_seconds"] - row["target_seconds"]))
        if verdict != "open" and row["goal_seconds"] is not None:
            missed = True if verdict == "breached" and row["stopped_at"] is None else row[
                "goal_breached"]  # fmt: skip
            figures["goal_breached" if missed else "goal_met"].append(1)
    out = {}
    for key, figures in groups.items():
        met, breached = figures["met"], figures["breached"]
        expected: dict[str, Any] = {
            "met": len(met), "breached": len(breached), "open": len(figures["open"]),
            "goal_met": len(figures["goal_met"]), "goal_breached": len(figures["goal_breached"]),
            "compliance": len(met) / (len(met) + len(breached)) if met or breached else None,
            "breached_overdue_avg": float(np.mean(figures["overdue"])) if breached else None,
        }  # fmt: skip
        for name, values in (("met", met), ("breached", breached)):
            stats = {
                "avg": np.mean,
                "min": np.min,
                "max": np.max,
                "p50": lambda v: np.percentile(v, 50),
                "p90": lambda v: np.percentile(v, 90),
            }
            for stat, fn in stats.items():  # fmt: skip
                expected[f"{name}_elapsed_{stat}"] = float(fn(values)) if values else None
        out[key] = expected
    return out


def _report_by_key(services: Services, params: ReportParams) -> dict[tuple[Any, ...], Any]:
    with services.db.reading() as tx:
        report = compliance_report(tx, params)
    out = {}
    for row in report.rows:
        key = tuple(row[name] for name in params.by)
        if params.bucket:
            bucket = row["bucket"]
            key += ((bucket.year, bucket.month, bucket.day, bucket.hour),)
        assert key not in out, f"group {key} listed twice"
        out[key] = row
    return out


def _assert_same(found: dict[Any, Any], expected: dict[Any, Any], *, buckets: bool) -> None:
    for key, want in expected.items():
        got = found.get(key)
        assert got is not None, f"group {key} missing"
        for name, value in want.items():
            if value is None or isinstance(value, int):
                assert got[name] == value, (key, name, got[name], value)
            else:
                assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-6), (key, name)
    extra = {k: v for k, v in found.items() if k not in expected}
    if buckets:  # empty buckets are listed, with nothing in them
        assert all(v["met"] == v["breached"] == v["open"] == 0 for v in extra.values())
    else:
        assert extra == {}


CASES = [
    ("no grouping", dict()),
    ("group x metric", dict(by=("group", "metric"))),
    ("priority x metric x channel", dict(by=("priority", "metric", "channel"))),
    ("policy x kind, weeks in Amsterdam", dict(by=("policy", "kind"), bucket="week",
                                              tz="Europe/Amsterdam")),
    ("days in Amsterdam", dict(bucket="day", tz="Europe/Amsterdam")),
    ("hours in Amsterdam, one metric", dict(bucket="hour", tz="Europe/Amsterdam",
                                           filters={"metric": "first_response"})),
    ("months in New York, by plan", dict(by=("plan",), bucket="month", tz="America/New_York")),
    ("cohorts by start, by customer", dict(by=("customer",), date="started")),
    ("assignee x type", dict(by=("assignee", "type"))),
]  # fmt: skip


@pytest.mark.parametrize(("name", "extra"), CASES, ids=[c[0] for c in CASES])
def test_compliance_equals_the_plain_python_figures(
    spring: tuple[Services, datetime], module_db: Engine, name: str, extra: dict[str, Any]
) -> None:
    services, start = spring
    params = ReportParams(
        start=start + timedelta(days=3), end=start + timedelta(days=27),
        as_of=start + timedelta(days=30), **extra,
    )  # fmt: skip
    expected = reference(module_db, params)
    assert sum(v["met"] + v["breached"] for v in expected.values()) > 50  # a real sample
    _assert_same(_report_by_key(services, params), expected, buckets=bool(params.bucket))


def test_every_bucket_of_the_range_is_listed_across_the_dst_change(
    spring: tuple[Services, datetime],
) -> None:
    services, start = spring
    params = ReportParams(
        start=datetime(2026, 3, 27, tzinfo=ZoneInfo("Europe/Amsterdam")),
        end=datetime(2026, 4, 1, tzinfo=ZoneInfo("Europe/Amsterdam")),
        as_of=start + timedelta(days=30), bucket="day", tz="Europe/Amsterdam",
    )  # fmt: skip
    with services.db.reading() as tx:
        rows = compliance_report(tx, params).rows
    labels = [row["bucket"].isoformat() for row in rows]
    assert labels == [
        "2026-03-27T00:00:00+01:00", "2026-03-28T00:00:00+01:00", "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00", "2026-03-31T00:00:00+02:00",
    ]  # fmt: skip
    hours = ReportParams(start=params.start, end=params.end, as_of=params.as_of,
                         bucket="hour", tz="Europe/Amsterdam")  # fmt: skip
    with services.db.reading() as tx:
        assert len(compliance_report(tx, hours).rows) == 5 * 24 - 1  # March 29 has 23 hours


def test_cancelled_instances_exist_and_are_left_out(
    spring: tuple[Services, datetime], module_db: Engine
) -> None:
    services, start = spring
    rows = _stored(module_db)
    cancelled = [r for r in rows if r["state"] == "cancelled"]
    assert cancelled  # the workload deletes some tickets
    params = ReportParams(start=start, end=start + timedelta(days=30),
                          as_of=start + timedelta(days=30))  # fmt: skip
    with services.db.reading() as tx:
        [row] = compliance_report(tx, params).rows
    counted = row["met"] + row["breached"] + row["open"]
    judged_or_open = [r for r in rows if _verdict(r, params.as_of) is not None]
    assert counted == len(judged_or_open) < len(rows)


# The tests below use the ``db`` fixture, which clears the module's database: they
# come after every test of the ``spring`` world.
EDGE_CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
policies:
  - id: std
    calendar: always
    targets:
      first_response: {within: 1h, goal: 30m}
"""


def test_an_instance_judged_on_a_bucket_edge_counts_in_the_bucket_it_starts(
    db: Engine,
) -> None:
    """São Paulo, November 4, 2018: clocks sprang from 00:00 to 01:00, so that day began
    at 03:00Z. A reply at exactly 03:00Z is judged on the 4th; one a second earlier on
    the 3rd."""
    services = services_on(db)
    services.limits = Limits(future_skew=timedelta(days=3000))
    services.config_apply(EDGE_CONFIG, "test", datetime(2018, 11, 1, tzinfo=UTC))
    edge = datetime(2018, 11, 4, 3, 0, tzinfo=UTC)
    events = []
    for ticket, reply in (("A", edge), ("B", edge - timedelta(seconds=1))):
        created = reply - timedelta(minutes=40)
        events += [
            {"id": f"{ticket}c", "ticket": ticket, "at": created.isoformat(),
             "type": "ticket.created", "by": "customer", "fields": {"status": "new"}},
            {"id": f"{ticket}r", "ticket": ticket, "at": reply.isoformat(), "type": "message",
             "author": "agent", "author_id": "x", "public": True},
        ]  # fmt: skip
    assert not services.ingest(events, edge + timedelta(hours=2)).rejected
    zone = ZoneInfo("America/Sao_Paulo")
    params = ReportParams(
        start=datetime(2018, 11, 3, tzinfo=zone), end=datetime(2018, 11, 5, tzinfo=zone),
        as_of=edge + timedelta(hours=2), bucket="day", tz="America/Sao_Paulo",
    )  # fmt: skip
    with services.db.reading() as tx:
        rows = compliance_report(tx, params).rows
    assert [(r["bucket"].isoformat(), r["met"], r["goal_breached"]) for r in rows] == [
        ("2018-11-03T00:00:00-03:00", 1, 1),
        ("2018-11-04T00:00:00-03:00", 1, 1),  # the wall clock's 00:00 did not exist: 01:00-02
    ]
    assert rows[0]["compliance"] == 1.0 and rows[0]["goal_attainment"] == 0.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(by=("colour",)), "by: unknown grouping 'colour'"),
        (dict(by=("group", "group")), "by: a grouping is named twice"),
        (dict(bucket="fortnight"), "bucket: 'fortnight'"),
        (dict(tz="Mars/Olympus"), "tz: unknown time zone 'Mars/Olympus'"),
        (dict(start=datetime(2026, 4, 1, tzinfo=UTC)),
         "to: 2026-03-01T00:00:00+00:00 is not after"),
    ],
)  # fmt: skip
def test_bad_parameters_are_named(db: Engine, change: dict[str, Any], message: str) -> None:
    services = services_on(db)
    base = dict(start=datetime(2026, 2, 1, tzinfo=UTC), end=datetime(2026, 3, 1, tzinfo=UTC),
                as_of=datetime(2026, 3, 1, tzinfo=UTC))  # fmt: skip
    params = ReportParams(**{**base, **change})
    with services.db.reading() as tx, pytest.raises(ReportError, match=re.escape(message)):
        compliance_report(tx, params)


def test_a_policy_edited_later_leaves_earlier_verdicts_alone(db: Engine) -> None:
    """The first response target is cut to one minute after the fact: instances judged
    before keep the verdicts of the policy version that judged them."""
    start = datetime(2026, 3, 2, tzinfo=UTC)
    services = _load(db, start, 10, 120)
    params = ReportParams(start=start, end=start + timedelta(days=10),
                          as_of=start + timedelta(days=10), by=("policy", "metric"))  # fmt: skip
    with services.db.reading() as tx:
        before = compliance_report(tx, params).rows
    old = "first_response: {within: 15m, goal: 10m}"
    stricter = CONFIG.replace(old, "first_response: {within: 1m}")
    assert stricter != CONFIG
    services.config_apply(stricter, "test", start + timedelta(days=10))
    with services.db.reading() as tx:
        after = compliance_report(tx, params).rows
    judged = [(r["policy"], r["metric"], r["met"], r["breached"]) for r in before]
    assert [(r["policy"], r["metric"], r["met"], r["breached"]) for r in after] == judged
