"""Durations as written in configuration files, to and from whole seconds.

Accepted forms (policies.md, "Durations"):

- compact units, largest first, each at most once: ``"90s"``, ``"45m"``, ``"1h30m"``,
  ``"2d"``, ``"1d2h3m4s"`` (a day is 24 hours; whitespace between parts is allowed);
- ISO-8601 durations without years or months, whose length varies: ``"PT1H30M"``,
  ``"P1DT2H"``, ``"P2W"`` (a week is 7 days);
- a non-negative integer, or a string of digits: a number of seconds.

Durations are never negative. Fractions are not accepted: targets are whole seconds.
"""

from __future__ import annotations

import re

__all__ = ["LONGEST_WINDOW_SECONDS", "format_duration", "parse_duration"]

#: The longest window a query may ask for (a look-ahead, an at-risk window): 100 years,
#: far beyond any use and far inside what a ``timedelta`` holds.
LONGEST_WINDOW_SECONDS = 100 * 366 * 86_400

_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}

_COMPACT = re.compile(
    r"^(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m)?\s*(?:(?P<s>\d+)\s*s)?$"
)
_ISO = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)

_EXPECTED = (
    "expected a duration such as '90s', '45m', '1h30m', '2d', 'PT1H30M' "
    "or a whole number of seconds"
)


def parse_duration(text: object) -> int:
    """Return the duration ``text`` denotes, in whole seconds.

    Raises :class:`ValueError` naming the bad value and the accepted forms, so that the
    configuration loader can pass the message on unchanged.
    """
    if isinstance(text, bool):  # bool is an int subclass; `true` is never a duration
        raise ValueError(f"{_EXPECTED}, not a boolean")
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"{_EXPECTED}; a duration cannot be negative")
        return text
    if not isinstance(text, str):
        raise ValueError(f"{_EXPECTED}, not a {type(text).__name__}")
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    seconds = _match_seconds(_COMPACT, stripped.lower()) if stripped else None
    if seconds is None:
        seconds = _match_iso(stripped.upper())
    if seconds is None:
        raise ValueError(f"{_EXPECTED}; {text!r} is not one")
    return seconds


def _match_seconds(pattern: re.Pattern[str], text: str) -> int | None:
    """Sum the unit groups of ``pattern`` over ``text``; None when it does not match."""
    found = pattern.match(text)
    if found is None:
        return None
    parts = found.groupdict()
    if all(value is None for value in parts.values()):
        return None
    return sum(int(value) * _UNIT_SECONDS[unit] for unit, value in parts.items() if value)


def _match_iso(text: str) -> int | None:
    """An ISO-8601 duration; ``P`` or ``PT`` alone, or a dangling ``T``, are rejected."""
    if text.endswith("T"):
        return None
    return _match_seconds(_ISO, text)


def format_duration(seconds: int | float, days: bool = True) -> str:
    """Write ``seconds`` in the compact form: ``5400 -> "1h30m"``, ``0 -> "0s"``.

    Fractions of a second are rounded; negative amounts get a leading ``-`` (used for
    overdue remaining times). ``parse_duration(format_duration(n)) == n`` for n >= 0.
    ``days=False`` stops at hours (``"40h"``, not ``"1d16h"``): targets are open time,
    where a 24-hour "day" would read as a business day.
    """
    total = round(seconds)
    sign = "-" if total < 0 else ""
    total = abs(total)
    if total == 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s") if days else ("h", "m", "s"):
        amount, total = divmod(total, _UNIT_SECONDS[unit])
        if amount:
            parts.append(f"{amount}{unit}")
    return sign + "".join(parts)
