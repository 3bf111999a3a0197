"""Split a big event stream by ticket, and merge the parts' sorted outputs.

A streaming replay keeps every ticket until the end, because its output is sorted by
ticket. Past about 150,000 tickets it parks them to disk (:mod:`slaclock.core.engine.
stream`), and each parked ticket is packed, freed, read back and unpacked: at a million
tickets that round trip is a quarter of the replay. Tickets are independent (an event
id seen before is the one rule that crosses tickets, and the caller settles it over the
whole stream), so ``slaclock replay`` can instead cut a big input into parts by a hash
of the ticket id, each small enough to replay in memory, and merge the parts' outputs:
each is sorted by ticket, so the merge only interleaves whole tickets.

:func:`split_by_ticket` copies each line to its part, keeping their order: a part is
then read as an input of its own.
:func:`write_groups` writes a part's output ticket by ticket and notes each ticket's
size in a second file; :func:`merged` reads the parts back interleaved in ticket order.

A hot module (``slaclock._accel``): the split runs for every line of the input and the
merge for every ticket.
"""

from __future__ import annotations

import heapq
import io
import json
import marshal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from slaclock.core.engine.instance import InstanceRow, json_line

__all__ = ["merged", "split_by_ticket", "ticket_of", "write_groups"]


def ticket_of(line: bytes) -> bytes | None:
    """The UTF-8 bytes of the ``ticket`` of a JSON line's top-level object (None when it
    has none, or the line is not JSON), mostly without parsing it.

    A line without a backslash has no escapes: a ``"ticket"`` followed by a colon is a
    key named ticket, and its string value ends at the next quote. When ``"ticket"``
    occurs once and is such a key, it gives the part. (Were it a nested key, the
    top-level object has no ticket at all: the event is invalid, and the replay reports
    it wherever it lands.) Any other line is parsed, with the result ``json.loads``
    gives and the replay uses.
    """
    if b"\\" not in line and line.count(b'"ticket"') == 1:
        value = _key_value(line, line.find(b'"ticket"') + 8)
        if value is not None:
            return value
    try:
        obj = json.loads(line)
    except ValueError:  # not JSON, or not UTF-8
        return None
    ticket = obj.get("ticket") if type(obj) is dict else None
    return ticket.encode("utf-8", "surrogatepass") if type(ticket) is str else None


def _key_value(line: bytes, after: int) -> bytes | None:
    """The string after ``"ticket"`` ending at ``after``, when that is a key (a colon
    follows) with a string value; else None."""
    i = _skip_blanks(line, after)
    if i >= len(line) or line[i] != 58:  # ':'
        return None
    i = _skip_blanks(line, i + 1)
    if i >= len(line) or line[i] != 34:  # '"'
        return None
    end = line.find(b'"', i + 1)
    return None if end < 0 else line[i + 1 : end]


def _skip_blanks(line: bytes, i: int) -> int:
    """The first index from ``i`` that is not JSON whitespace."""
    while i < len(line) and line[i] in (32, 9, 10, 13):
        i += 1
    return i


def split_by_ticket(source: IO[bytes], parts: Sequence[IO[bytes]]) -> int:
    """Copy each line of ``source`` to ``parts[hash(ticket) % len(parts)]`` (lines without
    a ticket go to the first part); returns the number of lines read. A ticket's lines
    land in one part, in their order, so a part is read as an input of its own: its
    line numbers keep the arrival order within each ticket, which is all the replay of
    a ticket reads from them. (An error's line number is the whole input's: on any
    error the caller reads the whole input again.)

    Lines are bytes, copied as they are (no decoding, no encoding). A line break is
    what the text reading of the whole input would take for one: a line with a
    carriage return is cut as text would cut it. Lines of ASCII blanks are left out;
    the replay skips them anyway."""
    count = len(parts)
    lines: list[list[bytes]] = [[] for _ in range(count)]
    number = 0
    for raw in source:
        if b"\r" in raw:
            pieces = [p.encode("utf-8") for p in io.StringIO(raw.decode("utf-8"), newline=None)]
        else:
            pieces = [raw]
        for line in pieces:
            number += 1
            if line.isspace():
                continue
            ticket = ticket_of(line)
            index = 0 if ticket is None else hash(ticket) % count
            chunk = lines[index]
            chunk.append(line if line[len(line) - 1] == 10 else line + b"\n")  # 10: newline
            if len(chunk) >= _CHUNK:
                parts[index].write(b"".join(chunk))
                lines[index] = []
    for index in range(count):
        if lines[index]:
            parts[index].write(b"".join(lines[index]))
    return number


#: Lines gathered per part before one write.
_CHUNK = 2048


def write_groups(rows: Iterable[InstanceRow], out: IO[bytes], notes: IO[bytes]) -> int:
    """Write a part's output lines (rows sorted by ticket) to ``out``, and to ``notes``
    each ticket with the size of its lines, in blocks (:func:`_notes` reads them back);
    returns the number of tickets. The notes wait on disk, not in memory: a merge of
    millions of tickets then holds one block per part."""
    ticket: Any = None
    texts: list[str] = []
    block: list[tuple[str, int]] = []
    count = 0
    for row in rows:
        if row[0] != ticket:
            if texts:
                block.append(_write_ticket(ticket, texts, out))
                texts = []
                if len(block) >= _NOTES:
                    marshal.dump(block, notes)
                    count += len(block)
                    block = []
            ticket = row[0]
        texts.append(json_line(row))
    if texts:
        block.append(_write_ticket(ticket, texts, out))
    if block:
        marshal.dump(block, notes)
        count += len(block)
    return count


def _write_ticket(ticket: str, texts: list[str], out: IO[bytes]) -> tuple[str, int]:
    data = ("\n".join(texts) + "\n").encode("utf-8")
    out.write(data)
    return ticket, len(data)


def _notes(notes: IO[bytes], part: int) -> Iterator[tuple[str, int, int]]:
    """A part's notes as ``(ticket, part, size)``, in its order (by ticket)."""
    while True:
        try:
            block = marshal.load(notes)
        except EOFError:
            return
        for ticket, size in block:
            yield ticket, part, size


def merged(
    outputs: Sequence[IO[bytes]],
    notes: Sequence[IO[bytes]],
    apart: Mapping[str, bytes],
    chunk_size: int = 1 << 20,
) -> Iterator[bytes]:
    """The parts' outputs in ticket order, in chunks of about ``chunk_size`` bytes.

    Each part's output and notes (:func:`write_groups`) are read front to back and
    interleaved by ticket (tickets are disjoint across parts). A ticket in ``apart``
    (replayed apart by the caller) gets those bytes instead of its part's, and is
    printed even when no part printed it."""
    streams = [_notes(part_notes, part) for part, part_notes in enumerate(notes)]
    streams.append(iter(sorted((ticket, -1, 0) for ticket in apart)))
    chunk: list[bytes] = []
    size = 0
    previous = None
    for ticket, part, length in heapq.merge(*streams):
        data = outputs[part].read(length) if part >= 0 else b""
        if apart and ticket in apart:
            if ticket == previous:
                continue  # its part's lines, after its lines from apart (part -1 sorts first)
            data = apart[ticket]
        previous = ticket
        chunk.append(data)
        size += len(data)
        if size >= chunk_size:
            yield b"".join(chunk)
            chunk = []
            size = 0
    if chunk:
        yield b"".join(chunk)


#: Tickets noted per block of a part's notes.
_NOTES = 4096
