"""``slaclock import SOURCE FILE...``: a helpdesk's history as ticket events.

The events stream from the files (or, for ``zendesk --api URL``, from the API,
resumable with ``--state FILE``) to JSON Lines (``--output``, or stdout) or into the
service's database (``--into-db``, through the same ingest as the API), with a
progress bar on stderr; at the end, stderr says what was read and written and what
could not be mapped, with counts and the first examples (docs/importers.md).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO, Annotated, Any
from urllib.parse import urlsplit

import httpx
import orjson
import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.options import user_instant
from slaclock.cli.service_cmd import DbUrl, services_at, utc_now
from slaclock.core.errors import SlaclockError
from slaclock.service.importers import (
    SOURCES,
    VERDICT_SOURCES,
    ApiOptions,
    ImportOptions,
    import_events,
    zone_in_use,
)
from slaclock.service.importers import source_plan as plan_of
from slaclock.service.importers.base import Progress, Summary
from slaclock.service.importers.sink import ingest_events, write_jsonl
from slaclock.service.importers.zendesk_api import ExportState, ZendeskApi, auth_headers

__all__ = ["import_command", "register"]

_SOURCES_HELP = "; ".join(f"{name}: {what}" for name, what in SOURCES.items())
#: Seconds to wait for an API answer (a page of 1,000 ticket events takes a few).
_API_TIMEOUT = 120.0


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


def import_command(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help=f"One of: {_SOURCES_HELP}.")],
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="FILE...", help="The export's files (.gz is read too)."),
    ] = None,
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
        typer.Option(
            "--verdicts-output",
            help=f"{', '.join(VERDICT_SOURCES)}: write the vendor's verdicts here.",
        ),
    ] = None,
    api: Annotated[
        str | None,
        typer.Option(
            "--api",
            metavar="URL",
            help="zendesk: read the incremental exports of this account "
            "(https://SUBDOMAIN.zendesk.com) instead of files.",
        ),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="--api: where the export resumes; read, then kept."),
    ] = None,
    start_time: Annotated[
        str | None,
        typer.Option(
            "--start-time",
            metavar="INSTANT",
            help="--api: export from this instant when --state has no place yet (default: 0).",
        ),
    ] = None,
) -> None:
    """Import a helpdesk export as ticket events (JSON Lines, or into the database)."""
    with exit_on_error(), ExitStack() as files_open:
        if output is not None and into_db:
            raise SlaclockError("give --output FILE or --into-db, not both")
        if files and api is not None:
            raise SlaclockError("give the export's FILEs or --api URL, not both")
        if not files and api is None:
            raise SlaclockError("give the export's FILEs (or, for zendesk, --api URL)")
        if api is not None and source != "zendesk":
            raise SlaclockError(f"--api is for zendesk, not {source}")
        if api is None and (state is not None or start_time is not None):
            raise SlaclockError("--state and --start-time are for --api")
        write_verdict = None
        if verdicts_output is not None:
            write_verdict = _line_writer(_create(files_open, verdicts_output))
        options = ImportOptions(tz, mapping, awaiting, write_verdict)
        reader = None
        if api is not None:
            reader = _zendesk_api(api, state, start_time, files_open)
            options = replace(options, api=ApiOptions(reader, write_verdict is not None))
        zone = zone_in_use(plan_of(source, options), options)
        summary = Summary()
        started = time.monotonic()
        described = f"importing {source}" + (" from its API" if reader is not None else "")
        with _progress_bar(described, counted="items" if reader else "bytes") as progress:
            if reader is not None:
                reader.progress = progress
            events = import_events(source, files or [], options, summary, progress)
            delivered = reader.state.delivered if reader is not None else None
            outcome = _deliver(events, output, into_db, database_url, files_open, delivered)
        files_open.close()
        if reader is not None:
            reader.state.finish()
            resumes = f"; the next import resumes from {state}" if state else ""
            outcome.append(f"{reader.requests:,} requests to {api}{resumes}")
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
    delivered: Callable[[], None] | None = None,
) -> list[str]:
    """Send the events where they go; lines to add to the summary. ``delivered`` is
    told whenever what was handed on is safely written or committed."""
    if into_db:
        ingested = ingest_events(services_at(database_url), events, utc_now, delivered=delivered)
        return [ingested.line(), *(f"  e.g. rejected {e}" for e in ingested.examples)]
    if output is not None:
        write_jsonl(events, _create(files_open, output), delivered)
        return [f"events written to {output}"]
    sys.stdout.flush()
    write_jsonl(events, sys.stdout.buffer, delivered)
    sys.stdout.flush()
    return []


def _zendesk_api(
    url: str, state: Path | None, start_time: str | None, files_open: ExitStack
) -> ZendeskApi:
    """The API of a Zendesk account, its credentials from the environment, resuming
    from ``state`` (a file), else from ``start_time``."""
    headers = auth_headers(
        os.environ.get("SLACLOCK_ZENDESK_EMAIL"),
        os.environ.get("SLACLOCK_ZENDESK_API_TOKEN"),
        os.environ.get("SLACLOCK_ZENDESK_OAUTH_TOKEN"),
    )
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise SlaclockError(
            f"--api: expected the account's URL, https://SUBDOMAIN.zendesk.com, not {url!r}"
        )
    export = ExportState.load(state, url.rstrip("/"))
    client = files_open.enter_context(httpx.Client(timeout=_API_TIMEOUT))
    return ZendeskApi(url, headers, export, client, start_time=_unix(start_time))


def _unix(text: str | None) -> int:
    """``--start-time`` as Unix seconds: digits as they are, else an instant or date."""
    if text is None:
        return 0
    if text.isascii() and text.isdigit():
        return int(text)
    return int(user_instant(text, "--start-time").timestamp())


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
def _progress_bar(description: str, counted: str = "bytes") -> Iterator[Progress]:
    """A Rich progress bar on stderr over the bytes of the input files (or, counting
    ``items``, a count of what an API gave, its total unknown)."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    amount = DownloadColumn() if counted == "bytes" else TextColumn("{task.completed:,} items")
    columns = (BarColumn(), amount, TimeElapsedColumn())
    with Progress(*Progress.get_default_columns()[:1], *columns, console=console) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield report
