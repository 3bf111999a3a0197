"""``slaclock calendar add|elapsed|is-open|next-open``: check business time by hand.

The command reads the configuration file itself and takes the ``calendars:`` entry with
the given id, so it works on a file whose other sections are still being written.
Instants are ISO-8601; one without an offset is a local wall time in the calendar's
zone (the same DST rule as opening hours), and a plain date is its midnight there.
Results are printed in UTC, with the calendar's local time beside them. ``--at`` is the
instant the arithmetic starts from (not an ``--as-of``: nothing is computed "as of" it).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
import yaml

from slaclock.cli.errors import exit_on_error
from slaclock.cli.inputs import read_input
from slaclock.cli.options import config_option
from slaclock.core.calendar import Calendar
from slaclock.core.calendar.localtime import local_to_utc
from slaclock.core.durations import format_duration, parse_duration
from slaclock.core.errors import CalendarError

__all__ = ["register"]

calendar_app = typer.Typer(
    name="calendar", help="Business-time arithmetic on a configured calendar.", no_args_is_help=True
)

ConfigOption = config_option()
CalendarOption = typer.Option(..., "--calendar", help="Id of an entry of `calendars:`.")
AtOption = typer.Option(
    ...,
    "--at",
    metavar="INSTANT",
    help="Instant to start from, ISO-8601 (e.g. 2026-03-02T09:00Z); no offset: a wall time "
    "in the calendar's zone; a date YYYY-MM-DD: its midnight there.",
)


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false (YAML 1.2): ``country: NO`` is Norway."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in pairs if tag != "tag:yaml.org,2002:bool"]
    for first, pairs in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_calendar(config: Path, calendar_id: str) -> Calendar:
    """The calendar ``calendar_id`` from the file ``config``."""
    text = read_input(config, "configuration")
    try:
        data: Any = json.loads(text) if config.suffix == ".json" else yaml.load(text, _Yaml12Loader)
    except (ValueError, yaml.YAMLError) as exc:
        raise CalendarError(f"{config}: not valid YAML/JSON: {exc}") from exc
    entries = data.get("calendars") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CalendarError(f"{config}: no `calendars:` list")
    ids = [entry.get("id") for entry in entries if isinstance(entry, dict)]
    for entry in entries:
        if isinstance(entry, dict) and entry.get("id") == calendar_id:
            return Calendar.from_dict(entry)
    known = ", ".join(str(i) for i in ids) or "none"
    raise CalendarError(f"{config}: no calendar with id {calendar_id!r} (known: {known})")


def parse_instant(text: str, cal: Calendar) -> datetime:
    """An aware datetime from ISO-8601 text; without offset it is local to ``cal``."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError as exc:
        raise CalendarError(f"--at/--until: not an ISO-8601 instant: {text!r}") from exc
    if moment.tzinfo is None:
        seconds = local_to_utc(moment, cal.tz)
        return datetime.fromtimestamp(seconds, UTC)
    return moment


def parse_signed_duration(text: str) -> int:
    """Seconds of ``"90s"``, ``"1h30m"``, ``"PT1H30M"``…; a leading ``-`` goes back."""
    body = text.strip()
    sign = -1 if body.startswith("-") else 1
    try:
        return sign * parse_duration(body.lstrip("-+").strip())
    except ValueError as exc:
        raise CalendarError(f"--duration: {exc}") from exc


def show(moment: datetime, cal: Calendar) -> str:
    """``2026-03-02T08:00:00Z  (local 2026-03-02 09:00:00 CET, Europe/Amsterdam)``."""
    utc = moment.astimezone(UTC)
    local = utc.astimezone(cal.tz)
    stamp = utc.isoformat(timespec="seconds").replace("+00:00", "Z")
    if utc.microsecond:
        stamp = utc.isoformat().replace("+00:00", "Z")
    return f"{stamp}  (local {local:%Y-%m-%d %H:%M:%S} {local.tzname()}, {cal.tz.key})"


@calendar_app.command("add")
def add_command(
    config: Path = ConfigOption,
    calendar: str = CalendarOption,
    at: str = AtOption,
    duration: str = typer.Option(..., "--duration", "-d", help="e.g. 90s, 45m, 1h30m, 2d, PT1H."),
) -> None:
    """The instant DURATION of open time after --at (before it, if DURATION is negative)."""
    with exit_on_error():
        cal = load_calendar(config, calendar)
        result = cal.add(parse_instant(at, cal), parse_signed_duration(duration))
        typer.echo(show(result, cal))


@calendar_app.command("elapsed")
def elapsed_command(
    config: Path = ConfigOption,
    calendar: str = CalendarOption,
    at: str = AtOption,
    until: str = typer.Option(
        ..., "--until", metavar="INSTANT", help="End instant, ISO-8601 (read as --at is)."
    ),
) -> None:
    """Open time between --at and --until (negative when --until is earlier)."""
    with exit_on_error():
        cal = load_calendar(config, calendar)
        seconds = cal.elapsed(parse_instant(at, cal), parse_instant(until, cal))
        whole = int(seconds)
        words = format_duration(abs(whole)) if whole == seconds else f"{abs(seconds)}s"
        typer.echo(f"{seconds:g} s  ({'-' if seconds < 0 else ''}{words})")


@calendar_app.command("is-open")
def is_open_command(
    config: Path = ConfigOption, calendar: str = CalendarOption, at: str = AtOption
) -> None:
    """Whether the calendar is open at --at (prints 'open' or 'closed')."""
    with exit_on_error():
        cal = load_calendar(config, calendar)
        moment = parse_instant(at, cal)
        state = "open" if cal.is_open(moment) else "closed"
        typer.echo(f"{state}  at {show(moment, cal)}")


@calendar_app.command("next-open")
def next_open_command(
    config: Path = ConfigOption, calendar: str = CalendarOption, at: str = AtOption
) -> None:
    """--at itself when open, otherwise the start of the next open interval."""
    with exit_on_error():
        cal = load_calendar(config, calendar)
        typer.echo(show(cal.next_open(parse_instant(at, cal)), cal))


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app)
