"""What every export shares: the columns of a report, their readable twins, progress.

A report is a sequence of :class:`Column` values and an iterable of row dicts holding
raw values (seconds as numbers, ratios as floats from 0 to 1, instants as aware
datetimes, money as ``Decimal``). The naming rule of the readable column written
beside a raw one lives here, once (``docs/exports.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

from slaclock.core.durations import format_duration

__all__ = [
    "Column",
    "Kind",
    "Row",
    "RowProgress",
    "counted",
    "duration_text",
    "header_of",
    "in_zone",
    "percent_text",
    "zone_named",
]

Kind = Literal["text", "int", "seconds", "ratio", "instant", "date", "decimal", "bool"]
KINDS: frozenset[str] = frozenset(get_args(Kind))

#: One row of a report: raw values by column name (a missing key is an empty cell).
Row = Mapping[str, Any]

#: Told the number of rows written so far (every ``PROGRESS_EVERY`` rows and at the end).
RowProgress = Callable[[int], None]

#: Rows between two calls of a progress callback.
PROGRESS_EVERY = 1000

#: The suffix of a readable column by the kind of its raw column (for seconds, when the
#: raw name does not end in ``_seconds``).
_READABLE_SUFFIX = {"seconds": "_text", "ratio": "_pct"}


@dataclass(frozen=True)
class Column:
    """One column of a report: its ``name`` (the key of the rows, and the header) and
    ``kind``. ``readable`` names the readable column written beside a seconds or ratio
    column; by default it is derived from ``name`` (:meth:`readable_name`).
    """

    name: str
    kind: Kind
    readable: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name!r}: unknown kind {self.kind!r}")
        if not self.name:
            raise ValueError("a column needs a name")

    def readable_name(self) -> str | None:
        """The readable twin's name, or None for a kind that has none.

        ``elapsed_seconds`` → ``elapsed``, ``met_elapsed_avg`` (seconds) →
        ``met_elapsed_avg_text``, ``compliance`` → ``compliance_pct``."""
        suffix = _READABLE_SUFFIX.get(self.kind)
        if suffix is None:
            return None
        if self.readable:
            return self.readable
        if self.kind == "seconds" and self.name.endswith("_seconds") and self.name != "_seconds":
            return self.name.removesuffix("_seconds")
        return self.name + suffix


def header_of(columns: Sequence[Column], twins: Collection[str]) -> list[str]:
    """The header of an export: each column's name, followed by its readable twin's
    when its kind is one of ``twins``. Two columns under one name are an error."""
    if not columns:
        raise ValueError("a report needs at least one column")
    header: list[str] = []
    for column in columns:
        header.append(column.name)
        if column.kind in twins:
            header.append(column.readable_name() or "")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise ValueError(f"two columns of the report are named {name!r}")
        seen.add(name)
    return header


def zone_named(tz: str | tzinfo | None) -> tuple[tzinfo, str]:
    """The report's time zone and its name ("Europe/Amsterdam"); UTC for none."""
    if tz is None:
        return ZoneInfo("UTC"), "UTC"
    if isinstance(tz, str):
        return ZoneInfo(tz), tz
    key = getattr(tz, "key", None)
    return tz, key if isinstance(key, str) else str(tz)


def duration_text(seconds: float) -> str:
    """``5400`` → ``1h30m``: the configuration's own notation (``format_duration``),
    exact to the second; a negative amount (overdue) starts with a minus sign (U+2212),
    not a hyphen, which a spreadsheet would take for the start of a formula."""
    if seconds < 0:
        return "\u2212" + format_duration(-seconds)
    return format_duration(seconds)


def percent_text(ratio: float) -> str:
    """``0.93182`` → ``93.18%``."""
    return f"{ratio * 100:.2f}%"


def in_zone(at: datetime, tz: tzinfo) -> datetime:
    """``at`` in the report's zone; a naive datetime is an error, not a guess."""
    if at.tzinfo is None:
        raise ValueError(f"an instant must carry its time zone; {at!r} does not")
    return at.astimezone(tz)


def counted(rows: Iterable[Row], progress: RowProgress | None) -> Iterator[Row]:
    """``rows`` as they come, telling ``progress`` how many have passed every
    ``PROGRESS_EVERY`` rows and once at the end (also when there were none)."""
    if progress is None:
        yield from rows
        return
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    if done == 0 or done % PROGRESS_EVERY:
        progress(done)
