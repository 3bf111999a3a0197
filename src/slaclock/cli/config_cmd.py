"""``slaclock validate --config FILE``: check a configuration and say what it means.

The configuration may also be given as the argument ``FILE`` (the older spelling).

On success it prints each policy in order with its conditions in words and a table of
targets by priority, the calendars with their weekly hours and next holidays, metrics,
OLAs, reminders and escalations. On failure it prints every problem (file:line: path:
message) to stderr and exits with code 2. The CLI may read the clock: ``--today``
(default: today's UTC date) is where the holiday listing starts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.inputs import load_config_file
from slaclock.cli.options import config_argument, config_option, one_config

__all__ = ["register"]


def _parse_today(value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}") from exc


def validate(
    file: Path | None = config_argument(),
    config: Path | None = config_option(required=False),
    today: str | None = typer.Option(
        None, "--today", help="List holidays from this date (YYYY-MM-DD; default: today, UTC)."
    ),
) -> None:
    """Validate a configuration file and print what it means."""
    path = one_config(config, file)
    start = _parse_today(today)
    with exit_on_error():
        loaded = load_config_file(path)
    # Imported here: Rich and the view cost 0.1 s that every other command would pay.
    from rich.console import Console

    from slaclock.cli.config_view import render_config

    console = Console(highlight=False, soft_wrap=False, width=max(Console().width, 120))
    console.print(f"{path}: valid configuration", style="bold green")
    for part in render_config(loaded, start):
        console.print(part)
        console.print()


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
