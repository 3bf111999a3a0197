"""A report as CSV (RFC 4180, UTF-8, a header row), streamed in chunks of text.

Raw values in their columns, the readable twin of each seconds and ratio column beside
it (``Column.readable_name``), instants as ISO-8601 in the report's time zone with
their offset. Text cells that a spreadsheet would run as a formula get a leading
apostrophe; numbers never do.

Rows are written a chunk at a time, column by column (the SLA log has 26 columns; a
million rows are 26 million cells), and the text is joined rather than passed through
the csv module: a column of text is searched once for a value that needs quotes or the
apostrophe (the common answer being none), numbers, instants and readable durations
never need either, durations are remembered, and an instant's text is made from its
minute's, remembered too. The tests read every export back with the csv module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from slaclock.service.exports.columns import (
    Column,
    Row,
    RowProgress,
    counted,
    duration_text,
    header_of,
    in_zone,
    percent_text,
    zone_named,
)

__all__ = ["FORMULA_START", "csv_chunks", "write_csv"]

#: Rows in one chunk of text.
CHUNK_ROWS = 1000

#: The kinds whose raw column has a readable twin in CSV.
TWINS = frozenset({"seconds", "ratio"})

#: What a spreadsheet reads as the start of a formula (OWASP's CSV injection list).
FORMULA_START = frozenset("=+-@\t\r")
_FORMULA_AFTER_NUL = re.compile("\0[=+\\-@\t\r]")

#: Distinct values remembered per column (durations) or per report (instants' minutes);
#: a full memory starts again.
_KEPT = 1 << 16

_SECONDS = [f"{second:02d}" for second in range(60)]

#: The cells of one column (and of its readable twin) for a chunk of rows' values.
Cells = Callable[[Sequence[Any]], tuple[Sequence[str], ...]]


def csv_chunks(
    columns: Sequence[Column],
    rows: Iterable[Row],
    tz: str | tzinfo | None = None,
    *,
    progress: RowProgress | None = None,
    bom: bool = False,
) -> Iterator[str]:
    """The report as CSV text: the header alone first, then ``CHUNK_ROWS`` rows per
    chunk, each line ending in CRLF; ``rows`` is pulled only as far as the chunks are.
    Instants are written in ``tz`` (a name or a zone; UTC by default) with their
    offset. ``bom`` starts the text with a byte-order mark, which Excel needs to read
    UTF-8."""
    zone, _ = zone_named(tz)
    header = header_of(columns, TWINS)
    converters = [_cells(column, zone) for column in columns]
    names = [column.name for column in columns]
    yield ("\ufeff" if bom else "") + ",".join(map(_quoted, header)) + "\r\n"
    pending = counted(rows, progress)
    while batch := list(islice(pending, CHUNK_ROWS)):
        cells: list[Sequence[str]] = []
        for convert, values in zip(converters, _by_column(batch, names), strict=True):
            cells += convert(values)
        lines = list(map(",".join, zip(*cells, strict=True)))
        if len(header) == 1:  # an empty line would read as no record at all
            lines = [line or '""' for line in lines]
        lines.append("")
        yield "\r\n".join(lines)


def write_csv(
    columns: Sequence[Column],
    rows: Iterable[Row],
    target: str | Path | IO[bytes],
    tz: str | tzinfo | None = None,
    *,
    progress: RowProgress | None = None,
    bom: bool = False,
) -> None:
    """:func:`csv_chunks` written to a file (a path, or a binary file object), UTF-8."""
    chunks = csv_chunks(columns, rows, tz, progress=progress, bom=bom)
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8", newline="") as out:
            out.writelines(chunks)
        return
    for chunk in chunks:
        target.write(chunk.encode("utf-8"))


def _by_column(batch: list[Row], names: list[str]) -> Sequence[Sequence[Any]]:
    """The values of each column in ``batch`` (None where a row lacks the key)."""
    try:
        if len(names) == 1:
            return [[row[names[0]] for row in batch]]
        return list(zip(*map(itemgetter(*names), batch), strict=True))
    except KeyError:
        return [[row.get(name) for row in batch] for name in names]


def _cells(column: Column, zone: tzinfo) -> Cells:
    """What the values of ``column`` in a chunk of rows become: its cells, and its
    readable twin's for seconds and ratios."""
    kind = column.kind
    if kind == "text":
        return _text_cells
    if kind == "seconds":
        return _seconds_cells()
    if kind == "ratio":
        return lambda values: (_strings(values), _strings(values, percent_text))
    if kind == "instant":
        instant = _instant_writer(zone)
        return lambda values: (list(map(instant, values)),)
    convert = _boolean if kind == "bool" else _decimal if kind == "decimal" else str
    return lambda values: (_strings(values, convert),)  # int, date (str: ISO), bool, decimal


def _strings(values: Sequence[Any], convert: Callable[[Any], str] = str) -> list[str]:
    """``values`` as text, ``""`` for None (for values whose text needs no quotes)."""
    if None in values:
        return ["" if value is None else convert(value) for value in values]
    return list(map(convert, values))


def _text_cells(values: Sequence[Any]) -> tuple[Sequence[str]]:
    """Text cells: quoted when they hold a comma, a quote or a line break, and with an
    apostrophe before what a spreadsheet would run as a formula. One search over the
    chunk's values finds whether any needs either."""
    try:
        joined = "\0" + "\0".join(values)
    except TypeError:  # a None or not a str
        return (list(map(_text, values)),)
    if (
        _FORMULA_AFTER_NUL.search(joined)
        or "," in joined
        or '"' in joined
        or "\n" in joined
        or "\r" in joined
    ):
        return (list(map(_text, values)),)
    return (values,)


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    return _quoted("'" + text if text[:1] in FORMULA_START else text)


def _quoted(text: str) -> str:
    """A field as RFC 4180 writes it: in double quotes, doubled inside, when it holds
    a comma, a double quote or a line break."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _seconds_cells() -> Cells:
    """Seconds and their readable twin, remembering the durations seen (targets and
    goals repeat, and so do short elapsed times)."""
    known = _Durations()

    def cells(values: Sequence[Any]) -> tuple[Sequence[str], Sequence[str]]:
        if len(known) >= _KEPT:
            known.clear()
        return (_strings(values), list(map(known.__getitem__, values)))

    return cells


class _Durations(dict[Any, str]):
    """Readable durations by seconds, made when first asked for."""

    def __missing__(self, seconds: Any) -> str:
        text = self[seconds] = "" if seconds is None else duration_text(seconds)
        return text


def _instant_writer(zone: tzinfo) -> Callable[[datetime | None], str]:
    """Instants as ISO-8601 in ``zone`` with their offset ("2026-03-29T03:00:00+02:00").

    ``isoformat`` after ``astimezone`` costs two microseconds an instant, most of an
    export's time. Instead the zone's offset is remembered per UTC hour (when it is
    the same at both ends, in whole minutes: every hour but the rare one a zone's
    offset changes inside), and the text is built from the local day's date (kept
    per local day) and the time of day (kept per second of the day, made as met).
    Instants with microseconds, and the odd hour, go through ``isoformat``."""
    hours: dict[int, tuple[int, str] | None] = {}
    days: dict[int, str] = {}
    times: dict[int, str] = {}

    def hour_offset(hour: int) -> tuple[int, str] | None:
        start = datetime.fromtimestamp(hour * 3600, zone).utcoffset()
        end = datetime.fromtimestamp(hour * 3600 + 3599, zone).utcoffset()
        if start is None or start != end or start.seconds % 60:
            return None
        seconds = int(start.total_seconds())
        sign, size = ("-", -seconds) if seconds < 0 else ("+", seconds)
        return seconds, f"{sign}{size // 3600:02d}:{size % 3600 // 60:02d}"

    def instant(at: datetime | None) -> str:
        if at is None:
            return ""
        if at.microsecond or at.tzinfo is None:
            return in_zone(at, zone).isoformat()
        epoch = int(at.timestamp())
        hour = epoch // 3600
        try:
            offset = hours[hour]
        except KeyError:
            if len(hours) == _KEPT:
                hours.clear()
            offset = hours[hour] = hour_offset(hour)
        if offset is None:
            return at.astimezone(zone).isoformat()
        day, second = divmod(epoch + offset[0], 86_400)
        date = days.get(day)
        if date is None:
            date = days[day] = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%dT")
        clock = times.get(second)
        if clock is None:
            clock = times[second] = (
                f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            )
        return date + clock + offset[1]

    return instant


def _boolean(value: Any) -> str:
    return "true" if value else "false"


def _decimal(value: Decimal) -> str:
    return f"{value:f}"
