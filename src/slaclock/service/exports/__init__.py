"""Exports of a report: CSV, XLSX and JSON, streamed (``docs/exports.md``).

A report is its columns (:class:`Column`: a name and a kind) and an iterable of row
dicts with raw values. Every exporter pulls the rows as it writes them, never holding
them all, and tells an optional ``progress(rows_done)`` how far it has come.

- :func:`csv_chunks` / :func:`write_csv`: RFC 4180 text, raw values with readable
  columns beside them, instants with their offset in the report's time zone.
- :func:`write_xlsx` / :func:`xlsx_bytes`: a typed spreadsheet (XlsxWriter, constant
  memory) with a first row naming the time zone.
- :func:`json_chunks`: ``{"columns": [...], "rows": [...]}`` with raw values.
"""

from slaclock.service.exports.columns import Column, Kind, Row, RowProgress, duration_text
from slaclock.service.exports.csv_export import csv_chunks, write_csv
from slaclock.service.exports.json_export import json_chunks
from slaclock.service.exports.xlsx_export import write_xlsx, xlsx_bytes

__all__ = [
    "Column",
    "Kind",
    "Row",
    "RowProgress",
    "csv_chunks",
    "duration_text",
    "json_chunks",
    "write_csv",
    "write_xlsx",
    "xlsx_bytes",
]
