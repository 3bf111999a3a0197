"""Query parameters that hold instants and durations, parsed strictly.

An instant must carry an offset or ``Z`` (events.md: a naive time is an error);
a duration is any form :func:`slaclock.core.durations.parse_duration` accepts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from slaclock.api.problems import Problem
from slaclock.core.durations import LONGEST_WINDOW_SECONDS, parse_duration
from slaclock.core.instants import EARLIEST_YEAR, LATEST_YEAR

__all__ = ["parse_duration_param", "parse_instant"]


def parse_instant(name: str, text: str) -> datetime:
    """``2026-03-02T08:15:00Z`` -> an aware UTC datetime; 422 naming ``name`` otherwise."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise Problem(422, f"{name}: {text!r} is not an ISO-8601 instant") from exc
    if value.tzinfo is None or value.utcoffset() is None:
        raise Problem(422, f"{name}: {text!r} has no offset; write Z or +HH:MM")
    try:
        value = value.astimezone(UTC)
    except OverflowError as exc:
        raise Problem(422, f"{name}: {text!r} lies outside the years {_YEARS}") from exc
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise Problem(422, f"{name}: {text!r} lies outside the years {_YEARS}")
    return value


def parse_duration_param(name: str, text: str) -> int:
    """A duration of at most 100 years; 422 naming ``name`` otherwise."""
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise Problem(422, f"{name}: {exc}") from exc
    if abs(seconds) > LONGEST_WINDOW_SECONDS:
        raise Problem(422, f"{name}: {text!r} is longer than 100 years")
    return seconds


_YEARS = f"{EARLIEST_YEAR}-{LATEST_YEAR} (UTC)"
