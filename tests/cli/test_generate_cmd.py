"""``slaclock generate``: seeded JSON Lines on stdout or into a file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.core.events import read_events

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = str(DATA / "example_config.yaml")
runner = CliRunner()


def _generate(*args: str):
    return runner.invoke(app, ["generate", "--config", CONFIG, "--tickets", "300",
                               "--days", "7", *args])  # fmt: skip


def test_same_seed_prints_the_same_bytes_and_the_events_parse():
    first, again, other = _generate("--seed", "4"), _generate("--seed", "4"), _generate()
    assert first.exit_code == 0, first.output
    assert first.stdout == again.stdout != other.stdout
    lines = first.stdout.splitlines()
    events = list(read_events(lines, "<stdout>"))
    assert len(events) == len(lines) > 300
    assert sum(e.type == "ticket.created" for e in events) == 300


def test_default_start_is_fixed_and_start_moves_the_period():
    default = _generate().stdout.splitlines()
    assert json.loads(default[0])["at"].startswith("2026-03-02")
    moved = _generate("--start", "2026-06-01").stdout.splitlines()
    assert json.loads(moved[0])["at"].startswith("2026-06-01")
    last = json.loads(moved[-1])["at"]
    assert last <= "2026-06-08T00:00:00Z"


def test_end_now_ends_the_period_at_the_current_time():
    result = _generate("--end", "now")
    assert result.exit_code == 0
    last = datetime.fromisoformat(json.loads(result.stdout.splitlines()[-1])["at"])
    assert datetime.now(UTC) - timedelta(days=1) < last <= datetime.now(UTC)


def test_output_file_holds_what_stdout_would(tmp_path):
    target = tmp_path / "events.jsonl"
    result = _generate("--seed", "2", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == _generate("--seed", "2").stdout


def test_shuffle_and_duplicates_deliver_out_of_order_and_twice():
    lines = _generate("--shuffle", "0.3", "--duplicates", "0.1").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    instants = [e["at"] for e in events]
    assert instants != sorted(instants)
    assert len({e["id"] for e in events}) < len(events)


def test_unsorted_groups_events_by_ticket():
    events = [json.loads(x) for x in _generate("--unsorted").stdout.splitlines()]
    tickets = [e["ticket"] for e in events]
    assert tickets == sorted(tickets)


def test_bad_arguments_exit_with_usage_errors():
    assert _generate("--start", "yesterday").exit_code == 2
    assert _generate("--start", "2026-03-02T10:00").exit_code == 2  # naive instant
    assert _generate("--start", "2026-03-02", "--end", "now").exit_code == 2
    assert _generate("--shuffle", "1.5").exit_code == 2


def test_an_invalid_config_exits_2_naming_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("calendars: 3\n")
    result = runner.invoke(app, ["generate", "--config", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output
