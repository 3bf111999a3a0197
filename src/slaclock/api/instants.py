"""Query parameters that hold instants and durations, parsed strictly.

An instant must carry an offset or ``Z`` (events.md: a naive time is an error);
a duration is any form :func:`slaclock.core.durations.parse_duration` accepts.
"""

from __future__ import annotations

from datetime import datetime

from slaclock.api.problems import Problem
from slaclock.core.durations import LONGEST_WINDOW_SECONDS, parse_duration
from slaclock.core.errors import EventError
from slaclock.core.instants import parse_instant as core_parse_instant

__all__ = ["parse_duration_param", "parse_instant"]


def parse_instant(name: str, text: str) -> datetime:
    """``2026-03-02T08:15:00Z`` -> an aware UTC datetime, by the rule events follow
    (:func:`slaclock.core.instants.parse_instant`); 422 naming ``name`` otherwise."""
    try:
        return core_parse_instant(text.strip(), name)
    except EventError as exc:
        raise Problem(422, str(exc)) from exc


def parse_duration_param(name: str, text: str) -> int:
    """A duration of at most 100 years; 422 naming ``name`` otherwise."""
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise Problem(422, f"{name}: {exc}") from exc
    if abs(seconds) > LONGEST_WINDOW_SECONDS:
        raise Problem(422, f"{name}: {text!r} is longer than 100 years")
    return seconds
