"""``slaclock explain``: why one ticket's clocks say what they say.

The command reads only its ticket's events, however big the input. The input is searched
in blocks of bytes for the ticket's id in quotes (``"T-1"``); only the lines that hold
it, or a backslash (an id may be written with JSON escapes), are looked at: their
ticket is read from their bytes (:func:`slaclock.service.replay.ticket_of`, as the
replay reads it), and only the ticket's lines are parsed and validated. So an
invalid line of the ticket exits 2 with ``file:line: reason`` as the replay does, and
so does an invalid line whose ticket cannot be read but that names the ticket; invalid
lines of other tickets are not reported (``slaclock replay`` checks the whole file).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.inputs import load_config_file, open_input
from slaclock.cli.options import as_of_option, config_option, instant_or_now, report_late
from slaclock.core.engine import Engine
from slaclock.core.errors import EventError
from slaclock.core.events import Event, parse_line
from slaclock.service.replay import EventCount, ticket_of

__all__ = ["events_of_ticket", "explain_command", "register"]


def explain_command(
    config: Path = config_option(),
    events: str = typer.Option(..., "--events", help="Events, JSON Lines; '-' for stdin."),
    ticket: str = typer.Option(..., "--ticket", help="The ticket id to explain."),
    as_of: str | None = as_of_option("--at"),
    as_json: bool = typer.Option(False, "--json", help="Print the explanation as JSON."),
) -> None:
    """Explain one ticket: policies tried, the one chosen, each instance's life.

    Only the ticket's lines of EVENTS are read and checked: invalid lines of other
    tickets are not reported (slaclock replay checks the whole file)."""
    with exit_on_error():
        when = instant_or_now(as_of)
        engine = Engine(load_config_file(config))
        late = EventCount(when)
        with _events_bytes(events) as (source, name):
            mine = list(late.counted(events_of_ticket(source, name, ticket)))
        if not mine:
            raise EventError(f"{name}: no events for ticket {ticket!r}")
        explanation = engine.explain_ticket(mine, when)
        if as_json:
            typer.echo(json.dumps(explanation.to_json(), indent=2))
        else:
            typer.echo(explanation.to_text(), nl=False)
        report_late(late, as_of is not None, f" of ticket {ticket}")


@contextmanager
def _events_bytes(path: str) -> Iterator[tuple[IO[bytes], str]]:
    """The events (stdin for ``-``) as bytes, and their name for messages."""
    if path == "-":
        yield sys.stdin.buffer, "<stdin>"
        return
    with open_input(path, "events", binary=True) as source:
        yield source, path


def events_of_ticket(source: IO[bytes], name: str, ticket: str) -> list[Event]:
    """The events of ``ticket`` in ``source`` (JSON Lines), in their order, each with its
    line number as ``seq`` (as :func:`slaclock.core.events.read_events` gives them).

    Raises :class:`EventError` naming ``name`` and the line at the first invalid line
    of the ticket (see the module docstring for which lines those are)."""
    key = ticket.encode("utf-8", "surrogatepass")
    quoted = b'"' + key + b'"'
    found: list[Event] = []
    for number, line in _lines_naming(source, quoted):
        owner = ticket_of(line)
        if owner == key or (owner is None and quoted in line):
            found.append(_event(line, number, name))
    return found


def _lines_naming(source: IO[bytes], quoted: bytes) -> Iterator[tuple[int, bytes]]:
    """The lines of ``source`` that hold ``quoted`` or a backslash, with their numbers
    (counted as a text reading counts lines: a carriage return ends one too).

    The input is read in blocks of whole lines. In a block without a backslash or a
    carriage return (nearly all), C searches find ``quoted`` and count the newlines
    before it; only other blocks are cut into lines."""
    number = 0  # lines before the block
    rest = b""
    while True:
        data = source.read(_BLOCK)
        block = rest + data
        end = block.rfind(b"\n") + 1 if data else len(block)
        block, rest = block[:end], block[end:]
        if b"\\" in block or b"\r" in block:
            for line in block.splitlines(keepends=True):
                number += 1
                if quoted in line or b"\\" in line:
                    yield number, line
        else:
            number = yield from _search(block, number, quoted)
        if not data:
            return


def _search(block: bytes, number: int, quoted: bytes) -> Generator[tuple[int, bytes], None, int]:
    """The lines of ``block`` (whole lines ending in newlines, but at the end of the
    input) that hold ``quoted``, numbered after ``number`` lines; returns the number of
    lines through the block's end."""
    counted = 0  # ``number`` counts the lines of block[:counted]
    at = block.find(quoted)
    while at >= 0:
        start = block.rfind(b"\n", 0, at) + 1
        stop = block.find(b"\n", at) + 1 or len(block)
        number += block.count(b"\n", counted, start)
        counted = start
        yield number + 1, block[start:stop]
        at = block.find(quoted, stop)
    number += block.count(b"\n", counted)
    return number + (1 if block and not block.endswith(b"\n") else 0)


#: Bytes read at a time by :func:`_lines_naming`.
_BLOCK = 1 << 20


def _event(line: bytes, number: int, name: str) -> Event:
    """The event of one line, validated as the replay validates it."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise EventError(f"{name}:{number}: not UTF-8 text") from None
    event = parse_line(text, number, name)
    if event is None:  # a line that names the ticket is never blank
        raise EventError(f"{name}:{number}: not an event")
    return event


def register(app: typer.Typer) -> None:
    app.command("explain")(explain_command)
