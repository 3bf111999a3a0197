"""``slaclock replay``: the black-box command of events.md.

The replay itself is :func:`slaclock.service.replay.replay_file`; this module reads the
options, spools stdin to a temporary file (the replay reads its input more than once
when an event id repeats across tickets or a line is invalid), and says on stderr how
many events came after ``--as-of``. Nothing is printed before the whole input has been
read and validated: an invalid event exits 2 with ``file:line: reason`` on stderr and
nothing on stdout.
"""

from __future__ import annotations

import gc
import io
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any, cast

import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.inputs import load_config_file, open_input
from slaclock.cli.options import as_of_option, config_option, instant_or_now, report_late
from slaclock.cli.standalone import finish
from slaclock.core.engine import Engine
from slaclock.core.errors import SlaclockError
from slaclock.service.replay import replay_file

__all__ = ["register", "replay_command"]


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
    with exit_on_error(), _no_cyclic_gc(), ExitStack() as files:
        when = instant_or_now(as_of)
        engine = Engine(load_config_file(config))

        def out() -> IO[bytes]:
            if output is not None:
                return files.enter_context(open(output, "wb"))
            sys.stdout.flush()
            buffer: IO[bytes] | None = getattr(sys.stdout, "buffer", None)
            return buffer if buffer is not None else cast(IO[bytes], _TextSink())

        try:
            with _seekable(events) as (source, name):
                stats = replay_file(engine, source, name, when, out)
            files.close()  # the output is complete on disk before anything is said
            sys.stdout.flush()
        except OSError as exc:  # the output, or the temporary files (a full disk)
            where = exc.filename or f"temporary files in {tempfile.gettempdir()}"
            raise SlaclockError(f"{where}: {exc.strerror or exc}") from None
        report_late(stats.events, as_of is not None)
        finish()  # the output is written and every file closed: skip freeing the heap


class _TextSink(io.RawIOBase):
    """Bytes written to a ``sys.stdout`` that has no binary buffer (a caller's
    replacement), as text; the replay writes ASCII."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        sys.stdout.write(bytes(data).decode("utf-8"))
        return len(data)


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


@contextmanager
def _seekable(path: str) -> Iterator[tuple[IO[bytes], str]]:
    """The events as a seekable binary file; stdin is spooled to a temporary file."""
    if path != "-":
        with open_input(path, "events", binary=True) as source:
            yield source, path
        return
    with tempfile.TemporaryFile("w+b") as spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
        yield spool, "<stdin>"
