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
import os
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
from slaclock.cli.standalone import finish
from slaclock.core.config import load_config
from slaclock.core.engine import (
    Engine,
    Instance,
    StreamReplay,
    TicketResult,
)
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
    with exit_on_error():
        when = _as_of(as_of)
        engine = Engine(load_config(config))
        with _seekable(events) as (stream, name), SpillFile() as parked, _no_cyclic_gc():
            replayer = StreamReplay(engine, when, parked)
            replayer.feed_all(read_events(stream, name))
            drops = _set_aside_repeats(replayer, stream, name)
            late = _replay_late(engine, replayer.needs_history, stream, name, when, drops)
            _write(replayer.instances(late), output)
    finish()  # the output is written and every file closed: skip freeing the heap


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The replay holds hundreds of thousands of small acyclic objects; Python's cyclic
    collector would traverse them again and again (a fifth of the run time at 100k
    tickets) and find nothing. Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write(instances: Iterator[Instance], output: Path | None) -> None:
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        write_lines(instances, out)
    finally:
        if output:
            out.close()


def write_lines(instances: Iterator[Instance], out: IO[str]) -> None:
    """One compact JSON line per instance, written in chunks (``bench/engine_bench.py``
    times this very function)."""
    for text in lines(instances):
        out.write(text)


class SpillFile:
    """Parked tickets (a :class:`~slaclock.core.engine.stream.ParkingLot`) in a temporary
    file; only an index of one integer per ticket stays in memory.

    Each blob is appended as a record: 8 bytes naming the ticket's previous record (0:
    none), then the blob. The index keeps the ticket's newest record as ``offset << 24 |
    length``, plus one, so a ticket's list is read by following the records back.
    Parking a ticket again starts a new list (the old records are dead space: a ticket
    is parked once in a streaming replay, and rarely twice). Appends gather in a 1 MB
    buffer written with one ``pwrite``; reads are ``pread`` (or the buffer): no seeks,
    no flushes between a write and a read. The file is deleted on close.
    """

    _BUFFER = 1 << 20

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115
        self._fd = self._file.fileno()
        self._index: dict[str, int] = {}
        self._written = 0  # bytes in the file; the buffer holds what follows
        self._buffer = bytearray()

    def __enter__(self) -> SpillFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def park(self, key: str, blob: bytes) -> None:
        self._index[key] = self._write(0, blob)

    def append(self, key: str, blob: bytes) -> None:
        self._index[key] = self._write(self._index[key], blob)

    def _write(self, previous: int, blob: bytes) -> int:
        size = 8 + len(blob)
        if size >= 1 << 24:
            raise ValueError("a parked ticket's record is larger than 16 MB")
        where = ((self._written + len(self._buffer)) << 24 | size) + 1
        self._buffer += previous.to_bytes(8, "little")
        self._buffer += blob
        if len(self._buffer) >= self._BUFFER:
            os.pwrite(self._fd, self._buffer, self._written)
            self._written += len(self._buffer)
            self._buffer = bytearray()
        return where

    def blobs(self, key: str) -> list[bytes]:
        found = []
        where = self._index[key]
        while where:
            record = self._read(where - 1)
            found.append(record[8:])
            where = int.from_bytes(record[:8], "little")
        found.reverse()
        return found

    def _read(self, where: int) -> bytes:
        offset, length = where >> 24, where & 0xFFFFFF
        if offset >= self._written:
            start = offset - self._written
            return bytes(self._buffer[start : start + length])
        return os.pread(self._fd, length, offset)

    def discard(self, key: str) -> None:
        self._index.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index


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
