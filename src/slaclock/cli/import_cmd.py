"""``slaclock import SOURCE FILE...``: a helpdesk's history as ticket events.

The events stream from the files to JSON Lines (``--output``, or stdout) or into the
service's database (``--into-db``, through the same ingest as the API), with a
progress bar on stderr; at the end, stderr says what was read and written and what
could not be mapped, with counts and the first examples (docs/importers.md).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.service_cmd import DbUrl, services_at, utc_now
from slaclock.core.errors import SlaclockError
from slaclock.service.importers import SOURCES, ImportOptions, import_events, zone_in_use
from slaclock.service.importers import source_plan as plan_of
from slaclock.service.importers.base import Progress, Summary
from slaclock.service.importers.sink import ingest_events, write_jsonl

__all__ = ["import_command", "register"]

_SOURCES_HELP = "; ".join(f"{name}: {what}" for name, what in SOURCES.items())


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


def import_command(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help=f"One of: {_SOURCES_HELP}.")],
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="The export's files (.gz is read too).")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the events here, JSON Lines (default: stdout)."),
    ] = None,
    into_db: Annotated[
        bool, typer.Option("--into-db", help="Ingest the events into the service's database.")
    ] = False,
    database_url: DbUrl = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="Zone of times without an offset (IANA name); default UTC, or the source's.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="The csv source's mapping file (YAML/JSON).")
    ] = None,
    awaiting: Annotated[
        str,
        typer.Option("--awaiting", help="servicenow: the status of Awaiting states (or on_hold)."),
    ] = "pending",
    verdicts_output: Annotated[
        Path | None,
        typer.Option("--verdicts-output", help="servicenow: write made_sla verdicts here."),
    ] = None,
) -> None:
    """Import a helpdesk export as ticket events (JSON Lines, or into the database)."""
    with exit_on_error(), ExitStack() as files_open:
        if output is not None and into_db:
            raise SlaclockError("give --output FILE or --into-db, not both")
        write_verdict = None
        if verdicts_output is not None:
            write_verdict = _line_writer(_create(files_open, verdicts_output))
        options = ImportOptions(tz, mapping, awaiting, write_verdict)
        zone = zone_in_use(plan_of(source, options), options)
        summary = Summary()
        started = time.monotonic()
        with _progress_bar(f"importing {source}") as progress:
            events = import_events(source, files, options, summary, progress)
            outcome = _deliver(events, output, into_db, database_url, files_open)
        files_open.close()
        for line in [*summary.lines(), *outcome]:
            print(f"slaclock: {line}", file=sys.stderr)
        elapsed = time.monotonic() - started
        print(
            f"slaclock: times without an offset read in {zone}; took {elapsed:.1f} s",
            file=sys.stderr,
        )


def _deliver(
    events: Iterator[dict[str, Any]],
    output: Path | None,
    into_db: bool,
    database_url: str | None,
    files_open: ExitStack,
) -> list[str]:
    """Send the events where they go; lines to add to the summary."""
    if into_db:
        ingested = ingest_events(services_at(database_url), events, utc_now)
        return [ingested.line(), *(f"  e.g. rejected {e}" for e in ingested.examples)]
    if output is not None:
        write_jsonl(events, _create(files_open, output))
        return [f"events written to {output}"]
    sys.stdout.flush()
    write_jsonl(events, sys.stdout.buffer)
    sys.stdout.flush()
    return []


def _create(files_open: ExitStack, path: Path) -> IO[bytes]:
    try:
        return files_open.enter_context(open(path, "wb"))
    except OSError as exc:
        raise SlaclockError(f"{path}: cannot write it ({exc.strerror or exc})") from None


def _line_writer(out: IO[bytes]) -> Callable[[dict[str, Any]], None]:
    def write(obj: dict[str, Any]) -> None:
        out.write(orjson.dumps(obj) + b"\n")

    return write


@contextmanager
def _progress_bar(description: str) -> Iterator[Progress]:
    """A Rich progress bar on stderr over the bytes of the input files."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*Progress.get_default_columns()[:1], *columns, console=console) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report
