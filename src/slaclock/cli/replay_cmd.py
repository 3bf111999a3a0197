"""``slaclock replay`` and ``slaclock explain``: the black-box commands of events.md.

``replay`` streams the events once, keeping compact per-ticket state (see
:mod:`slaclock.core.engine.stream`); tickets whose events came out of order or
repeated are replayed from a second read of the input. Output is sorted by ticket,
so nothing is printed before the whole input has been read and validated: an
invalid event exits 2 with ``file:line: reason`` on stderr and nothing on stdout.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.spill import SpillFile
from slaclock.cli.standalone import finish
from slaclock.core.config import load_config
from slaclock.core.engine import (
    Engine,
    StreamReplay,
    TicketResult,
)
from slaclock.core.engine.instance import InstanceRow
from slaclock.core.engine.stream import lines
from slaclock.core.errors import EventError
from slaclock.core.events import Event, parse_instant, read_events

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("replay")(replay_command)
    app.command("explain")(explain_command)


def replay_command(
    config: Path = typer.Option(..., "--config", help="Configuration file (YAML or JSON)."),
    events: str = typer.Option(..., "--events", help="Events, JSON Lines; '-' for stdin."),
    as_of: str | None = typer.Option(None, "--as-of", help="Instant (ISO-8601); default now."),
    output: Path | None = typer.Option(None, "--output", help="Write here instead of stdout."),
) -> None:
    """Print every SLA instance as one JSON line, as of an instant."""
    with exit_on_error(), _no_cyclic_gc():
        when = _as_of(as_of)
        engine = Engine(load_config(config))
        with _seekable(events) as (stream, name), SpillFile() as parked:
            replayer = StreamReplay(engine, when, parked)
            replayer.feed_all(read_events(stream, name))
            drops = _set_aside_repeats(replayer, stream, name)
            late = _replay_late(engine, replayer.needs_history, stream, name, when, drops)
            _write(replayer.rows(late), output)
        finish()  # the output is written and every file closed: skip freeing the heap


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The replay holds hundreds of thousands of small acyclic objects; Python's cyclic
    collector would traverse them again and again (a fifth of the run time at 100k
    tickets) and find nothing. Reference counting still frees everything.

    The command ends (:func:`finish`) inside this block: every object the replay made
    is still counted as young, so the first allocation after the collector is back on
    would traverse them all once more (2% of a 10,000-ticket replay)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write(instances: Iterator[InstanceRow], output: Path | None) -> None:
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        write_lines(instances, out)
    finally:
        if output:
            out.close()


def write_lines(instances: Iterator[InstanceRow], out: IO[str]) -> None:
    """One compact JSON line per instance, written in chunks (``bench/engine_bench.py``
    times this very function)."""
    for text in lines(instances):
        out.write(text)


def explain_command(
    config: Path = typer.Option(..., "--config", help="Configuration file (YAML or JSON)."),
    events: str = typer.Option(..., "--events", help="Events, JSON Lines; '-' for stdin."),
    ticket: str = typer.Option(..., "--ticket", help="The ticket id to explain."),
    at: str | None = typer.Option(None, "--at", help="Instant (ISO-8601); default now."),
    as_json: bool = typer.Option(False, "--json", help="Print the explanation as JSON."),
) -> None:
    """Explain one ticket: policies tried, the one chosen, each instance's life."""
    with exit_on_error():
        when = _as_of(at)
        engine = Engine(load_config(config))
        with _seekable(events) as (stream, name):
            mine = [e for e in read_events(stream, name) if e.ticket == ticket]
        if not mine:
            raise EventError(f"{name}: no events for ticket {ticket!r}")
        explanation = engine.explain_ticket(mine, when)
        if as_json:
            typer.echo(json.dumps(explanation.to_json(), indent=2))
        else:
            typer.echo(explanation.to_text(), nl=False)


def _as_of(text: str | None) -> datetime:
    """The CLI is the one place that reads the clock; the core is handed the instant."""
    if text is None:
        return datetime.now(UTC)
    try:
        return parse_instant(text, "--as-of")
    except EventError as exc:
        raise typer.BadParameter(str(exc)) from None


def _set_aside_repeats(replayer: StreamReplay, stream: IO[str], name: str) -> dict[str, set[int]]:
    """Tickets with a repeated event id go to the exact replay; returns the events whose
    id an earlier event of another ticket had: ticket -> line numbers.

    Only when some id hash was fed twice (rare) is the input read again, keeping just
    the events with such a hash, so memory stays with the repeats."""
    suspects = replayer.repeated_id_hashes()
    if not suspects:
        return {}
    stream.seek(0)
    candidates = [e for e in read_events(stream, name) if hash(e.id) in suspects]
    return replayer.set_aside_repeats(candidates)


def _replay_late(
    engine: Engine,
    tickets: set[str],
    stream: IO[str],
    name: str,
    as_of: datetime,
    drops: dict[str, set[int]],
) -> dict[str, TicketResult]:
    """Second read, for out-of-order or repeated tickets only: exact replay from events
    (without the events whose id another ticket had first)."""
    if not tickets:
        return {}
    stream.seek(0)
    history: dict[str, list[Event]] = {t: [] for t in tickets}
    for event in read_events(stream, name):
        if event.ticket in history and event.seq not in drops.get(event.ticket, ()):
            history[event.ticket].append(event)
    return {t: engine.replay_ticket(evs, as_of) for t, evs in history.items()}


@contextmanager
def _seekable(path: str) -> Iterator[tuple[IO[str], str]]:
    """The events as a seekable text stream; stdin is spooled to a temporary file."""
    if path != "-":
        try:
            stream = open(path, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise EventError(f"{path}: cannot read events: {exc.strerror}") from None
        with stream:
            yield stream, path
        return
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        shutil.copyfileobj(sys.stdin, spool)
        spool.seek(0)
        yield spool, "<stdin>"
