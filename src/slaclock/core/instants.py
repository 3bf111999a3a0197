"""Instants at the edges: ISO-8601 text in (an offset required), ``…Z`` text out.

Inside, every instant is an aware UTC datetime; a naive time is refused because its
zone cannot be guessed (events.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slaclock.core.errors import EventError

__all__ = ["EARLIEST_YEAR", "LATEST_YEAR", "format_instant", "instant_text", "parse_instant"]

#: The years (UTC) an instant may lie in: the calendars compute 1900 to 2200, and a
#: target from an instant late in 2199 still fits.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2199


def parse_instant(text: Any, what: str = "at") -> datetime:
    """An ISO-8601 instant with an offset or ``Z``, as an aware UTC datetime."""
    if not isinstance(text, str):
        raise EventError(f"'{what}' must be an ISO-8601 string, got {text!r}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise EventError(f"'{what}' is not an ISO-8601 instant: {text!r}") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise EventError(f"'{what}' has no offset (naive time): {text!r}; add 'Z' or '+01:00'")
    outside = EventError(
        f"'{what}' lies outside the years {EARLIEST_YEAR}-{LATEST_YEAR} (UTC): {text!r}"
    )
    try:
        value = value.astimezone(UTC)  # "…Z" and "+00:00": already UTC
    except OverflowError:  # before year 1 or after 9999 once in UTC
        raise outside from None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise outside
    return value


def format_instant(value: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds, UTC), the replay JSON's instant format.

    A replay writes millions of these, and the engine's instants are already in UTC:
    their wall-clock fields are the text.
    """
    if value is None:
        return None
    return instant_text(value, False)


def instant_text(value: datetime, quoted: bool) -> str:
    """:func:`format_instant` of an instant, in double quotes when ``quoted`` (a JSON
    string). The date part and the time part are each made once and remembered: the
    same days and seconds of the day recur, and one concatenation of two remembered
    strings costs a fraction of formatting six numbers. They are remembered in lists
    indexed by the day and by the second of the day."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)  # another zone, or naive (local): never the engine's
    second = value.hour * 3600 + value.minute * 60 + value.second
    seconds = _QUOTED_SECONDS if quoted else _SECONDS
    time_text = seconds[second]
    if time_text is None:
        time_text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}Z"
        time_text = seconds[second] = time_text + '"' if quoted else time_text
    day = (value.year - _FIRST_YEAR) * 384 + value.month * 32 + value.day
    if not 0 <= day < _DAY_SLOTS:
        return _date_text(value, quoted) + time_text  # outside the remembered years
    days = _QUOTED_DAYS if quoted else _DAYS
    date_text = days[day]
    if date_text is None:
        date_text = days[day] = _date_text(value, quoted)
    return date_text + time_text


def _date_text(value: datetime, quoted: bool) -> str:
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
    return '"' + text if quoted else text


#: :func:`instant_text`'s parts by day (``(year - _FIRST_YEAR) * 384 + month * 32 +
#: day``, for the years 1970 to 2129) and by second of the day, plain and quoted, each
#: made when first needed.
_FIRST_YEAR = 1970
_DAY_SLOTS = 160 * 384
_DAYS: list[str | None] = [None] * _DAY_SLOTS
_QUOTED_DAYS: list[str | None] = [None] * _DAY_SLOTS
_SECONDS: list[str | None] = [None] * 86_400
_QUOTED_SECONDS: list[str | None] = [None] * 86_400
