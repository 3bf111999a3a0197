"""``slaclock whatif``: the verdicts of a window before and after a draft configuration,
replayed from the service's stored events without touching its projection
(docs/reports.md, "What-if")."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.inputs import read_input
from slaclock.cli.options import as_of_option, instant_or_now, user_instant
from slaclock.cli.service_cmd import DbUrl, fail, services_at
from slaclock.core.errors import ConfigError

if TYPE_CHECKING:
    from slaclock.service.whatif import WhatIf

__all__ = ["DEFAULT_DAYS", "register"]

FORMATS = ("table", "json")
#: The window when ``--from`` is not given: this many days before ``--to``.
DEFAULT_DAYS = 30
#: Flips the table lists (the JSON lists them all, up to the service's cap).
FLIPS_SHOWN = 50


def whatif(
    draft: Annotated[
        Path,
        typer.Option("--draft", metavar="FILE", help="the draft configuration (YAML or JSON)"),
    ],
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help=f"the window's start: a date (midnight, UTC) or an instant; "
            f"default {DEFAULT_DAYS} days before --to",
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="the window's end, excluded; default --as-of"),
    ] = None,
    as_of: str | None = as_of_option(),
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    database_url: DbUrl = None,
) -> None:
    """Replay a window's stored events under a draft configuration: compliance before
    and after per policy and metric, and the instances whose verdict flips, with why.
    Nothing is stored."""
    from slaclock.service.whatif import what_if

    if format not in FORMATS:
        raise fail(f"--format: expected one of {', '.join(FORMATS)}, not {format!r}")
    at = instant_or_now(as_of)
    end = user_instant(to, "--to") if to is not None else at
    start = (
        user_instant(from_, "--from") if from_ is not None else end - timedelta(days=DEFAULT_DAYS)
    )
    if end <= start:
        raise fail(f"--to: {to or end.isoformat()} is not after --from")
    with exit_on_error():
        text = read_input(draft, "draft configuration")
    services = services_at(database_url)
    with exit_on_error(), _progress() as progress:
        try:
            result = what_if(services, text, start, end, at, progress, draft_name=str(draft))
        except ConfigError as exc:  # every problem, naming the draft's file and line
            problems = [dataclasses.replace(p, file=str(draft)) for p in exc.problems]
            raise ConfigError(problems) from exc
    if format == "json":
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print(result)


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar on standard error, moved by ``report(done, total)``."""
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("replaying tickets", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def _print(result: WhatIf) -> None:
    """The rows, the totals and the first flips as Rich tables on standard output."""
    from rich.console import Console
    from rich.table import Table

    data = result.to_json()
    console = Console(width=200)
    console.print(
        f"What-if {data['from']} → {data['to']}, as of {data['as_of']}: {result.tickets} "
        f"tickets replayed; before = configuration version {result.version}, after = the draft"
    )
    table = Table(title="Compliance per policy and metric")
    for name in ("kind", "policy", "metric"):
        table.add_column(name)
    for name in ("met", "breached", "open", "compliance"):
        table.add_column(f"{name} before", justify="right")
        table.add_column(f"{name} after", justify="right")
    table.add_column("change", justify="right")
    for row in [*data["rows"], {"kind": "all", "policy": "", "metric": "", **_totals(data)}]:
        cells = [row["kind"], row["policy"], row["metric"]]
        for name in ("met", "breached", "open", "compliance"):
            for side in ("before", "after"):
                value = row[f"{name}_{side}"]
                cells.append(_percent(value) if name == "compliance" else str(value))
        change = row["compliance_change"]
        cells.append("" if change is None else f"{change * 100:+.1f} pt")
        table.add_row(*cells)
    console.print(table)
    console.print(
        f"{result.flips_total} flips: {result.met_to_breached} met → breached, "
        f"{result.breached_to_met} breached → met"
    )
    if not result.flips:
        return
    flips = Table(title=f"Flips (the first {min(FLIPS_SHOWN, len(result.flips))})")
    for name in ("ticket", "kind", "metric", "cycle", "before", "after", "reason"):
        flips.add_column(name)
    for flip in result.flips[:FLIPS_SHOWN]:
        flips.add_row(flip.ticket, flip.kind, flip.metric, str(flip.cycle), flip.before,
                      flip.after, flip.reason)  # fmt: skip
    console.print(flips)


def _totals(data: dict[str, Any]) -> dict[str, Any]:
    out = {f"{k}_{side}": v for side in ("before", "after") for k, v in data[side].items()}
    b, a = out["compliance_before"], out["compliance_after"]
    out["compliance_change"] = None if a is None or b is None else a - b
    return out


def _percent(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio * 100:.1f}%"


def register(app: typer.Typer) -> None:
    """Add ``whatif``."""
    app.command("whatif")(whatif)
