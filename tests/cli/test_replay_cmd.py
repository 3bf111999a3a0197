"""``slaclock replay`` and ``slaclock explain`` (events.md, "The black-box command")."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.core.config import load_config
from slaclock.core.engine import INSTANCE_KEYS, replay
from slaclock.core.events import read_events

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = str(DATA / "example_config.yaml")
EVENTS = str(DATA / "example_events.jsonl")
AS_OF = "2026-03-10T00:00:00Z"
runner = CliRunner()


def _replay(*args: str, stdin: str | None = None):
    return runner.invoke(app, ["replay", "--config", CONFIG, *args], input=stdin)


def test_replay_prints_every_instance_as_one_json_line_in_spec_order():
    result = _replay("--events", EVENTS, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(tuple(row) == INSTANCE_KEYS for row in rows)
    order = [(r["ticket"], r["kind"], r["metric"], r["cycle"]) for r in rows]
    assert order == sorted(order)
    with open(EVENTS) as f:
        events = list(read_events(f))
    expected = replay(load_config(CONFIG), events, datetime(2026, 3, 10, tzinfo=UTC))
    assert rows == [i.to_json() for i in expected]
    first = next(r for r in rows if r["ticket"] == "T-1" and r["metric"] == "first_response")
    assert first == {
        "ticket": "T-1", "metric": "first_response", "kind": "sla", "cycle": 0,
        "policy": "enterprise", "policy_version": 1, "calendar": "amsterdam-office",
        "target_seconds": 3600, "goal_seconds": 1800, "started_at": "2026-03-02T08:15:00Z",
        "due_at": "2026-03-02T09:15:00Z", "goal_due_at": "2026-03-02T08:45:00Z",
        "goal_breached": False, "stopped_at": "2026-03-02T08:40:00Z", "state": "met",
        "breached": False, "breached_at": None, "elapsed_seconds": 1500,
        "paused_seconds": 0, "remaining_seconds": 2100,
    }  # fmt: skip


def test_replay_reads_stdin_and_writes_output_file(tmp_path):
    out = tmp_path / "out.jsonl"
    text = Path(EVENTS).read_text()
    result = _replay("--events", "-", "--as-of", AS_OF, "--output", str(out), stdin=text)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text() == _replay("--events", EVENTS, "--as-of", AS_OF).stdout


def test_out_of_order_and_repeated_input_gives_the_same_output(tmp_path):
    lines = Path(EVENTS).read_text().splitlines()
    mixed = lines + lines[2:5]
    random.Random(7).shuffle(mixed)
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(mixed) + "\n")
    got = _replay("--events", str(path), "--as-of", AS_OF)
    assert got.exit_code == 0
    assert got.stdout == _replay("--events", EVENTS, "--as-of", AS_OF).stdout


def test_an_invalid_event_exits_2_naming_file_and_line_with_nothing_on_stdout(tmp_path):
    lines = Path(EVENTS).read_text().splitlines()
    lines[4] = lines[4].replace('"2026-03-03T10:05:00Z"', '"2026-03-03T10:05:00"')
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = _replay("--events", str(path), "--as-of", AS_OF)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{path}:5:" in result.stderr and "no offset" in result.stderr


def test_an_invalid_config_exits_2_with_nothing_on_stdout(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("policies: [{id: x}]\n")
    result = runner.invoke(app, ["replay", "--config", str(bad), "--events", EVENTS])
    assert result.exit_code == 2 and result.stdout == ""
    assert "bad.yaml" in result.stderr


def test_a_missing_events_file_exits_2(tmp_path):
    result = _replay("--events", str(tmp_path / "none.jsonl"), "--as-of", AS_OF)
    assert result.exit_code == 2 and result.stdout == "" and "none.jsonl" in result.stderr


def test_a_naive_as_of_is_rejected():
    result = _replay("--events", EVENTS, "--as-of", "2026-03-10T00:00:00")
    assert result.exit_code == 2 and result.stdout == ""


def test_explain_shows_policies_tried_and_each_instance_life():
    args = ["explain", "--config", CONFIG, "--events", EVENTS, "--ticket", "T-2"]
    result = runner.invoke(app, [*args, "--at", AS_OF])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "outage: rejected: " in text and "enterprise: rejected: customer.plan" in text
    assert "business: MATCHED" in text and "Policy chosen: business" in text
    assert "started by e8" in text and "stopped by e9" in text
    data = json.loads(runner.invoke(app, [*args, "--at", AS_OF, "--json"]).stdout)
    assert data["policy"] == "business"
    assert [p["policy"] for p in data["policies_tried"]] == ["outage", "enterprise", "business"]


def test_explain_of_an_unknown_ticket_exits_2():
    args = ["explain", "--config", CONFIG, "--events", EVENTS, "--ticket", "T-404"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "T-404" in result.stderr


def test_an_event_id_seen_on_another_ticket_is_ignored(tmp_path: Path):
    """events.md: an event whose id was seen before is ignored — across tickets too, as
    the service's event log does. The first arrival keeps it."""
    with open(EVENTS) as f:
        lines = f.read().splitlines()
    first = json.loads(lines[0])  # e1: T-1 created
    reused = {**first, "ticket": "T-9", "at": "2026-03-02T07:00:00Z"}
    other = {**first, "id": "e-own", "ticket": "T-3", "at": "2026-03-02T07:30:00Z"}
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([*lines, json.dumps(reused), json.dumps(other)]) + "\n")
    result = _replay("--events", str(path), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    tickets = {r["ticket"] for r in rows}
    assert "T-9" not in tickets and {"T-1", "T-3"} <= tickets
    baseline = [json.loads(x) for x in _replay("--events", EVENTS, "--as-of", AS_OF).stdout.split()]
    assert [r for r in rows if r["ticket"] == "T-1"] == [
        r for r in baseline if r["ticket"] == "T-1"
    ]
    with open(path) as f:
        events = list(read_events(f))
    expected = replay(load_config(CONFIG), events, datetime(2026, 3, 10, tzinfo=UTC))
    assert rows == [i.to_json() for i in expected]


def test_a_replay_of_a_small_input_never_imports_numpy():
    """Start-up weighs on every command: NumPy (a tenth of a 10,000-ticket replay) is
    imported only by the bulk calendar methods and by the id-repeat check of inputs
    beyond 100,000 events. A fresh interpreter runs the command and reports."""
    probe = (
        "import sys\n"
        "from slaclock.cli.main import app\n"
        "try:\n"
        f"    app(['replay', '--config', {CONFIG!r}, '--events', {EVENTS!r},"
        f" '--as-of', {AS_OF!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('numpy' in sys.modules, file=sys.stderr)\n"
    )
    done = _in_fresh_interpreter(probe)
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert printed and all(tuple(row) == INSTANCE_KEYS for row in printed)  # it ran
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_the_replay_command_ends_before_the_cyclic_collector_runs_again(tmp_path: Path):
    """``slaclock replay`` keeps the cyclic collector off while it runs and ends the
    process inside that stretch: switched back on, its first collection would traverse
    every object the replay made (they all still count as young). A fresh interpreter
    runs the command as the console script does and reports any collection that
    starts with tens of thousands of young objects."""
    from slaclock.core.workload import generate_lines

    events = tmp_path / "events.jsonl"
    lines = generate_lines(load_config(CONFIG), 2_000, 30, 1, datetime(2026, 3, 2, tzinfo=UTC))
    events.write_text("".join(line + "\n" for line in lines))
    output = tmp_path / "out.jsonl"
    probe = (
        "import gc, sys\n"
        "def report(phase, info):\n"
        "    if phase == 'start' and gc.get_count()[0] > 20_000:\n"
        "        sys.stderr.write(f'young collection of {gc.get_count()[0]}\\n')\n"
        "gc.callbacks.append(report)\n"
        f"sys.argv = ['slaclock', 'replay', '--config', {CONFIG!r}, '--events', {str(events)!r},"
        f" '--as-of', '2026-06-01T00:00:00Z', '--output', {str(output)!r}]\n"
        "from slaclock.cli.standalone import main\n"
        "main()\n"
    )
    done = _in_fresh_interpreter(probe)
    assert done.returncode == 0, done.stderr
    assert output.read_text().count("\n") > 1_000  # the replay ran and wrote its lines
    assert "young collection" not in done.stderr


def _in_fresh_interpreter(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new Python process (start-up and exit are what is tested)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
