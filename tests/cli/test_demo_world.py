"""``slaclock demo`` builds a healthy team: no stale backlog, promises mostly kept,
named customers, configured people as assignees."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.cli.service_demo import demo_config_path
from slaclock.service.demo_world import COMPANY_NAMES, PENDING_AUTO_SOLVE, STALE_CLOSE


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        result = runner.invoke(
            app, ["demo", "--no-serve", "--tickets", "2000", "--days", "30", "--seed", "3"]
        )
    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.stdout
    return folder / "var" / "demo.db"


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def _at(value: object) -> datetime:
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def test_no_open_ticket_is_left_untouched(demo_db: Path) -> None:
    now = datetime.now(UTC)
    rows = _rows(
        demo_db,
        "SELECT t.id, t.status, max(e.at) FROM tickets t JOIN events e ON e.ticket_id = t.id"
        " WHERE t.deleted = 0 AND t.status NOT IN ('solved', 'closed') GROUP BY t.id",
    )
    assert rows
    for ticket, status, last in rows:
        limit = PENDING_AUTO_SOLVE if status == "pending" else STALE_CLOSE
        assert now - _at(last) <= limit + timedelta(minutes=5), (ticket, status, last)


def test_no_clock_left_overdue_since_before_today(demo_db: Path) -> None:
    day_start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    stale = _rows(
        demo_db,
        "SELECT ticket_id FROM instances WHERE open = 1 AND ("
        f" (state = 'running' AND overdue_from < '{day_start:%Y-%m-%d %H:%M:%S}') OR"
        f" (state = 'breached' AND breached_at < '{day_start:%Y-%m-%d %H:%M:%S}'))",
    )
    assert stale == []


def test_compliance_over_the_last_weeks_is_high(demo_db: Path) -> None:
    today = datetime.now(UTC).date()
    result = CliRunner().invoke(
        app,
        ["report", "compliance", "--from", str(today - timedelta(days=21)), "--to", str(today),
         "--database-url", f"sqlite:///{demo_db}", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["rows"][0]
    assert row["met"] > 0
    assert row["compliance"] > 0.85, row


def test_customers_have_names_and_agents_are_configured_people(demo_db: Path) -> None:
    people = {p["id"] for p in yaml.safe_load(demo_config_path().read_text())["people"]}
    fields = [
        json.loads(body)["fields"]
        for (body,) in _rows(demo_db, "SELECT body FROM events WHERE type = 'ticket.created'")
    ]
    customers = {f["customer"]["id"]: f["customer"]["name"] for f in fields}
    assert len(customers) > 10
    assert set(customers.values()) <= set(COMPANY_NAMES)
    assert len(set(customers.values())) == len(customers)  # one name per customer
    assert not any(cid.startswith("org-") for cid in customers)
    assignees = {a for (a,) in _rows(demo_db, "SELECT DISTINCT assignee FROM tickets")}
    assert assignees - {None} <= people
    assert len(assignees - {None}) > 3
    authors = {
        json.loads(body).get("author_id")
        for (body,) in _rows(demo_db, "SELECT body FROM events WHERE type = 'message'")
    }
    assert authors - {None} <= people
