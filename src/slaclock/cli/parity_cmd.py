"""``slaclock parity``: slaclock's verdicts beside the vendor's, metric by metric.

Replays the events under the configuration (the replay of ``slaclock replay``),
compares each metric with the vendor's verdicts and prints, per metric, how many
agree and disagree and, for the first disagreements, why where it can tell
(:mod:`slaclock.service.parity`). ``--json`` prints the whole report as JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.inputs import load_config_file, open_input
from slaclock.cli.options import config_option, user_instant
from slaclock.core.engine import Engine
from slaclock.service.parity import compare, latest_instant, read_verdicts

__all__ = ["parity_command", "register"]


def register(app: typer.Typer) -> None:
    app.command("parity")(parity_command)


def parity_command(
    config: Path = config_option(),
    events: Path = typer.Option(..., "--events", help="The events, JSON Lines."),
    vendor_verdicts: Path = typer.Option(
        ...,
        "--vendor-verdicts",
        help='The vendor\'s verdicts, JSON Lines {"ticket", "metric", "breached"}.',
    ),
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="INSTANT",
            help="Compare as of this instant (as replay's); default: the latest event's.",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Disagreements shown per metric.")
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Compare slaclock's verdicts with the vendor's, per metric, with reasons."""
    with exit_on_error():
        engine = Engine(load_config_file(config))
        with open_input(vendor_verdicts, "verdicts") as lines:
            verdicts = read_verdicts(lines, str(vendor_verdicts))
        with open_input(events, "events", binary=True) as source:
            when = user_instant(as_of, "--as-of") if as_of else latest_instant(source, str(events))
            report = compare(engine, source, str(events), verdicts, when)
    if as_json:
        typer.echo(orjson.dumps(report.to_json()).decode())
        return
    for line in report.lines(limit):
        typer.echo(line)
