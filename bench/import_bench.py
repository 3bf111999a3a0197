"""Import benchmark (issue 25): the real logs, and a million events into PostgreSQL.

    .venv/bin/python bench/import_bench.py [--events 1000000] [--batch 5000]
        [--only real|million] [--profile N]

``real``: each real log of ``../shared/data/real`` (ServiceNow, BPI 2013, the
helpdesk log) through ``slaclock import``'s code: to events (read, mapped, counted,
thrown away), then with ``--into-db`` semantics into a fresh PostgreSQL schema
(``store/testing.py``: ``scratch_engine``, dropped afterwards) with a configuration
applied: ``import_events`` into ``ingest_events``, batch by batch, as the command does.

``million``: ``--events`` events of a ServiceNow-shaped file made by repeating the real
log with new incident numbers (``INC0000045`` becomes ``INC0000045-R2`` …; 115,817
events a copy), imported into PostgreSQL the same way (the ServiceNow example
configuration applied, so every ticket is projected with its clocks). Target (issue
25): 1,000,000 events in at most 10 minutes.

``--profile N``: cProfile of importing N events of the repeated log into PostgreSQL,
the 25 costliest functions by cumulative time.

Prints a table: rows, events, tickets, seconds to events, seconds into PostgreSQL,
events/s into PostgreSQL.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gzip
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from slaclock.service.compose import services_on
from slaclock.service.importers import ImportOptions, Summary, import_events
from slaclock.service.importers.sink import INGEST_BATCH, ingest_events
from slaclock.store.testing import drop_scratch, postgres_unreachable_reason, scratch_engine

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
SERVICENOW = REAL / "servicenow_incident_uci" / "incident_event_log.csv.gz"
LOGS = {
    "servicenow": (SERVICENOW, ROOT / "examples" / "servicenow" / "config.yaml"),
    "bpi2013": (
        REAL / "bpi2013_volvo_incidents" / "VINST-new.csv.gz",
        ROOT / "tests" / "data" / "example_config.yaml",
    ),
    "helpdesk-csv": (
        REAL / "helpdesk_italian_sw_company" / "finale.csv",
        ROOT / "tests" / "data" / "example_config.yaml",
    ),
}
NOW = datetime(2026, 3, 2, tzinfo=UTC)


def repeated_log(out: Path, events_wanted: int) -> int:
    """Write the ServiceNow log as many times as ``events_wanted`` needs (115,817
    events a copy), each copy's incidents renamed; the number of copies."""
    with gzip.open(SERVICENOW, "rt", encoding="utf-8", newline="") as source:
        text = source.read()
    header, _, body = text.partition("\n")
    rows = list(csv.reader(io.StringIO(body)))
    number = header.split(",").index("number")
    copies = -(-events_wanted // 115_000)
    with open(out, "w", encoding="utf-8", newline="") as sink:
        sink.write(header + "\n")
        writer = csv.writer(sink)
        for copy in range(1, copies + 1):
            for row in rows:
                renamed = list(row)
                renamed[number] = f"{row[number]}-R{copy}" if copy > 1 else row[number]
                writer.writerow(renamed)
    return copies


def to_events(source: str, path: Path) -> tuple[Summary, float]:
    """Read and map ``path``, the events counted and dropped."""
    summary = Summary()
    started = time.perf_counter()
    for _ in import_events(source, [path], ImportOptions(), summary):
        pass
    return summary, time.perf_counter() - started


def into_postgres(
    source: str, path: Path, config: Path, limit: int | None, batch: int, tmp: Path
) -> tuple[Summary, float, int]:
    """Import ``path`` (its first ``limit`` events) into a fresh PostgreSQL schema
    with ``config`` applied; the summary, seconds and events accepted."""
    engine = scratch_engine("postgresql", tmp)
    try:
        services = services_on(engine)
        services.config_apply(config.read_text(encoding="utf-8"), "bench", NOW)
        summary = Summary()
        events: Iterator[dict[str, Any]] = import_events(source, [path], ImportOptions(), summary)
        if limit is not None:
            events = islice(events, limit)
        started = time.perf_counter()
        ingested = ingest_events(services, events, lambda: NOW, batch)
        seconds = time.perf_counter() - started
        assert ingested.rejected == 0, ingested.examples
        return summary, seconds, ingested.accepted
    finally:
        drop_scratch(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=INGEST_BATCH)
    parser.add_argument("--only", choices=["real", "million"])
    parser.add_argument("--profile", type=int, metavar="N")
    args = parser.parse_args()
    if reason := postgres_unreachable_reason():
        sys.exit(reason)
    rows: list[tuple[str, int, int, int, float | None, float, int]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.profile:
            profile(tmp, args.profile, args.batch)
            return
        if args.only in (None, "real"):
            for source, (path, config) in LOGS.items():
                summary, mapped = to_events(source, path)
                _, seconds, accepted = into_postgres(source, path, config, None, args.batch, tmp)
                rows.append((source, summary.rows, summary.events, summary.tickets, mapped,
                             seconds, accepted))  # fmt: skip
                print(f"{source}: done", file=sys.stderr, flush=True)
        if args.only in (None, "million"):
            big = tmp / "servicenow_repeated.csv"
            copies = repeated_log(big, args.events)
            print(f"repeated log: {copies} copies, {big.stat().st_size:,} bytes", file=sys.stderr)
            config = LOGS["servicenow"][1]
            summary, seconds, accepted = into_postgres(
                "servicenow", big, config, args.events, args.batch, tmp
            )
            name = f"servicenow ×{copies}, first {args.events:,} events"
            rows.append((name, summary.rows, summary.events, summary.tickets, None, seconds,
                         accepted))  # fmt: skip
    print_table(rows, args.batch)


def profile(tmp: Path, events: int, batch: int) -> None:
    big = tmp / "servicenow_repeated.csv"
    repeated_log(big, events)
    profiler = cProfile.Profile()
    profiler.enable()
    into_postgres("servicenow", big, LOGS["servicenow"][1], events, batch, tmp)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def print_table(
    rows: list[tuple[str, int, int, int, float | None, float, int]], batch: int
) -> None:
    print(f"\nimport into PostgreSQL (--into-db semantics, batches of {batch:,})\n")
    print("| source | rows read | events | tickets | to events | into PostgreSQL | events/s |")
    print("|---|---|---|---|---|---|---|")
    for name, read, _events, tickets, mapped, seconds, accepted in rows:
        shown = f"{mapped:.1f} s" if mapped is not None else "—"
        rate = accepted / seconds if seconds else 0.0
        print(f"| {name} | {read:,} | {accepted:,} | {tickets:,} | {shown} | {seconds:.1f} s "
              f"| {rate:,.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
