"""Benchmark: the report exports (CSV, XLSX, JSON) on rows shaped like the SLA log.

Workload: N rows of the spec's SLA log (``docs/exports.md``; 26 columns: 16 text, 2 int,
5 seconds, 3 instants, a bool), made up deterministically (seed 1) by a generator, so
nothing is held. Times in Europe/Amsterdam. Each exporter writes into a sink that
drops what it gets (``/dev/null``). In the same run, the reference: the standard
library's ``csv.writer`` on the same rows, raw values only (no readable columns, no
time zone, no formula guard), and the ratio of the two. The issue's target: CSV export
at least 100,000 rows/s.

XlsxWriter's own ``write`` of the raw values is the XLSX reference. Rates are counted
on CPU time (the machine may be shared); "export only" leaves out what making the rows
costs, measured alone first (a report's rows come from the database, not from here).

Run: ``python bench/exports_bench.py [--rows 1000000] [--skip-xlsx]`` (``--quick``: 100k).
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import xlsxwriter

from slaclock.service.exports import Column, csv_chunks, json_chunks, write_xlsx

ZONE = "Europe/Amsterdam"
START = datetime(2026, 1, 1, tzinfo=UTC)

COLUMNS = [
    Column("requester", "text"),
    Column("ticket", "text"),
    Column("subject", "text"),
    Column("group", "text"),
    Column("assignee", "text"),
    Column("customer", "text"),
    Column("plan", "text"),
    Column("priority", "text"),
    Column("channel", "text"),
    Column("policy", "text"),
    Column("policy_version", "int"),
    Column("kind", "text"),
    Column("metric", "text"),
    Column("cycle", "int"),
    Column("calendar", "text"),
    Column("started_at", "instant"),
    Column("due_at", "instant"),
    Column("stopped_at", "instant"),
    Column("state", "text"),
    Column("judged", "text"),
    Column("target_seconds", "seconds"),
    Column("elapsed_seconds", "seconds"),
    Column("paused_seconds", "seconds"),
    Column("remaining_seconds", "seconds"),
    Column("goal_seconds", "seconds"),
    Column("goal_breached", "bool"),
]

_SUBJECTS = ["Cannot log in", "Invoice wrong", "=SUM(A1)", "Outage in Zürich", "Slow API"]
_TARGETS = [900, 3600, 4 * 3600, 8 * 3600, 24 * 3600]


def sla_log_rows(count: int) -> Iterator[dict[str, Any]]:
    """``count`` made-up SLA log rows, one at a time."""
    draw = random.Random(1)
    for index in range(count):
        started = START + timedelta(seconds=index * 7 + draw.randrange(3600))
        target = _TARGETS[index % 5]
        elapsed = draw.randrange(2 * target)
        stopped = None if index % 7 == 0 else started + timedelta(seconds=elapsed * 2)
        yield {
            "requester": f"customer{index % 5000}@example.com",
            "ticket": f"T-{index // 3}",
            "subject": _SUBJECTS[index % 5],
            "group": ("support", "billing", "ops")[index % 3],
            "assignee": f"agent{index % 40}",
            "customer": f"acme-{index % 900}",
            "plan": ("enterprise", "business", "basic")[index % 3],
            "priority": ("urgent", "high", "normal", "low")[index % 4],
            "channel": ("email", "web", "phone")[index % 3],
            "policy": "enterprise-eu",
            "policy_version": 3,
            "kind": "sla",
            "metric": ("first_response", "resolution", "next_response")[index % 3],
            "cycle": 1,
            "calendar": "amsterdam-office",
            "started_at": started,
            "due_at": started + timedelta(seconds=target),
            "stopped_at": stopped,
            "state": "running" if stopped is None else "stopped",
            "judged": "met" if elapsed <= target else "breached",
            "target_seconds": target,
            "elapsed_seconds": elapsed,
            "paused_seconds": draw.randrange(600) if index % 4 == 0 else 0,
            "remaining_seconds": target - elapsed,
            "goal_seconds": target // 2,
            "goal_breached": elapsed > target // 2,
        }


def _drain(chunks: Iterator[str]) -> None:
    with open("/dev/null", "w", encoding="utf-8") as sink:
        for chunk in chunks:
            sink.write(chunk)


def _plain_csv(rows: Iterator[dict[str, Any]]) -> None:
    names = [column.name for column in COLUMNS]
    with open("/dev/null", "w", encoding="utf-8", newline="") as sink:
        writer = csv.writer(sink)
        writer.writerow(names)
        writer.writerows([row[name] for name in names] for row in rows)


def _plain_xlsx(rows: Iterator[dict[str, Any]]) -> None:
    names = [column.name for column in COLUMNS]
    workbook = xlsxwriter.Workbook("/dev/null", {"constant_memory": True})
    sheet = workbook.add_worksheet()
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, names)
    for line, row in enumerate(rows, 1):
        for at, name in enumerate(names):
            value = row[name]
            if isinstance(value, datetime):
                sheet.write_datetime(line, at, value.replace(tzinfo=None), stamp)
            elif value is not None:
                sheet.write(line, at, value)
    workbook.close()


def _generate_only(rows: Iterator[dict[str, Any]]) -> None:
    for _ in rows:
        pass


def _timed(
    name: str, count: int, export: Callable[[Iterator[dict[str, Any]]], None], made: float
) -> float:
    """CPU seconds per row of ``export`` over ``count`` fresh rows, less ``made`` (the
    rows' own), printed as a table row; rows/s are counted on CPU time, as the machine
    may be shared."""
    rows = sla_log_rows(count)
    wall, cpu = time.perf_counter(), time.process_time()
    export(rows)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    per_row = cpu / count - made
    print(f"| {name} | {count:,} | {wall:.2f} | {count / cpu:,.0f} | {1 / per_row:,.0f} |")
    return per_row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    parser.add_argument("--skip-xlsx", action="store_true")
    args = parser.parse_args()
    count = 100_000 if args.quick else args.rows
    rows = sla_log_rows(count)
    cpu = time.process_time()
    _generate_only(rows)
    made = (time.process_time() - cpu) / count
    print(f"Making the rows alone: {1 / made:,.0f} rows/s (CPU); the last column leaves it out.")
    print()
    print("| export | rows | wall s | rows/s, rows made included | rows/s, export only |")
    print("|---|---|---|---|---|")
    plain = _timed("csv.writer, raw values (reference)", count, _plain_csv, made)
    ours = _timed("csv_chunks", count, lambda rows: _drain(csv_chunks(COLUMNS, rows, ZONE)), made)
    _timed("json_chunks", count, lambda rows: _drain(json_chunks(COLUMNS, rows)), made)
    if not args.skip_xlsx:
        _timed("XlsxWriter, raw values (reference)", count, _plain_xlsx, made)
        _timed(
            "write_xlsx",
            count,
            lambda rows: write_xlsx(COLUMNS, rows, "/dev/null", ZONE),
            made,
        )
    print()
    print(f"csv_chunks / csv.writer, export only: {plain / ours:.2f} (above 1: faster)")
    verdict = "met" if 1 / ours >= 100_000 else "not met"
    print(f"target, CSV export at least 100,000 rows/s (export only): {verdict}")


if __name__ == "__main__":
    main()
