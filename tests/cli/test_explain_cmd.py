"""``slaclock explain`` reads only its ticket's lines: the same events, line numbers and
errors as a full read for that ticket, without parsing the other tickets' lines."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slaclock.cli import explain_cmd
from slaclock.cli.explain_cmd import events_of_ticket
from slaclock.cli.main import app
from slaclock.core.config import load_config
from slaclock.core.engine import Engine
from slaclock.core.errors import EventError
from slaclock.core.events import read_events
from slaclock.core.workload import generate_lines

EXAMPLES = Path(__file__).resolve().parents[1] / "data"
CONFIG, EVENTS = (str(EXAMPLES / name) for name in ("example_config.yaml", "example_events.jsonl"))
AS_OF = "2026-03-10T00:00:00Z"


def explain(*args: str, stdin: str | None = None):
    """``slaclock explain -c CONFIG ARGS…``, in this process."""
    return CliRunner().invoke(app, ["explain", "-c", CONFIG, *args], input=stdin)


def mixed_text(seed: int) -> str:
    """The example events of T-1 … T-4 plus look-alikes: tickets whose ids contain
    another's (T-1, T-10, xT-1), an id written with JSON escapes, blank lines, CRLF and
    lone CR line ends, and other tickets' events whose subjects name T-1."""
    rng = random.Random(seed)
    base = Path(EVENTS).read_text().splitlines()
    lines = list(base)
    for n, line in enumerate(base):
        event = json.loads(line)
        for other in ("T-10", "xT-1", "T-1 "):
            lines.append(json.dumps({**event, "id": f"{other}-{n}", "ticket": other}))
        escaped = json.dumps({**event, "id": f"esc-{n}"}).replace('"T-', '"T\\u002d', 1)
        lines.append(escaped)  # its ticket is written T\u002d…: the same ticket
        if event["type"] == "ticket.created":
            fields = {**event["fields"], "subject": 'about "T-1" and T\\1'}
            lines.append(json.dumps({**event, "id": f"s-{n}", "ticket": "T-9", "fields": fields}))
    rng.shuffle(lines)
    ends = ["\n", "\n", "\n", "\r\n", "\r"]
    text = "".join(line + rng.choice(ends) + ("\n" if rng.random() < 0.1 else "") for line in lines)
    return text


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tickets_events_are_those_a_full_read_finds(monkeypatch, block, seed):
    monkeypatch.setattr(explain_cmd, "_BLOCK", block)
    text = mixed_text(seed)
    everything = list(read_events(io.StringIO(text, newline=None), "mixed"))
    tickets = {e.ticket for e in everything}
    assert {"T-1", "T-10", "xT-1", "T-1 ", "T-9"} <= tickets
    for ticket in sorted(tickets):
        found = events_of_ticket(io.BytesIO(text.encode()), "mixed", ticket)
        assert found == [e for e in everything if e.ticket == ticket], ticket


def test_a_last_line_without_newline_is_read():
    text = Path(EVENTS).read_text().rstrip("\n")
    last = json.loads(text.splitlines()[-1])
    found = events_of_ticket(io.BytesIO(text.encode()), "x", last["ticket"])
    assert found[-1].id == last["id"] and found[-1].seq == len(text.splitlines())


def test_only_the_tickets_lines_are_parsed(monkeypatch, tmp_path):
    lines = list(generate_lines(load_config(CONFIG), 300, 10, 4, datetime(2026, 3, 2, tzinfo=UTC)))
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    ticket = json.loads(lines[len(lines) // 2])["ticket"]
    mine = [line for line in lines if json.loads(line)["ticket"] == ticket]
    parsed: list[int] = []
    real = explain_cmd.parse_line
    monkeypatch.setattr(
        explain_cmd, "parse_line", lambda line, n, name: parsed.append(n) or real(line, n, name)
    )
    result = explain("--events", str(path), "--ticket", ticket, "--as-of", "2026-04-01")
    assert result.exit_code == 0, result.output
    assert len(parsed) == len(mine) < len(lines) / 50


def test_the_explanation_is_the_engines_for_the_tickets_events():
    result = explain("--events", EVENTS, "--ticket", "T-2", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    with open(EVENTS) as f:
        mine = [e for e in read_events(f, EVENTS) if e.ticket == "T-2"]
    expected = Engine(load_config(CONFIG)).explain_ticket(mine, datetime(2026, 3, 10, tzinfo=UTC))
    assert json.loads(result.stdout) == json.loads(json.dumps(expected.to_json()))


def test_explain_reads_stdin():
    from_file = explain("--events", EVENTS, "--ticket", "T-2", "--as-of", AS_OF)
    from_stdin = explain(
        "--events", "-", "--ticket", "T-2", "--as-of", AS_OF, stdin=Path(EVENTS).read_text()
    )
    assert from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout


def _with_line(tmp_path: Path, number: int, line: str) -> Path:
    lines = Path(EVENTS).read_text().splitlines()
    lines.insert(number - 1, line)
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_invalid_line_of_the_ticket_exits_2_naming_file_and_line(tmp_path):
    bad = {"id": "bad", "ticket": "T-2", "at": "2026-03-03T10:05:00", "type": "message",
           "author": "agent"}  # fmt: skip
    path = _with_line(tmp_path, 4, json.dumps(bad))
    result = explain("--events", str(path), "--ticket", "T-2", "--as-of", AS_OF)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{path}:4:" in result.stderr and "no offset" in result.stderr


def test_a_broken_line_that_names_the_ticket_exits_2(tmp_path):
    path = _with_line(tmp_path, 3, '{"id": "cut", "ticket": "T-2", "at": "2026-03-0')
    result = explain("--events", str(path), "--ticket", "T-2", "--as-of", AS_OF)
    assert result.exit_code == 2 and f"{path}:3: invalid JSON" in result.stderr


def test_invalid_lines_of_other_tickets_are_not_reported(tmp_path):
    path = _with_line(tmp_path, 2, '{"id": "x", "ticket": "T-3", "at": "yesterday"}')
    path = _with_line(tmp_path, 5, "not json at all")
    result = explain("--events", str(path), "--ticket", "T-2", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "Ticket T-2 as of" in result.stdout
    full = CliRunner().invoke(
        app, ["replay", "-c", CONFIG, "--events", str(path), "--as-of", AS_OF]
    )
    assert full.exit_code == 2  # replay reads every line: it reports them


def test_a_line_that_is_not_utf8_in_the_ticket_is_named(tmp_path):
    path = tmp_path / "events.jsonl"
    good = Path(EVENTS).read_bytes()
    path.write_bytes(good + b'{"id":"z","ticket":"T-2","at":"\xff"}\n')
    with pytest.raises(EventError, match=r":10: not UTF-8 text"), path.open("rb") as f:
        events_of_ticket(f, str(path), "T-2")


def test_an_explanation_before_every_event_still_names_its_ticket():
    result = explain("--events", EVENTS, "--ticket", "T-2", "--as-of", "2000-01-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Ticket T-2 as of 2000-01-01T00:00:00Z")
    assert "of ticket T-2" in result.stderr  # the notice: its events all come later
