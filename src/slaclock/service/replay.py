"""Replay an event file: every instance of every ticket as of an instant, as JSON lines
sorted by ticket (events.md, "The black-box command").

One path for every input. Tickets are independent: each is replayed from its own
events by :meth:`Engine.run`, the function the service projects a ticket with, so
out-of-order events, an id repeated within a ticket and events that come before their
ticket's creation need nothing here. Two things cross tickets:

- **Memory.** A part of the input is held while it is replayed, as its raw lines
  grouped by ticket; a ticket's lines are parsed only when it is replayed. An input
  bigger than :data:`SPLIT_BYTES` is first cut by a hash of the ticket into parts of
  about :data:`PART_BYTES` (a part that is still too big is cut again, with another
  hash), and the parts' outputs are merged in ticket order.
- **Event ids.** An id is unique over the whole input: an event whose id another
  ticket had first is ignored (the service's log refuses it the same way). The hash of
  every id read is pooled over all parts; the few tickets with a repeated hash are
  replayed again from the whole input, exactly, and their lines replace their part's.

Output is written only once every part has been replayed. On any invalid line the
whole input is read again from the start, so the error names the input's first bad
line and its number, and nothing is written.
"""

from __future__ import annotations

import heapq
import io
import json
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from slaclock.core.engine import Engine, cross_ticket_repeats
from slaclock.core.engine.instance import json_line
from slaclock.core.errors import EventError
from slaclock.core.events import Event, parse_line, read_events

__all__ = ["PART_BYTES", "SPLIT_BYTES", "EventCount", "ReplayStats", "replay_file", "ticket_of"]

#: An input bigger than this is replayed in parts; up to here (about 125,000 tickets of
#: the generated workloads) one part holds the whole input.
SPLIT_BYTES = 160_000_000
#: The size of a part (about 60,000 tickets of the generated workloads).
PART_BYTES = 80_000_000
#: Lines gathered per part before one write, while splitting.
_CHUNK = 2048
#: Up to this many event ids, repeats are found with a set (about 6 MB), not NumPy.
_SET_LIMIT = 100_000


@dataclass
class EventCount:
    """How many events a replay read (``total``), how many of them came after
    ``as_of`` (``late``: not applied) and the earliest of those."""

    as_of: datetime
    total: int = 0
    late: int = 0
    first_late: datetime | None = None

    def add(self, event: Event) -> None:
        self.total += 1
        if event.at > self.as_of:
            self.late += 1
            if self.first_late is None or event.at < self.first_late:
                self.first_late = event.at

    def counted(self, events: Iterable[Event]) -> Iterator[Event]:
        """``events`` passed on as they are, counted on the way."""
        for event in events:
            self.add(event)
            yield event


@dataclass
class ReplayStats:
    """How a replay went: in how many parts, what it read, and how many tickets it
    replayed again for a repeated event id."""

    parts: int
    events: EventCount
    replayed_again: int = 0


@dataclass
class _Ticket:
    """One ticket's raw lines in a part, with their line numbers (arrival order)."""

    numbers: list[int] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)


#: Where the output goes: called once, when every part has been replayed.
Opener = Callable[[], IO[bytes]]


def replay_file(
    engine: Engine, source: IO[bytes], name: str, as_of: datetime, out: Opener
) -> ReplayStats:
    """Replay the events of ``source`` (a seekable binary file of JSON lines) as of
    ``as_of`` and write the instances to the file ``out()`` gives; ``name`` names the
    input in errors. Raises :class:`EventError` (``name:line: reason``) at the first
    bad line, before ``out`` is called."""
    try:
        return _replay(engine, source, name, as_of, out)
    except (EventError, UnicodeDecodeError):
        with _text(source) as text:
            for _ in read_events(text, name):  # raises at the input's first bad line
                pass
        raise


def _replay(
    engine: Engine, source: IO[bytes], name: str, as_of: datetime, out: Opener
) -> ReplayStats:
    count = EventCount(as_of)
    hashes: array[int] = array("q")
    with ExitStack() as files:
        parts = _parts(source, files)
        outputs = []
        for part in parts:
            output = _temporary(files)
            tickets = _grouped(part)
            if part is not source:
                part.truncate(0)  # its disk space back
            for key in sorted(tickets):
                events = _parsed(tickets.pop(key), name)
                for event in events:
                    count.add(event)
                hashes.extend({hash(event.id) for event in events})  # once per ticket
                output.write(_ticket_lines(engine, events, as_of))
            output.seek(0)
            outputs.append(output)
        again = _repeated_ids(engine, source, name, as_of, hashes)
        target = out()
        for chunk in _merged(outputs, again):
            target.write(chunk)
    return ReplayStats(len(parts), count, len(again))


def _ticket_lines(engine: Engine, events: list[Event], as_of: datetime) -> bytes:
    """A ticket's output: its instances as JSON lines, in the spec's order."""
    state = engine.run(events, as_of)
    instances = engine.instances(state, as_of)
    return "".join(json_line(instance) + "\n" for instance in instances).encode()


def _grouped(part: IO[bytes]) -> dict[bytes, _Ticket]:
    """A part's lines by ticket (the ticket's UTF-8 bytes, which sort as its text does);
    lines without a readable ticket under ``b""``, so their error is found."""
    tickets: dict[bytes, _Ticket] = {}
    for number, line in _numbered_lines(part):
        key = ticket_of(line) or b""
        ticket = tickets.get(key)
        if ticket is None:
            ticket = tickets[key] = _Ticket()
        ticket.numbers.append(number)
        ticket.lines.append(line)
    return tickets


def _parsed(ticket: _Ticket, name: str) -> list[Event]:
    events = []
    for number, line in zip(ticket.numbers, ticket.lines, strict=True):
        event = parse_line(line.decode("utf-8"), number, name)
        if event is not None:
            events.append(event)
    return events


def _numbered_lines(source: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """The lines of ``source`` numbered as text reading numbers them (a carriage return
    ends a line too); blank lines are left out."""
    source.seek(0)
    number = 0
    for raw in source:
        for line in _text_lines(raw) if b"\r" in raw else (raw,):
            number += 1
            if not line.isspace():
                yield number, line


def _text_lines(raw: bytes) -> list[bytes]:
    return [piece.encode() for piece in io.StringIO(raw.decode("utf-8"), newline=None)]


def _repeated_ids(
    engine: Engine, source: IO[bytes], name: str, as_of: datetime, hashes: array[int]
) -> dict[str, bytes]:
    """Tickets with an event whose id hash was read more than once, replayed exactly
    from the whole input without the events whose id another ticket had first:
    ticket -> its output lines. (A hash collision only costs a needless replay.)"""
    suspects = _repeated(hashes)
    if not suspects:
        return {}
    with _text(source) as text:
        candidates = [e for e in read_events(text, name) if hash(e.id) in suspects]
    drops = cross_ticket_repeats(candidates)
    history: dict[str, list[Event]] = {event.ticket: [] for event in candidates}
    with _text(source) as text:
        for event in read_events(text, name):
            kept = history.get(event.ticket)
            if kept is not None and event.seq not in drops.get(event.ticket, ()):
                kept.append(event)
    return {ticket: _ticket_lines(engine, events, as_of) for ticket, events in history.items()}


def _repeated(values: array[int]) -> set[int]:
    """The values found more than once. Up to :data:`_SET_LIMIT` values a set answers,
    in a fraction of the time importing NumPy takes; beyond, NumPy sorts them (a set of
    millions of ints would weigh hundreds of megabytes)."""
    if len(values) <= _SET_LIMIT:
        seen: set[int] = set()
        repeats = set()
        for value in values:
            if value in seen:
                repeats.add(value)
            seen.add(value)
        return repeats
    import numpy as np

    ordered = np.sort(np.frombuffer(values, dtype=np.int64))
    return {int(h) for h in np.unique(ordered[1:][ordered[1:] == ordered[:-1]])}


def _merged(outputs: list[IO[bytes]], again: dict[str, bytes]) -> Iterator[bytes]:
    """The parts' outputs interleaved in ticket order (tickets are disjoint across
    parts); a ticket in ``again`` gets those lines instead of its part's, and is
    printed even when no part printed it."""
    streams: list[Iterable[tuple[str, bytes]]] = [_by_ticket(output) for output in outputs]
    streams.append(sorted(again.items()))
    previous = None
    for ticket, data in heapq.merge(*streams, key=lambda pair: pair[0]):
        if ticket in again:
            if ticket == previous:
                continue
            data = again[ticket]
        previous = ticket
        yield data


def _by_ticket(output: IO[bytes]) -> Iterator[tuple[str, bytes]]:
    """A part's output as (ticket, its lines), in order."""
    ticket = ""
    lines: list[bytes] = []
    for line in output:
        mine = _ticket_of_output(line)
        if mine != ticket and lines:
            yield ticket, b"".join(lines)
            lines = []
        ticket = mine
        lines.append(line)
    if lines:
        yield ticket, b"".join(lines)


def _ticket_of_output(line: bytes) -> str:
    """The ticket of an output line, its first key: ``{"ticket":"T-1",...`` (ASCII)."""
    end = line.index(b'"', 11)
    if b"\\" not in line[11:end]:
        return line[11:end].decode("ascii")
    return str(json.loads(line)["ticket"])


def _parts(source: IO[bytes], files: ExitStack) -> list[IO[bytes]]:
    """``source`` itself when it is at most :data:`SPLIT_BYTES`, else temporary parts
    of about :data:`PART_BYTES`, cut by a hash of the ticket."""
    size = source.seek(0, io.SEEK_END)
    if size <= SPLIT_BYTES:
        return [source]
    return _cut(source, size, 0, files)


def _cut(source: IO[bytes], size: int, salt: int, files: ExitStack) -> list[IO[bytes]]:
    """``source`` cut into parts of about :data:`PART_BYTES`; a part more than twice
    that (many big tickets hashed together) is cut again with another hash, unless it
    holds a single ticket, which cannot be cut."""
    pieces = _split(source, -(-size // PART_BYTES), salt, files)
    if len(pieces) == 1:
        return pieces
    parts: list[IO[bytes]] = []
    for piece in pieces:
        piece_size = piece.tell()
        if piece_size > 2 * PART_BYTES:
            parts.extend(_cut(piece, piece_size, salt + 1, files))
        else:
            parts.append(piece)
    return parts


def _split(source: IO[bytes], count: int, salt: int, files: ExitStack) -> list[IO[bytes]]:
    """Copy each line of ``source`` to one of ``count`` temporary parts, chosen by a hash
    of its ticket (lines without one go to the first). A ticket's lines land in one
    part, in order, so a part reads as an input of its own: its line numbers keep the
    arrival order within each ticket, which is all a ticket's replay reads from them.
    Returns the parts that got lines."""
    parts = [_temporary(files) for _ in range(count)]
    pending: list[list[bytes]] = [[] for _ in range(count)]
    for _, line in _numbered_lines(source):
        index = hash((salt, ticket_of(line))) % count
        chunk = pending[index]
        chunk.append(line if line.endswith(b"\n") else line + b"\n")
        if len(chunk) >= _CHUNK:
            parts[index].write(b"".join(chunk))
            chunk.clear()
    for part, chunk in zip(parts, pending, strict=True):
        part.write(b"".join(chunk))
    return [part for part in parts if part.tell()]


def ticket_of(line: bytes) -> bytes | None:
    """The UTF-8 bytes of the ``ticket`` of a JSON line's top-level object (None when it
    has none, or the line is not JSON), mostly without parsing it.

    In JSON text ``"ticket":"`` can only be a key and the start of its string value
    (inside a string every quote is escaped). When ``"ticket"`` occurs once in the line,
    and as such a key, its value ends at the next quote, unless a backslash comes
    before it (an escape). (Were the one key a nested one, the event has no ticket
    and is invalid: its ticket's replay reports it.) Any other line is parsed, with
    the result ``json.loads`` gives."""
    start = line.find(b'"ticket":"') + 10
    if start >= 10 and line.count(b'"ticket"') == 1:
        end = line.find(b'"', start)
        value = line[start:end]
        if end > start and b"\\" not in value:
            return value
    try:
        obj = json.loads(line)
    except ValueError:  # not JSON, or not UTF-8
        return None
    ticket = obj.get("ticket") if type(obj) is dict else None
    return ticket.encode("utf-8", "surrogatepass") if type(ticket) is str else None


def _temporary(files: ExitStack) -> IO[bytes]:
    """A temporary file, closed (and gone) with ``files``."""
    return files.enter_context(tempfile.TemporaryFile("w+b"))


@contextmanager
def _text(binary: IO[bytes]) -> Iterator[IO[str]]:
    """``binary`` read as UTF-8 text from its start; left open afterwards."""
    binary.seek(0)
    wrapper = io.TextIOWrapper(binary, encoding="utf-8")
    try:
        yield wrapper
    finally:
        wrapper.detach()
