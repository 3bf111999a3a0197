"""``slaclock replay`` of a big input in parts (``slaclock.service.replay.SPLIT_BYTES``):
the same bytes, the same errors, as the replay of the whole input in one go."""

from __future__ import annotations

import errno
import json
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.core.config import load_config
from slaclock.core.engine import Engine
from slaclock.core.workload import generate_lines
from slaclock.service import replay

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = str(DATA / "example_config.yaml")
AS_OF = "2026-04-15T00:00:00Z"
runner = CliRunner()


def _replay(
    monkeypatch: pytest.MonkeyPatch, part_bytes: int | None, *args: str, stdin: str | None = None
):
    """The replay command, in parts of ``part_bytes`` (None: in one go)."""
    monkeypatch.setattr(replay, "SPLIT_BYTES", 10**12 if part_bytes is None else 0)
    monkeypatch.setattr(replay, "PART_BYTES", part_bytes or 1)
    return runner.invoke(app, ["replay", "--config", CONFIG, *args], input=stdin)


def _whole_and_parts(monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str | None = None):
    whole = _replay(monkeypatch, None, *args, stdin=stdin)
    parts = _replay(monkeypatch, 2_000, *args, stdin=stdin)
    return whole, parts


@pytest.fixture(scope="module")
def messy_lines() -> list[str]:
    """A generated workload delivered badly: shuffled in places, events repeated, an
    event id reused by other tickets, events before their ticket's creation, blank
    lines and CRLF line ends."""
    lines = list(generate_lines(load_config(CONFIG), 120, 30, 11, datetime(2026, 3, 2, tzinfo=UTC)))
    rng = random.Random(5)
    for start in range(0, len(lines) - 12, 97):  # local shuffles: out of order per ticket
        window = lines[start : start + 12]
        rng.shuffle(window)
        lines[start : start + 12] = window
    lines += rng.sample(lines, 25)  # repeats, the same id on the same ticket
    created = [line for line in lines if '"ticket.created"' in line]
    for number, line in enumerate(rng.sample(created, 6)):  # an id on another ticket too
        event = json.loads(line)
        event["ticket"] = f"T-reused-{number}"
        at = lines.index(line)  # half arrive before the original: the other ticket gets it
        lines.insert(rng.randrange(at) if number % 2 else at + rng.randrange(50), json.dumps(event))
    lines.insert(10, "")
    lines.insert(300, "   ")
    return lines


def test_a_replay_in_parts_prints_the_bytes_of_the_whole_replay(monkeypatch, tmp_path, messy_lines):
    path = tmp_path / "events.jsonl"
    crlf, lf = "\r\n".join(messy_lines[:400]), "\n".join(messy_lines[400:])
    path.write_bytes(f"{crlf}\n{lf}\n".encode())
    whole, parts = _whole_and_parts(monkeypatch, "--events", str(path), "--as-of", AS_OF)
    assert whole.exit_code == 0, whole.output
    assert parts.exit_code == 0, parts.output
    assert parts.stdout == whole.stdout
    assert len(whole.stdout.splitlines()) > 200
    assert '"T-reused-' in whole.stdout  # the reused ids are there, and settled alike


def test_the_parts_are_many_and_small(monkeypatch, tmp_path, messy_lines):
    """The test above really cut its input: into as many parts as the size asks."""
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(messy_lines) + "\n")
    monkeypatch.setattr(replay, "SPLIT_BYTES", 0)
    monkeypatch.setattr(replay, "PART_BYTES", path.stat().st_size // 5)
    engine = Engine(load_config(CONFIG))
    as_of = datetime(2026, 4, 15, tzinfo=UTC)
    with open(path, "rb") as source, open(tmp_path / "out.jsonl", "wb") as out:
        stats = replay.replay_file(engine, source, str(path), as_of, lambda: out)
    assert stats.parts == 6
    assert stats.replayed_again == 12  # both tickets of each of the 6 ids reused elsewhere
    monkeypatch.setattr(replay, "SPLIT_BYTES", path.stat().st_size)
    with open(path, "rb") as source, open(tmp_path / "whole.jsonl", "wb") as out:
        whole = replay.replay_file(engine, source, str(path), as_of, lambda: out)
    assert whole.parts == 1
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "whole.jsonl").read_bytes()


def test_stdin_is_replayed_in_parts_too(monkeypatch, tmp_path, messy_lines):
    text = "\n".join(messy_lines) + "\n"
    out = tmp_path / "out.jsonl"
    whole = _replay(monkeypatch, None, "--events", "-", "--as-of", AS_OF, stdin=text)
    parts = _replay(
        monkeypatch, 2_000, "--events", "-", "--as-of", AS_OF, "--output", str(out), stdin=text
    )
    assert parts.exit_code == 0 and parts.stdout == ""
    assert out.read_text() == whole.stdout


@pytest.mark.parametrize("bad", ["naive", "json"])
def test_the_first_bad_line_of_the_input_is_reported_whichever_part_holds_it(
    monkeypatch, tmp_path, messy_lines, bad
):
    """Two bad lines of different tickets: a part replayed early may hold the later
    one, but the error names the input's first, as the whole replay does."""
    lines = list(messy_lines)
    late = json.loads(lines[700])
    late["at"] = late["at"].rstrip("Z")  # no offset
    lines[700] = json.dumps(late)
    early = json.loads(lines[200])
    lines[200] = (
        json.dumps({**early, "at": early["at"].rstrip("Z")}) if bad == "naive" else "{broken"
    )
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    whole, parts = _whole_and_parts(monkeypatch, "--events", str(path), "--as-of", AS_OF)
    assert whole.exit_code == parts.exit_code == 2
    assert whole.stdout == parts.stdout == ""
    assert parts.stderr == whole.stderr
    assert f"{path}:201:" in parts.stderr


def test_a_full_disk_or_an_unwritable_output_exits_2_naming_it(monkeypatch, tmp_path, messy_lines):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(messy_lines) + "\n")
    missing = tmp_path / "no-such-dir" / "out.jsonl"
    result = _replay(monkeypatch, 2_000, "--events", str(path), "--output", str(missing))
    assert result.exit_code == 2 and result.stdout == ""
    assert str(missing) in result.stderr and "No such file" in result.stderr

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    for part_bytes in (None, 2_000):  # the output of one part, or the parts
        for events, stdin in ((str(path), None), ("-", path.read_text())):  # stdin: spooled
            result = _replay(monkeypatch, part_bytes, "--events", events, stdin=stdin)
            assert result.exit_code == 2 and result.stdout == ""
            assert f"temporary files in {tempfile.gettempdir()}: No space" in result.stderr
