"""What every importer shares: reading a source file, reading its times, naming its
events, and saying what could not be mapped.

An import turns a helpdesk's export into the event format of events.md, one row at a
time, so a file of any size streams through in constant memory (only the last-known
fields of each ticket are kept, to turn a row into the changes it made). Three rules
hold for every source:

- **Stable ids.** An event's id is made from the source, the ticket and the identity
  of its row (an update number, or the row's instant), never from a counter of this
  run: importing the same file again gives the same ids, which the service and
  ``slaclock replay`` treat as duplicates.
- **Nothing dropped silently.** A row or value that cannot be mapped is counted in a
  :class:`Summary` under its reason, with the first examples (file and line).
- **Naive times are read in a declared zone**, never guessed (``--tz``, default UTC).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slaclock.core.errors import SlaclockError
from slaclock.core.events import format_instant

__all__ = [
    "EXAMPLES_KEPT",
    "Progress",
    "SourceRow",
    "Summary",
    "TimeReader",
    "read_csv",
    "stamp",
    "total_bytes",
    "zone_named",
]

#: Examples kept per reason in a summary.
EXAMPLES_KEPT = 3
#: Rows read between two reports of progress.
_REPORT_EVERY = 2000

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


def total_bytes(paths: Sequence[Path]) -> int:
    """The size of the input files together (what progress counts towards)."""
    return sum(_size(path) for path in paths)


def read_csv(
    paths: Sequence[Path],
    progress: Progress | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
    required: Sequence[str] = (),
) -> Iterator[SourceRow]:
    """The rows of CSV files one after the other, each as its cells by header name.

    A ``.gz`` file (or any file that starts as gzip does) is read through gzip; a
    byte-order mark is skipped. A header that names a column twice (the helpdesk
    log's two ``Variant`` columns) keeps both: the second is ``Variant (2)``.
    ``progress`` is told the bytes read of all files (compressed bytes, for gzip).
    A file whose header lacks a ``required`` column is an error naming it."""
    total = total_bytes(paths) if progress is not None else 0
    done = 0
    for path in paths:
        with _open_binary(path) as raw:
            report = None if progress is None else _reporter(progress, raw, done, total)
            yield from _rows_of(path, raw, delimiter, encoding, required, report)
        done += _size(path)
        if progress is not None:
            progress(done, total)


def _reporter(progress: Progress, raw: IO[bytes], offset: int, total: int) -> Callable[[], None]:
    """Tells ``progress`` how far into ``raw`` (after ``offset`` bytes of earlier files)."""

    def report() -> None:
        progress(offset + raw.tell(), total)

    return report


def _rows_of(
    path: Path,
    raw: IO[bytes],
    delimiter: str,
    encoding: str,
    required: Sequence[str],
    report: Callable[[], None] | None,
) -> Iterator[SourceRow]:
    text = io.TextIOWrapper(_maybe_gzip(raw), encoding=_bom_aware(encoding), newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = _unique(next(reader, []))
        _check_header(path, header, required)
        for count, cells in enumerate(reader, start=1):
            if report is not None and count % _REPORT_EVERY == 0:
                report()
            if cells:
                yield SourceRow(str(path), reader.line_num, dict(zip(header, cells, strict=False)))
    except UnicodeDecodeError as exc:
        where = f"{path}:{reader.line_num + 1}"
        raise SlaclockError(f"{where}: not {encoding} text ({exc.reason})") from None
    except (csv.Error, OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise SlaclockError(f"{path}:{reader.line_num}: cannot read it as CSV ({exc})") from None


def _check_header(path: Path, header: list[str], required: Sequence[str]) -> None:
    absent = [name for name in required if name not in header]
    if absent:
        names = ", ".join(repr(name) for name in absent)
        shown = ", ".join(repr(name) for name in header[:12]) or "nothing"
        raise SlaclockError(f"{path}:1: no column {names} in the header (it has {shown})")


def _open_binary(path: Path) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: OSError) -> SlaclockError:
    if isinstance(exc, FileNotFoundError):
        return SlaclockError(f"{path}: no such file")
    if isinstance(exc, IsADirectoryError):
        return SlaclockError(f"{path}: a directory, not a file")
    return SlaclockError(f"{path}: cannot read it ({exc.strerror or exc})")


def _maybe_gzip(raw: IO[bytes]) -> IO[bytes]:
    """``raw`` itself, or its gzip-decompressed stream when it starts as gzip does."""
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    return raw


def _bom_aware(encoding: str) -> str:
    """UTF-8 read as ``utf-8-sig``: a byte-order mark (Excel writes one) is not data."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names
