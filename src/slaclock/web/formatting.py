"""Dates, times, durations and numbers in the viewer's language and time zone (Babel).

One :class:`Formatter` per request: instants are stored and served in UTC and shown
in the time zone the viewer chose; durations read "2 hr 5 min" in every language
from CLDR's unit names, the same names the browser's ``Intl.NumberFormat`` uses when
the countdown script ticks them down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime, format_timedelta
from babel.numbers import format_decimal
from babel.units import format_unit

__all__ = ["AT_RISK_SECONDS", "Formatter", "parse_instant", "parse_zone"]

#: A running clock due within this many seconds is "at risk" (amber), as in the summary.
AT_RISK_SECONDS = 3600

_UNITS = (
    (86400, "duration-day"),
    (3600, "duration-hour"),
    (60, "duration-minute"),
    (1, "duration-second"),
)


def parse_zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone called ``name``, or None when it is not one."""
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_instant(value: str | None) -> datetime | None:
    """An instant as the service writes it ("2026-03-02T09:15:00Z"), aware UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def duration_parts(seconds: int) -> list[tuple[int, str]]:
    """The two largest units of ``|seconds|`` ("2 d 3 h", "5 min 7 s"; "0 s" for zero)."""
    rest = abs(int(seconds))
    parts: list[tuple[int, str]] = []
    for size, unit in _UNITS:
        count, rest = divmod(rest, size)
        if count or parts:
            parts.append((count, unit))
        if len(parts) == 2:
            break
    parts = [(count, unit) for count, unit in parts if count] or [(0, "duration-second")]
    return parts


@dataclass(frozen=True)
class Formatter:
    """Formats values for one viewer: ``locale`` (a LOCALES entry) and time zone ``tz``."""

    locale: str
    tz: ZoneInfo

    def instant(self, value: str | datetime | None, length: str = "short") -> str:
        """A stored instant in the viewer's zone; "" for none."""
        at = parse_instant(value) if isinstance(value, str) or value is None else value
        if at is None:
            return ""
        return format_datetime(at, length, tzinfo=self.tz, locale=self.locale)

    def duration(self, seconds: int | float | None) -> str:
        """``|seconds|`` as its two largest units; "" for none."""
        if seconds is None:
            return ""
        return " ".join(
            format_unit(count, unit, length="short", locale=self.locale)
            for count, unit in duration_parts(int(seconds))
        )

    def span(self, seconds: int) -> str:
        """A round span of time in words ("1 hour", "1 uur"), for labels, not countdowns."""
        return format_timedelta(timedelta(seconds=seconds), locale=self.locale)

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)
