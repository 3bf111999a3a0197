"""A report as JSON, streamed: ``{"columns": [...], "rows": [...]}``.

Each column is ``{"name", "kind"}``; each row an object of raw values keyed by column
name in column order: numbers as numbers, instants as ISO-8601 in UTC (``…Z``), dates
as ``YYYY-MM-DD``, money as a decimal string (``"500.00"``, exact), a missing value as
null. One row a line, so a large export still reads in a text editor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

import orjson

from slaclock.service.exports.columns import Column, Row, RowProgress, counted, header_of, in_zone
from slaclock.service.formats import iso_z

__all__ = ["json_chunks"]

#: Rows in one chunk of text.
CHUNK_ROWS = 1000


def json_chunks(
    columns: Sequence[Column],
    rows: Iterable[Row],
    *,
    progress: RowProgress | None = None,
) -> Iterator[str]:
    """The report as one JSON object, in chunks of about ``CHUNK_ROWS`` rows; ``rows``
    is pulled only as far as the chunks are."""
    header_of(columns, ())
    plan = [(column.name, _value(column)) for column in columns]

    def line(row: Row) -> str:
        values = {}
        for name, convert in plan:
            value = row.get(name)
            values[name] = value if value is None or convert is None else convert(value)
        return orjson.dumps(values).decode()

    described = [{"name": column.name, "kind": column.kind} for column in columns]
    yield '{"columns":' + orjson.dumps(described).decode() + ',"rows":['
    pending = iter(counted(rows, progress))
    separator = "\n"
    while lines := [line(row) for row in islice(pending, CHUNK_ROWS)]:
        yield separator + ",\n".join(lines)
        separator = ",\n"
    yield "\n]}\n"


def _value(column: Column) -> Callable[[Any], Any] | None:
    """How a raw value of ``column`` becomes JSON (None: as it is)."""
    if column.kind == "instant":
        return _instant
    if column.kind == "date":
        return date.isoformat
    if column.kind == "decimal":
        return _decimal
    return None


def _instant(at: datetime) -> str | None:
    return iso_z(in_zone(at, UTC))


def _decimal(value: Decimal) -> str:
    return f"{value:f}"
