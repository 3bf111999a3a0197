"""What every importer shares: reading its times, naming its rows, and saying what
could not be mapped (reading the files is :mod:`.reading`).

An import turns a helpdesk's export into the event format of events.md, one row at a
time, so a file of any size streams through in constant memory (only the last-known
fields of each ticket are kept, to turn a row into the changes it made). Three rules
hold for every source:

- **Stable ids.** An event's id is made from the source, the ticket and the identity
  of its row (an update number, or its time as written), never from a counter of this
  run: importing the same file again gives the same ids, which the service and
  ``slaclock replay`` treat as duplicates.
- **Nothing dropped silently.** A row or value that cannot be mapped is counted in a
  :class:`Summary` under its reason, with the first examples (file and line).
- **Naive times are read in a declared zone**, never guessed (``--tz``, default UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slaclock.core.errors import SlaclockError
from slaclock.core.events import format_instant

__all__ = [
    "EXAMPLES_KEPT",
    "Progress",
    "SourceRow",
    "Summary",
    "TimeReader",
    "stamp",
    "zone_named",
]

#: Examples kept per reason in a summary.
EXAMPLES_KEPT = 3

#: Told how far the import has read: bytes of the input files done, and their total.
Progress = Callable[[int, int], None]


@dataclass
class Tally:
    """How often one reason came up, and its first examples."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES_KEPT:
            self.examples.append(example)


@dataclass
class Summary:
    """What an import read and wrote, and what it could not map.

    ``unmapped`` holds what was left out of the events (a row without a ticket, a value
    outside a vocabulary); ``notices`` what was mapped with a decision worth knowing
    (a time moved to keep a ticket's update order). Both by reason, with examples."""

    rows: int = 0
    events: int = 0
    tickets: int = 0
    unmapped: dict[str, Tally] = field(default_factory=dict)
    notices: dict[str, Tally] = field(default_factory=dict)

    def skip(self, reason: str, example: str) -> None:
        """Count something that could not be mapped."""
        self.unmapped.setdefault(reason, Tally()).add(example)

    def note(self, reason: str, example: str) -> None:
        """Count a mapping decision the reader should know of."""
        self.notices.setdefault(reason, Tally()).add(example)

    @property
    def unmapped_count(self) -> int:
        return sum(t.count for t in self.unmapped.values())

    def lines(self) -> list[str]:
        """The summary in words, for a terminal."""
        out = [
            f"read {self.rows:,} rows: {self.events:,} events of {self.tickets:,} tickets",
        ]
        for title, tallies in (("not mapped", self.unmapped), ("notices", self.notices)):
            if not tallies:
                continue
            out.append(f"{title}:")
            for reason, tally in sorted(tallies.items(), key=lambda kv: -kv[1].count):
                out.append(f"  {tally.count:>8,}  {reason}")
                out.extend(f"            e.g. {example}" for example in tally.examples)
        if not self.unmapped:
            out.append("everything was mapped")
        return out

    def to_json(self) -> dict[str, Any]:
        def tallies(found: dict[str, Tally]) -> dict[str, Any]:
            return {r: {"count": t.count, "examples": t.examples} for r, t in found.items()}

        return {
            "rows": self.rows,
            "events": self.events,
            "tickets": self.tickets,
            "unmapped": tallies(self.unmapped),
            "notices": tallies(self.notices),
        }


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``UTC``, ``Europe/Rome``); an unknown name is an error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SlaclockError(
            f"unknown time zone {name!r} (an IANA name, e.g. Europe/Rome)"
        ) from None


class TimeReader:
    """Times of a source as aware UTC instants: text with an offset keeps it, text
    without one is a wall time in ``zone``. ``fmt`` is a ``strptime`` format, or None
    for ISO 8601. Exports repeat the same few instants on many rows (a creation time
    on every update), so parsed texts are remembered."""

    def __init__(self, zone: ZoneInfo, fmt: str | None = None) -> None:
        self.zone = zone
        self.fmt = fmt
        self.read: Callable[[str], datetime] = lru_cache(maxsize=65536)(self._read)

    def _read(self, text: str) -> datetime:
        """Raises ValueError when ``text`` does not fit the format."""
        if self.fmt is None:
            value = datetime.fromisoformat(text.strip())
        else:
            value = datetime.strptime(text.strip(), self.fmt)  # noqa: DTZ007 (zone below)
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(UTC)


def stamp(value: datetime) -> str:
    """An instant as events carry it: ``YYYY-MM-DDTHH:MM:SSZ``, or with the fraction of
    a second when the source has one."""
    if value.microsecond:
        return value.isoformat().replace("+00:00", "Z")
    text = format_instant(value)
    assert text is not None
    return text


@dataclass(frozen=True)
class SourceRow:
    """One row of a source file: its cells by column name, and where it stands."""

    file: str
    line: int
    cells: dict[str, str]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"
