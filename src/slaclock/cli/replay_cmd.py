"""``slaclock replay``: the black-box command of events.md.

``replay`` streams the events once, keeping compact per-ticket state (see
:mod:`slaclock.core.engine.stream`); tickets whose events came out of order or
repeated are replayed from a second read of the input. An input bigger than
:data:`SPLIT_BYTES` is first cut by ticket into parts that each fit in memory, and the
parts' outputs are merged (:mod:`slaclock.cli.partition`). Output is sorted by ticket,
so nothing is printed before the whole input has been read and validated: an
invalid event exits 2 with ``file:line: reason`` on stderr and nothing on stdout.
Events after ``--as-of`` count for nothing; how many there were is said on stderr
(:class:`slaclock.cli.options.LateEvents`), never on stdout.
"""

from __future__ import annotations

import gc
import io
import os
import shutil
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TextIO, cast

import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.inputs import load_config_file, open_input
from slaclock.cli.options import LateEvents, as_of_option, config_option, instant_or_now
from slaclock.cli.partition import merged, split_by_ticket, write_groups
from slaclock.cli.spill import SpillFile
from slaclock.cli.standalone import finish
from slaclock.core.engine import (
    Engine,
    StreamReplay,
    TicketResult,
)
from slaclock.core.engine.stream import cross_ticket_repeats, lines, repeated_values
from slaclock.core.errors import EventError, SlaclockError
from slaclock.core.events import Event, read_events

__all__ = ["PART_BYTES", "SPLIT_BYTES", "ReplayStats", "register", "replay_stream"]

#: An input bigger than this is replayed in parts (:mod:`slaclock.cli.partition`): up to
#: here, about 125,000 tickets of the generated workloads, one replay keeps every ticket
#: in memory (under 300 MB) and cutting would only add its cost (18% at 100,000).
SPLIT_BYTES = 160_000_000
#: The size of a part: about 60,000 tickets of the generated workloads (about 150 MB
#: replayed). Parts of 160 MB took about 9% longer at 1M tickets, parts of 40 MB as long.
PART_BYTES = 80_000_000
#: At most this many parts (two temporary files each): a bigger input makes bigger
#: parts, whose replays park tickets as a whole replay does.
MAX_PARTS = 128


def register(app: typer.Typer) -> None:
    app.command("replay")(replay_command)


def replay_command(
    config: Path = config_option(),
    events: str = typer.Option(..., "--events", help="Events, JSON Lines; '-' for stdin."),
    as_of: str | None = as_of_option(),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write here instead of stdout."
    ),
) -> None:
    """Print every SLA instance as one JSON line, as of an instant.

    Events after --as-of are not applied; how many is said on stderr."""
    with exit_on_error(), _no_cyclic_gc():
        when = instant_or_now(as_of)
        engine = Engine(load_config_file(config))
        try:
            with _seekable(events) as (stream, name):
                stats = replay_stream(engine, stream, name, when, output)
        except OSError as exc:  # the output, or the temporary files (a full disk)
            where = exc.filename or f"temporary files in {tempfile.gettempdir()}"
            raise SlaclockError(f"{where}: {exc.strerror or exc}") from None
        stats.late.report(as_of is not None)
        finish()  # the output is written and every file closed: skip freeing the heap


@dataclass(frozen=True)
class ReplayStats:
    """How a replay went: in how many parts, how many tickets it parked to disk, and
    how many events it read and left out for coming after ``as_of``."""

    parts: int
    parked: int
    late: LateEvents


def replay_stream(
    engine: Engine, stream: IO[str], name: str, as_of: datetime, output: Path | None
) -> ReplayStats:
    """Replay a seekable stream of events and write the instances (stdout when
    ``output`` is None): in one go, or in parts above :data:`SPLIT_BYTES`.
    ``bench/engine_bench.py`` times this very function."""
    parts = _part_count(stream)
    if parts > 1:
        return _replay_in_parts(engine, stream, name, as_of, parts, output)
    counted = LateEvents(as_of)
    with SpillFile() as parked:
        replayer = StreamReplay(engine, as_of, parked)
        replayer.feed_all(counted.counted(read_events(stream, name)))
        drops = _set_aside_repeats(replayer, stream, name)
        late = _replay_late(engine, replayer.needs_history, stream, name, as_of, drops)
        _write_chunks((text.encode("utf-8") for text in lines(replayer.rows(late))), output)
        return ReplayStats(1, len(parked), counted)


def _part_count(stream: IO[str]) -> int:
    try:
        size = os.fstat(stream.fileno()).st_size
    except (OSError, ValueError, AttributeError):
        return 1  # not a file (a test's StringIO): one part
    if not hasattr(stream, "buffer"):
        return 1  # parts are cut from the bytes under the text
    if size <= SPLIT_BYTES:
        return 1
    return max(2, min(MAX_PARTS, -(-size // PART_BYTES)))


def _replay_in_parts(
    engine: Engine, stream: IO[str], name: str, as_of: datetime, count: int, output: Path | None
) -> ReplayStats:
    """Cut the stream by ticket into ``count`` parts, replay each in turn, settle the
    event ids repeated across parts, and merge the parts' outputs (see
    :mod:`slaclock.cli.partition`)."""
    parked = 0
    counted = LateEvents(as_of)
    with ExitStack() as files:
        parts = [files.enter_context(tempfile.TemporaryFile("w+b")) for _ in range(count)]
        outputs = [files.enter_context(tempfile.TemporaryFile("w+b")) for _ in range(count)]
        notes = [files.enter_context(tempfile.TemporaryFile("w+b")) for _ in range(count)]
        hashes: array[int] = array("q")
        try:
            stream.seek(0)
            split_by_ticket(cast(TextIO, stream).buffer, parts)
            for index, part in enumerate(parts):
                part.seek(0)
                text = files.enter_context(io.TextIOWrapper(part, encoding="utf-8"))
                with SpillFile() as lot:
                    replayer = StreamReplay(engine, as_of, lot)
                    replayer.feed_all(counted.counted(read_events(text, name)))
                    # Repeated ids, within a part or across parts, are settled once, over
                    # the whole input (_across_parts): only late events are replayed here.
                    late = _replay_late(engine, replayer.needs_history, text, name, as_of, {})
                    write_groups(replayer.rows(late), outputs[index], notes[index])
                    parked += len(lot)
                hashes.extend(replayer.id_hashes())
                part.truncate(0)  # its disk space back
        except (EventError, UnicodeDecodeError):
            stream.seek(0)
            for _ in read_events(stream, name):  # raises at the input's first bad line
                pass
            raise
        apart = _across_parts(engine, stream, name, as_of, hashes)
        for file in (*outputs, *notes):
            file.seek(0)
        _write_chunks(merged(outputs, notes, apart), output)
    return ReplayStats(count, parked, counted)


def _across_parts(
    engine: Engine, stream: IO[str], name: str, as_of: datetime, hashes: array[int]
) -> dict[str, bytes]:
    """Tickets with an event id whose hash was fed more than once, in one part or in
    several, replayed exactly from the whole input (an id another ticket had first is
    left out): ticket -> its output lines, which replace its part's."""
    suspects = repeated_values(hashes)
    if not suspects:
        return {}
    stream.seek(0)
    candidates = [e for e in read_events(stream, name) if hash(e.id) in suspects]
    tickets = {e.ticket for e in candidates}
    drops = cross_ticket_repeats(candidates)
    late = _replay_late(engine, tickets, stream, name, as_of, drops)
    return {t: "".join(lines(result.instances)).encode("utf-8") for t, result in late.items()}


def _write_chunks(chunks: Iterable[bytes], output: Path | None) -> None:
    """Write byte chunks (ASCII JSON lines) to ``output``, or to stdout."""
    if output:
        with open(output, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        return
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        for chunk in chunks:
            sys.stdout.write(chunk.decode("utf-8"))
        return
    sys.stdout.flush()
    for chunk in chunks:
        buffer.write(chunk)
    buffer.flush()


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
        with open_input(path, "events") as stream:
            yield stream, path
        return
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        shutil.copyfileobj(sys.stdin, spool)
        spool.seek(0)
        yield spool, "<stdin>"
