"""Split a big event stream by ticket, and merge the parts' sorted outputs.

A streaming replay keeps every ticket until the end, because its output is sorted by
ticket. Past about 150,000 tickets it parks them to disk (:mod:`slaclock.core.engine.
stream`), and each parked ticket is packed, freed, read back and unpacked: at a million
tickets that round trip is a quarter of the replay. Tickets are independent (an event
id seen before is the one rule that crosses tickets, and the caller settles it over the
whole stream), so ``slaclock replay`` can instead cut a big input into parts by a hash
of the ticket id, each small enough to replay in memory, and merge the parts' outputs:
each is sorted by ticket, so the merge only interleaves whole tickets.

:func:`split_by_ticket` copies each line to its part and notes its number in the whole
stream (:func:`~slaclock.core.events.read_numbered_events` reads the part back with
those numbers: arrival order and error messages stay those of the whole input).
:func:`write_groups` writes a part's output ticket by ticket and notes each ticket's
size; :func:`merged` reads the parts back in ticket order.

A hot module (``slaclock._accel``): the split runs for every line of the input and the
merge for every ticket.
"""

from __future__ import annotations

import io
import json
from array import array
from collections.abc import Iterable, Iterator, Sequence
from struct import Struct
from typing import IO, Any

from slaclock.core.engine.instance import InstanceRow, json_line

__all__ = ["merged", "split_by_ticket", "ticket_of", "write_groups"]


def ticket_of(line: bytes) -> bytes | None:
    """The UTF-8 bytes of the ``ticket`` of a JSON line's top-level object (None when it
    has none, or the line is not JSON), mostly without parsing it.

    A line without a backslash has no escapes: each ``"ticket"`` followed by a colon is a
    key named ticket, and its string value ends at the next quote. With exactly one such
    key, that key gives the part. (Were it a nested key, the top-level object has no
    ticket at all: the event is invalid, and the replay reports it wherever it lands.)
    Anything else is parsed, with the result ``json.loads`` gives and the replay uses.
    """
    if b"\\" not in line:
        at = line.find(b'"ticket"')
        if at >= 0:
            value = _key_value(line, at + 8)
            if value is not None and _no_other_key(line, at + 8):
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


def _no_other_key(line: bytes, start: int) -> bool:
    """No second ``"ticket"`` key after ``start`` (a value "ticket" does not count)."""
    at = line.find(b'"ticket"', start)
    while at >= 0:
        i = _skip_blanks(line, at + 8)
        if i < len(line) and line[i] == 58:  # ':'
            return False
        at = line.find(b'"ticket"', i)
    return True


def _skip_blanks(line: bytes, i: int) -> int:
    """The first index from ``i`` that is not JSON whitespace."""
    while i < len(line) and line[i] in (32, 9, 10, 13):
        i += 1
    return i


def split_by_ticket(source: IO[bytes], parts: Sequence[IO[bytes]]) -> list[array[int]]:
    """Copy each line of ``source`` to ``parts[hash(ticket) % len(parts)]`` (lines without
    a ticket go to the first part), and return each part's line numbers in the whole
    input, for :func:`~slaclock.core.events.read_numbered_events`. A ticket's lines land
    in one part, in their order.

    Lines are bytes, copied as they are (no decoding, no encoding). A line break is
    what the text reading of the whole input would take for one: a line with a
    carriage return is cut as text would cut it. Lines of ASCII blanks are left out;
    the replay skips them anyway."""
    count = len(parts)
    numbers = [array("q") for _ in range(count)]
    lines: list[list[bytes]] = [[] for _ in range(count)]
    numbered: list[list[int]] = [[] for _ in range(count)]
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
            chunk.append(line if line.endswith(b"\n") else line + b"\n")
            numbered[index].append(number)
            if len(chunk) >= _CHUNK:
                _flush_lines(parts[index], chunk, numbers[index], numbered[index])
                lines[index] = []
                numbered[index] = []
    for index in range(count):
        if lines[index]:
            _flush_lines(parts[index], lines[index], numbers[index], numbered[index])
    return numbers


def _flush_lines(part: IO[bytes], lines: list[bytes], numbers: array[int], new: list[int]) -> None:
    """One write of gathered lines, and their numbers moved into the part's array (``struct``
    converts them in a third of the time ``array.extend`` takes)."""
    part.write(b"".join(lines))
    packer = _CHUNK_STRUCT if len(new) == _CHUNK else Struct(f"{len(new)}q")
    numbers.frombytes(packer.pack(*new))


#: Lines gathered per part before one write, and the layout of a full chunk's numbers.
_CHUNK = 2048
_CHUNK_STRUCT = Struct(f"{_CHUNK}q")


def write_groups(
    rows: Iterable[InstanceRow], out: IO[bytes], part: int, groups: list[tuple[str, int, int]]
) -> None:
    """Write a part's output lines (rows sorted by ticket) to ``out``, one ticket's lines
    at a time, and note ``(ticket, part, bytes)`` for each in ``groups``."""
    ticket: Any = None
    texts: list[str] = []
    for row in rows:
        if row[0] != ticket:
            if texts:
                _flush_group(ticket, texts, out, part, groups)
                texts = []
            ticket = row[0]
        texts.append(json_line(row))
    if texts:
        _flush_group(ticket, texts, out, part, groups)


def _flush_group(
    ticket: str, texts: list[str], out: IO[bytes], part: int, groups: list[tuple[str, int, int]]
) -> None:
    data = ("\n".join(texts) + "\n").encode("utf-8")
    out.write(data)
    groups.append((ticket, part, len(data)))


def merged(
    groups: list[tuple[str, int, int]],
    outputs: Sequence[IO[bytes]],
    apart: dict[str, bytes],
    chunk_size: int = 1 << 20,
) -> Iterator[bytes]:
    """The parts' outputs in ticket order, in chunks of about ``chunk_size`` bytes.

    ``groups`` (sorted here by ticket) names each ticket's part and size; every part's
    output is read front to back, since a part lists its tickets in order. A ticket in
    ``apart`` (replayed apart by the caller) gets those bytes instead of its part's; a
    group of part -1 is such a ticket that no part printed."""
    groups.sort(key=_first)
    chunk: list[bytes] = []
    size = 0
    for ticket, part, length in groups:
        data = outputs[part].read(length) if part >= 0 else b""
        if apart and ticket in apart:
            data = apart[ticket]
        chunk.append(data)
        size += len(data)
        if size >= chunk_size:
            yield b"".join(chunk)
            chunk = []
            size = 0
    if chunk:
        yield b"".join(chunk)


def _first(group: tuple[str, int, int]) -> str:
    return group[0]
