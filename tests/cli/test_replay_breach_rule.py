"""``slaclock replay`` on the breach rule's reproduction (issue 20, policies.md): a 9h
business-hours target that runs out at Friday's closing time is met by a close on the
Saturday, as ServiceNow judges it, and a clock still running is due with 0 left."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from slaclock.cli.main import app

CONFIG = """
calendars:
  - {id: biz, tz: UTC, week: {mon: ["14:00-23:00"], tue: ["14:00-23:00"], wed: ["14:00-23:00"],
                              thu: ["14:00-23:00"], fri: ["14:00-23:00"]}}
metrics:
  time_to_close: {start: [{event: created}], stop: [{event: status_changed, to: closed}]}
policies:
  - {id: p, name: P, calendar: biz, targets: {time_to_close: {within: 9h}}}
"""
CREATED = (
    '"at":"2016-04-15T14:00:00Z","type":"ticket.created","by":"agent",'
    '"fields":{"status":"new","priority":"normal"}'
)
EVENTS = [
    '{"id":"a1","ticket":"A",' + CREATED + "}",
    '{"id":"a2","ticket":"A","at":"2016-04-15T23:00:00Z","type":"ticket.updated","changes":{"status":"closed"}}',
    '{"id":"b1","ticket":"B",' + CREATED + "}",
    '{"id":"b2","ticket":"B","at":"2016-04-16T15:00:00Z","type":"ticket.updated","changes":{"status":"closed"}}',
    '{"id":"c1","ticket":"C",' + CREATED + "}",
]  # fmt: skip


def _replay(tmp_path: Path, as_of: str) -> dict[str, dict[str, object]]:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG)
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(EVENTS) + "\n")
    result = CliRunner().invoke(
        app, ["replay", "--config", str(config), "--events", str(events), "--as-of", as_of]
    )
    assert result.exit_code == 0, result.output
    return {row["ticket"]: row for row in map(json.loads, result.stdout.splitlines())}


def test_the_reproduction_is_met_met_and_running_with_nothing_left(tmp_path: Path) -> None:
    rows = _replay(tmp_path, "2016-04-16T20:00:00Z")
    assert (rows["A"]["state"], rows["A"]["remaining_seconds"]) == ("met", 0)
    assert (rows["B"]["state"], rows["B"]["remaining_seconds"]) == ("met", 0)
    assert (rows["C"]["state"], rows["C"]["remaining_seconds"]) == ("running", 0)
    assert rows["C"]["due_at"] == "2016-04-15T23:00:00Z" and rows["C"]["breached"] is False


def test_the_running_clock_breaches_one_second_into_monday(tmp_path: Path) -> None:
    assert _replay(tmp_path, "2016-04-18T14:00:00Z")["C"]["state"] == "running"
    late = _replay(tmp_path, "2016-04-18T14:00:01Z")["C"]
    assert (late["state"], late["remaining_seconds"]) == ("breached", -1)
    assert late["breached_at"] == "2016-04-15T23:00:00Z"
