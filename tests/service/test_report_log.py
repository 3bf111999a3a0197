"""issue 23: the SLA log — every instance judged in the range (or open and started in
it) with the spec's columns, filtered, sorted, paged by cursor and streamed whole; the
same rows as a plain-Python reading of the stored instances, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.ingest import Limits
from slaclock.service.report_log import LOG_COLUMNS, LogParams
from slaclock.service.reports import ReportError
from slaclock.store.models import InstanceRow, TicketRow

CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
START = datetime(2026, 3, 2, tzinfo=UTC)
END = START + timedelta(days=14)
AS_OF = END + timedelta(hours=6)


@pytest.fixture(scope="module")
def world(module_db: Engine) -> Iterator[Services]:
    from slaclock.store.testing import clear

    clear(module_db)
    services = services_on(module_db)
    services.limits = Limits(future_skew=timedelta(days=30))
    services.config_apply(CONFIG, "test", START - timedelta(days=1))
    events = list(generate_events(parse_config(CONFIG), 150, 14, 11, START))
    assert not services.ingest(events, END).rejected
    yield services


def _expected(db: Engine, params: LogParams) -> dict[tuple[Any, ...], str]:
    """(ticket, kind, metric, cycle) -> verdict, by reports.md's rules, row by row."""
    out = {}
    with db.connect() as conn:
        rows = [r._mapping for r in conn.execute(select(*InstanceRow.__table__.c))]
    for row in rows:
        if row["state"] == "cancelled" or row["started_at"] > params.as_of:
            continue
        stopped, due, overdue = row["stopped_at"], row["due_at"], row["overdue_from"]
        if row["state"] in ("met", "breached") and stopped is not None and stopped <= params.as_of:
            verdict, at = row["state"], stopped
        elif (row["state"] == "breached" and due is not None and due <= params.as_of) or (
            row["state"] == "running" and overdue is not None and overdue <= params.as_of
        ):
            verdict, at = "breached", due
        else:
            verdict, at = "open", row["started_at"]
        if params.start <= at < params.end:
            out[(row["ticket_id"], row["kind"], row["metric"], row["cycle"])] = verdict
    return out


def _all_pages(services: Services, params: LogParams, limit: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = services.sla_log(params, cursor, limit)
        rows += page.rows
        cursor = page.next_cursor
        if cursor is None:
            return rows


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["ticket"], row["kind"], row["metric"], row["cycle"])


def test_the_log_holds_the_instances_of_the_range(world: Services, module_db: Engine) -> None:
    params = LogParams(start=START + timedelta(days=2), end=END, as_of=AS_OF)
    rows = _all_pages(world, params, 97)
    expected = _expected(module_db, params)
    assert len(expected) > 200
    assert {_key(r): r["judged"] for r in rows} == expected
    assert len(rows) == len(expected)  # each once, across pages
    assert set(rows[0]) == {c.name for c in LOG_COLUMNS}
    streamed = list(world.sla_log_rows(params))
    assert [_key(r) for r in streamed] == [_key(r) for r in rows]


@pytest.mark.parametrize("sort", ["judged", "due", "started", "elapsed", "overdue"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_follow_the_order(world: Services, sort: str, descending: bool) -> None:
    params = LogParams(start=START, end=END, as_of=AS_OF, sort=sort, descending=descending)
    rows = _all_pages(world, params, 64)

    def value(row: dict[str, Any]) -> Any:
        if sort == "judged":
            return row["judged_at"] or row["started_at"]
        if sort == "due":
            return row["due_at"] or datetime.max.replace(tzinfo=UTC)
        if sort == "started":
            return row["started_at"]
        if sort == "elapsed":
            return int(row["elapsed_seconds"])
        return int(row["elapsed_seconds"] - (row["target_seconds"] or 0))

    keys = [value(r) for r in rows]
    if sort in ("judged", "due", "started"):  # compared to the second, as the store sorts
        keys = [k.replace(microsecond=0) for k in keys]
    assert keys == sorted(keys, reverse=descending)


def test_filters_narrow_by_field_verdict_and_ticket(world: Services, module_db: Engine) -> None:
    params = LogParams(start=START, end=END, as_of=AS_OF, judged=("breached",),
                       filters={"metric": "first_response"})  # fmt: skip
    rows = _all_pages(world, params, 500)
    assert rows and all(r["judged"] == "breached" and r["metric"] == "first_response" for r in rows)
    expected = _expected(module_db, LogParams(start=START, end=END, as_of=AS_OF))
    assert {_key(r) for r in rows} == {
        k for k, v in expected.items() if v == "breached" and k[2] == "first_response"
    }
    ticket = rows[0]["ticket"]
    one = _all_pages(world, LogParams(start=START, end=END, as_of=AS_OF, ticket=ticket), 500)
    assert {r["ticket"] for r in one} == {ticket}


def test_a_running_clock_is_brought_to_as_of(world: Services, module_db: Engine) -> None:
    """Its elapsed time grows, and its time left shrinks, by the open time of its
    calendar between its ticket's last projection and ``as_of``."""
    later = AS_OF + timedelta(days=1)
    params = LogParams(start=START, end=END + timedelta(days=3), as_of=later, judged=("open",))
    rows = [r for r in _all_pages(world, params, 500) if r["state"] == "running"]
    assert rows
    calendars = world.config_current()[2].calendars
    with module_db.connect() as conn:
        for row in rows[:20]:
            stored, projected = conn.execute(
                select(InstanceRow.elapsed_seconds, TicketRow.projected_at)
                .join(TicketRow, TicketRow.id == InstanceRow.ticket_id)
                .where(InstanceRow.ticket_id == row["ticket"], InstanceRow.metric == row["metric"],
                       InstanceRow.cycle == row["cycle"], InstanceRow.kind == row["kind"])
            ).one()  # fmt: skip
            grown = round(calendars[row["calendar"]].elapsed(projected, later))
            assert row["elapsed_seconds"] == stored + grown
            assert row["remaining_seconds"] == row["target_seconds"] - row["elapsed_seconds"]


def test_requester_and_fields_at_judgement(world: Services) -> None:
    rows = _all_pages(world, LogParams(start=START, end=END, as_of=AS_OF), 500)
    assert all(r["requester"] for r in rows)
    assert {r["priority"] for r in rows} <= {"low", "normal", "high", "urgent", None}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (dict(sort="colour"), "sort: 'colour'"),
        (dict(judged=("late",)), "judged: 'late'"),
        (dict(filters={"colour": "red"}), "unknown filter 'colour'"),
        (dict(end=START), "to: "),
    ],
)
def test_bad_parameters_are_named(world: Services, change: dict[str, Any], words: str) -> None:
    params = LogParams(**{**dict(start=START, end=END, as_of=AS_OF), **change})
    with pytest.raises(ReportError, match=words):
        world.sla_log(params, None, 10)
    with pytest.raises(ValueError, match="invalid log cursor"):
        world.sla_log(LogParams(start=START, end=END, as_of=AS_OF), "bm9wZQ", 10)
