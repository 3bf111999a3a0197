"""``slaclock generate``: a realistic, seeded stream of ticket events (JSON Lines).

The events come from :mod:`slaclock.core.workload` (fitted to real incident logs; see
docs/workload.md). The same arguments always print the same bytes. ``--start`` defaults
to a fixed date for that reason; ``--end now`` ends the period at the current time, for a
demo whose newest tickets should be live.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.inputs import load_config_file
from slaclock.cli.options import config_option, user_instant

__all__ = ["DEFAULT_START", "register"]

DEFAULT_START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday; fixed so output is reproducible
CHUNK_LINES = 8192


def _parse_instant(value: str, option: str) -> datetime:
    """``YYYY-MM-DD`` (midnight UTC), an ISO instant with an offset, or ``now``."""
    if value == "now":
        return datetime.now(UTC).replace(microsecond=0)
    return user_instant(value, option)


def _start(start: str | None, end: str | None, days: int) -> datetime:
    if start is not None and end is not None:
        raise typer.BadParameter("give --start or --end, not both", param_hint="--end")
    if end is not None:
        return _parse_instant(end, "--end") - timedelta(days=days)
    return DEFAULT_START if start is None else _parse_instant(start, "--start")


def _write(lines: Iterable[str], out: TextIO) -> int:
    """Write lines in chunks (one write per chunk keeps streaming cheap); return the count."""
    count, chunk = 0, list[str]()
    for line in lines:
        chunk.append(line)
        if len(chunk) >= CHUNK_LINES:
            out.write("\n".join(chunk) + "\n")
            count += len(chunk)
            chunk.clear()
    if chunk:
        out.write("\n".join(chunk) + "\n")
        count += len(chunk)
    return count


def generate(
    config: Path = config_option(),
    tickets: int = typer.Option(1000, "--tickets", min=0, help="Tickets to create."),
    days: int = typer.Option(30, "--days", min=1, help="Length of the period in days."),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed: same seed, same output."),
    start: str | None = typer.Option(
        None,
        "--start",
        metavar="INSTANT",
        help="Start: a date YYYY-MM-DD (its midnight, UTC) or an ISO-8601 instant with an "
        "offset; default 2026-03-02.",
    ),
    end: str | None = typer.Option(
        None,
        "--end",
        metavar="INSTANT",
        help="End, instead of --start: the same forms, or 'now' (for live demo tickets).",
    ),
    sorted_: bool = typer.Option(
        True, "--sorted/--unsorted", help="Time order (default) or ticket by ticket per day."
    ),
    shuffle: float = typer.Option(
        0.0, "--shuffle", min=0.0, max=1.0, help="Share of events delivered late."
    ),
    duplicates: float = typer.Option(
        0.0, "--duplicates", min=0.0, max=1.0, help="Share of events delivered twice."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default: stdout)."),
) -> None:
    """Generate ticket events (JSON Lines) fitted to real support workloads."""
    begin = _start(start, end, days)
    with exit_on_error():
        loaded = load_config_file(config)
    # Imported here: the generator's tables load in 0.07 s that other commands would pay.
    from slaclock.core.workload import WorkloadOptions, generate_lines

    options = WorkloadOptions(sorted=sorted_, shuffle=shuffle, duplicates=duplicates)
    lines = generate_lines(loaded, tickets, days, seed, begin, options)
    if output is None:
        _write(lines, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="\n") as fh:
        _write(lines, fh)


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
