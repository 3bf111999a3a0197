"""A report as an XLSX workbook with typed cells, written as the rows come.

XlsxWriter in ``constant_memory`` mode flushes each row to a temporary file once the
next one starts, so a million rows take the memory of one. The sheet's first row names
the time zone of its times ("Times in Europe/Amsterdam"), the second is the header
(bold, frozen, with an autofilter). Numbers are numbers, instants are Excel datetimes
in the report's zone, ratios are numbers shown as percentages, dates are dates, money
is a number with as many decimals as its ``Decimal``; each seconds column has the
readable duration beside it, as text. A workbook is complete only when it is closed,
so an HTTP response sends it after it is written (a spooled temporary file).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import tzinfo
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import xlsxwriter

from slaclock.service.exports.columns import (
    Column,
    Row,
    RowProgress,
    counted,
    duration_text,
    header_of,
    in_zone,
    zone_named,
)

__all__ = ["XLSX_MAX_ROWS", "write_xlsx", "xlsx_bytes"]

#: Data rows a sheet holds: Excel's 1,048,576 less the zone row and the header.
XLSX_MAX_ROWS = 1_048_576 - 2

#: The kinds whose raw column has a readable twin in XLSX (the others' cell formats
#: are readable already).
TWINS = frozenset({"seconds"})

#: Column widths (characters) by kind; a header longer than its width widens it.
_WIDTHS = {"instant": 19, "date": 11, "seconds": 10, "ratio": 9, "bool": 7, "int": 9}

Write = Callable[[int, Any], None]


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Row],
    target: str | Path | IO[bytes],
    tz: str | tzinfo | None = None,
    *,
    sheet: str = "Report",
    progress: RowProgress | None = None,
) -> None:
    """Write the report to ``target`` (a path, or a binary file object), one sheet.

    More rows than a sheet holds (``XLSX_MAX_ROWS``) are an error: CSV has no limit."""
    zone, zone_name = zone_named(tz)
    header = header_of(columns, TWINS)
    workbook = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target, {"constant_memory": True}
    )
    try:
        sheet_ = workbook.add_worksheet(sheet)
        bold = workbook.add_format({"bold": True})
        sheet_.write_string(0, 0, f"Times in {zone_name}", bold)
        writers: list[tuple[str, Write]] = []
        at = 0
        for column in columns:
            writers.append((column.name, _writer(workbook, sheet_, column, at, zone)))
            width = max(_WIDTHS.get(column.kind, 16), len(column.name) + 2)
            sheet_.set_column(at, at, width)
            at += 1
            if column.kind in TWINS:
                sheet_.set_column(at, at, max(10, len(header[at]) + 2))
                at += 1
        for index, name in enumerate(header):
            sheet_.write_string(1, index, name, bold)
        sheet_.freeze_panes(2, 0)
        line = 2
        for row in counted(rows, progress):
            if line - 2 == XLSX_MAX_ROWS:
                raise ValueError(f"an XLSX sheet holds {XLSX_MAX_ROWS:,} rows; export as CSV")
            for name, write in writers:
                value = row.get(name)
                if value is not None:
                    write(line, value)
            line += 1
        sheet_.autofilter(1, 0, max(line - 1, 1), len(header) - 1)
    finally:
        workbook.close()


def xlsx_bytes(
    columns: Sequence[Column],
    rows: Iterable[Row],
    tz: str | tzinfo | None = None,
    *,
    sheet: str = "Report",
    progress: RowProgress | None = None,
) -> bytes:
    """:func:`write_xlsx` into memory: for small reports (an API response, a snapshot)."""
    out = io.BytesIO()
    write_xlsx(columns, rows, out, tz, sheet=sheet, progress=progress)
    return out.getvalue()


def _writer(workbook: Any, sheet: Any, column: Column, at: int, zone: tzinfo) -> Write:
    """Writes one non-empty value of ``column`` into row ``line`` at column ``at``."""
    kind = column.kind
    if kind == "text":
        return lambda line, value: sheet.write_string(line, at, str(value))
    if kind == "int":
        return lambda line, value: sheet.write_number(line, at, value)
    if kind == "bool":
        return lambda line, value: sheet.write_boolean(line, at, bool(value))
    if kind == "seconds":

        def seconds(line: int, value: Any) -> None:
            sheet.write_number(line, at, value)
            sheet.write_string(line, at + 1, duration_text(value))

        return seconds
    if kind == "ratio":
        percent = workbook.add_format({"num_format": "0.00%"})
        return lambda line, value: sheet.write_number(line, at, value, percent)
    if kind == "instant":
        stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        return lambda line, value: sheet.write_datetime(
            line, at, in_zone(value, zone).replace(tzinfo=None), stamp
        )
    if kind == "date":
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        return lambda line, value: sheet.write_datetime(line, at, value, day)
    return _decimal_writer(workbook, sheet, at)


def _decimal_writer(workbook: Any, sheet: Any, at: int) -> Write:
    """Money: a number shown with as many decimals as the ``Decimal`` has ("500.00")."""
    formats: dict[int, Any] = {}

    def write(line: int, value: Decimal) -> None:
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        shown = formats.get(places)
        if shown is None:
            pattern = "#,##0." + "0" * places if places else "#,##0"
            shown = formats[places] = workbook.add_format({"num_format": pattern})
        sheet.write_number(line, at, float(value), shown)

    return write
