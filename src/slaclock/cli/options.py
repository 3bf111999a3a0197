"""The options several commands share, spelled one way everywhere (docs/cli.md).

``--config FILE`` (``-c``) names the configuration file and ``--as-of INSTANT`` the
instant a command computes as of. The older spellings stay, as aliases: the
configuration as an argument (``validate FILE``, ``config apply FILE``) and
``explain --at``. An instant the user types is ISO-8601 with an offset, or a plain
date, which is that day's midnight in UTC; a date-time without an offset is refused
(its zone cannot be guessed). The ``calendar`` commands differ on purpose: their
``--at`` is the instant the arithmetic starts from, and one without an offset is a wall
time in the calendar's own zone.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from slaclock.core.events import format_instant, parse_instant

if TYPE_CHECKING:
    from slaclock.service.replay import EventCount

__all__ = [
    "AS_OF_HELP",
    "CONFIG_HELP",
    "as_of_option",
    "config_argument",
    "config_option",
    "instant_or_now",
    "one_config",
    "report_late",
    "user_instant",
]

CONFIG_HELP = "Configuration file (YAML or JSON)."
AS_OF_HELP = (
    "Compute as of this instant: ISO-8601 with an offset (2026-03-02T09:00:00Z) or a date "
    "YYYY-MM-DD (its midnight, UTC); default: now."
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def config_option(required: bool = True) -> Any:
    """``--config FILE`` / ``-c FILE``: the configuration file."""
    return typer.Option(
        ... if required else None, "--config", "-c", metavar="FILE", help=CONFIG_HELP
    )


def config_argument() -> Any:
    """The configuration as an argument: the older spelling of ``--config``, kept."""
    return typer.Argument(
        None,
        metavar="[FILE]",
        show_default=False,
        help="The configuration file: an alias of --config FILE (the older spelling).",
    )


def one_config(option: Path | None, argument: Path | None) -> Path:
    """The configuration file given as ``--config FILE`` or as the argument ``FILE``."""
    if option is not None and argument is not None and option != argument:
        raise typer.BadParameter(
            f"two configuration files ({option} and {argument}); give one", param_hint="--config"
        )
    chosen = option if option is not None else argument
    if chosen is None:
        raise typer.BadParameter(
            "missing: give the configuration file as --config FILE", param_hint="'--config' / '-c'"
        )
    return chosen


def as_of_option(*aliases: str) -> Any:
    """``--as-of INSTANT`` (and older spellings of it, named in its help)."""
    named = ", ".join(aliases)
    extra = f" {named}: an alias (the older spelling)." if aliases else ""
    return typer.Option(None, "--as-of", *aliases, metavar="INSTANT", help=AS_OF_HELP + extra)


def user_instant(text: str, option: str) -> datetime:
    """An instant typed by the user, in UTC: ISO-8601 with an offset, or a date
    ``YYYY-MM-DD`` (its midnight, UTC). A date-time without an offset is an error."""
    body = text.strip()
    if _DATE.fullmatch(body):
        try:
            return datetime.combine(date.fromisoformat(body), time(), tzinfo=UTC)
        except ValueError:
            raise typer.BadParameter(f"not a date: {text!r}", param_hint=option) from None
    try:
        naive = datetime.fromisoformat(body).tzinfo is None
    except ValueError:
        raise typer.BadParameter(
            f"not an ISO-8601 instant or a date YYYY-MM-DD: {text!r}", param_hint=option
        ) from None
    if naive:
        raise typer.BadParameter(
            f"{text!r} has no offset (naive time); add 'Z' or '+01:00', "
            "or give a date YYYY-MM-DD (its midnight, UTC)",
            param_hint=option,
        )
    return parse_instant(body, option)


def instant_or_now(text: str | None, option: str = "--as-of") -> datetime:
    """:func:`user_instant`, or the current time when the option was not given (the CLI
    is the one place that reads the clock; the core is handed the instant)."""
    return datetime.now(UTC) if text is None else user_instant(text, option)


def report_late(count: EventCount, given: bool, of: str = "") -> None:
    """Say on stderr what ``--as-of`` left out of a command's events (nothing when every
    event was applied); ``given``: whether the user gave ``--as-of``; ``of``: whose
    events, e.g. ``" of ticket T-1"``. Stdout is never touched."""
    if not count.late:
        return
    stamp = format_instant(count.as_of)
    when = f"--as-of {stamp}" if given else f"now ({stamp}; no --as-of given)"
    if count.late == count.total:
        first = format_instant(count.first_late)
        events = "the event comes" if count.total == 1 else f"all {count.total} events come"
        message = f"no event{of} at or before {when}: {events} later (the first at {first})"
    else:
        events, were = ("event", "was") if count.late == 1 else ("events", "were")
        message = f"{count.late} {events}{of} after {when} {were} not applied"
    print(f"slaclock: {message}", file=sys.stderr)
